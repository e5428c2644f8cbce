package optimizers

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"

	"gorgonia.org/tensor"
)

var (
	_ Builder = (*AdamOptimizer)(nil)
	_ Builder = (*SGDOptimizer)(nil)
	_ Builder = (*RMSpropOptimizer)(nil)
	_ Builder = (*AdagradOptimizer)(nil)
)

// state is what every optimizer shares: the learning rate, the iteration count, the sticky
// construction error, the parameters it is bound to and the slot variables with their Keras
// order.
//
// mu guards every field below it that changes: an optimizer is safe for concurrent use, so a
// callback may read or set the learning rate, or read the iterations and variables, while
// another goroutine's training step (Apply) or LoadWeights (SetVariables) runs. keras takes
// its model's lock before this one, never the other way round.
type state struct {
	mu         sync.Mutex
	name       string // Keras identifier, e.g. "adam"
	configName string // the "name" entry of Config, Keras's default name of the class
	lr         float64
	iterations int64
	err        error // sticky construction error
	// weightDecay is Keras's weight_decay when hasWeightDecay (Keras's None otherwise);
	// see decay.
	weightDecay    float64
	hasWeightDecay bool
	// clipnorm, globalClipnorm and clipvalue are Keras's gradient clipping arguments, 0 for
	// None (at most one is set); clipBuf holds the clipped gradients (see before).
	clipnorm, globalClipnorm, clipvalue float64
	clipBuf                             []*tensor.Dense

	// slotNames are the slot kinds in use, e.g. {"momentum", "velocity"}.
	slotNames []string
	// slotInit is the initial value of each slot kind.
	slotInit []float64
	// groups is Keras's creation order: each group lists slot kinds that Keras creates
	// interleaved per parameter (add_optimizer_variables with a list of names); groups
	// follow each other. Adam: {{momentum, velocity}, {velocity_hat}}.
	groups [][]int

	built   bool
	nParams int
	// params are the parameters the optimizer is bound to, by identity: recorded by Build or
	// by the first Apply, nil until then. Apply accepts exactly these tensors, in this order.
	params []*tensor.Dense
	// rebind lets the next Apply bind other tensors of the bound shapes and dtypes: set by
	// SetVariables, which restores a state by position (the weights of a loaded model).
	rebind  bool
	shapes  []tensor.Shape    // shape of each parameter, recorded by build
	dtypes  []tensor.Dtype    // dtype of each parameter, recorded by build
	slots   [][]*tensor.Dense // slots[kind][param]
	pending []*tensor.Dense   // slot variables restored before the first Apply, Keras order

	// scalarNames are optimizer-wide scalar variables that Keras creates after the slots
	// (Nadam's u_product) and saves last; scalars holds their values, set to scalarInit when
	// the optimizer is built unless SetVariables restored them (scalarsSet).
	scalarNames []string
	scalarInit  []float64
	scalars     []float64
	scalarsSet  bool
}

// newState is the shared state of an optimizer named name (Keras identifier) whose Config
// reports configName, from its validated options c and their first problem err.
func newState(name, configName string, c config, err error) state {
	return state{name: name, configName: configName, lr: c.learningRate, err: err,
		weightDecay: c.weightDecay, hasWeightDecay: c.set&fieldWeightDecay != 0,
		clipnorm: c.clipnorm, globalClipnorm: c.globalClipnorm, clipvalue: c.clipvalue}
}

// addSlotGroup appends a group of slot kinds that Keras creates interleaved per parameter.
func (s *state) addSlotGroup(init float64, names ...string) {
	var g []int
	for _, n := range names {
		g = append(g, len(s.slotNames))
		s.slotNames = append(s.slotNames, n)
		s.slotInit = append(s.slotInit, init)
	}
	s.groups = append(s.groups, g)
}

// order returns, for n parameters, the (kind, param) pairs in Keras variable order.
func (s *state) order(n int) [][2]int {
	var out [][2]int
	for _, g := range s.groups {
		for i := 0; i < n; i++ {
			for _, k := range g {
				out = append(out, [2]int{k, i})
			}
		}
	}
	return out
}

// Name returns the Keras identifier of the optimizer.
func (s *state) Name() string { return s.name }

// LearningRate returns the current learning rate.
func (s *state) LearningRate() float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lr
}

// SetLearningRate sets the learning rate used from the next Apply on.
func (s *state) SetLearningRate(lr float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.lr = lr
}

