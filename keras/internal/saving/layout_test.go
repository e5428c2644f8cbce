package saving

import "testing"

// TestKerasSnakeCase checks the weight-file keys against names Keras 3 computes.
func TestKerasSnakeCase(t *testing.T) {
	for class, want := range map[string]string{
		"InputLayer": "input_layer", "LSTM": "lstm", "Conv1D": "conv1d", "MaxPooling1D": "max_pooling1d",
		"GlobalMaxPooling1D": "global_max_pooling1d", "Functional": "functional", "Sequential": "sequential",
		"BatchNormalization": "batch_normalization", "SimpleRNN": "simple_rnn", "GRU": "gru",
		"ZeroPadding2D": "zero_padding2d", "PReLU": "p_re_lu", "Bidirectional": "bidirectional",
	} {
		if got := KerasSnakeCase(class); got != want {
			t.Errorf("%s: got %q, Keras writes %q", class, got, want)
		}
	}
}
