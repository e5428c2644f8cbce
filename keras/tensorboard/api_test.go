package tensorboard_test

import "github.com/kerago/kerago/keras/tensorboard"

// The writer's signatures as the API contract gives them (docs/guide.md, chapter 9), exactly.
var (
	_ func(dir string) (*tensorboard.Writer, error)                               = tensorboard.NewWriter
	_ func(w *tensorboard.Writer, tag string, step int64, value float64) error    = (*tensorboard.Writer).Scalar
	_ func(w *tensorboard.Writer, tag string, step int64, values []float64) error = (*tensorboard.Writer).Histogram
	_ func(w *tensorboard.Writer) error                                           = (*tensorboard.Writer).Flush
	_ func(w *tensorboard.Writer) error                                           = (*tensorboard.Writer).Close
)
