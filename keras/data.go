package keras

import (
	"fmt"
	"math"
	"sort"

	"gorgonia.org/tensor"
)

// Named passes data keyed by input or output layer name, as Keras's dict inputs.
type Named map[string]*tensor.Dense

// arrange puts data given in one of the three forms (a *tensor.Dense, a []*tensor.Dense in
// order, or Named) in the order of ts, and checks it. what is "input" or "target"; optional
// marks positions that may stay nil (outputs without a loss). namesOf gives the names of ts,
// for Named data and errors: it is called only then, since listing them allocates and
// TrainOnBatch arranges its data every call.
func arrange(what string, data any, ts []*Tensor, namesOf func() []string, optional []bool) ([]*tensor.Dense, error) {
	out := make([]*tensor.Dense, len(ts))
	switch d := data.(type) {
	case *tensor.Dense:
		if len(ts) != 1 {
			if d != nil && countRequired(optional) == 1 {
				for i := range ts {
					if !optional[i] {
						out[i] = d
					}
				}
				break
			}
			return nil, fmt.Errorf("keras: %w: the model has %d %ss (%v), got one tensor; pass a []*tensor.Dense or keras.Named", ErrData, len(ts), what, namesOf())
		}
		out[0] = d
	case []*tensor.Dense:
		if len(d) != len(ts) {
			return nil, fmt.Errorf("keras: %w: the model has %d %ss (%v), got %d tensors", ErrData, len(ts), what, namesOf(), len(d))
		}
		copy(out, d)
	case Named:
		names := namesOf()
		keys := make([]string, 0, len(d))
		for k := range d {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			i := indexOf(names, k)
			if i < 0 {
				return nil, fmt.Errorf("keras: %w: no %s named %q (the model's %ss: %v)", ErrUnknownName, what, k, what, names)
			}
			out[i] = d[k]
		}
	case map[string]*tensor.Dense:
		return arrange(what, Named(d), ts, namesOf, optional)
	case nil:
		return nil, fmt.Errorf("keras: %w: no %s data", ErrData, what)
	default:
		return nil, fmt.Errorf("keras: %w: %s data must be a *tensor.Dense, []*tensor.Dense or keras.Named, got %T", ErrData, what, data)
	}
	for i, t := range out {
		if t == nil && (optional == nil || !optional[i]) {
			return nil, fmt.Errorf("keras: %w: missing %s data for %q", ErrData, what, namesOf()[i])
		}
		// A transposed or strided view reads wrong through Data(); copy it out once.
		if t != nil && t.RequiresIterator() {
			out[i] = t.Materialize().(*tensor.Dense)
		}
	}
	return out, nil
}

func countRequired(optional []bool) int {
	n := 0
	for _, o := range optional {
		if !o {
			n++
		}
	}
	return n
}

func indexOf(names []string, name string) int {
	for i, n := range names {
		if n == name {
			return i
		}
	}
	return -1
}

// checkInputs checks each input array against its Input: rank, known dimensions and dtype.
// Data of shape (n,) for an input of shape (None, 1) is taken as (n, 1), as Keras does.
func checkInputs(xs []*tensor.Dense, ts []*Tensor) error {
	for i, x := range xs {
		t := ts[i]
		if x.Dims() == len(t.shape)-1 && t.shape.Last() == 1 {
			xs[i] = reshaped(x, append(Shape(x.Shape()).Clone(), 1))
			x = xs[i]
		}
		s := x.Shape()
		if len(s) != len(t.shape) || !Shape(s).Compatible(t.shape) {
			return fmt.Errorf("keras: input %q: %w: expected data of shape %v, got %v", t.Name(), ErrShape, t.shape, s)
		}
		isInt := t.dtype == "int32" || t.dtype == "int64"
		switch x.Dtype() {
		case tensor.Float32, tensor.Float64:
			if isInt {
				return fmt.Errorf("keras: input %q: %w: expects integer data (%s), got %v", t.Name(), ErrDType, t.dtype, x.Dtype())
			}
		case tensor.Int, tensor.Int32, tensor.Int64:
			// Integer data for a float input is converted, as Keras converts it: token ids
			// for an Input left at float32 (the guide's models) reach Embedding, which casts
			// them back to ints.
		default:
			return fmt.Errorf("keras: input %q: %w: %v is not supported", t.Name(), ErrDType, x.Dtype())
		}
	}
	return nil
}

