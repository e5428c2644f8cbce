package keras

import "github.com/kerago/kerago/keras/metrics"

// CompiledMetrics returns the metrics Compile created, output by output in model order, then
// the weighted metrics (WeightedMetrics) likewise, as Keras's compiled metrics container
// holds them; nil before Compile. Each metric's Name is the name it was given ("acc",
// "mse"); on a model with several outputs it logs under "<output>_<name>" (see
// WeightedMetrics for the names of weighted ones). Callbacks that watch a logged value in "auto" mode read these names to
// decide whether it should go up or down, as Keras 3's MonitorCallback does.
func (m *Model) CompiledMetrics() []metrics.Metric {
	if m.compiled == nil {
		return nil
	}
	var out []metrics.Metric
	for _, h := range m.compiled.heads {
		out = append(out, h.metrics...)
	}
	for _, h := range m.compiled.heads {
		out = append(out, h.weighted...)
	}
	return out
}
