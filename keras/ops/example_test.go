package ops_test

import (
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/ops"
	"github.com/kerago/kerago/keras/optimizers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// ScaleShift is a custom layer written outside package layers: activation(x ⊙ gamma + beta),
// one gamma and one beta per feature.
type ScaleShift struct {
	keras.LayerBase
	activation  string
	gamma, beta *keras.Variable
}

// NewScaleShift returns a ScaleShift layer.
func NewScaleShift(activation, name string) *ScaleShift {
	l := &ScaleShift{activation: activation}
	l.Init("ScaleShift", name)
	l.SetErr(ops.CheckActivation(activation))
	return l
}

// ClassName is the name the layer is saved and registered under.
func (l *ScaleShift) ClassName() string { return "ScaleShift" }

// Build creates the weights for the input's last dimension.
func (l *ScaleShift) Build(in []keras.Shape) (err error) {
	d := keras.Shape{in[0].Last()}
	if l.gamma, err = l.AddWeight("gamma", d, "ones", true); err != nil {
		return err
	}
	l.beta, err = l.AddWeight("beta", d, "zeros", true)
	return err
}

// OutputShapes is the input's shape.
func (l *ScaleShift) OutputShapes(in []keras.Shape) ([]keras.Shape, error) {
	return []keras.Shape{in[0].Clone()}, nil
}

// Forward reads like Keras's call: the kit broadcasts the weights over the batch and keeps the
// first error.
func (l *ScaleShift) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
	o := ops.New(ctx)
	y := o.Add(o.Mul(in[0], o.Var(l.gamma)), o.Var(l.beta))
	return o.Result(o.Activation(l.activation, y))
}

// Config is what LoadModel gets back.
func (l *ScaleShift) Config() map[string]any { return map[string]any{"activation": l.activation} }

func init() {
	keras.RegisterLayer("ScaleShift", func(cfg map[string]any) (keras.Layer, error) {
		act, _ := cfg["activation"].(string)
		name, _ := cfg["name"].(string)
		return NewScaleShift(act, name), nil
	})
}

// A custom layer written with the layer kit (package ops), trained, saved to a .keras file
// and loaded back: keras.RegisterLayer tells LoadModel how to rebuild it.
func Example_customLayer() {
	keras.SetRandomSeed(1)
	in := keras.Input(keras.Shape{2})
	out := keras.CallOne(NewScaleShift("linear", "scale_shift"), in)
	model, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := model.Compile(optimizers.SGD(optimizers.LearningRate(0.1)), "mse"); err != nil {
		fmt.Println(err)
		return
	}
	// Learn y = (2·x0 + 1, −x1).
	x := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float32{0, 1, 1, 0, 2, -1, -1, 2}))
	y := tensor.New(tensor.WithShape(4, 2), tensor.WithBacking([]float32{1, -1, 3, 0, 5, 1, -1, -2}))
	history, err := model.Fit(x, y, keras.Epochs(100), keras.BatchSize(4), keras.Verbose(0))
	if err != nil {
		fmt.Println(err)
		return
	}
	loss := history.History["loss"]
	fmt.Printf("loss: %.3f -> below 1e-3: %v\n", loss[0], loss[len(loss)-1] < 1e-3)

	dir, _ := os.MkdirTemp("", "custom")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "model.keras")
	if err := model.Save(path); err != nil {
		fmt.Println(err)
		return
	}
	loaded, err := keras.LoadModel(path)
	if err != nil {
		fmt.Println(err)
		return
	}
	l, _ := loaded.GetLayer("scale_shift")
	fmt.Println("loaded:", l.ClassName(), l.Config()["activation"])
	for _, v := range l.Variables() {
		w := v.Value.Data().([]float32)
		r := func(f float32) float64 { return math.Round(float64(f)*100)/100 + 0 } // +0: no "-0.00"
		fmt.Printf("%s ≈ [%.2f %.2f]\n", v.Path, r(w[0]), r(w[1]))
	}
	a, _ := model.Predict(x, keras.Verbose(0))
	b, _ := loaded.Predict(x, keras.Verbose(0))
	same := true
	for i, v := range a[0].Data().([]float32) {
		same = same && math.Abs(float64(v-b[0].Data().([]float32)[i])) < 1e-6
	}
	fmt.Println("same predictions:", same)
	// Output:
	// loss: 4.750 -> below 1e-3: true
	// loaded: ScaleShift linear
	// scale_shift/gamma ≈ [2.00 -1.00]
	// scale_shift/beta ≈ [1.00 0.00]
	// same predictions: true
}
