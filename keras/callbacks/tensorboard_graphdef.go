package callbacks

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/tensorboard"
)

// writeOpGraph writes the model's layer graph as the train run's op graph, which
// TensorBoard's Graphs dashboard opens on (its default view fails with "Malformed GraphDef"
// on a run that has only a Keras conceptual graph). A graph that cannot be built is a
// warning, as a model that cannot be written as JSON is; a failed write is an error.
func (c *TensorBoardCallback) writeOpGraph(m *keras.Model) error {
	nodes, err := tbOpGraph(m)
	if err == nil {
		_, err = tensorboard.EncodeGraphDef(nodes)
	}
	if err != nil {
		c.warned.warn(c.Warn, fmt.Sprintf("Model failed to serialize as a GraphDef. Ignoring... %v", err))
		return nil
	}
	return c.train.OpGraph(nodes)
}

// tbOpGraph returns the model as a layer-level op graph: one node per layer call, its op the
// layer's class, its inputs the calls that produce the call's inputs, with the outputs' dtype
// and shapes ("_output_shapes", which TensorBoard labels the edges with) and the layer's
// scalar config values as attrs.
//
// Names are what TensorBoard groups by. The model's own layers are at the top level, named as
// the layers, so that the default view, which opens with every group collapsed, shows them at
// once. A layer called more than once in a model (a shared layer) is a group of its calls,
// "dense/call_0", "dense/call_1". A nested model's call is a group holding its layers' calls,
// "encoder/dense" (or "encoder/call_1/dense" for a nested model called twice); its inputs are
// fed by the outer calls directly, since TensorFlow's graphs have no nodes for a nested
// model's inputs either.
func tbOpGraph(m *keras.Model) ([]tensorboard.GraphNode, error) {
	g := &tbGraphBuilder{}
	if _, err := g.model(m, "", nil); err != nil {
		return nil, err
	}
	return g.nodes, nil
}

// tbGraphBuilder collects the nodes of tbOpGraph.
type tbGraphBuilder struct{ nodes []tensorboard.GraphNode }

// model adds the calls inside m under scope. bound names the nodes feeding m's inputs (nil
// for the outermost model, whose inputs become InputLayer nodes). It returns the node names
// of m's outputs.
func (g *tbGraphBuilder) model(m *keras.Model, scope string, bound []string) ([]string, error) {
	if bound != nil && len(bound) != len(m.Inputs()) {
		return nil, fmt.Errorf("model %s: called on %d tensors, it has %d inputs", m.Name(), len(bound), len(m.Inputs()))
	}
	names := map[*keras.Tensor]string{} // tensor → "node" or "node:k"
	for i, t := range m.Inputs() {
		if bound != nil {
			names[t] = bound[i]
			continue
		}
		name := scope + t.Layer().Name()
		g.nodes = append(g.nodes, tbLayerNode(t.Layer(), name, nil, []*keras.Tensor{t}))
		names[t] = name
	}
	calls, err := tbCalls(m)
	if err != nil {
		return nil, err
	}
	perLayer := map[keras.Layer][]*keras.Node{}
	for _, n := range calls {
		perLayer[n.Layer()] = append(perLayer[n.Layer()], n)
	}
	for _, n := range calls {
		l := n.Layer()
		name := scope + l.Name()
		if same := perLayer[l]; len(same) > 1 {
			slices.SortFunc(same, func(a, b *keras.Node) int { return a.Index() - b.Index() })
			name += "/call_" + strconv.Itoa(slices.Index(same, n))
		}
		ins := make([]string, len(n.Inputs()))
		for i, t := range n.Inputs() {
			src, ok := names[t]
			if !ok {
				return nil, fmt.Errorf("model %s: the input %d of %s comes from outside the model", m.Name(), i, name)
			}
			ins[i] = src
		}
		if inner, ok := l.(*keras.Model); ok {
			outs, err := g.model(inner, name+"/", ins)
			if err != nil {
				return nil, err
			}
			for k, t := range n.Outputs() {
				names[t] = outs[k]
			}
			continue
		}
		g.nodes = append(g.nodes, tbLayerNode(l, name, ins, n.Outputs()))
		for k, t := range n.Outputs() {
			names[t] = name
			if k > 0 {
				names[t] = name + ":" + strconv.Itoa(k)
			}
		}
	}
	outs := make([]string, len(m.Outputs()))
	for i, t := range m.Outputs() {
		outs[i] = names[t]
	}
	return outs, nil
}

// tbCalls returns the layer calls between m's inputs and outputs, each after the calls it
// takes inputs from (a depth-first post-order from the outputs, as Keras maps a graph).
func tbCalls(m *keras.Model) ([]*keras.Node, error) {
	isInput := map[*keras.Tensor]bool{}
	for _, t := range m.Inputs() {
		isInput[t] = true
	}
	seen := map[*keras.Node]bool{}
	var order []*keras.Node
	var visit func(t *keras.Tensor) error
	visit = func(t *keras.Tensor) error {
		if isInput[t] {
			return nil
		}
		n := tbProducer(t)
		if n == nil {
			return fmt.Errorf("model %s: no layer call produced the tensor %v", m.Name(), t)
		}
		if seen[n] {
			return nil
		}
		seen[n] = true
		for _, in := range n.Inputs() {
			if err := visit(in); err != nil {
				return err
			}
		}
		order = append(order, n)
		return nil
	}
	for _, t := range m.Outputs() {
		if err := visit(t); err != nil {
			return nil, err
		}
	}
	return order, nil
}

// tbProducer returns the call of t's layer that produced t.
func tbProducer(t *keras.Tensor) *keras.Node {
	l, ok := t.Layer().(interface{ InboundNodes() []*keras.Node })
	if !ok {
		return nil
	}
	for _, n := range l.InboundNodes() {
		if slices.Contains(n.Outputs(), t) {
			return n
		}
	}
	return nil
}

// tbLayerNode describes one call of l: op the class, the outputs' dtype and shapes, and the
// scalar values of the layer's config (units, activation, rate ...) as attrs.
func tbLayerNode(l keras.Layer, name string, inputs []string, outs []*keras.Tensor) tensorboard.GraphNode {
	n := tensorboard.GraphNode{Name: name, Op: l.ClassName(), Inputs: inputs, OutputShapes: [][]int64{}}
	for _, t := range outs {
		s := make([]int64, len(t.Shape()))
		for i, d := range t.Shape() {
			s[i] = int64(d) // keras.None is -1, TensorFlow's unknown dimension
		}
		n.OutputShapes = append(n.OutputShapes, s)
	}
	if len(outs) > 0 {
		n.DType = outs[0].DType()
	}
	for k, v := range l.Config() {
		switch v.(type) {
		case string, bool, int, int64, float64:
			if k != "dtype" && k != "name" {
				if n.Attrs == nil {
					n.Attrs = map[string]any{}
				}
				n.Attrs[k] = v
			}
		}
	}
	return n
}