// Iterations returns the number of successful Apply calls.
func (s *state) Iterations() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.iterations
}

// Err returns the sticky construction error, or an error for an invalid learning rate set
// with SetLearningRate, or nil.
func (s *state) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.errLocked()
}

// errLocked is Err for callers that hold s.mu.
func (s *state) errLocked() error {
	if s.err != nil {
		return s.err
	}
	if err := checkLearningRate(s.name, s.lr); err != nil {
		return err
	}
	return nil
}

// slot returns slot kind k of parameter i.
func (s *state) slot(k, i int) *tensor.Dense { return s.slots[k][i] }

// prepare validates one Apply call and builds the state on the first one. ok is false when
// there is nothing to do (no parameters). It allocates only on errors and on the first call.
// The caller holds s.mu.
func (s *state) prepare(params, grads []*tensor.Dense) (ok bool, err error) {
	if err := s.errLocked(); err != nil {
		return false, err
	}
	if len(params) != len(grads) {
		return false, newError(s.name, "Apply", ErrMismatch,
			"got %d params and %d grads, want one gradient per parameter", len(params), len(grads))
	}
	if len(params) == 0 {
		return false, nil
	}
	if err := s.checkBinding(params); err != nil {
		return false, err
	}
	for i, p := range params {
		g := grads[i]
		if p == nil || g == nil {
			return false, newError(s.name, "Apply", ErrMismatch, "params[%d] or grads[%d] is nil", i, i)
		}
		dt := p.Dtype()
		if dt != tensor.Float32 && dt != tensor.Float64 {
			return false, newError(s.name, "Apply", ErrMismatch,
				"params[%d] has dtype %v, want float32 or float64", i, dt)
		}
		if g.Dtype() != dt {
			return false, newError(s.name, "Apply", ErrMismatch,
				"grads[%d] has dtype %v, params[%d] has %v; they must match", i, g.Dtype(), i, dt)
		}
		if !sameShape(p.Shape(), g.Shape()) {
			return false, newError(s.name, "Apply", ErrMismatch,
				"grads[%d] has shape %v, params[%d] has %v; they must match", i, g.Shape(), i, p.Shape())
		}
		if p.RequiresIterator() || g.RequiresIterator() {
			return false, newError(s.name, "Apply", ErrMismatch,
				"params[%d] or grads[%d] is a non-contiguous view; pass contiguous tensors", i, i)
		}
		n := numElems(p.Shape())
		if elems(p) != n || elems(g) != n {
			return false, newError(s.name, "Apply", ErrMismatch,
				"params[%d] or grads[%d] holds a backing array of a different size than its shape %v", i, i, p.Shape())
		}
		if s.built && (dt != s.dtypes[i] || !sameShape(p.Shape(), s.shapes[i])) {
			return false, newError(s.name, "Apply", ErrMismatch,
				"params[%d] is %v %v, the optimizer was built for %v %v; pass the same params on every call",
				i, dt, p.Shape(), s.dtypes[i], s.shapes[i])
		}
	}
	if !s.built {
		if err := s.build(params); err != nil {
			return false, err
		}
	}
	switch {
	case s.params == nil:
		s.params = append([]*tensor.Dense(nil), params...)
	case s.rebind:
		copy(s.params, params) // same length: checkBinding
		s.rebind = false
	}
	return true, nil
}

// checkBinding checks that params are the tensors the optimizer is bound to (any tensors
// before it is bound, any of the bound count after SetVariables). It does not allocate
// unless it fails.
func (s *state) checkBinding(params []*tensor.Dense) error {
	if s.params == nil {
		return nil
	}
	if len(params) != len(s.params) {
		return newError(s.name, "Apply", ErrMismatch,
			"got %d params, the optimizer was built for %d; pass the same params on every call, and Compile the model again after changing which weights are trainable",
			len(params), len(s.params))
	}
	if s.rebind {
		return nil
	}
	for i, p := range params {
		if p != s.params[i] {
			return newError(s.name, "Apply", ErrMismatch,
				"params[%d] is not the variable the optimizer was built for at that position: an optimizer holds the state of one list of variables (one model: the last one compiled with it); create one optimizer per model",
				i)
		}
	}
	return nil
}

