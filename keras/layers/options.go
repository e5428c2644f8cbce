package layers

import (
	"fmt"

	"github.com/kerago/kerago/keras"
)

// Options are typed: each layer constructor takes its own option interface (DenseOption,
// Conv2DOption, LSTMOption, ...), and each option constructor returns a type that satisfies
// exactly the interfaces of the layers that take it, so Dense(4, Padding("same")) fails to
// compile. Options only record values; the layer checks them when it is made and carries
// every problem (joined) to its first call.

// applier is what every option does: it records its value in the layer's options.
type applier interface{ apply(*options) }

// setter records one option value.
type setter func(*options)

// apply records the value; the zero value of an option type records nothing.
func (f setter) apply(o *options) {
	if f != nil {
		f(o)
	}
}

// Option is an option every layer takes: Name, Trainable, DType (a CommonOption). Layers that
// take no other option (Flatten, Reshape, Add, ...) take ...Option.
type Option interface {
	DenseOption
	Conv1DOption
	Conv2DOption
	LSTMOption
	GRUOption
	SimpleRNNOption
	EmbeddingOption
	PoolingOption
	GlobalPoolingOption
	ConcatenateOption
	BatchNormalizationOption
	BidirectionalOption
	DropoutOption
	MultiHeadAttentionOption
	AttentionLayerOption
}

// PoolingOption is an option the 1-D and 2-D max and average poolings take: Strides,
// Padding and the common options.
type PoolingOption interface {
	applier
	pooling()
}

// CommonOption is an option of every layer (an Option): Name, Trainable, DType; and
// DataFormat, which the layers without Keras's data_format refuse by name.
type CommonOption struct{ setter }

func (CommonOption) dense()              {}
func (CommonOption) conv1D()             {}
func (CommonOption) conv2D()             {}
func (CommonOption) lstm()               {}
func (CommonOption) gru()                {}
func (CommonOption) simpleRNN()          {}
func (CommonOption) embedding()          {}
func (CommonOption) pooling()            {}
func (CommonOption) globalPooling()      {}
func (CommonOption) concatenate()        {}
func (CommonOption) batchNormalization() {}
func (CommonOption) bidirectional()      {}
func (CommonOption) dropout()            {}

// WeightsOption is an option of the layers with a kernel and a bias (Dense, Conv1D, Conv2D,
// LSTM, GRU, SimpleRNN): Activation, UseBias, KernelInitializer, BiasInitializer.
type WeightsOption struct{ setter }

func (WeightsOption) dense()     {}
func (WeightsOption) conv1D()    {}
func (WeightsOption) conv2D()    {}
func (WeightsOption) lstm()      {}
func (WeightsOption) gru()       {}
func (WeightsOption) simpleRNN() {}

// RecurrentOption is an option of LSTM, GRU and SimpleRNN: RecurrentInitializer,
// ReturnSequences, ReturnState, GoBackwards.
type RecurrentOption struct{ setter }

func (RecurrentOption) lstm()      {}
func (RecurrentOption) gru()       {}
func (RecurrentOption) simpleRNN() {}

// GateOption is an option of the gated recurrent layers, LSTM and GRU: RecurrentActivation.
type GateOption struct{ setter }

func (GateOption) lstm() {}
func (GateOption) gru()  {}

// WindowOption is an option of the convolutions and the poolings: Strides, Padding.
type WindowOption struct{ setter }

func (WindowOption) conv1D()  {}
func (WindowOption) conv2D()  {}
func (WindowOption) pooling() {}

// ConvolutionOption is an option of Conv1D and Conv2D: DilationRate.
type ConvolutionOption struct{ setter }

func (ConvolutionOption) conv1D() {}
func (ConvolutionOption) conv2D() {}

// AxisOption is an option of Concatenate and BatchNormalization: Axis.
type AxisOption struct{ setter }

func (AxisOption) concatenate()        {}
func (AxisOption) batchNormalization() {}

// options holds every layer option; each layer reads the ones it understands.
type options struct {
	set map[string]bool // names of the options given

	name                 string
	activation           string
	recurrentActivation  string
	useBias              bool
	kernelInitializer    any
	biasInitializer      any
	recurrentInitializer any
	embeddingsInit       any
	kernelRegularizer    any // penalties.go
	biasRegularizer      any
	kernelConstraint     any
	biasConstraint       any
	recurrentRegularizer any
	recurrentConstraint  any
	strides              []int
	padding              string
	dilation             []int
	axis                 int
	returnSequences      bool
	returnState          bool
	goBackwards          bool
	maskZero             bool
	rate                 float64
	noiseShape           []int // Dropout's noise_shape, -1 for None
	trainable            bool
	unitForgetBias       bool
	resetAfter           bool
	momentum             float64
	epsilon              float64
	center, scale        bool
	keepDims             bool
	kernelSize2D         []int
	targetShape          []int
	dtype                string
	mergeMode            string // Bidirectional
	attn                 attentionOptions

	// The convolution variants (conv_variant_options.go).
	depthMultiplier int
	depthwiseInit   any
	pointwiseInit   any
	outputPadding   []int

	dataFormat string // data_format.go
}

func (o *options) mark(name string) {
	if o.set == nil {
		o.set = map[string]bool{}
	}
	o.set[name] = true
}

