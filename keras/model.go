package keras

import (
	"errors"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Model is a functional model: the graph of layer calls between its inputs and outputs. It
// trains (Compile, Fit), runs (Evaluate, Predict), and is itself a Layer: calling it on new
// tensors reuses its weights, to any depth of nesting.
type Model struct {
	LayerBase
	inputs  []*Tensor
	outputs []*Tensor
	nodes   []*Node // every call inside the model, deepest first
	layers  []Layer // Keras order: depth descending, ties by first visit
	depth   map[*Node]int

	sequential bool // built by NewSequential

	compiled *compiled
	programs *programCache
	stop     atomic.Bool
	memLimit atomic.Int64 // bytes a realisation may take; see SetMemoryLimit

	// The weights are guarded by the lock of the model's group (lock_group.go), shared with
	// every model it shares a layer with: a training step (with its optimizer update and
	// moving statistics), SetWeights, LoadWeights and Save hold it for writing (lockWeights);
	// an inference step of Predict or Evaluate holds it for reading (rlockWeights), on a
	// realisation of its own (pool.go), so inference from many goroutines runs in parallel
	// and waits only while weights change. The group's build mutex serialises building
	// realisations (a layer's Forward may keep state).
	// cacheOnce creates programs for the first goroutine that needs it.
	cacheOnce sync.Once
	// batchRunners keeps TrainOnBatch's runners from call to call (train_on_batch.go).
	batchRunners sync.Pool
}

// cache returns the model's program cache, creating it on first use.
func (m *Model) cache() *programCache {
	m.cacheOnce.Do(func() {
		if m.programs == nil {
			m.programs = &programCache{}
		}
	})
	return m.programs
}

var _ Layer = (*Model)(nil)

// ModelOption configures NewModel: [Name] (or its synonym [ModelName]).
type ModelOption interface{ applyModel(*modelConfig) }

type modelConfig struct{ name string }

// ModelName names the model, as [Name] does; it is kept for code written before Name named
// models too. Prefer Name.
func ModelName(name string) ModelOption { return NameOption(name) }

// Inputs lists a model's input tensors, in the order data is passed by position.
func Inputs(ts ...*Tensor) []*Tensor { return ts }

// Outputs lists a model's output tensors, in the order Predict returns them.
func Outputs(ts ...*Tensor) []*Tensor { return ts }

// NewModel finds the layer graph between inputs and outputs. It returns the errors carried
// by the tensors (a bad layer call), and errors for an output not connected to the inputs,
// for an input that is not an Input tensor, and for two layers with one name. Inputs that no
// output uses are allowed.
func NewModel(inputs, outputs []*Tensor, opts ...ModelOption) (m *Model, err error) {
	defer recoverErr("NewModel", &err)
	cfg := modelConfig{}
	for _, o := range opts {
		if o != nil {
			o.applyModel(&cfg)
		}
	}
	if err := firstErr(append(append([]*Tensor(nil), inputs...), outputs...)); err != nil {
		return nil, err
	}
	if len(inputs) == 0 || len(outputs) == 0 {
		return nil, fmt.Errorf("keras: NewModel: %w: a model needs at least one input and one output", ErrGraph)
	}
	for i, t := range inputs {
		if !t.node.isInput() {
			return nil, fmt.Errorf("keras: NewModel: %w: input %d (%s) is not a tensor returned by keras.Input", ErrGraph, i, t.Name())
		}
	}
	m = &Model{}
	if cfg.name == "" {
		m.Init("Functional", UniqueName("functional"))
	} else {
		m.Init("Functional", cfg.name)
	}
	m.inputs, m.outputs = inputs, outputs
	if err := m.mapGraph(); err != nil {
		return nil, err
	}
	m.built = true
	m.self = m
	m.joinGroups()
	m.dtype = "float32"
	for _, l := range m.layers {
		if l.base().dtype == "float64" {
			m.dtype = "float64"
		}
	}
	return m, nil
}

// mapGraph walks back from the outputs as Keras's map_graph does: a post-order DFS gives the
// nodes, depths order them, ties go to the first visit.
func (m *Model) mapGraph() error {
	isInput := map[*Tensor]bool{}
	for _, t := range m.inputs {
		isInput[t] = true
	}
	finished := map[*Node]bool{}
	inProgress := map[*Node]bool{}
	layerIndex := map[Layer]int{}
	var order []*Node
	var visit func(t *Tensor) error
	visit = func(t *Tensor) error {
		n := t.node
		if n == nil || finished[n] {
			return nil
		}
		if inProgress[n] {
			return fmt.Errorf("keras: NewModel: %w: cycle at layer %s", ErrGraph, n.layer.Name())
		}
		if _, ok := layerIndex[n.layer]; !ok {
			layerIndex[n.layer] = len(layerIndex)
		}
		inProgress[n] = true
		if !n.isInput() && !isInput[t] {
			for _, in := range n.inputs {
				if err := visit(in); err != nil {
					return err
				}
			}
		}
		finished[n] = true
		delete(inProgress, n)
		order = append(order, n)
		return nil
	}
	for _, t := range m.outputs {
		if err := visit(t); err != nil {
			return err
		}
	}
	nodeDepth := map[*Node]int{}
	layerDepth := map[Layer]int{}
	for i := len(order) - 1; i >= 0; i-- {
		n := order[i]
		d := max(nodeDepth[n], layerDepth[n.layer])
		layerDepth[n.layer] = d
		nodeDepth[n] = d
		if n.isInput() {
			continue
		}
		for _, in := range n.inputs {
			if p := in.node; p != nil {
				nodeDepth[p] = max(nodeDepth[p], d+1)
			}
		}
	}
	for _, t := range m.inputs {
		l := t.node.layer
		if _, ok := layerDepth[l]; !ok {
			layerDepth[l] = 0
			layerIndex[l] = -1
			nodeDepth[t.node] = 0
		}
	}
	// Connectivity: every node input must be computable from the declared inputs.
	nodes := make([]*Node, 0, len(nodeDepth))
	for n := range nodeDepth {
		nodes = append(nodes, n)
	}
	pos := map[*Node]int{}
	for i, n := range order {
		pos[n] = i
	}
	sort.SliceStable(nodes, func(i, j int) bool {
		if nodeDepth[nodes[i]] != nodeDepth[nodes[j]] {
			return nodeDepth[nodes[i]] > nodeDepth[nodes[j]]
		}
		return pos[nodes[i]] < pos[nodes[j]]
	})
	computable := map[*Tensor]bool{}
	for _, t := range m.inputs {
		computable[t] = true
	}
	for _, n := range nodes {
		if n.isInput() {
			if !computable[n.outputs[0]] {
				return fmt.Errorf("keras: NewModel: %w: output is not connected to the inputs: it depends on input %q, which is not among the model's inputs", ErrGraph, n.layer.Name())
			}
			continue
		}
		for _, in := range n.inputs {
			if !computable[in] {
				return fmt.Errorf("keras: NewModel: %w: cannot reach %s from the inputs: graph disconnected at layer %s", ErrGraph, in, n.layer.Name())
			}
		}
		for _, o := range n.outputs {
			computable[o] = true
		}
	}
	layers := make([]Layer, 0, len(layerDepth))
	for l := range layerDepth {
		layers = append(layers, l)
	}
	sort.SliceStable(layers, func(i, j int) bool {
		if layerDepth[layers[i]] != layerDepth[layers[j]] {
			return layerDepth[layers[i]] > layerDepth[layers[j]]
		}
		return layerIndex[layers[i]] < layerIndex[layers[j]]
	})
	seen := map[string]int{}
	for _, l := range layers {
		seen[l.Name()]++
	}
	var errs []error
	for _, l := range layers {
		if c := seen[l.Name()]; c > 1 {
			errs = append(errs, fmt.Errorf("keras: NewModel: %w: the name %q is used %d times in the model; all layer names should be unique", ErrGraph, l.Name(), c))
			seen[l.Name()] = 0
		}
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	m.nodes, m.layers, m.depth = nodes, layers, nodeDepth
	return nil
}

// ClassName returns "Functional" (or "Sequential").
func (m *Model) ClassName() string {
	if m.sequential {
		return "Sequential"
	}
	return "Functional"
}

// Inputs returns the model's input tensors.
func (m *Model) Inputs() []*Tensor { return m.inputs }

// Outputs returns the model's output tensors.
func (m *Model) Outputs() []*Tensor { return m.outputs }

// InputNames returns the names of the input layers, in order.
func (m *Model) InputNames() []string {
	out := make([]string, len(m.inputs))
	for i, t := range m.inputs {
		out[i] = t.Name()
	}
	return out
}

// OutputNames returns the names of the layers that produce the outputs, in order; losses,
// metrics and targets may be keyed by them.
func (m *Model) OutputNames() []string {
	out := make([]string, len(m.outputs))
	for i, t := range m.outputs {
		out[i] = t.Name()
	}
	return out
}

// Layers returns the model's layers in Keras's order (inputs first, by depth), each once. A
// Sequential model's list leaves out its input layer, as Keras's does.
func (m *Model) Layers() []Layer {
	out := make([]Layer, 0, len(m.layers))
	for _, l := range m.layers {
		if _, ok := l.(*InputLayer); ok && m.sequential {
			continue
		}
		out = append(out, l)
	}
	return out
}

// GetLayer returns the layer with the given name.
func (m *Model) GetLayer(name string) (Layer, error) {
	for _, l := range m.layers {
		if l.Name() == name {
			return l, nil
		}
	}
	return nil, fmt.Errorf("keras: model %s: %w: no layer named %q", m.Name(), ErrUnknownName, name)
}

// Variables returns every weight of the model, each once, in Keras's order: layer by layer,
// nested models expanded. The values are the live tensors every step updates: while another
// goroutine may use the model, read them through [Model.Weights] (copies taken under the
// model's lock) instead.
func (m *Model) Variables() []*Variable {
	seen := map[*Variable]bool{}
	var out []*Variable
	for _, l := range m.layers {
		for _, v := range l.Variables() {
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	return out
}

// TrainableVariables returns the weights the optimizer updates: trainable weights of
// trainable layers.
func (m *Model) TrainableVariables() []*Variable {
	var out []*Variable
	seen := map[*Variable]bool{}
	var walk func(l Layer, frozen bool)
	walk = func(l Layer, frozen bool) {
		frozen = frozen || !l.base().trainable
		if inner, ok := l.(*Model); ok {
			for _, il := range inner.layers {
				walk(il, frozen)
			}
			return
		}
		for _, v := range l.Variables() {
			if v.Trainable && !frozen && !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		}
	}
	for _, l := range m.layers {
		walk(l, !m.trainable)
	}
	return out
}

// Weights returns copies of every weight, in Keras's get_weights() order, so that
// best := m.Weights() ... m.SetWeights(best) restores them. Variables gives the live tensors.
func (m *Model) Weights() []*tensor.Dense {
	defer m.rlockWeights()() // a consistent copy: no training step or weight load is in flight
	vs := m.Variables()
	out := make([]*tensor.Dense, len(vs))
	for i, v := range vs {
		out[i] = v.Value.Clone().(*tensor.Dense)
	}
	return out
}

// SetWeights copies values into the model's weights, in Weights order; the count, shapes and
// dtypes must match.
func (m *Model) SetWeights(values []*tensor.Dense) (err error) {
	defer recoverErr("SetWeights", &err)
	defer m.lockWeights()()
	vs := m.Variables()
	if len(values) != len(vs) {
		return fmt.Errorf("keras: SetWeights: %w: model %s has %d weights, got %d", ErrData, m.Name(), len(vs), len(values))
	}
	for i, v := range vs {
		w := values[i]
		if w == nil {
			return fmt.Errorf("keras: SetWeights: %w: weight %d (%s) is nil", ErrData, i, v.Path)
		}
		if !w.Shape().Eq(v.Value.Shape()) {
			return fmt.Errorf("keras: SetWeights: %w: weight %d (%s) has shape %v, got %v", ErrShape, i, v.Path, v.Value.Shape(), w.Shape())
		}
		if err := copyInto(v.Value, w); err != nil {
			return fmt.Errorf("keras: SetWeights: weight %d (%s): %w", i, v.Path, err)
		}
	}
	return nil
}

// copyInto copies src into dst (same size), converting between float32 and float64.
func copyInto(dst, src *tensor.Dense) error {
	if src == dst {
		return nil
	}
	switch d := flatData(dst).(type) {
	case []float32:
		switch s := flatData(src).(type) {
		case []float32:
			copy(d, s)
		case []float64:
			for i := range d {
				d[i] = float32(s[i])
			}
		default:
			return fmt.Errorf("%w: %v", ErrDType, src.Dtype())
		}
	case []float64:
		switch s := flatData(src).(type) {
		case []float64:
			copy(d, s)
		case []float32:
			for i := range d {
				d[i] = float64(s[i])
			}
		default:
			return fmt.Errorf("%w: %v", ErrDType, src.Dtype())
		}
	default:
		return fmt.Errorf("%w: %v", ErrDType, dst.Dtype())
	}
	return nil
}

// flatData returns t's values as a slice, a scalar's (a weight of shape (), as Keras's
// Attention scale) as a slice of one: Data returns a scalar's value itself.
func flatData(t *tensor.Dense) any {
	if !t.IsScalar() {
		return t.Data()
	}
	switch t.Dtype() {
	case tensor.Float32:
		return t.Float32s()
	case tensor.Float64:
		return t.Float64s()
	}
	return t.Data()
}

// Call calls the model as a layer on new inputs: its layers and weights are shared.
func (m *Model) Call(inputs ...*Tensor) *Tensor { return CallOne(m, inputs...) }

// CallAll is Call for models with several outputs: one tensor per output.
func (m *Model) CallAll(inputs ...*Tensor) []*Tensor { return Call(m, inputs...) }

// SetTrainable freezes (false) or unfreezes (true) the model and every layer in it, nested
// models included, as setting model.trainable does in Keras 3: a frozen BatchNormalization
// then also runs in inference mode. It takes effect at the next Compile.
func (m *Model) SetTrainable(t bool) {
	m.LayerBase.SetTrainable(t)
	for _, l := range m.layers {
		if inner, ok := l.(*Model); ok {
			inner.SetTrainable(t)
			continue
		}
		if s, ok := l.(interface{ SetTrainable(bool) }); ok {
			s.SetTrainable(t)
		}
	}
}

// TakesIntegerInputs reports whether the model has an integer input, so that it can be called
// as a layer on token ids.
func (m *Model) TakesIntegerInputs() bool {
	for _, t := range m.inputs {
		if t.dtype == "int32" || t.dtype == "int64" {
			return true
		}
	}
	return false
}

// Build does nothing: a model's layers are built when it is made.
func (m *Model) Build([]Shape) error { return nil }

// OutputShapes infers the model's output shapes for new input shapes by running shape
// inference through its graph.
func (m *Model) OutputShapes(in []Shape) ([]Shape, error) {
	if len(in) != len(m.inputs) {
		return nil, fmt.Errorf("%w: model %s takes %d inputs, got %d", ErrGraph, m.Name(), len(m.inputs), len(in))
	}
	shapes := map[*Tensor]Shape{}
	for i, t := range m.inputs {
		if !t.shape.Compatible(in[i]) {
			return nil, ShapeError("input %d (%s) expects shape %v, got %v", i, t.Name(), t.shape, in[i])
		}
		shapes[t] = in[i]
	}
	for _, n := range m.nodes {
		if n.isInput() {
			continue
		}
		ins := make([]Shape, len(n.inputs))
		for i, t := range n.inputs {
			ins[i] = shapes[t]
		}
		outs, err := n.layer.OutputShapes(ins)
		if err != nil {
			return nil, layerErr(n.layer, err)
		}
		for i, t := range n.outputs {
			shapes[t] = outs[i]
		}
	}
	out := make([]Shape, len(m.outputs))
	for i, t := range m.outputs {
		out[i] = shapes[t]
	}
	return out, nil
}

// Forward emits the model's graph on the given input nodes: each inner call in order.
func (m *Model) Forward(ctx *Context, inputs []*G.Node) ([]*G.Node, error) {
	if len(inputs) != len(m.inputs) {
		return nil, fmt.Errorf("%w: model %s takes %d inputs, got %d", ErrGraph, m.Name(), len(m.inputs), len(inputs))
	}
	vals := make(map[*Tensor]*G.Node, len(m.nodes))
	for i, t := range m.inputs {
		vals[t] = inputs[i]
	}
	if err := m.forwardNodes(ctx, vals); err != nil {
		return nil, err
	}
	out := make([]*G.Node, len(m.outputs))
	for i, t := range m.outputs {
		out[i] = vals[t]
	}
	return out, nil
}

// forwardNodes emits every inner call, deepest first, reading and writing vals.
func (m *Model) forwardNodes(ctx *Context, vals map[*Tensor]*G.Node) error {
	for _, n := range m.nodes {
		if n.isInput() {
			continue
		}
		ins := make([]*G.Node, len(n.inputs))
		for i, t := range n.inputs {
			v, ok := vals[t]
			if !ok {
				return fmt.Errorf("keras: %w: %s has no value for input %d", ErrInternal, n.layer.Name(), i)
			}
			ins[i] = v
		}
		outs, err := forwardLayer(ctx, n.layer, ins)
		if err != nil {
			return err
		}
		if len(outs) != len(n.outputs) {
			return layerErr(n.layer, fmt.Errorf("%w: Forward returned %d outputs, OutputShapes %d", ErrInternal, len(outs), len(n.outputs)))
		}
		propagateMask(ctx, n.layer, ins, outs)
		for i, t := range n.outputs {
			vals[t] = outs[i]
		}
	}
	return nil
}

// MaskPropagator is implemented by layers that pass a mask through unchanged (Dense, Dropout,
// Activation, BatchNormalization ...), as Keras's supports_masking does. Layers that make or
// consume masks set them in Forward with [Context.SetMask] instead.
type MaskPropagator interface{ SupportsMasking() bool }

func propagateMask(ctx *Context, l Layer, ins, outs []*G.Node) {
	mp, ok := l.(MaskPropagator)
	if !ok || !mp.SupportsMasking() || len(ins) == 0 {
		return
	}
	mask := ctx.Mask(ins[0])
	if mask == nil {
		return
	}
	for _, o := range outs {
		if ctx.Mask(o) == nil {
			ctx.SetMask(o, mask)
		}
	}
}

// Config returns the model's Keras 3 config: its layers and their connections.
func (m *Model) Config() map[string]any { return modelConfigDict(m) }

// StopTraining reports whether a callback asked Fit to stop.
func (m *Model) StopTraining() bool { return m.stop.Load() }

// SetStopTraining asks Fit to stop after the current batch (or epoch).
func (m *Model) SetStopTraining(stop bool) { m.stop.Store(stop) }
