package keras

import (
	"fmt"

	"gorgonia.org/tensor"
)

// Length bucketing.
//
// Gorgonia graphs have static shapes, so every (batch size, sequence length) of a model with a
// None time axis gets a graph of its own (cached, see program.go). A batch may also be shorter
// than its data: sequences padded with id 0 to the width of the array, often far beyond the
// batch's longest sequence. When it is provably harmless, Fit, Evaluate and Predict therefore
// run each batch of token ids on a window of time steps: they drop the steps that are padding
// (0) in every sequence of the batch, at either end, and pad what remains with 0 up to the
// next bucket length (1, 2, 3, 4, 6, 8, 12, 16, 24, 32, 48, ...: at most a third of the
// steps are padding, and there are few distinct graphs), never beyond the data's width.
//
// The rule: an input is bucketed only when it is a rank-2 integer input with a None time
// axis, every layer that reads it is an Embedding with MaskZero (PaddingMasked), every layer
// reading the masked sequences computes each step on its own and passes the mask on
// (PaddingStepwise) or consumes the mask and returns no time axis (PaddingReduced: a recurrent
// layer without ReturnSequences), and no model output has a time axis. Masked steps then
// change nothing: a recurrent layer carries its states over them, and all-padding steps at
// the start leave the zero initial state unchanged. Any other layer on the way (a
// convolution, a pooling, a layer that does not implement PaddingAware) keeps the exact
// length of the data, which is what Keras would compute on.

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

// window is the range of time steps a batch of a bucketed input runs on: columns
// [start, start+length) of the data, zeros beyond its width.
type window struct {
	start, length int
}

// batchWindow finds the steps of rows idx of x (n, width) that hold a non-zero id in some row
// and returns the bucketed window that covers them.
func batchWindow(x *tensor.Dense, idx []int) (window, error) {
	width := x.Shape()[1]
	first, last := width, -1
	err := forInts(x.Data(), func(get func(int) int64) {
		for _, i := range idx {
			row := i * width
			for j := 0; j < first; j++ {
				if get(row+j) != 0 {
					first = j
					break
				}
			}
			for j := width - 1; j > last; j-- {
				if get(row+j) != 0 {
					last = j
					break
				}
			}
		}
	})
	if err != nil {
		return window{}, err
	}
	if last < first { // only padding
		return window{start: 0, length: 1}, nil
	}
	return window{start: first, length: min(bucketLength(last-first+1), width)}, nil
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

// gatherWindow copies columns [w.start, w.start+w.length) of rows idx of src (n, width) into
// dst (len(idx), w.length), with zeros past the data's width.
func gatherWindow(dst, src *tensor.Dense, idx []int, w window) error {
	d, ok := dst.Data().([]int)
	if !ok {
		return fmt.Errorf("keras: %w: bucketed batch buffer of %v", ErrInternal, dst.Dtype())
	}
	width := src.Shape()[1]
	return forInts(src.Data(), func(get func(int) int64) {
		for r, i := range idx {
			out := d[r*w.length : (r+1)*w.length]
			for j := range out {
				c := w.start + j
				if c < width {
					out[j] = int(get(i*width + c))
				} else {
					out[j] = 0
				}
			}
		}
	})
}
