package ops

import (
	"fmt"

	"github.com/chewxy/hm"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ZeroPadding2D's op for channels-last images; see conv.go for the helpers it shares.

// pad2DOp adds zero rows and columns around the spatial axes of (B, H, W, C); with crop set
// it removes them instead (its own gradient).
type pad2DOp struct {
	Base
	top, bottom, left, right int
	crop                     bool
}

var _ G.SDOp = pad2DOp{}

// newPad2D returns zero padding by the given rows and columns, or with crop the cropping
// that undoes it.
func newPad2D(top, bottom, left, right int, crop bool) pad2DOp {
	name := "zeroPad2D"
	if crop {
		name = "crop2D"
	}
	params := fmt.Sprintf("(%d,%d),(%d,%d)", top, bottom, left, right)
	return pad2DOp{Base: Base{Name: name, Params: params, Inputs: 1}, top: top, bottom: bottom, left: left, right: right, crop: crop}
}

// Pad2D adds top and bottom zero rows and left and right zero columns around the spatial
// axes of the (B, H, W, C) node x.
func Pad2D(x *G.Node, top, bottom, left, right int) (*G.Node, error) {
	return G.ApplyOp(newPad2D(top, bottom, left, right, false), x)
}

// Type returns a 4-D tensor → a 4-D tensor of the same dtype.
func (op pad2DOp) Type() hm.Type { return hm.NewFnType(tensorType4, tensorType4) }

// outHW is the spatial size after the op.
func (op pad2DOp) outHW(h, w int) (int, int) {
	dh, dw := op.top+op.bottom, op.left+op.right
	if op.crop {
		return h - dh, w - dw
	}
	return h + dh, w + dw
}

// InferShape returns the padded (or cropped) shape.
func (op pad2DOp) InferShape(in ...G.DimSizer) (tensor.Shape, error) {
	s, err := shape4D(op, in[0])
	if err != nil {
		return nil, err
	}
	h, w := op.outHW(s[1], s[2])
	return tensor.Shape{s[0], h, w, s[3]}, nil
}

// Do pads (or crops) the image.
func (op pad2DOp) Do(in ...G.Value) (_ G.Value, err error) {
	defer recoverDo(op, &err)
	x, b, h, w, c, err := value4D(op, in[0])
	if err != nil {
		return nil, err
	}
	oh, ow := op.outHW(h, w)
	if oh <= 0 || ow <= 0 {
		return nil, fmt.Errorf("%v: input %v is too small", op, x.Shape())
	}
	out := tensor.New(tensor.Of(x.Dtype()), tensor.WithShape(b, oh, ow, c))
	switch x.Dtype() {
	case tensor.Float32:
		pad2D(op, x.Float32s(), out.Float32s(), b, h, w, c, oh, ow)
	default:
		pad2D(op, x.Float64s(), out.Float64s(), b, h, w, c, oh, ow)
	}
	return out, nil
}

// DiffWRT: the op is differentiable with respect to its input.
func (op pad2DOp) DiffWRT(int) []bool { return []bool{true} }

// SymDiff crops the gradient where the op pads, and pads it where the op crops.
func (op pad2DOp) SymDiff(_ G.Nodes, _, grad *G.Node) (G.Nodes, error) {
	dx, err := G.ApplyOp(newPad2D(op.top, op.bottom, op.left, op.right, !op.crop), grad)
	if err != nil {
		return nil, err
	}
	return G.Nodes{dx}, nil
}

func pad2D[T float32 | float64](op pad2DOp, x, y []T, b, h, w, c, oh, ow int) {
	// Rows of the padded image and the rows of the smaller one they match.
	big, small := y, x
	bh, bw, sh, sw := oh, ow, h, w
	if op.crop {
		big, small = x, y
		bh, bw, sh, sw = h, w, oh, ow
	}
	for bi := 0; bi < b; bi++ {
		for r := 0; r < sh; r++ {
			s := small[((bi*sh+r)*sw)*c : ((bi*sh+r)*sw+sw)*c]
			at := ((bi*bh+r+op.top)*bw + op.left) * c
			if op.crop {
				copy(s, big[at:at+sw*c])
			} else {
				copy(big[at:at+sw*c], s)
			}
		}
	}
}
