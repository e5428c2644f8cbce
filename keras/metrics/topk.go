package metrics

// NewTopKCategoricalAccuracy returns Keras's TopKCategoricalAccuracy: the fraction of
// samples whose target class (the argmax of one-hot targets) is among the K largest
// predictions, a tie with the K-th counting as in. Options: K (default 5), Name (default
// "top_k_categorical_accuracy").
func NewTopKCategoricalAccuracy(opts ...Option) *MeanWrapper {
	return topK("TopKCategoricalAccuracy", "top_k_categorical_accuracy", false, opts)
}

// NewSparseTopKCategoricalAccuracy is NewTopKCategoricalAccuracy for targets that are class
// indices. Options: K (default 5), Name (default "sparse_top_k_categorical_accuracy").
func NewSparseTopKCategoricalAccuracy(opts ...Option) *MeanWrapper {
	return topK("SparseTopKCategoricalAccuracy", "sparse_top_k_categorical_accuracy", true, opts)
}

func topK(class, defName string, sparse bool, opts []Option) *MeanWrapper {
	o := collect(options{name: defName, k: 5}, opts)
	if o.k < 1 {
		o.fail("k must be at least 1, got %d", o.k)
	}
	fn := topKAccuracy(o.k)
	if sparse {
		fn = sparseTopKAccuracy(o.k)
	}
	return &MeanWrapper{mean: mean{name: o.name}, class: class, fn: fn, sparse: sparse,
		config: map[string]any{"k": o.k}, err: o.err}
}

// NewBinaryAccuracy returns Keras's BinaryAccuracy: the fraction of predictions on the
// target's side of Threshold (default 0.5). Options: Threshold, Name (default
// "binary_accuracy").
func NewBinaryAccuracy(opts ...Option) *MeanWrapper {
	o := collect(options{name: "binary_accuracy", threshold: 0.5}, opts)
	return &MeanWrapper{mean: mean{name: o.name}, class: "BinaryAccuracy", fn: binaryAccuracy(o.threshold),
		config: map[string]any{"threshold": o.threshold}, err: o.err}
}
