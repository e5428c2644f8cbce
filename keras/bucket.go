package keras

import (
	"fmt"

	"gorgonia.org/tensor"
)

// Length bucketing.
//
// Gorgonia graphs have static shapes, so every (batch size, sequence length) of a model with a
// None time axis gets a graph of its own (cached, see program.go). A batch may also be longer
// than its sequences: ids padded with 0 to the width of the array, often far beyond the
// batch's longest sequence. When it is provably harmless, Fit, Evaluate and Predict therefore
// run each batch of token ids without its padding: every row keeps its non-zero ids, in order,
// and the batch is padded with 0 to the next bucket length of its longest row (1, 2, 3, 4, 6,
// 8, 12, 16, 24, 32, 48, ...: beyond 4 steps at most a third is padding, and few distinct
// graphs are built), never beyond the data's width.
//
// The rule: an input is bucketed only when it is a rank-2 integer input with a None time
// axis, every layer that reads it is an Embedding with MaskZero (PaddingMasked), every layer
// reading the masked sequences either computes each step on its own and passes the mask on
// (PaddingStepwise: a recurrent layer returning sequences) or consumes the mask and returns no
// time axis (PaddingReduced: a recurrent layer returning its last output and states), and no
// model output has a time axis. A masked step is then a no-op wherever it is: the recurrent
// layers carry their states over it, their outputs there are masked for the next one, and the
// outputs the model returns do not depend on it. Any other layer on the way (a convolution, a
// pooling, a layer that does not implement PaddingAware) keeps the data as given, which is
// what Keras computes on.

// PaddingRole says how a layer treats the padded time steps of a sequence; it decides whether
// a batch may be trimmed or padded to a bucketed length without changing any result.
type PaddingRole int

const (
	// PaddingUnknown means padding may change the layer's output. It is the role of every
	// layer that does not implement PaddingAware.
	PaddingUnknown PaddingRole = iota
	// PaddingMasked is the role of a layer that reads token ids and masks the padding id 0
	// (Embedding with MaskZero).
	PaddingMasked
	// PaddingStepwise is the role of a layer whose output at a valid step does not depend on
	// masked steps and which passes the mask on (a recurrent layer returning sequences).
	PaddingStepwise
	// PaddingReduced is the role of a layer that consumes the mask and whose outputs have no
	// time axis and do not depend on masked steps (a recurrent layer returning its last
	// output and states).
	PaddingReduced
)

// PaddingAware is implemented by layers that know their PaddingRole.
type PaddingAware interface {
	PaddingRole() PaddingRole
}

func paddingRole(l Layer) PaddingRole {
	if p, ok := l.(PaddingAware); ok {
		return p.PaddingRole()
	}
	return PaddingUnknown
}

// bucketedInputs reports, per model input, whether its batches may be trimmed and padded to a
// bucket length (see the rule above).
func (m *Model) bucketedInputs() []bool {
	out := make([]bool, len(m.inputs))
	for i, in := range m.inputs {
		isInt := in.dtype == "int32" || in.dtype == "int64"
		if isInt && len(in.shape) == 2 && in.shape[1] == None {
			out[i] = m.paddingNeutral(in)
		}
	}
	return out
}

// paddingNeutral follows the tensors computed from input in through the model: ids (raw),
// then masked sequences, then tensors without a time axis, which are clean.
func (m *Model) paddingNeutral(in *Tensor) bool {
	const (
		clean = iota
		raw
		masked
	)
	state := map[*Tensor]int{in: raw}
	for _, n := range m.nodes {
		if n.isInput() {
			continue
		}
		seen := clean
		for _, t := range n.inputs {
			if s := state[t]; s != clean {
				if seen != clean && seen != s {
					return false
				}
				seen = s
			}
		}
		if seen == clean {
			continue
		}
		if len(n.inputs) != 1 {
			return false
		}
		next := clean
		switch role := paddingRole(n.layer); {
		case seen == raw && role == PaddingMasked, seen == masked && role == PaddingStepwise:
			next = masked
		case seen == masked && role == PaddingReduced:
			next = clean
		default:
			return false
		}
		for _, t := range n.outputs {
			state[t] = next
		}
	}
	for _, t := range m.outputs {
		if state[t] != clean {
			return false
		}
	}
	return true
}

// bucketSizes are the lengths batches are padded to: 1, 2, 3, 4, 6, 8, 12, 16, 24, ...
func bucketLength(n int) int {
	if n <= 4 {
		return max(n, 1)
	}
	for p := 4; ; p *= 2 {
		if n <= p*3/2 {
			return p * 3 / 2
		}
		if n <= 2*p {
			return 2 * p
		}
	}
}

// bucketedLength returns the length a batch of a bucketed input runs on: the largest number of
// non-padding ids in rows idx of x (n, width), rounded up to a bucket length but never beyond
// the width.
func bucketedLength(x *tensor.Dense, idx []int) (int, error) {
	width := x.Shape()[1]
	longest := 0
	err := forInts(x.Data(), func(get func(int) int64) {
		for _, i := range idx {
			n := 0
			for j := range width {
				if get(i*width+j) != 0 {
					n++
				}
			}
			longest = max(longest, n)
		}
	})
	if err != nil {
		return 0, err
	}
	return min(bucketLength(longest), width), nil
}

// forInts calls f with an accessor for integer data.
func forInts(data any, f func(get func(int) int64)) error {
	switch d := data.(type) {
	case []int:
		f(func(i int) int64 { return int64(d[i]) })
	case []int32:
		f(func(i int) int64 { return int64(d[i]) })
	case []int64:
		f(func(i int) int64 { return d[i] })
	default:
		return fmt.Errorf("keras: %w: bucketed input holds %T, want integers", ErrDType, data)
	}
	return nil
}

// gatherCompact copies rows idx of src (n, width) into dst (len(idx), length) without their
// padding: each row's non-zero ids in order, then zeros. Every masked step is a no-op for the
// layers the rule admits, so dropping them, wherever they are, changes no result.
func gatherCompact(dst, src *tensor.Dense, idx []int) error {
	d, ok := dst.Data().([]int)
	if !ok {
		return fmt.Errorf("keras: %w: bucketed batch buffer of %v", ErrInternal, dst.Dtype())
	}
	width, length := src.Shape()[1], dst.Shape()[1]
	return forInts(src.Data(), func(get func(int) int64) {
		for r, i := range idx {
			out := d[r*length : (r+1)*length]
			k := 0
			for j := 0; j < width && k < length; j++ {
				if v := get(i*width + j); v != 0 {
					out[k] = int(v)
					k++
				}
			}
			clear(out[k:])
		}
	})
}