// Build binds the optimizer to params, the variables later Apply calls must pass (by
// identity, in this order), without waiting for the first Apply; see [Builder]. Binding the
// tensors it is bound to already does nothing. Rebinding a built optimizer to another list
// keeps the slot variables of the tensors it had (same tensor, shape and dtype), creates
// fresh ones (zeros, or the optimizer's initial value) for the others and drops the rest;
// the iteration count and the learning rate are kept, as when Keras 3 builds slots for new
// variables. It fails, changing nothing, on a nil or non-float parameter.
func (s *state) Build(params []*tensor.Dense) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, p := range params {
		if p == nil {
			return newError(s.name, "Build", ErrMismatch, "params[%d] is nil", i)
		}
		if dt := p.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
			return newError(s.name, "Build", ErrMismatch, "params[%d] has dtype %v, want float32 or float64", i, dt)
		}
	}
	if s.params != nil && sameTensors(s.params, params) {
		s.rebind = false
		return nil
	}
	bound := append([]*tensor.Dense{}, params...)
	if !s.built {
		s.params, s.rebind = bound, false
		return nil
	}
	old := make(map[*tensor.Dense]int, len(s.params))
	for j, p := range s.params {
		old[p] = j
	}
	n := len(params)
	slots := make([][]*tensor.Dense, len(s.slotNames))
	for k := range slots {
		slots[k] = make([]*tensor.Dense, n)
	}
	shapes, dtypes := make([]tensor.Shape, n), make([]tensor.Dtype, n)
	for i, p := range params {
		shapes[i], dtypes[i] = p.Shape().Clone(), p.Dtype()
		j, had := old[p]
		had = had && j < s.nParams && s.dtypes[j] == dtypes[i] && sameShape(s.shapes[j], shapes[i])
		for k := range slots {
			if had {
				slots[k][i] = s.slots[k][j]
			} else {
				slots[k][i] = s.newSlot(k, p)
			}
		}
	}
	s.slots, s.shapes, s.dtypes, s.nParams = slots, shapes, dtypes, n
	s.params, s.rebind = bound, false
	return nil
}

// newSlot returns a fresh slot variable of kind k for parameter p.
func (s *state) newSlot(k int, p *tensor.Dense) *tensor.Dense {
	t := tensor.New(tensor.Of(p.Dtype()), tensor.WithShape(p.Shape().Clone()...))
	if v := s.slotInit[k]; v != 0 {
		fill(t, v)
	}
	return t
}

// sameTensors reports whether a and b hold the same tensors (pointers) in the same order.
func sameTensors(a, b []*tensor.Dense) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// build creates the slot variables for params, from pending values if SetVariables came first.
func (s *state) build(params []*tensor.Dense) error {
	n := len(params)
	slots := make([][]*tensor.Dense, len(s.slotNames))
	for k := range slots {
		slots[k] = make([]*tensor.Dense, n)
	}
	if s.pending != nil {
		order := s.order(n)
		if len(s.pending) != len(order) {
			return newError(s.name, "Apply", ErrVariables,
				"SetVariables gave %d slot variables, %d params need %d (%s per parameter)",
				len(s.pending), n, len(order), strings.Join(s.slotNames, ", "))
		}
		for j, ki := range order {
			k, i := ki[0], ki[1]
			src, p := s.pending[j], params[i]
			if !sameShape(src.Shape(), p.Shape()) {
				return newError(s.name, "Apply", ErrVariables,
					"restored variable %d (%s of params[%d]) has shape %v, params[%d] has %v",
					j+2, s.slotNames[k], i, src.Shape(), i, p.Shape())
			}
			dst := tensor.New(tensor.Of(p.Dtype()), tensor.WithShape(p.Shape().Clone()...))
			copyConvert(dst, src)
			slots[k][i] = dst
		}
	} else {
		for k := range slots {
			for i, p := range params {
				slots[k][i] = s.newSlot(k, p)
			}
		}
	}
	s.shapes, s.dtypes = make([]tensor.Shape, n), make([]tensor.Dtype, n)
	for i, p := range params {
		s.shapes[i], s.dtypes[i] = p.Shape().Clone(), p.Dtype()
	}
	s.slots, s.nParams, s.built, s.pending = slots, n, true, nil
	if !s.scalarsSet {
		s.scalars = append(s.scalars[:0], s.scalarInit...)
	}
	return nil
}

// scalarCount is the number of optimizer-wide scalar variables saved after the slots.
func (s *state) scalarCount() int { return len(s.scalarNames) }

// addScalar declares an optimizer-wide scalar variable that Keras creates after the slots.
func (s *state) addScalar(name string, init float64) {
	s.scalarNames = append(s.scalarNames, name)
	s.scalarInit = append(s.scalarInit, init)
}

