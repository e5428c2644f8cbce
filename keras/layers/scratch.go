package layers

import "github.com/kerago/kerago/keras"

// The convolutions and poolings extract patches (every window of the input, laid out as
// rows) before one matrix product or reduction, so their largest tensor is not their output
// but the patches: output positions × window size × input channels. They report it to the
// model's memory check (see keras.ScratchSizer): a kernel of 7×7 on a 224×224 image holds 49
// times the image.

var (
	_ keras.ScratchSizer = (*Conv1DLayer)(nil)
	_ keras.ScratchSizer = (*Conv2DLayer)(nil)
	_ keras.ScratchSizer = (*Pooling1DLayer)(nil)
	_ keras.ScratchSizer = (*Pooling2DLayer)(nil)
)

// patchElements is the size of the patches of windows of the given sizes over in[0], whose
// output shape is out: every output position but the channels, times the window, times the
// input channels.
func patchElements(in []keras.Shape, out keras.Shape, window []int) int64 {
	if len(in) == 0 || len(in[0]) == 0 || len(out) == 0 {
		return 0
	}
	sizes := append([]int(nil), out[:len(out)-1]...)
	sizes = append(sizes, window...)
	sizes = append(sizes, in[0].Last())
	return keras.ScratchOf(sizes...)
}

// ScratchElements returns the size of the convolution's patches for the input shapes.
func (l *Conv1DLayer) ScratchElements(in []keras.Shape) int64 { return l.core.scratch(in) }

// ScratchElements returns the size of the convolution's patches for the input shapes.
func (l *Conv2DLayer) ScratchElements(in []keras.Shape) int64 { return l.core.scratch(in) }

// ScratchElements returns the size of the pooling's patches for the input shapes.
func (l *Pooling1DLayer) ScratchElements(in []keras.Shape) int64 { return l.core.scratch(in) }

// ScratchElements returns the size of the pooling's patches for the input shapes.
func (l *Pooling2DLayer) ScratchElements(in []keras.Shape) int64 { return l.core.scratch(in) }

func (c *convCore) scratch(in []keras.Shape) int64 {
	out, err := c.outputShape(in)
	if err != nil {
		return 0 // the shape error is reported by OutputShapes
	}
	return patchElements(in, out, c.kernelSize)
}

func (p *poolCore) scratch(in []keras.Shape) int64 {
	out, err := p.outputShape(in)
	if err != nil {
		return 0
	}
	return patchElements(in, out, p.poolSize)
}