// checkTargets checks (and, where Keras would, reshapes) each target against its output:
// targets of shape (n,) for an output of shape (None, 1) become (n, 1); sparse targets are
// class indices of shape (n,) or (n, 1).
func checkTargets(ys []*tensor.Dense, outs []*Tensor, heads []head) ([]*tensor.Dense, error) {
	res := make([]*tensor.Dense, len(ys))
	for i, y := range ys {
		if y == nil {
			continue
		}
		o := outs[i].shape
		s := Shape(y.Shape())
		name := heads[i].name
		switch y.Dtype() {
		case tensor.Float32, tensor.Float64, tensor.Int, tensor.Int32, tensor.Int64:
		default:
			return nil, fmt.Errorf("keras: target %q: %w: %v is not supported", name, ErrDType, y.Dtype())
		}
		if ts := heads[i].shaped; ts != nil {
			// CTC's label sequences, Circle's labels: the loss decides; fed as they are.
			if err := ts.CheckTargets(y, o); err != nil {
				return nil, fmt.Errorf("keras: target %q: %w", name, err) // an ErrShape or ErrData
			}
			res[i] = y
			continue
		}
		if heads[i].sparse {
			want := o[:len(o)-1]
			if len(s) == len(o) && s.Last() == 1 {
				s = s[:len(s)-1]
			}
			if !s.Compatible(want) {
				return nil, fmt.Errorf("keras: target %q: %w: sparse targets (class indices) for an output of shape %v must have shape %v, got %v", name, ErrShape, o, want, Shape(y.Shape()))
			}
			res[i] = reshaped(y, s)
			continue
		}
		if len(s) == len(o)-1 && o.Last() == 1 {
			s = append(s.Clone(), 1)
		}
		if !s.Compatible(o) {
			return nil, fmt.Errorf("keras: target %q: %w: the output has shape %v, the targets %v%s", name, ErrShape, o, Shape(y.Shape()), sparseHint(y, o, heads[i]))
		}
		res[i] = reshaped(y, s)
	}
	return res, nil
}

// reshaped returns y with shape s, sharing its data, without touching the caller's tensor.
func reshaped(y *tensor.Dense, s Shape) *tensor.Dense {
	if Shape(y.Shape()).Equal(s) {
		return y
	}
	if len(s) == 0 {
		s = Shape{y.Shape().TotalSize()}
	}
	return tensor.New(tensor.WithShape(s...), tensor.WithBacking(y.Data()))
}

// numSamples returns the common first dimension of the arrays.
func numSamples(groups ...[]*tensor.Dense) (int, error) {
	n := -1
	for _, g := range groups {
		for _, t := range g {
			if t == nil {
				continue
			}
			if t.Dims() == 0 {
				return 0, fmt.Errorf("keras: %w: a scalar cannot hold samples", ErrData)
			}
			k := t.Shape()[0]
			if n >= 0 && k != n {
				return 0, fmt.Errorf("keras: %w: data cardinality is ambiguous: arrays have %d and %d samples; make sure all arrays contain the same number of samples", ErrData, n, k)
			}
			n = k
		}
	}
	if n <= 0 {
		return 0, fmt.Errorf("keras: %w: no samples", ErrData)
	}
	return n, nil
}

// sliceRows returns rows [from, to) of each array as views, sharing data.
func sliceRows(ts []*tensor.Dense, from, to int) []*tensor.Dense {
	out := make([]*tensor.Dense, len(ts))
	for i, t := range ts {
		if t == nil {
			continue
		}
		s := t.Shape().Clone()
		per := s.TotalSize() / s[0]
		s[0] = to - from
		out[i] = tensor.New(tensor.WithShape(s...), tensor.WithBacking(sliceData(t.Data(), from*per, to*per)))
	}
	return out
}

func sliceData(d any, from, to int) any {
	switch v := d.(type) {
	case []float32:
		return v[from:to]
	case []float64:
		return v[from:to]
	case []int:
		return v[from:to]
	case []int32:
		return v[from:to]
	case []int64:
		return v[from:to]
	}
	panic(fmt.Sprintf("keras: unsupported data %T", d))
}

