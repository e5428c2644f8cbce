package metrics

// Direction is the way a metric improves, as Keras's Metric._direction: "up", "down", or ""
// when Keras gives none (the confusion counts). Callbacks in "auto" mode read it.
type Direction interface {
	Direction() string
}

// upClasses are the mean-wrapper classes Keras marks "up"; the other mean wrappers are
// errors and losses, "down".
var upClasses = map[string]bool{
	"Accuracy": true, "BinaryAccuracy": true, "CategoricalAccuracy": true, "SparseCategoricalAccuracy": true,
	"TopKCategoricalAccuracy": true, "SparseTopKCategoricalAccuracy": true, "CosineSimilarity": true,
	"PearsonCorrelation": true, "ConcordanceCorrelation": true,
}

// Direction returns "up" for accuracies and cosine similarity, "down" for errors and losses.
func (m *MeanWrapper) Direction() string {
	if upClasses[m.class] {
		return "up"
	}
	return "down"
}

// Direction returns "up".
func (a *Accuracy) Direction() string { return "up" }

// Direction returns "up" for Precision and Recall and "" for the counts, which Keras gives no
// direction.
func (c *Confusion) Direction() string {
	if c.class == "Precision" || c.class == "Recall" {
		return "up"
	}
	return ""
}

// Direction returns "up".
func (a *AUC) Direction() string { return "up" }

// Direction returns "up".
func (f *FBetaScore) Direction() string { return "up" }

// Direction returns "up".
func (m *IoU) Direction() string { return "up" }
