package layers_test

import (
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/kerastest"
	"github.com/kerago/kerago/keras/layers"
)

// TestAttentionScores: Attention's and AdditiveAttention's return_attention_scores, the
// weights (batch, Tq, Tv) as a second output, with a key and with a causal mask, compared
// with Keras 3 loading the Go-saved model (which reads the call argument kerago writes).
func TestAttentionScores(t *testing.T) {
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New:          func() keras.Layer { return layers.Attention(layers.UseScale(true), layers.ReturnAttentionScores(true)) },
		InputShapes:  []keras.Shape{{4, 3}, {5, 2}, {5, 3}},
		OutputShapes: []keras.Shape{{keras.None, 4, 2}, {keras.None, 4, 5}},
		Weights:      []keras.Shape{{}},
		Golden:       "testdata/kit/attention_scores.json",
	})
	kerastest.RunLayerTest(t, kerastest.LayerCase{
		New: func() keras.Layer {
			return layers.AdditiveAttention(layers.UseCausalMask(true), layers.ReturnAttentionScores(true))
		},
		InputShapes:  []keras.Shape{{4, 3}, {4, 2}, {4, 3}},
		OutputShapes: []keras.Shape{{keras.None, 4, 2}, {keras.None, 4, 4}},
		Weights:      []keras.Shape{{3}},
		Golden:       "testdata/kit/additive_attention_scores.json",
	})
}
