package ops

import (
	G "gorgonia.org/gorgonia"
)

// A transposed convolution is the adjoint of a convolution: each input pixel, multiplied by
// the kernel, is spread over the window it would have been computed from, and overlapping
// windows add up. With the kernel as a (KH·KW·F, C) matrix K, that is col2im of x·Kᵀ over the
// output image, so the layer needs a matrix product and col2im; col2im's own gradient is
// im2col with the same window, which this file supplies.

// Col2im sums the patches of the (B, oh, ow, KH·KW·C) node cols into a (B, h, wd, C) image with
// window w, dropping what falls outside the image: the adjoint of Im2col. Its output is a new
// tensor each run, not a scratch buffer: it may be a model's output (a transposed convolution
// without bias or activation). The window's Bottom and Right paddings
// only need to make w.Out(h, wd) equal (oh, ow); they may be negative, when the image has rows
// or columns (a transposed convolution's output_padding) that no patch reaches.
func Col2im(cols *G.Node, w Window, h, wd, c int) (*G.Node, error) {
	return G.ApplyOp(newCol2im(w, h, wd, c, nil), cols)
}

// DiffWRT: col2im is differentiable with respect to its patches.
func (op col2imOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff sends the image's gradient back through im2col, the adjoint of col2im.
func (op col2imOp) SymDiff(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	dcols, err := G.ApplyOp(newIm2col(op.w, new(scratch)), grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dcols}, nil
}
