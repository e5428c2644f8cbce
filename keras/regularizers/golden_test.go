package regularizers_test

import (
	"encoding/json"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/testenv"
	"github.com/kerago/kerago/keras/regularizers"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

const (
	golden           = "testdata/golden.json"
	goldenRegenerate = "KERAS_BACKEND=jax python3 keras/regularizers/testdata/golden.py"
)

type goldenCase struct {
	Name   string `json:"name"`
	ByName string `json:"by_name"`
	Object struct {
		ClassName string         `json:"class_name"`
		Config    map[string]any `json:"config"`
	} `json:"object"`
	Shape []int     `json:"shape"`
	W     []float64 `json:"w"`
	Want  []float64 `json:"want"`
}

// Every regularizer and constraint, read from the object Keras 3.15 serialises (and from its
// Keras name where the case has one), gives Keras's penalty or projected weight, and
// serialises back to Keras's object.
func TestMatchKerasGolden(t *testing.T) {
	for _, c := range testenv.GoldenCases[goldenCase](t, golden, 17, goldenRegenerate) {
		t.Run(c.Name, func(t *testing.T) {
			obj, err := regularizers.FromConfig(c.Object.ClassName, c.Object.Config)
			if err != nil {
				t.Fatal(err)
			}
			if c.ByName != "" {
				byName, err := regularizers.Get(c.ByName)
				if err != nil || !reflect.DeepEqual(regularizers.Serialize(byName), regularizers.Serialize(obj)) {
					t.Errorf("Get(%q) = %#v, %v; the object reads as %#v", c.ByName, byName, err, obj)
				}
			}
			var got []float64
			switch o := obj.(type) {
			case keras.Regularizer:
				got = []float64{penalty(t, o, c.W, c.Shape)}
			case keras.Constraint:
				w := tensor.New(tensor.WithShape(c.Shape...), tensor.WithBacking(f32(c.W)))
				if err := o.Apply(w); err != nil {
					t.Fatal(err)
				}
				for _, v := range w.Data().([]float32) {
					got = append(got, float64(v))
				}
			}
			for i := range c.Want {
				if math.Abs(got[i]-c.Want[i]) > 2e-6*math.Max(1, math.Abs(c.Want[i])) {
					t.Errorf("[%d] = %.8g, Keras %.8g", i, got[i], c.Want[i])
				}
			}
			raw, err := json.Marshal(regularizers.Serialize(obj))
			if err != nil {
				t.Fatal(err)
			}
			var back struct {
				Module    string         `json:"module"`
				ClassName string         `json:"class_name"`
				Config    map[string]any `json:"config"`
			}
			if err := json.Unmarshal(raw, &back); err != nil {
				t.Fatal(err)
			}
			if back.ClassName != c.Object.ClassName || !reflect.DeepEqual(back.Config, c.Object.Config) {
				t.Errorf("serialised %s %v, Keras wrote %s %v", back.ClassName, back.Config, c.Object.ClassName, c.Object.Config)
			}
		})
	}
}

// penalty evaluates a regularizer's penalty of w in float32.
func penalty(t *testing.T, r keras.Regularizer, w []float64, shape []int) float64 {
	t.Helper()
	g := G.NewGraph()
	n := G.NewTensor(g, tensor.Float32, len(shape), G.WithShape(shape...), G.WithName("w"),
		G.WithValue(tensor.New(tensor.WithShape(shape...), tensor.WithBacking(f32(w)))))
	p, err := r.Penalty(n)
	if err != nil {
		t.Fatal(err)
	}
	var v G.Value
	G.Read(p, &v)
	vm := G.NewTapeMachine(g)
	defer vm.Close()
	if err := vm.RunAll(); err != nil {
		t.Fatal(err)
	}
	return float64(v.Data().(float32))
}

// Bad arguments are errors naming them, never panics.
func TestRejectsBadArguments(t *testing.T) {
	for _, c := range []struct {
		class string
		cfg   map[string]any
	}{
		{"Orthogonal", map[string]any{}},
		{"OrthogonalRegularizer", map[string]any{"mode": "diagonal"}},
		{"OrthogonalRegularizer", map[string]any{"factor": -0.1}},
		{"L2", map[string]any{"l2": "big"}},
		{"MaxNorm", map[string]any{"max_value": -1.0}},
		{"MinMaxNorm", map[string]any{"rate": 2.0}},
		{"UnitNorm", map[string]any{"axis": 0.5}},
	} {
		if _, err := regularizers.FromConfig(c.class, c.cfg); err == nil {
			t.Errorf("%s %v: no error", c.class, c.cfg)
		}
	}
	if err := (regularizers.UnitNorm{Axis: []int{3}}).Apply(tensor.New(tensor.WithShape(2, 2), tensor.Of(tensor.Float32))); err == nil {
		t.Error("UnitNorm axis 3 of a matrix: no error")
	}
	g := G.NewGraph()
	w := G.NewMatrix(g, tensor.Float32, G.WithShape(2, 2), G.WithName("w"))
	if _, err := (regularizers.L2{L2: -1}).Penalty(w); err == nil {
		t.Error("L2 -1: no error")
	}
	w3 := G.NewTensor(g, tensor.Float32, 3, G.WithShape(2, 2, 2), G.WithName("w3"))
	if _, err := (regularizers.Orthogonal{Factor: 0.1}).Penalty(w3); err == nil || !strings.Contains(err.Error(), "rank-2") {
		t.Errorf("Orthogonal of a rank-3 weight: %v", err)
	}
	row := G.NewMatrix(g, tensor.Float32, G.WithShape(1, 4), G.WithName("row"))
	if _, err := (regularizers.Orthogonal{Factor: 0.1}).Penalty(row); err == nil || !strings.Contains(err.Error(), "at least 2") {
		t.Errorf("Orthogonal of one row: %v", err)
	}
}