// gather copies the rows idx of src into dst (whose first dimension is len(idx)), converting
// the dtype to dst's. It runs on every batch, so it reads both tensors through their typed
// accessors: Dense.Data builds its slice by reflection and allocates on every call.
func gather(dst, src *tensor.Dense, idx []int) error {
	per := 1
	if s := src.Shape(); len(s) > 1 {
		per = s[1:].TotalSize()
	}
	switch dst.Dtype() {
	case tensor.Float32:
		return gatherInto(dst.Float32s(), src, idx, per)
	case tensor.Float64:
		return gatherInto(dst.Float64s(), src, idx, per)
	case tensor.Int:
		return gatherInto(dst.Ints(), src, idx, per)
	}
	return fmt.Errorf("keras: %w: batch buffer of %v", ErrInternal, dst.Dtype())
}

type number interface {
	~float32 | ~float64 | ~int | ~int32 | ~int64
}

func gatherInto[D number](dst []D, src *tensor.Dense, idx []int, per int) error {
	switch src.Dtype() {
	case tensor.Float32:
		gatherRows(dst, src.Float32s(), idx, per)
	case tensor.Float64:
		gatherRows(dst, src.Float64s(), idx, per)
	case tensor.Int:
		gatherRows(dst, src.Ints(), idx, per)
	case tensor.Int32:
		gatherRows(dst, src.Int32s(), idx, per)
	case tensor.Int64:
		gatherRows(dst, src.Int64s(), idx, per)
	default:
		return fmt.Errorf("keras: %w: data of type %v", ErrDType, src.Dtype())
	}
	return nil
}

func gatherRows[D, S number](dst []D, src []S, idx []int, per int) {
	if d, ok := any(dst).([]S); ok {
		// One element type: each row is one memmove, not a loop converting element by
		// element (the MLP's batch copy took 5% of its OpenBLAS step as the loop).
		for r, i := range idx {
			copy(d[r*per:(r+1)*per], src[i*per:(i+1)*per])
		}
		return
	}
	for r, i := range idx {
		row := src[i*per : (i+1)*per]
		out := dst[r*per : (r+1)*per]
		for j, v := range row {
			out[j] = D(v)
		}
	}
}

// oneHot writes the one-hot encoding of the class indices in rows idx of src into dst, whose
// last dimension is the number of classes. It switches on the element types once, not per
// element: it runs every step of every model with a sparse loss. Its errors have no "keras: "
// prefix: the caller names the target.
func oneHot(dst, src *tensor.Dense, idx []int) error {
	k := dst.Shape()[dst.Dims()-1]
	per := src.Shape().TotalSize() / src.Shape()[0]
	switch dst.Dtype() {
	case tensor.Float32:
		return oneHotInto(dst.Float32s(), src, idx, per, k)
	case tensor.Float64:
		return oneHotInto(dst.Float64s(), src, idx, per, k)
	}
	return fmt.Errorf("%w: one-hot buffer of %v", ErrInternal, dst.Dtype())
}

func oneHotInto[D ~float32 | ~float64](dst []D, src *tensor.Dense, idx []int, per, k int) error {
	switch src.Dtype() {
	case tensor.Float32:
		return oneHotRows(dst, src.Float32s(), idx, per, k)
	case tensor.Float64:
		return oneHotRows(dst, src.Float64s(), idx, per, k)
	case tensor.Int:
		return oneHotRows(dst, src.Ints(), idx, per, k)
	case tensor.Int32:
		return oneHotRows(dst, src.Int32s(), idx, per, k)
	case tensor.Int64:
		return oneHotRows(dst, src.Int64s(), idx, per, k)
	}
	return fmt.Errorf("%w: class indices of type %v", ErrDType, src.Dtype())
}

func oneHotRows[D ~float32 | ~float64, S number](dst []D, src []S, idx []int, per, k int) error {
	clear(dst)
	r := 0
	for _, i := range idx {
		for _, c := range src[i*per : (i+1)*per] {
			// A float label that is not a whole number (2.7, NaN, 1e300) is a wrong label
			// type, not an index out of range: say which.
			f := float64(c)
			if f != math.Trunc(f) { // NaN included
				return fmt.Errorf("%w: sparse label %v is not an integer class index", ErrData, c)
			}
			if f < 0 || f >= float64(k) {
				return fmt.Errorf("%w: class index %v is outside [0, %d)", ErrData, c, k)
			}
			ci := int(f)
			dst[r*k+ci] = 1
			r++
		}
	}
	return nil
}
