package keras

import (
	"fmt"
	"math/rand/v2"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Context is what a layer's Forward sees of one realisation of the model: the Gorgonia graph,
// whether it is the training graph, the weight nodes, masks, and hooks for per-step inputs
// (dropout masks) and per-step updates (moving statistics).
type Context struct {
	g        *G.ExprGraph
	training bool
	dtype    tensor.Dtype
	vars     map[*Variable]*G.Node
	masks    map[*G.Node]*G.Node
	logits   map[*G.Node]Logits
	feeds    []feed
	updates  []func() error
	checks   []func() error
	reads    []read
	rng      *rand.Rand
	counter  int

	addedLosses []*G.Node // scalars layers added to the total loss (AddLoss, context_loss.go)

	// ownHeaders gives every weight node a header of its own over the variable's numbers
	// (inference realisations, which run concurrently); bound records what each node reads.
	ownHeaders bool
	bound      []boundVar
}

// Logits records that a node is an activation applied to pre-activation values, so a loss can
// be computed from the logits (stable at extreme values) instead of from the probabilities.
type Logits struct {
	Node       *G.Node // the pre-activation values
	Activation string  // "softmax" or "sigmoid"
}

// feed is an input node filled anew before every step, such as a dropout mask.
type feed struct {
	node *G.Node
	fill func(t *tensor.Dense, rng *rand.Rand)
	buf  *tensor.Dense
}

func newContext(g *G.ExprGraph, training bool, dt tensor.Dtype, rng *rand.Rand) *Context {
	return &Context{
		g: g, training: training, dtype: dt, rng: rng,
		vars:   map[*Variable]*G.Node{},
		masks:  map[*G.Node]*G.Node{},
		logits: map[*G.Node]Logits{},
	}
}

// Graph returns the Gorgonia graph being built.
func (c *Context) Graph() *G.ExprGraph { return c.g }

// Training reports whether this is the training graph (dropout on, batch statistics used).
func (c *Context) Training() bool { return c.training }

// Var returns the node of a weight in this graph. Every graph reads the same numbers, so an
// optimizer step is seen by all of them: the training graph binds the variable's tensor, an
// inference graph a header of its own over the same backing array.
func (c *Context) Var(v *Variable) *G.Node {
	if n, ok := c.vars[v]; ok {
		return n
	}
	shape := v.Value.Shape().Clone()
	val := v.Value
	if c.ownHeaders {
		val = v.Value.ShallowClone()
	}
	n := G.NewTensor(c.g, v.Value.Dtype(), shape.Dims(), G.WithShape(shape...), G.WithValue(val), G.WithName(c.uniq(v.Path)))
	c.vars[v] = n
	c.bound = append(c.bound, boundVar{v: v, value: v.Value, data: v.Value.Uintptr()})
	return n
}

// boundVar is a weight a graph reads: the variable, the tensor it held when the graph was
// built and that tensor's backing array.
type boundVar struct {
	v     *Variable
	value *tensor.Dense
	data  uintptr
}

// current reports whether the graph still reads the variable's numbers. Variable.Value is an
// exported field: code that puts a new tensor there (rather than copying into the old one)
// leaves the graphs built before reading the old array, so such graphs are rebuilt.
func (b boundVar) current() bool {
	return b.v.Value == b.value && b.v.Value.Uintptr() == b.data
}

func (c *Context) uniq(name string) string {
	c.counter++
	return fmt.Sprintf("%s#%d", name, c.counter)
}

// Constant returns a scalar constant of the graph's float dtype.
func (c *Context) Constant(v float64) *G.Node {
	if c.dtype == tensor.Float64 {
		return G.NewConstant(v)
	}
	return G.NewConstant(float32(v))
}

// FloatDType returns the float dtype of this realisation.
func (c *Context) FloatDType() tensor.Dtype { return c.dtype }

// Feed adds an input node of the given shape whose value fill writes before every step, with
// the fit loop's random source (for dropout masks and other noise). fill gets the same tensor
// every step and must overwrite all of it.
func (c *Context) Feed(name string, dt tensor.Dtype, shape tensor.Shape, fill func(t *tensor.Dense, rng *rand.Rand)) *G.Node {
	n := G.NewTensor(c.g, dt, shape.Dims(), G.WithShape(shape...), G.WithName(c.uniq(name)))
	buf := tensor.New(tensor.WithShape(shape...), tensor.Of(dt))
	c.feeds = append(c.feeds, feed{node: n, fill: fill, buf: buf})
	return n
}

// Read returns a slot that holds a copy of n's value after every run of this graph. Read it
// in an AfterStep function: node.Value() is not reliable after a run, because Gorgonia reuses
// a dead node's register for later results.
func (c *Context) Read(n *G.Node) *G.Value {
	v := new(G.Value)
	c.reads = append(c.reads, read{n, v})
	return v
}

// read is a value the realisation copies out of the graph on every run.
type read struct {
	node *G.Node
	into *G.Value
}

// AfterStep registers a function run after every training step of this graph, once its
// values are computed (for BatchNormalization's moving statistics).
func (c *Context) AfterStep(f func() error) { c.updates = append(c.updates, f) }

// BeforeStep registers a check run before every step of this graph, once its inputs are fed
// and before anything is computed: a layer validates the batch (Embedding checks its token
// ids). An error stops the step and is returned by Fit, Evaluate or Predict.
func (c *Context) BeforeStep(f func() error) { c.checks = append(c.checks, f) }

// Mask returns the mask that travels with a node (1 where a time step is valid, 0 where it is
// padding), or nil.
func (c *Context) Mask(n *G.Node) *G.Node { return c.masks[n] }

// SetMask attaches a mask to a node.
func (c *Context) SetMask(n, mask *G.Node) {
	if mask != nil {
		c.masks[n] = mask
	}
}

// SetLogits records that out is activation(logits.Node).
func (c *Context) SetLogits(out *G.Node, l Logits) { c.logits[out] = l }

// LogitsOf returns the logits recorded for out.
func (c *Context) LogitsOf(out *G.Node) (Logits, bool) {
	l, ok := c.logits[out]
	return l, ok
}