// Variables returns copies of the optimizer variables in Keras order: iteration (int64
// scalar), learning rate (float64 scalar), then the slots.
func (s *state) Variables() []*tensor.Dense {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []*tensor.Dense{
		tensor.New(tensor.FromScalar(s.iterations)),
		tensor.New(tensor.FromScalar(s.lr)),
	}
	switch {
	case s.built:
		for _, ki := range s.order(s.nParams) {
			out = append(out, s.slots[ki[0]][ki[1]].Clone().(*tensor.Dense))
		}
	case s.pending != nil:
		for _, t := range s.pending {
			out = append(out, t.Clone().(*tensor.Dense))
		}
	}
	if s.built || s.scalarsSet {
		for _, v := range s.scalars {
			out = append(out, tensor.New(tensor.FromScalar(v)))
		}
	}
	return out
}

// SetVariables restores variables in the layout Variables returns.
func (s *state) SetVariables(vars []*tensor.Dense) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	fail := func(format string, args ...any) error {
		return newError(s.name, "SetVariables", ErrVariables, format, args...)
	}
	if len(vars) < 2 {
		return fail("got %d variables, want at least 2 (iteration, learning_rate)", len(vars))
	}
	it, err := scalarValue(vars[0])
	if err != nil {
		return fail("variable 0 (iteration): %v", err)
	}
	if it < 0 || it != math.Trunc(it) || it > 1<<53 {
		return fail("variable 0 (iteration) must be a non-negative integer, got %v", it)
	}
	lr, err := scalarValue(vars[1])
	if err != nil {
		return fail("variable 1 (learning_rate): %v", err)
	}
	if math.IsNaN(lr) || math.IsInf(lr, 0) || lr < 0 {
		return fail("variable 1 (learning_rate) must be a finite number >= 0, got %v", lr)
	}
	if vars[1].Dtype() == tensor.Float32 {
		// Keras stores the learning rate as float32; read it back as the shortest decimal
		// that rounds to it, so 0.001 stays 0.001.
		lr, _ = strconv.ParseFloat(strconv.FormatFloat(lr, 'g', -1, 32), 64)
	}
	slots := vars[2:]
	var scalars []float64
	if ns := len(s.scalarNames); ns > 0 && len(slots) > 0 {
		// Keras saves these only once built, after the slots.
		if len(slots) < ns {
			return fail("got %d variables after learning_rate, want the slots then %s",
				len(slots), strings.Join(s.scalarNames, ", "))
		}
		for j, t := range slots[len(slots)-ns:] {
			if t == nil {
				return fail("variable %d (%s) is nil", len(vars)-ns+j, s.scalarNames[j])
			}
			v, err := scalarValue(t)
			if err != nil {
				return fail("variable %d (%s): %v", len(vars)-ns+j, s.scalarNames[j], err)
			}
			scalars = append(scalars, v)
		}
		slots = slots[:len(slots)-ns]
	}
	kinds := len(s.slotNames)
	for j, t := range slots {
		if t == nil {
			return fail("variable %d is nil", j+2)
		}
		if dt := t.Dtype(); dt != tensor.Float32 && dt != tensor.Float64 {
			return fail("variable %d has dtype %v, want float32 or float64", j+2, dt)
		}
		if t.RequiresIterator() || elems(t) != numElems(t.Shape()) {
			return fail("variable %d is a non-contiguous view; pass contiguous tensors", j+2)
		}
	}
	switch {
	case kinds == 0 && len(slots) != 0:
		return fail("got %d slot variables, %s has none with these settings", len(slots), s.name)
	case kinds != 0 && len(slots)%kinds != 0:
		return fail("got %d slot variables, want a multiple of %d (%s per parameter)",
			len(slots), kinds, strings.Join(s.slotNames, ", "))
	}
	if s.built {
		order := s.order(s.nParams)
		if len(slots) != len(order) {
			return fail("got %d slot variables, the optimizer holds %d (%s for each of %d params)",
				len(slots), len(order), strings.Join(s.slotNames, ", "), s.nParams)
		}
		for j, ki := range order {
			dst := s.slots[ki[0]][ki[1]]
			if !sameShape(slots[j].Shape(), dst.Shape()) {
				return fail("variable %d (%s of params[%d]) has shape %v, want %v",
					j+2, s.slotNames[ki[0]], ki[1], slots[j].Shape(), dst.Shape())
			}
		}
		for j, ki := range order {
			copyConvert(s.slots[ki[0]][ki[1]], slots[j])
		}
	} else if len(slots) > 0 {
		s.pending = make([]*tensor.Dense, len(slots))
		for j, t := range slots {
			s.pending[j] = t.Clone().(*tensor.Dense)
		}
	} else {
		s.pending = nil
	}
	s.iterations = int64(it)
	s.lr = lr
	if len(s.scalarNames) > 0 {
		s.scalarsSet = scalars != nil
		if s.scalarsSet {
			s.scalars = scalars
		}
	}
	s.rebind = true // a state restored by position: the next Apply binds its params
	return nil
}

