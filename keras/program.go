package keras

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// mode is the kind of realisation: what the graph computes.
type mode int

const (
	modeTrain   mode = iota // outputs, losses and gradients; dropout on
	modeTest                // outputs and losses; dropout off
	modePredict             // outputs only; dropout off
)

func (m mode) String() string { return [...]string{"train", "test", "predict"}[m] }

// program is one realisation of a model on Gorgonia: a graph for one concrete input-shape
// signature and mode, its machine, and the buffers data is copied into. Every program of a
// model binds the same weight tensors, so an optimizer step is seen by all.
type program struct {
	key     string
	g       *G.ExprGraph
	vm      G.VM
	machine machineKind // which machine vm is (machine.go)
	ctx     *Context
	inputs  []*G.Node
	outputs []*G.Node
	targets []*G.Node // per output; nil for outputs without a loss (or in predict mode)
	// sampleW are, in programs built with sample weights, per output with a loss, the
	// weights of its per-sample losses (sample_weight.go); nil otherwise.
	sampleW []*G.Node
	losses  []*G.Node // per output, unweighted; nil where there is no loss
	total   *G.Node
	grads   []*tensor.Dense // aligned with the model's trainable variables, filled by step
	gradOf  []*G.Node       // gradient node per trainable variable, nil if it does not reach the loss
	zeros   []*tensor.Dense // zero gradients for variables that do not reach the loss

	// Values copied out of the graph on every run (G.Read): after a run a node's Value() is
	// whatever its register last held, and Gorgonia reuses the registers of dead nodes.
	outVals  []*G.Value
	lossVals []*G.Value
	totalVal *G.Value
	gradVals []*G.Value

	bufs *batchBuffers // where batches are copied before they are fed

	pool  *poolEntry // the cache entry this program belongs to (pool.go)
	bound []boundVar // the weights this graph reads, to notice a replaced weight tensor
	// replica marks a training replica (replicas.go): its layers' after-step updates are
	// run by the replica set, one replica at a time, not by run.
	replica bool
	// feedsFilled says the next run's feeds (dropout masks) are already filled and let.
	feedsFilled bool
}

// readOut copies a node's value out of the graph on every run.
func readOut(n *G.Node) *G.Value {
	if n == nil {
		return nil
	}
	v := new(G.Value)
	G.Read(n, v)
	return v
}

// output returns the value of output i after the last run.
func (p *program) output(i int) (*tensor.Dense, error) {
	d, ok := (*p.outVals[i]).(*tensor.Dense)
	if !ok {
		return nil, fmt.Errorf("keras: %w: output %d has no value", ErrInternal, i)
	}
	return d, nil
}

// recoverRun is recoverErr for run, naming the graph only after a panic: building the text
// on every step was an allocation per step.
func (p *program) recoverRun(errp *error) {
	if r := recover(); r != nil {
		*errp = panicError("running the "+p.key+" graph", r)
	}
}

// run feeds the per-step inputs, runs the machine and, in training, the layers' after-step
// updates. The caller has already Let the inputs and targets.
func (p *program) run() (err error) {
	defer p.recoverRun(&err)
	for _, check := range p.ctx.checks {
		if err := check(); err != nil {
			return err
		}
	}
	for i := range p.ctx.feeds {
		if p.feedsFilled {
			break // the replicas' step filled them (shareFeeds)
		}
		f := &p.ctx.feeds[i]
		f.fill(f.buf, p.ctx.rng)
		if err := let(f.node, f.buf); err != nil {
			return err
		}
	}
	if err := p.vm.RunAll(); err != nil {
		p.vm.Reset()
		return fmt.Errorf("keras: running the %s graph: %w", p.key, err)
	}
	p.vm.Reset()
	if p.ctx.training && !p.replica {
		if err := p.afterStep(); err != nil {
			return err
		}
	}
	if p.ctx.training {
		for i, gv := range p.gradVals {
			if gv == nil {
				p.grads[i] = p.zeros[i]
				continue
			}
			d, ok := (*gv).(*tensor.Dense)
			if !ok {
				return fmt.Errorf("keras: %w: gradient %d is a %T", ErrInternal, i, *gv)
			}
			p.grads[i] = d
		}
	}
	return nil
}

// afterStep runs the layers' after-step updates (moving statistics) of the last run.
func (p *program) afterStep() error {
	for _, u := range p.ctx.updates {
		if err := u(); err != nil {
			return err
		}
	}
	return nil
}

