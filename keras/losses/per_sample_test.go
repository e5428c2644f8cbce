package losses_test

import (
	"strings"
	"testing"

	"github.com/kerago/kerago/keras/losses"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// Weights that Keras cannot broadcast against a loss's values are refused with an error
// naming the loss and both shapes, as Keras 3.15 fails ("Incompatible shapes for
// broadcasting"): Dice summed over each sample's axes gives one value per sample, not per
// time step; CosineSimilarity along axis 1 of a sequence leaves the last axis, not the steps.
func TestWeightedRefusesWeightsKerasCannotBroadcast(t *testing.T) {
	for _, c := range []struct {
		loss losses.Loss
		w    []int
	}{
		{losses.Dice{Axis: []int{1, 2}}, []int{2, 3}},
		{losses.Tversky{Axis: []int{1, 2}}, []int{2, 3}},
		{losses.CosineSimilarity{Axis: 1}, []int{2, 3}},
		{losses.CosineSimilarity{Axis: 1}, []int{2}},
	} {
		t.Run(c.loss.Name(), func(t *testing.T) {
			g := G.NewGraph()
			s := []int{2, 3, 4}
			y := G.NewTensor(g, tensor.Float32, 3, G.WithShape(s...), G.WithName("y"))
			p := G.NewTensor(g, tensor.Float32, 3, G.WithShape(s...), G.WithName("p"))
			w := G.NewTensor(g, tensor.Float32, len(c.w), G.WithShape(c.w...), G.WithName("w"))
			_, err := losses.Weighted(c.loss, y, p, nil, "", w)
			if err == nil {
				t.Fatalf("%s with weights of shape %v gave no error", c.loss.Name(), c.w)
			}
			if !strings.Contains(err.Error(), c.loss.Name()) || !strings.Contains(err.Error(), "shape") {
				t.Errorf("error %q does not name the loss and the shapes", err)
			}
			t.Log(err)
		})
	}
}