// newOptions applies opts over Keras's defaults.
func newOptions[O applier](opts []O) *options {
	o := &options{
		useBias:              true,
		kernelInitializer:    "glorot_uniform",
		biasInitializer:      "zeros",
		recurrentInitializer: "orthogonal",
		embeddingsInit:       "uniform",
		padding:              "valid",
		axis:                 -1,
		trainable:            true,
		unitForgetBias:       true,
		resetAfter:           true,
		momentum:             0.99,
		epsilon:              1e-3,
		center:               true,
		scale:                true,
		recurrentActivation:  "sigmoid",
		depthMultiplier:      1,
		depthwiseInit:        "glorot_uniform",
		pointwiseInit:        "glorot_uniform",
	}
	for _, f := range opts {
		if applier(f) != nil {
			f.apply(o)
		}
	}
	return o
}

// Name names the layer (default: the snake-cased class name, made unique: "dense_1"), as
// Keras's name= argument of a layer does. Layers take this Name; inputs and models take
// keras.Name (keras.Input, keras.NewModel), whose value is a keras.NameOption, not an Option:
// passing it to a layer constructor fails to compile with "cannot use keras.Name(...) (value
// of type keras.NameOption) as layers.Option value".
func Name(name string) CommonOption {
	return CommonOption{func(o *options) { o.mark("Name"); o.name = name }}
}

// Activation sets the activation function by Keras name: "relu", "sigmoid", "softmax",
// "tanh", "softplus", "linear" ... (default none).
func Activation(name string) WeightsOption {
	return WeightsOption{func(o *options) { o.mark("Activation"); o.activation = name }}
}

// RecurrentActivation sets a recurrent layer's gate activation (default "sigmoid").
func RecurrentActivation(name string) GateOption {
	return GateOption{func(o *options) { o.mark("RecurrentActivation"); o.recurrentActivation = name }}
}

// UseBias sets whether the layer adds a bias (default true).
func UseBias(b bool) WeightsOption {
	return WeightsOption{func(o *options) { o.mark("UseBias"); o.useBias = b }}
}

// KernelInitializer names the kernel's initializer (default "glorot_uniform").
func KernelInitializer(init any) WeightsOption {
	return WeightsOption{func(o *options) { o.mark("KernelInitializer"); o.kernelInitializer = init }}
}

// BiasInitializer names the bias's initializer (default "zeros").
func BiasInitializer(init any) WeightsOption {
	return WeightsOption{func(o *options) { o.mark("BiasInitializer"); o.biasInitializer = init }}
}

// RecurrentInitializer names a recurrent kernel's initializer (default "orthogonal").
func RecurrentInitializer(init any) RecurrentOption {
	return RecurrentOption{func(o *options) { o.mark("RecurrentInitializer"); o.recurrentInitializer = init }}
}

// Strides sets a convolution's or pooling's strides: one value for every spatial axis, or
// one per axis (default 1 for convolutions, the pool size for pooling).
func Strides(s ...int) WindowOption {
	return WindowOption{func(o *options) { o.mark("Strides"); o.strides = append([]int(nil), s...) }}
}

// Padding sets a convolution's or pooling's padding: "valid" (the default), "same", or
// "causal" (Conv1D).
func Padding(p string) WindowOption {
	return WindowOption{func(o *options) { o.mark("Padding"); o.padding = p }}
}

// DilationRate sets a convolution's dilation (default 1).
func DilationRate(d ...int) ConvolutionOption {
	return ConvolutionOption{func(o *options) { o.mark("DilationRate"); o.dilation = append([]int(nil), d...) }}
}

// Axis sets the axis a layer works along (Concatenate: default -1; BatchNormalization: -1).
func Axis(a int) AxisOption { return AxisOption{func(o *options) { o.mark("Axis"); o.axis = a }} }

// ReturnSequences makes a recurrent layer return its output at every step (default false).
func ReturnSequences(b bool) RecurrentOption {
	return RecurrentOption{func(o *options) { o.mark("ReturnSequences"); o.returnSequences = b }}
}

// ReturnState makes a recurrent layer also return its final states (default false).
func ReturnState(b bool) RecurrentOption {
	return RecurrentOption{func(o *options) { o.mark("ReturnState"); o.returnState = b }}
}

// GoBackwards makes a recurrent layer process the sequence in reverse (default false).
func GoBackwards(b bool) RecurrentOption {
	return RecurrentOption{func(o *options) { o.mark("GoBackwards"); o.goBackwards = b }}
}

// Trainable freezes the layer's weights when false (default true).
func Trainable(b bool) CommonOption {
	return CommonOption{func(o *options) { o.mark("Trainable"); o.trainable = b }}
}

// DType sets the dtype of the layer's weights: "float32" or "float64" (default: the inputs').
func DType(dtype string) CommonOption {
	return CommonOption{func(o *options) { o.mark("DType"); o.dtype = dtype }}
}

// initBase names the layer and applies the options every layer takes.
func initBase(b *keras.LayerBase, class string, o *options) {
	b.Init(class, o.name)
	b.SetTrainable(o.trainable)
	if o.dtype != "" {
		if o.dtype != "float32" && o.dtype != "float64" {
			b.SetErr(fmt.Errorf("%w: DType(%q): weights are float32 or float64", keras.ErrDType, o.dtype))
		}
		b.SetDType(o.dtype)
	}
	if err := refuseDataFormat(o, class); err != nil {
		b.SetErr(err)
	}
}
