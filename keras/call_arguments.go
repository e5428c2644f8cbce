package keras

// CallKeywords is implemented by layers whose Keras call takes keyword arguments that a saved
// model records with each call, such as MultiHeadAttention's use_causal_mask. kerago keeps
// such an argument on the layer: Save writes CallKeywords with every call of the layer, and
// LoadModel gives each keyword of a saved call to SetCallKeyword before the call is made.
type CallKeywords interface {
	// CallKeywords returns the keyword arguments written with each of the layer's calls.
	CallKeywords() map[string]any
	// SetCallKeyword applies a keyword argument read from a saved call; ok is false for a
	// name the layer does not take, and err reports a value it cannot take.
	SetCallKeyword(name string, value any) (ok bool, err error)
}

// PositionalInputs is implemented by layers whose several inputs Keras takes as separate
// positional arguments (MultiHeadAttention's query, value and key), where a merge layer takes
// one list of tensors. PositionalInputs returns the names of those call arguments, in order;
// Save writes such a layer's inputs as separate arguments and its build_config as Keras's
// shapes_dict, each input's shape under its argument's name with "_shape" added
// ("query_shape").
type PositionalInputs interface {
	PositionalInputs() []string
}