// baseConfig returns the entries of Keras's base Optimizer.get_config().
func (s *state) baseConfig() map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var wd any // Keras's None
	if s.hasWeightDecay {
		wd = s.weightDecay
	}
	return map[string]any{
		"name":                        s.configName,
		"learning_rate":               s.lr,
		"weight_decay":                wd,
		"clipnorm":                    orNone(s.clipnorm),
		"global_clipnorm":             orNone(s.globalClipnorm),
		"clipvalue":                   orNone(s.clipvalue),
		"use_ema":                     false,
		"ema_momentum":                0.99,
		"ema_overwrite_frequency":     nil,
		"loss_scale_factor":           nil,
		"gradient_accumulation_steps": nil,
	}
}

// orNone is v, or nil (Keras's None) for 0, the value of a clipping argument not set.
func orNone(v float64) any {
	if v == 0 {
		return nil
	}
	return v
}

// sameShape reports strict shape equality ((3,1) differs from (3)).
func sameShape(a, b tensor.Shape) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// numElems is the number of elements of a shape; a scalar has one.
func numElems(s tensor.Shape) int {
	n := 1
	for _, d := range s {
		n *= d
	}
	return n
}

// elems is the length of the backing array of a float32 or float64 tensor.
func elems(t *tensor.Dense) int {
	switch t.Dtype() {
	case tensor.Float32:
		return len(t.Float32s())
	case tensor.Float64:
		return len(t.Float64s())
	}
	return -1
}

// fill sets every element of a float tensor to v.
func fill(t *tensor.Dense, v float64) {
	switch t.Dtype() {
	case tensor.Float32:
		d := t.Float32s()
		for i := range d {
			d[i] = float32(v)
		}
	case tensor.Float64:
		d := t.Float64s()
		for i := range d {
			d[i] = v
		}
	}
}

// copyConvert copies src into dst element by element, converting between float32 and
// float64. Both have the same number of elements.
func copyConvert(dst, src *tensor.Dense) {
	switch {
	case dst.Dtype() == tensor.Float32 && src.Dtype() == tensor.Float32:
		copy(dst.Float32s(), src.Float32s())
	case dst.Dtype() == tensor.Float64 && src.Dtype() == tensor.Float64:
		copy(dst.Float64s(), src.Float64s())
	case dst.Dtype() == tensor.Float32:
		d, s := dst.Float32s(), src.Float64s()
		for i := range d {
			d[i] = float32(s[i])
		}
	default:
		d, s := dst.Float64s(), src.Float32s()
		for i := range d {
			d[i] = float64(s[i])
		}
	}
}

// scalarValue reads the single element of a numeric tensor as float64.
func scalarValue(t *tensor.Dense) (float64, error) {
	if t == nil {
		return 0, fmt.Errorf("tensor is nil")
	}
	if numElems(t.Shape()) != 1 {
		return 0, fmt.Errorf("want a scalar, got shape %v", t.Shape())
	}
	v := t.Data()
	switch x := v.(type) {
	case int:
		return float64(x), nil
	case int8:
		return float64(x), nil
	case int16:
		return float64(x), nil
	case int32:
		return float64(x), nil
	case int64:
		return float64(x), nil
	case uint8:
		return float64(x), nil
	case uint16:
		return float64(x), nil
	case uint32:
		return float64(x), nil
	case uint64:
		return float64(x), nil
	case float32:
		return float64(x), nil
	case float64:
		return x, nil
	case []int:
		return float64(x[0]), nil
	case []int32:
		return float64(x[0]), nil
	case []int64:
		return float64(x[0]), nil
	case []float32:
		return float64(x[0]), nil
	case []float64:
		return x[0], nil
	}
	return 0, fmt.Errorf("unsupported dtype %v", t.Dtype())
}
