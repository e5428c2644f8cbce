package keras_test

import (
	"errors"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/initializers"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/losses"
	"github.com/kerago/kerago/keras/metrics"
	"github.com/kerago/kerago/keras/optimizers"
	"github.com/kerago/kerago/keras/tensorboard"
)

// TestOneTaxonomy checks that errors.Is works across packages: an error from any package is
// its kind (keras.ErrUnknownName, ...) and still its package's own sentinel, and not another
// package's.
func TestOneTaxonomy(t *testing.T) {
	model := func(layer keras.Layer) (*keras.Model, error) {
		in := keras.Input(keras.Shape{3})
		return keras.NewModel(keras.Inputs(in), keras.Outputs(layer.(interface {
			Call(...*keras.Tensor) *keras.Tensor
		}).Call(in)))
	}
	compiled := func(optimizer, loss any, opts ...keras.CompileOption) error {
		m, err := model(layers.Dense(2))
		if err != nil {
			return err
		}
		return m.Compile(optimizer, loss, opts...)
	}
	second := func(_ any, err error) error { return err }
	unknownNames := []error{losses.ErrUnknownLoss, metrics.ErrUnknownMetric,
		optimizers.ErrUnknownOptimizer, initializers.ErrUnknownInitializer}
	cases := []struct {
		name string
		err  error
		kind error // the shared kind
		own  error // the package's own sentinel, or nil
	}{
		{"unknown loss", compiled("sgd", "msee"), keras.ErrUnknownName, losses.ErrUnknownLoss},
		{"losses.Get", second(losses.Get("msee")), keras.ErrUnknownName, losses.ErrUnknownLoss},
		{"unknown metric", compiled("sgd", "mse", keras.Metrics("acc2")), keras.ErrUnknownName, metrics.ErrUnknownMetric},
		{"metrics.Get", second(metrics.Get("acc2")), keras.ErrUnknownName, metrics.ErrUnknownMetric},
		{"unknown optimizer", compiled("adm", "mse"), keras.ErrUnknownName, optimizers.ErrUnknownOptimizer},
		{"optimizers.Get", second(optimizers.Get("adm")), keras.ErrUnknownName, optimizers.ErrUnknownOptimizer},
		{"unknown initializer", second(model(layers.Dense(2, layers.KernelInitializer("glorot_unifrom")))),
			keras.ErrUnknownName, initializers.ErrUnknownInitializer},
		{"initializers.Get", second(initializers.Get("zeross")), keras.ErrUnknownName, initializers.ErrUnknownInitializer},
		{"unknown activation", second(model(layers.Dense(2, layers.Activation("relu6x")))), keras.ErrUnknownName, nil},
		{"unknown layer class", second(keras.DeserializeLayer(map[string]any{"class_name": "Bogus", "config": map[string]any{"name": "b"}})),
			keras.ErrUnknownName, nil},
		{"optimizer option", compiled(optimizers.Adam(optimizers.Beta1(1.5)), "mse"), keras.ErrInvalidArgument, optimizers.ErrInvalidOption},
		{"tensorboard tag", func() error {
			w, err := tensorboard.NewWriter(t.TempDir())
			if err != nil {
				return err
			}
			defer w.Close()
			return w.Scalar("", 0, 1)
		}(), keras.ErrInvalidArgument, tensorboard.ErrTag},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if !errors.Is(c.err, c.kind) {
				t.Errorf("%v: not errors.Is %v", c.err, c.kind)
			}
			if c.own != nil && !errors.Is(c.err, c.own) {
				t.Errorf("%v: not errors.Is its package's %v", c.err, c.own)
			}
			for _, other := range unknownNames {
				if other != c.own && errors.Is(c.err, other) {
					t.Errorf("%v: errors.Is another package's sentinel %v", c.err, other)
				}
			}
		})
	}
}
