package layers_test

import (
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

func TestIdentity(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.Identity() },
		InputShapes:  []keras.Shape{{3, 2}},
		OutputShapes: []keras.Shape{{keras.None, 3, 2}},
		BadInputs:    [][]keras.Shape{{{3, 2}, {3, 2}}},
		Golden:       "testdata/kit/identity.json",
	})
}
