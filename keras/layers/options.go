package layers

import (
	"fmt"

	"github.com/kerago/kerago/keras"
)

// Option configures a layer. Options only record values; the layer checks them when it is
// made and carries the first problem to its first call. An option that a layer does not use
// is an error naming the option.
type Option func(*options)

// options holds every layer option; each layer reads the ones it understands.
type options struct {
	set map[string]bool // names of the options given

	name                 string
	activation           string
	recurrentActivation  string
	useBias              bool
	kernelInitializer    string
	biasInitializer      string
	recurrentInitializer string
	embeddingsInit       string
	strides              []int
	padding              string
	dilation             []int
	axis                 int
	returnSequences      bool
	returnState          bool
	goBackwards          bool
	maskZero             bool
	rate                 float64
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
}

func (o *options) mark(name string) {
	if o.set == nil {
		o.set = map[string]bool{}
	}
	o.set[name] = true
}

// newOptions applies opts over Keras's defaults.
func newOptions(opts []Option) *options {
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
	}
	for _, f := range opts {
		if f != nil {
			f(o)
		}
	}
	return o
}

// only returns an error if an option outside allowed was given.
func (o *options) only(layer string, allowed ...string) error {
	ok := map[string]bool{"Name": true, "Trainable": true, "DType": true}
	for _, a := range allowed {
		ok[a] = true
	}
	for name := range o.set {
		if !ok[name] {
			return fmt.Errorf("%w: %s does not take the option %s", keras.ErrInvalidArgument, layer, name)
		}
	}
	return nil
}

// Name names the layer (default: the snake-cased class name, made unique: "dense_1"), as
// Keras's name= argument of a layer does. Layers take this Name; inputs and models take
// keras.Name (keras.Input, keras.NewModel), whose value is a keras.NameOption, not an Option:
// passing it to a layer constructor fails to compile with "cannot use keras.Name(...) (value
// of type keras.NameOption) as layers.Option value".
func Name(name string) Option { return func(o *options) { o.mark("Name"); o.name = name } }

// Activation sets the activation function by Keras name: "relu", "sigmoid", "softmax",
// "tanh", "softplus", "linear" ... (default none).
func Activation(name string) Option {
	return func(o *options) { o.mark("Activation"); o.activation = name }
}

// RecurrentActivation sets a recurrent layer's gate activation (default "sigmoid").
func RecurrentActivation(name string) Option {
	return func(o *options) { o.mark("RecurrentActivation"); o.recurrentActivation = name }
}

// UseBias sets whether the layer adds a bias (default true).
func UseBias(b bool) Option { return func(o *options) { o.mark("UseBias"); o.useBias = b } }

// KernelInitializer names the kernel's initializer (default "glorot_uniform").
func KernelInitializer(name string) Option {
	return func(o *options) { o.mark("KernelInitializer"); o.kernelInitializer = name }
}

// BiasInitializer names the bias's initializer (default "zeros").
func BiasInitializer(name string) Option {
	return func(o *options) { o.mark("BiasInitializer"); o.biasInitializer = name }
}

// RecurrentInitializer names a recurrent kernel's initializer (default "orthogonal").
func RecurrentInitializer(name string) Option {
	return func(o *options) { o.mark("RecurrentInitializer"); o.recurrentInitializer = name }
}

// EmbeddingsInitializer names an Embedding's initializer (default "uniform": ±0.05).
func EmbeddingsInitializer(name string) Option {
	return func(o *options) { o.mark("EmbeddingsInitializer"); o.embeddingsInit = name }
}

// Strides sets a convolution's or pooling's strides: one value for every spatial axis, or
// one per axis (default 1 for convolutions, the pool size for pooling).
func Strides(s ...int) Option {
	return func(o *options) { o.mark("Strides"); o.strides = append([]int(nil), s...) }
}

// Padding sets a convolution's or pooling's padding: "valid" (the default), "same", or
// "causal" (Conv1D).
func Padding(p string) Option { return func(o *options) { o.mark("Padding"); o.padding = p } }

// DilationRate sets a convolution's dilation (default 1).
func DilationRate(d ...int) Option {
	return func(o *options) { o.mark("DilationRate"); o.dilation = append([]int(nil), d...) }
}

// KernelSize2D gives a Conv2D a rectangular kernel (height, width) instead of the square one
// of its positional argument.
func KernelSize2D(h, w int) Option {
	return func(o *options) { o.mark("KernelSize2D"); o.kernelSize2D = []int{h, w} }
}

// Axis sets the axis a layer works along (Concatenate: default -1; BatchNormalization: -1).
func Axis(a int) Option { return func(o *options) { o.mark("Axis"); o.axis = a } }

// ReturnSequences makes a recurrent layer return its output at every step (default false).
func ReturnSequences(b bool) Option {
	return func(o *options) { o.mark("ReturnSequences"); o.returnSequences = b }
}

// ReturnState makes a recurrent layer also return its final states (default false).
func ReturnState(b bool) Option {
	return func(o *options) { o.mark("ReturnState"); o.returnState = b }
}

// GoBackwards makes a recurrent layer process the sequence in reverse (default false).
func GoBackwards(b bool) Option {
	return func(o *options) { o.mark("GoBackwards"); o.goBackwards = b }
}

// UnitForgetBias sets an LSTM's forget-gate bias to 1 at initialisation (default true).
func UnitForgetBias(b bool) Option {
	return func(o *options) { o.mark("UnitForgetBias"); o.unitForgetBias = b }
}

// ResetAfter selects GRU's variant (default true, as in Keras 3).
func ResetAfter(b bool) Option { return func(o *options) { o.mark("ResetAfter"); o.resetAfter = b } }

// MaskZero makes an Embedding treat index 0 as padding and pass a mask on (default false).
func MaskZero(b bool) Option { return func(o *options) { o.mark("MaskZero"); o.maskZero = b } }

// Rate sets a Dropout's rate (the fraction of units dropped).
func Rate(f float64) Option { return func(o *options) { o.mark("Rate"); o.rate = f } }

// Trainable freezes the layer's weights when false (default true).
func Trainable(b bool) Option { return func(o *options) { o.mark("Trainable"); o.trainable = b } }

// Momentum sets BatchNormalization's momentum for the moving statistics (default 0.99).
func Momentum(f float64) Option { return func(o *options) { o.mark("Momentum"); o.momentum = f } }

// Epsilon sets BatchNormalization's epsilon (default 1e-3).
func Epsilon(f float64) Option { return func(o *options) { o.mark("Epsilon"); o.epsilon = f } }

// Center sets whether BatchNormalization adds the beta offset (default true).
func Center(b bool) Option { return func(o *options) { o.mark("Center"); o.center = b } }

// Scale sets whether BatchNormalization multiplies by gamma (default true).
func Scale(b bool) Option { return func(o *options) { o.mark("Scale"); o.scale = b } }

// KeepDims makes a global pooling keep the reduced axes with size 1 (default false).
func KeepDims(b bool) Option { return func(o *options) { o.mark("KeepDims"); o.keepDims = b } }

// DType sets the dtype of the layer's weights: "float32" or "float64" (default: the inputs').
func DType(dtype string) Option { return func(o *options) { o.mark("DType"); o.dtype = dtype } }

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
}