// release frees the machine. Gorgonia's TapeMachine sets a finalizer on an object in a
// reference cycle, so a discarded machine is never collected unless the finalizer is cleared.
func (p *program) release() {
	if p.vm == nil {
		return
	}
	p.vm.Close()
	runtime.SetFinalizer(p.vm, nil)
	p.vm = nil
}

// programKey identifies a realisation: the mode and every input's concrete shape.
func programKey(md mode, shapes []tensor.Shape) string {
	var b strings.Builder
	b.WriteString(md.String())
	for _, s := range shapes {
		b.WriteByte('|')
		for i, d := range s {
			if i > 0 {
				b.WriteByte('x')
			}
			fmt.Fprint(&b, d)
		}
	}
	return b.String()
}

// gorgoniaDType maps a Keras input dtype to the dtype of the input node: integer inputs
// (token ids) become tensor.Int, which Gorgonia's indexing ops take.
func gorgoniaDType(keras string) tensor.Dtype {
	switch keras {
	case "float64":
		return tensor.Float64
	case "int32", "int64":
		return tensor.Int
	}
	return tensor.Float32
}

func (m *Model) floatDType() tensor.Dtype {
	if m.DType() == "float64" {
		return tensor.Float64
	}
	return tensor.Float32
}

// buildProgram realises the model for one mode and input-shape signature. weighted makes
// its losses take per-sample weights (SampleWeight, ClassWeight). rng is the program's
// random source for its feeds (Dropout's masks); nil derives one from the package's source.
func (m *Model) buildProgram(md mode, key string, shapes []tensor.Shape, trainable []*Variable, weighted bool, rng *rand.Rand) (p *program, err error) {
	defer recoverErr("building the "+key+" graph", &err)
	concrete := make([]Shape, len(shapes))
	for i, s := range shapes {
		concrete[i] = Shape(s)
	}
	if err := m.checkMemory(md, concrete); err != nil {
		return nil, err
	}
	g := G.NewGraph()
	dt := m.floatDType()
	if rng == nil {
		rng = newRand()
	}
	ctx := newContext(g, md == modeTrain, dt, rng)
	// Inference realisations run side by side (pool.go), and Gorgonia's matrix product
	// transposes its operands' headers in place while it runs: each of them reads the
	// weights through headers of its own over the shared numbers. Training realisations run
	// alone under the write lock and bind the variables' own tensors.
	// Training replicas (replicas.go) run side by side too.
	replica := isReplicaKey(key)
	ctx.ownHeaders = md != modeTrain || replica
	p = &program{key: key, g: g, ctx: ctx, replica: replica}
	vals := make(map[*Tensor]*G.Node, len(m.nodes))
	for i, t := range m.inputs {
		s := shapes[i]
		n := G.NewTensor(g, gorgoniaDType(t.dtype), s.Dims(), G.WithShape(s...), G.WithName("input:"+t.Name()))
		p.inputs = append(p.inputs, n)
		vals[t] = n
	}
	if err := m.forwardNodes(ctx, vals); err != nil {
		return nil, err
	}
	for _, t := range m.outputs {
		p.outputs = append(p.outputs, vals[t])
	}
	if md != modePredict {
		if err := p.buildLoss(m.compiled, dt, weighted); err != nil {
			return nil, err
		}
		if err := p.addPenalties(m.compiled.trainable); err != nil {
			return nil, err
		}
	}
	if md == modeTrain {
		if err := p.buildGrads(trainable); err != nil {
			return nil, err
		}
	}
	// Reads go in last, once every node they read exists, and before the machine compiles.
	for _, o := range p.outputs {
		p.outVals = append(p.outVals, readOut(o))
	}
	for _, l := range p.losses {
		p.lossVals = append(p.lossVals, readOut(l))
	}
	p.totalVal = readOut(p.total)
	for _, gn := range p.gradOf {
		p.gradVals = append(p.gradVals, readOut(gn))
	}
	for _, r := range ctx.reads {
		G.Read(r.node, r.into)
	}
	p.bound = ctx.bound
	if ctx.ownHeaders {
		if err := ownLeafHeaders(g, ctx.vars); err != nil {
			return nil, err
		}
	}
	if p.vm, p.machine, err = newMachine(g); err != nil {
		return nil, err
	}
	return p, nil
}

