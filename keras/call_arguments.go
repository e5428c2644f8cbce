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

// KeywordInputs is implemented by layers that take some input tensors as keyword arguments of
// their Keras call, such as MultiHeadAttention's attention_mask: the layer's inputs in kerago
// are one list, Keras's call names some of them. Save writes each call's inputs as the
// positional and keyword arguments SplitInputs returns; LoadModel gives a saved call's
// arguments to JoinInputs and calls the layer on the inputs it returns.
type KeywordInputs interface {
	// SplitInputs returns the positional arguments and the tensor keyword arguments of a
	// call of the layer on inputs.
	SplitInputs(inputs []*Tensor) (args []*Tensor, kwargs map[string]*Tensor)
	// JoinInputs returns the inputs of a saved call whose positional arguments are args and
	// tensor keyword arguments kwargs; an error names a keyword the layer does not take.
	JoinInputs(args []*Tensor, kwargs map[string]*Tensor) ([]*Tensor, error)
}
