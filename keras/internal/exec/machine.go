package exec

import (
	"errors"
	"fmt"
	"reflect"
	"runtime/debug"
	"sync/atomic"

	"github.com/kerago/kerago/keras/internal/errs"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ErrUnsupported reports a graph the machine cannot run correctly: the caller runs it on
// Gorgonia's TapeMachine instead.
var ErrUnsupported = errors.New("exec: graph not supported")

// engine is the engine Gorgonia's TapeMachine gives every value it binds or computes; the
// machine gives its values the same one, so that any op dispatching through a tensor's engine
// computes exactly what it computes under the TapeMachine.
var engine tensor.Engine = G.StandardEngine{}

// kind is what a step does.
type kind uint8

const (
	kindArg  kind = iota // a leaf: its value is whatever is bound (Let) when the run starts
	kindOp               // an op: computed from its children's values
	kindRead             // a G.Read statement: copies its child's value out
)

// step is one node of the graph in execution order.
type step struct {
	node *G.Node
	kind kind
	op   G.Op
	pd   G.UsePreallocDoer // op's in-place form, nil when it has none
	in   []int             // indices of the children's steps
	args []G.Value         // the children's values, refilled before each call
	into *G.Value          // where a read copies to

	// buf is the value the op writes into with UsePreallocDo, allocated once on the first
	// run from the node's shape and dtype; nil for ops without UsePreallocDo, for scalars,
	// and after the op refused it (noBuf).
	buf   G.Value
	noBuf bool

	// view marks an op of kerago's whose output is a view of its one input (ops.Base's
	// SharesInput): while the input is the same tensor over the same memory, the view of
	// the last run (last) is still the result, and the op is not run again.
	view   bool
	lastIn *tensor.Dense
	lastAt uintptr
	last   G.Value
}

// Machine runs one Gorgonia expression graph, the same graph a TapeMachine would run, over
// and over: values of fixed shapes, computed in one fixed order. Unlike the TapeMachine it
// keeps every intermediate value from run to run: an op that can write into memory it is
// given (gorgonia.UsePreallocDoer) writes into a value allocated once per node, so a
// steady-state run allocates only what ops without that form allocate themselves.
//
// Leaves (inputs, weights, constants' nodes without op) are read from what is bound to them
// when the run starts, so G.Let between runs works as with the TapeMachine. The machine
// never writes into a value it did not allocate: not into weights, not into inputs, not into
// a value an op returned (which may be a view of its input). Values are never shared
// between nodes, so no op can overwrite what another still reads. It holds more memory than
// the TapeMachine, which reuses the memory of values no longer needed: the sum of every
// node's value, which keras's memory check already assumes.
//
// A Machine is not safe for concurrent use; nor is a graph shared between machines.
type Machine struct {
	g     *G.ExprGraph
	steps []step
	vals  []G.Value // per step, the value of its node in the current run
}

// New orders g's nodes once and prepares a machine for them. It returns an error wrapping
// ErrUnsupported for graphs holding nodes it cannot run (a G.Set statement, a statement of
// an unknown kind, a node ordered after its reader), which the caller runs on the
// TapeMachine instead.
func New(g *G.ExprGraph) (m *Machine, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%w: ordering the graph: %v", ErrUnsupported, r)
		}
		if errors.Is(err, ErrUnsupported) {
			refused.Add(1)
		} else if err == nil {
			built.Add(1)
		}
	}()
	sorted, err := G.Sort(g)
	if err != nil {
		return nil, fmt.Errorf("exec: ordering the graph: %w", err)
	}
	// Sort returns the outputs first; run children first, as the TapeMachine does.
	for i, j := 0, len(sorted)-1; i < j; i, j = i+1, j-1 {
		sorted[i], sorted[j] = sorted[j], sorted[i]
	}
	m = &Machine{g: g, steps: make([]step, len(sorted)), vals: make([]G.Value, len(sorted))}
	index := make(map[*G.Node]int, len(sorted))
	for i, n := range sorted {
		index[n] = i
	}
	for i, n := range sorted {
		s := &m.steps[i]
		s.node = n
		s.op = n.Op()
		// From lists a node's children in the order its op takes them.
		it := g.From(n.ID())
		for it.Next() {
			c := it.Node().(*G.Node)
			j, ok := index[c]
			if !ok || j >= i {
				return nil, fmt.Errorf("%w: node %s reads %s, which is not ordered before it", ErrUnsupported, n.Name(), c.Name())
			}
			s.in = append(s.in, j)
		}
		s.args = make([]G.Value, len(s.in))
		switch {
		case s.op == nil:
			s.kind = kindArg
		case isStatement(s.op):
			into, ok := readTarget(s.op)
			if !ok || len(s.in) != 1 {
				return nil, fmt.Errorf("%w: statement %v (%T) at node %s", ErrUnsupported, s.op, s.op, n.Name())
			}
			s.kind, s.into = kindRead, into
		default:
			// Ops that also have a CUDA form (CUDADoer) run on the CPU here, as in the
			// TapeMachine of a build without the cuda tag.
			s.kind = kindOp
			if inPlace(s.op) {
				s.pd, _ = s.op.(G.UsePreallocDoer)
			}
			s.view = isView(s.op)
		}
	}
	// The TapeMachine sets the engine of every bound value and puts every op that has a
	// training mode in training mode when it is built (it is never built in eval mode here).
	for _, n := range sorted {
		if v := n.Value(); v != nil {
			setEngine(v)
		}
		if op, ok := n.Op().(G.TrainModeOp); ok {
			if err := op.SetTraining(true); err != nil {
				return nil, fmt.Errorf("exec: training mode of %s: %w", n.Name(), err)
			}
		}
	}
	return m, nil
}

