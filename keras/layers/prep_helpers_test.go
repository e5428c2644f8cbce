package layers_test

import (
	"encoding/json"
	"math"
	"os"
	"testing"

	"gorgonia.org/tensor"
)

// nestedTensor turns a nested JSON list of numbers (as numpy's tolist writes it) into a
// float32 tensor of its shape.
func nestedTensor(t *testing.T, v any) *tensor.Dense {
	t.Helper()
	var shape []int
	for cur := v; ; {
		l, ok := cur.([]any)
		if !ok {
			break
		}
		shape = append(shape, len(l))
		if len(l) == 0 {
			break
		}
		cur = l[0]
	}
	var data []float32
	var walk func(x any)
	walk = func(x any) {
		switch x := x.(type) {
		case []any:
			for _, e := range x {
				walk(e)
			}
		case float64:
			data = append(data, float32(x))
		default:
			t.Fatalf("not a number: %v", x)
		}
	}
	walk(v)
	if len(shape) == 0 {
		return tensor.New(tensor.FromScalar(data[0]))
	}
	return tensor.New(tensor.WithShape(shape...), tensor.WithBacking(data))
}

// readPrepJSON reads a file written by a script of testdata/prep, saying how to regenerate it
// when it is missing.
func readPrepJSON(t *testing.T, name string, v any) {
	t.Helper()
	b, err := os.ReadFile("testdata/prep/" + name + ".json")
	if err != nil {
		t.Fatalf("%v (regenerate: KERAS_BACKEND=jax python3 keras/layers/testdata/prep/%s.py)", err, name)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// closeTensors reports the largest difference between two tensors of one size, or +Inf when
// their sizes differ.
func closeTensors(a, b *tensor.Dense) float64 {
	x, y := asFloat64s(a), asFloat64s(b)
	if len(x) != len(y) {
		return math.Inf(1)
	}
	d := 0.0
	for i := range x {
		d = math.Max(d, math.Abs(x[i]-y[i]))
	}
	return d
}