// buildLoss adds a target input per output with a loss, the per-output losses and their
// weighted sum.
func (p *program) buildLoss(c *compiled, dt tensor.Dtype, weighted bool) error {
	p.targets = make([]*G.Node, len(p.outputs))
	if weighted {
		p.sampleW = make([]*G.Node, len(p.outputs))
	}
	p.losses = make([]*G.Node, len(p.outputs))
	var terms []*G.Node
	for i, h := range c.heads {
		if h.loss == nil {
			continue
		}
		out := p.outputs[i]
		s := out.Shape()
		if h.shaped != nil {
			s = h.shaped.TargetShape(s)
		}
		// The output's index makes the name unique: outputs of one layer (a layer called
		// twice, or one with several outputs) share its name, and Gorgonia merges input nodes
		// of one name, type and shape into one, which trained every such output against the
		// last target fed.
		id := fmt.Sprintf("%d:%s", i, h.name)
		y := G.NewTensor(p.g, dt, s.Dims(), G.WithShape(s...), G.WithName("target:"+id))
		var logits *G.Node
		var act string
		if l, ok := p.ctx.LogitsOf(out); ok {
			logits, act = l.Node, l.Activation
		}
		var ln *G.Node
		var err error
		if weighted {
			ln, p.sampleW[i], err = p.weightedLoss(h, id, dt, y, out, logits, act)
		} else {
			ln, err = reducedLoss(h, y, out, logits, act)
		}
		if err != nil {
			return fmt.Errorf("keras: loss of output %q: %w", h.name, err)
		}
		p.targets[i], p.losses[i] = y, ln
		term := ln
		if h.weight != 1 {
			if term, err = G.HadamardProd(ln, p.ctx.Constant(h.weight)); err != nil {
				return err
			}
		}
		terms = append(terms, term)
	}
	for _, t := range terms {
		if p.total == nil {
			p.total = t
			continue
		}
		var err error
		if p.total, err = G.Add(p.total, t); err != nil {
			return err
		}
	}
	var err error
	p.total, err = p.ctx.addAddedLosses(p.total)
	return err
}

// buildGrads adds the gradient of the total loss with respect to every trainable variable that
// reaches it; the others get a zero gradient.
func (p *program) buildGrads(trainable []*Variable) error {
	reach := ancestors(p.g, p.total)
	p.gradOf = make([]*G.Node, len(trainable))
	p.grads = make([]*tensor.Dense, len(trainable))
	p.zeros = make([]*tensor.Dense, len(trainable))
	var wrt []*G.Node
	var idx []int
	for i, v := range trainable {
		n, ok := p.ctx.vars[v]
		if !ok || !reach[n] {
			p.zeros[i] = tensor.New(tensor.WithShape(v.Value.Shape().Clone()...), tensor.Of(v.Value.Dtype()))
			continue
		}
		wrt = append(wrt, n)
		idx = append(idx, i)
	}
	if len(wrt) == 0 {
		return nil
	}
	gs, err := G.Grad(p.total, wrt...)
	if err != nil {
		return fmt.Errorf("keras: gradients: %w", err)
	}
	for j, i := range idx {
		p.gradOf[i] = gs[j]
	}
	return nil
}

// ancestors returns every node the given node depends on, itself included.
func ancestors(g *G.ExprGraph, n *G.Node) map[*G.Node]bool {
	seen := map[*G.Node]bool{n: true}
	stack := []*G.Node{n}
	for len(stack) > 0 {
		cur := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		it := g.From(cur.ID())
		for it.Next() {
			c := it.Node().(*G.Node)
			if !seen[c] {
				seen[c] = true
				stack = append(stack, c)
			}
		}
	}
	return seen
}

// ownLeafHeaders rebinds every other leaf node that was bound to a tensor while the graph was
// built to a header of its own over the same numbers: a layer may bind one tensor in every
// realisation (Embedding's mask table), NewTapeMachine sets the engine of every bound value
// and Gorgonia's ops read (and the matrix product transposes) headers while they run, so
// inference realisations running side by side must not share one. Weights already have their
// own (Context.Var).
func ownLeafHeaders(g *G.ExprGraph, weights map[*Variable]*G.Node) error {
	own := make(map[*G.Node]bool, len(weights))
	for _, n := range weights {
		own[n] = true
	}
	for _, n := range g.AllNodes() {
		if n.Op() != nil || own[n] || n.Value() == nil {
			continue
		}
		d, ok := n.Value().(*tensor.Dense)
		if !ok {
			continue
		}
		if err := G.Let(n, d.ShallowClone()); err != nil {
			return fmt.Errorf("keras: %w: giving node %s a header of its own: %v", ErrInternal, n.Name(), err)
		}
	}
	return nil
}