// isStatement reports whether op is one of Gorgonia's statements (Read, Set, device
// transfers), which the TapeMachine does not run as ops. They are unexported types, so they
// are known by name.
func isStatement(op G.Op) bool {
	switch reflect.TypeOf(op).String() {
	case "gorgonia.readOp", "gorgonia.letOp", "gorgonia.devTrans":
		return true
	}
	return false
}

// readTarget returns where a G.Read statement copies to: the op's one field, a *G.Value,
// which Gorgonia does not export.
func readTarget(op G.Op) (*G.Value, bool) {
	v := reflect.ValueOf(op)
	if v.Type().String() != "gorgonia.readOp" || v.Kind() != reflect.Struct || v.NumField() != 1 {
		return nil, false
	}
	f := v.Field(0)
	if f.Type() != reflect.TypeOf((*G.Value)(nil)) || f.IsNil() {
		return nil, false
	}
	// A *G.Value read out of an unexported field: Pointer is allowed where Interface is not.
	return (*G.Value)(f.UnsafePointer()), true
}

// inPlace reports whether op's UsePreallocDo may be given the node's value of the last run:
// whether it overwrites every element of the memory it is given. kerago's own ops do (their
// contract, keras/internal/ops); of Gorgonia's, the element-wise binary ops and the matrix
// products do (they hand it to tensor as WithReuse, which overwrites), while some others
// assume zeroed memory (sliceIncrOp, the gradient of a slice, adds into it), which a value
// kept from the last run is not. Every other op runs with Do.
func inPlace(op G.Op) bool {
	t := reflect.TypeOf(op)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.PkgPath() {
	case opsPkg:
		return true
	case "gorgonia.org/gorgonia":
		switch t.Name() {
		case "elemBinOp", "linAlgBinOp", "repeatOp":
			return true
		}
	}
	return false
}

// isView reports whether op is one of kerago's ops whose result is a view of its one input:
// kerago's ops return new tensors unless they say otherwise (ReturnsPtr, ops.Base's
// SharesInput), and then return only a view.
func isView(op G.Op) bool {
	t := reflect.TypeOf(op)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.PkgPath() == opsPkg && op.ReturnsPtr() && op.Arity() == 1
}

// opsPkg is the package of kerago's own ops.
const opsPkg = "github.com/kerago/kerago/keras/internal/ops"

// RunAll runs every node once, in order. A failing op's error names its node; a panic inside
// an op is returned as an error wrapping keras's internal-error sentinel.
func (m *Machine) RunAll() (err error) {
	at := -1
	defer func() {
		if r := recover(); r != nil {
			name := "?"
			if at >= 0 {
				name = m.steps[at].node.Name()
			}
			err = fmt.Errorf("exec: node %s: %w: %v\n%s", name, errs.Internal, r, debug.Stack())
		}
	}()
	for i := range m.steps {
		at = i
		s := &m.steps[i]
		switch s.kind {
		case kindArg:
			v := s.node.Value()
			if v == nil {
				return fmt.Errorf("exec: no value bound to node %s", s.node.Name())
			}
			m.vals[i] = v
		case kindRead:
			if err := m.read(s); err != nil {
				return err
			}
		default:
			v, err := m.do(s)
			if err != nil {
				return fmt.Errorf("exec: node %s (%v): %w", s.node.Name(), s.op, err)
			}
			m.vals[i] = v
		}
	}
	return nil
}

