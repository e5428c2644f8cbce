package keras_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// faulty is a custom layer whose Forward panics or fails, as a buggy user layer would.
type faulty struct {
	keras.LayerBase
	panics bool
}

func (l *faulty) ClassName() string                                    { return "Faulty" }
func (l *faulty) Build([]keras.Shape) error                            { return nil }
func (l *faulty) OutputShapes(in []keras.Shape) ([]keras.Shape, error) { return in, nil }
func (l *faulty) Config() map[string]any                               { return map[string]any{} }
func (l *faulty) Forward(_ *keras.Context, in []*G.Node) ([]*G.Node, error) {
	if l.panics {
		var s []int
		_ = s[len(in)+2] // an index out of range, as a slip in a custom layer would be
	}
	return nil, errors.New("the layer gave up")
}

// TestLayerForwardFailureIsOneLine: a failure inside a layer's Forward, panic included, comes
// back from Predict as one line naming the layer, its class and the realisation, with the
// panic's stack on the error value.
func TestLayerForwardFailureIsOneLine(t *testing.T) {
	for _, tc := range []struct {
		name      string
		panics    bool
		want      string
		wantStack bool
	}{
		{"panic", true, "broken (Faulty): in the inference realisation for input shapes (2, 3): internal error: panic: runtime error: index out of range", true},
		{"error", false, "broken (Faulty): in the inference realisation for input shapes (2, 3): the layer gave up", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := &faulty{panics: tc.panics}
			l.Init("Faulty", "broken")
			in := keras.Input(keras.Shape{3})
			m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(keras.CallOne(l, in)))
			if err != nil {
				t.Fatal(err)
			}
			x := tensor.New(tensor.WithShape(2, 3), tensor.Of(tensor.Float32))
			_, err = m.Predict(x)
			if err == nil {
				t.Fatal("Predict succeeded")
			}
			msg := err.Error()
			if strings.Contains(msg, "\n") || !strings.Contains(msg, tc.want) {
				t.Errorf("message:\n%s\nwant one line containing %q", msg, tc.want)
			}
			var le *keras.LayerError
			if !errors.As(err, &le) || le.Layer != "broken" || le.Class != "Faulty" {
				t.Fatalf("errors.As(*keras.LayerError) = %+v", le)
			}
			if tc.panics != errors.Is(err, keras.ErrInternal) {
				t.Errorf("errors.Is(err, ErrInternal) = %v", errors.Is(err, keras.ErrInternal))
			}
			stack := string(le.Stack())
			if got := strings.Contains(stack, "faulty).Forward"); got != tc.wantStack {
				t.Errorf("Stack() names the panicking Forward: %v, want %v\n%s", got, tc.wantStack, stack)
			}
		})
	}
}

// TestNestedLayerFailureNamesInnerLayer: a model used as a layer reports the inner layer that
// failed, not itself.
func TestNestedLayerFailureNamesInnerLayer(t *testing.T) {
	l := &faulty{panics: true}
	l.Init("Faulty", "deep")
	a := keras.Input(keras.Shape{3})
	inner, err := keras.NewModel(keras.Inputs(a), keras.Outputs(keras.CallOne(l, a)))
	if err != nil {
		t.Fatal(err)
	}
	b := keras.Input(keras.Shape{3})
	outer, err := keras.NewModel(keras.Inputs(b), keras.Outputs(inner.Call(b)))
	if err != nil {
		t.Fatal(err)
	}
	_, err = outer.Predict(tensor.New(tensor.WithShape(1, 3), tensor.Of(tensor.Float32)))
	var le *keras.LayerError
	if !errors.As(err, &le) || le.Layer != "deep" || le.Stack() == nil {
		t.Fatalf("got %v, want a LayerError for layer deep with a stack", err)
	}
}
