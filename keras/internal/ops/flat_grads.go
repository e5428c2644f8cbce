package ops

import (
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// The fused ops (Dense, the convolutions, the recurrent layers) differentiate all their inputs
// at once: one backward op computes every gradient into one flat vector it keeps, and each
// input's gradient is a view of its part of that vector (a part op, SharesInput).

// diffAllButFirst is DiffWRT for the fused ops whose first input, x, is differentiated only
// when it is computed (firstToo): a fed input needs no gradient, which saves a GEMM.
func diffAllButFirst(n int, firstToo bool) []bool {
	d := make([]bool, n)
	for i := range d {
		d[i] = i > 0
	}
	if n > 0 {
		d[0] = firstToo
	}
	return d
}

// gradShapes returns per input the shape of its gradient, nil where diff says it has none.
func gradShapes(inputs G.Nodes, diff []bool) []tensor.Shape {
	parts := make([]tensor.Shape, len(inputs))
	for i, in := range inputs {
		if diff[i] {
			parts[i] = in.Shape().Clone()
		}
	}
	return parts
}

// flatGradients applies gop to (inputs..., output, grad): gop's value holds the gradients of
// the inputs whose shape parts gives, one after the other. It returns a view of each, nil for
// the inputs without one; part(i, off, shape) is the view op of input i's gradient at offset
// off.
func flatGradients(gop G.Op, parts []tensor.Shape, inputs G.Nodes, output, grad *G.Node, part func(i, off int, s tensor.Shape) G.Op) (G.Nodes, error) {
	args := append(append(G.Nodes{}, inputs...), output, grad)
	flat, err := G.ApplyOp(gop, args...)
	if err != nil {
		return nil, err
	}
	res := make(G.Nodes, len(inputs))
	off := 0
	for i, s := range parts {
		if s == nil {
			continue
		}
		if res[i], err = G.ApplyOp(part(i, off, s), flat); err != nil {
			return nil, err
		}
		off += s.TotalSize()
	}
	return res, nil
}