// do runs one op: in place into the node's own value where the op can, else Do.
func (m *Machine) do(s *step) (G.Value, error) {
	for k, j := range s.in {
		s.args[k] = m.vals[j]
	}
	if s.view {
		if in, ok := s.args[0].(*tensor.Dense); ok && in == s.lastIn && in.Uintptr() == s.lastAt && s.last != nil {
			return s.last, nil
		}
		v, err := s.op.Do(s.args...)
		if err != nil {
			return nil, err
		}
		setEngine(v)
		if in, ok := s.args[0].(*tensor.Dense); ok {
			s.lastIn, s.lastAt, s.last = in, in.Uintptr(), v
		}
		return v, nil
	}
	if s.pd != nil && !s.noBuf {
		if s.buf == nil {
			s.buf = allocate(s.node)
			if s.buf == nil {
				s.noBuf = true
			}
		}
		if s.buf != nil {
			v, err := s.pd.UsePreallocDo(s.buf, s.args...)
			if err == nil {
				setEngine(v)
				return v, nil
			}
			// As the TapeMachine does, an op that refuses the memory is run with Do; it
			// will not be offered the memory again.
			s.buf, s.noBuf = nil, true
		}
	}
	v, err := s.op.Do(s.args...)
	if err != nil {
		return nil, err
	}
	setEngine(v)
	return v, nil
}

// read copies a node's value to its reader, as the TapeMachine's read instruction does:
// into the value already there, else into a clone.
func (m *Machine) read(s *step) error {
	v := m.vals[s.in[0]]
	if *s.into != nil {
		if _, err := G.Copy(*s.into, v); err != nil {
			return fmt.Errorf("exec: reading %s: %w", s.node.Name(), err)
		}
		return nil
	}
	c, err := G.CloneValue(v)
	if err != nil {
		return fmt.Errorf("exec: reading %s: %w", s.node.Name(), err)
	}
	*s.into = c
	return nil
}

// allocate returns a zeroed tensor of n's shape and dtype, or nil where n's value is not a
// tensor (a scalar) or its shape is unknown.
func allocate(n *G.Node) (v G.Value) {
	if _, ok := n.Type().(G.TensorType); !ok {
		return nil
	}
	s := n.Shape()
	if len(s) == 0 || s.TotalSize() <= 0 {
		return nil
	}
	defer func() {
		if recover() != nil {
			v = nil
		}
	}()
	d := tensor.New(tensor.Of(n.Dtype()), tensor.WithShape(s.Clone()...), tensor.WithEngine(engine))
	return d
}

// setEngine gives a tensor the TapeMachine's engine unless it has it already.
func setEngine(v G.Value) {
	t, ok := v.(tensor.Tensor)
	if !ok {
		return
	}
	if _, same := t.Engine().(G.StandardEngine); same {
		return
	}
	tensor.WithEngine(engine)(t)
}

// Reset does nothing: values are kept for the next run. It lets the machine stand where
// Gorgonia's VM is expected.
func (m *Machine) Reset() {}

// Close drops the machine's values.
func (m *Machine) Close() error {
	for i := range m.steps {
		m.steps[i].buf, m.steps[i].last, m.steps[i].lastIn = nil, nil, nil
		clear(m.steps[i].args)
	}
	clear(m.vals)
	return nil
}

// Stats counts, after a run, the ops the machine ran: in place into memory of its own
// (InPlace) and through Do (Do), and the bytes of its own memory.
type Stats struct {
	Ops, InPlace, Do int
	Bytes            int64
}

// Stats reports how the machine ran its ops.
func (m *Machine) Stats() Stats {
	var st Stats
	for i := range m.steps {
		s := &m.steps[i]
		if s.kind != kindOp {
			continue
		}
		st.Ops++
		if s.buf != nil {
			st.InPlace++
			st.Bytes += int64(s.buf.MemSize())
		} else {
			st.Do++
		}
	}
	return st
}

// built and refused count the machines New built and the graphs it refused, for tests that
// must know which machine ran.
var built, refused atomic.Int64

// Counts returns how many machines New has built and how many graphs it refused
// (ErrUnsupported) in this process.
func Counts() (machines, refusals int64) { return built.Load(), refused.Load() }

var _ G.VM = (*Machine)(nil)
