package layers

import "github.com/kerago/kerago/keras"

// Keras 3 saves a recurrent layer's weights under its cell (layers/lstm/cell/vars/0) and a
// Bidirectional wrapper's under the cells of its two copies
// (layers/bidirectional/forward_layer/cell/vars/0); these methods tell keras.Save and
// keras.LoadModel so (see keras.WeightOwners).

var (
	_ keras.WeightOwners = (*LSTMLayer)(nil)
	_ keras.WeightOwners = (*GRULayer)(nil)
	_ keras.WeightOwners = (*SimpleRNNLayer)(nil)
	_ keras.WeightOwners = (*BidirectionalLayer)(nil)
)

// WeightOwners reports that every weight belongs to the layer's cell, as Keras saves it.
func (l *recurrent) WeightOwners() []string {
	out := make([]string, len(l.Variables()))
	for i := range out {
		out[i] = "cell"
	}
	return out
}

// WeightOwners reports that the weights belong to the cells of the forward and backward
// copies, as Keras saves them.
func (l *BidirectionalLayer) WeightOwners() []string {
	if l.forward == nil {
		return nil
	}
	var out []string
	for range l.forward.Variables() {
		out = append(out, "forward_layer/cell")
	}
	for range l.backward.Variables() {
		out = append(out, "backward_layer/cell")
	}
	return out
}
