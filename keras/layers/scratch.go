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

// patchElements is the size of the patches of windows over in[0] (batch, spatial...,
// channels): the batch, times every output position, times the window, times the channels.
// It is 0 for a shape the layer refuses, which OutputShapes reports.
func patchElements(in []keras.Shape, window, strides, dilation []int, padding string) int64 {
	if len(in) != 1 || len(in[0]) != len(window)+2 {
		return 0
	}
	s := in[0]
	sizes := []int{s[0]}
	for i := range window {
		n := windowOutLen(s[1+i], window[i], strides[i], dilation[i], padding)
		if n <= 0 {
			return 0
		}
		sizes = append(sizes, n, window[i])
	}
	return keras.ScratchOf(append(sizes, s.Last())...)
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
	return patchElements(in, c.kernelSize, c.strides, c.dilation, c.padding)
}

func (p *poolCore) scratch(in []keras.Shape) int64 {
	return patchElements(in, p.poolSize, p.strides, repeatInt(1, p.rank), p.padding)
}
