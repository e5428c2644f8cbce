package callbacks

// Option configures a callback. Options only record values; the callback checks them when
// training begins and Fit returns the first problem. An option a callback does not take is
// an error naming it.
type Option func(*options)

// options holds every callback option; each callback reads the ones it understands.
type options struct {
	set map[string]bool

	monitor               string
	minDelta              float64
	patience              int
	mode                  string
	baseline              *float64
	restoreBestWeights    bool
	startFromEpoch        int
	verbose               int
	saveBestOnly          bool
	saveWeightsOnly       bool
	saveFreq              any
	initialValueThreshold *float64
	factor                float64
	cooldown              int
	minLR                 float64
	histogramFreq         int
	updateFreq            any
	writeGraph            bool
	separator             string
	append                bool
	raiseError            bool
}

func (o *options) mark(name string) {
	if o.set == nil {
		o.set = map[string]bool{}
	}
	o.set[name] = true
}

// apply runs opts over o.
func (o *options) apply(opts []Option) *options {
	for _, f := range opts {
		if f != nil {
			f(o)
		}
	}
	return o
}

// Monitor names the logged quantity to watch: "val_loss" (the default), "loss", "acc" ...
func Monitor(name string) Option { return func(o *options) { o.mark("Monitor"); o.monitor = name } }

// MinDelta is the smallest change of the monitored quantity that counts as an improvement.
func MinDelta(d float64) Option { return func(o *options) { o.mark("MinDelta"); o.minDelta = d } }

// Patience is the number of epochs without improvement to wait before acting.
func Patience(n int) Option { return func(o *options) { o.mark("Patience"); o.patience = n } }

// Mode says whether the monitored quantity should go down ("min"), up ("max"), or "auto"
// (the default): decided from its name as Keras 3 decides.
func Mode(m string) Option { return func(o *options) { o.mark("Mode"); o.mode = m } }

// Baseline is a value the monitored quantity must beat (EarlyStopping).
func Baseline(v float64) Option { return func(o *options) { o.mark("Baseline"); o.baseline = &v } }

// RestoreBestWeights restores the weights of the best epoch when training ends
// (EarlyStopping; default false).
func RestoreBestWeights(b bool) Option {
	return func(o *options) { o.mark("RestoreBestWeights"); o.restoreBestWeights = b }
}

// StartFromEpoch is the number of warm-up epochs before EarlyStopping watches (default 0).
func StartFromEpoch(n int) Option {
	return func(o *options) { o.mark("StartFromEpoch"); o.startFromEpoch = n }
}

// Verbose sets how much a callback prints: 0 nothing (the default), 1 a message when it acts.
func Verbose(n int) Option { return func(o *options) { o.mark("Verbose"); o.verbose = n } }

// SaveBestOnly makes ModelCheckpoint save only when the monitored quantity improves.
func SaveBestOnly(b bool) Option {
	return func(o *options) { o.mark("SaveBestOnly"); o.saveBestOnly = b }
}

// SaveWeightsOnly makes ModelCheckpoint save only the weights (a .weights.h5 path).
func SaveWeightsOnly(b bool) Option {
	return func(o *options) { o.mark("SaveWeightsOnly"); o.saveWeightsOnly = b }
}

// SaveFreq is "epoch" (the default) or a number of batches between ModelCheckpoint saves.
func SaveFreq(v any) Option { return func(o *options) { o.mark("SaveFreq"); o.saveFreq = v } }

// InitialValueThreshold is the value the monitored quantity must beat for ModelCheckpoint's
// first save with SaveBestOnly.
func InitialValueThreshold(v float64) Option {
	return func(o *options) { o.mark("InitialValueThreshold"); o.initialValueThreshold = &v }
}

// Factor multiplies the learning rate when ReduceLROnPlateau acts (default 0.1; must be < 1).
func Factor(f float64) Option { return func(o *options) { o.mark("Factor"); o.factor = f } }

// Cooldown is the number of epochs ReduceLROnPlateau waits after acting (default 0).
func Cooldown(n int) Option { return func(o *options) { o.mark("Cooldown"); o.cooldown = n } }

// MinLR is the lowest learning rate ReduceLROnPlateau sets (default 0).
func MinLR(f float64) Option { return func(o *options) { o.mark("MinLR"); o.minLR = f } }

// HistogramFreq is the number of epochs between TensorBoard's weight histograms (default 0:
// none).
func HistogramFreq(n int) Option {
	return func(o *options) { o.mark("HistogramFreq"); o.histogramFreq = n }
}

// UpdateFreq is "epoch" (the default), "batch", or a number of batches between TensorBoard's
// batch-level scalars.
func UpdateFreq(v any) Option { return func(o *options) { o.mark("UpdateFreq"); o.updateFreq = v } }

// WriteGraph makes TensorBoard write the model graph (default true).
func WriteGraph(b bool) Option { return func(o *options) { o.mark("WriteGraph"); o.writeGraph = b } }

// Separator sets CSVLogger's field separator (default ",").
func Separator(s string) Option { return func(o *options) { o.mark("Separator"); o.separator = s } }

// Append makes CSVLogger append to an existing file instead of overwriting it (default false).
func Append(b bool) Option { return func(o *options) { o.mark("Append"); o.append = b } }

// RaiseError makes TerminateOnNaN stop training with an error (which Fit returns) instead of
// asking the model to stop after the epoch (default false), as Keras 3's raise_error.
func RaiseError(b bool) Option { return func(o *options) { o.mark("RaiseError"); o.raiseError = b } }
