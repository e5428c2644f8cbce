package keras

import (
	"errors"
	"fmt"

	"github.com/kerago/kerago/keras/losses"
	"github.com/kerago/kerago/keras/metrics"
	"github.com/kerago/kerago/keras/optimizers"
	"gorgonia.org/tensor"
)

// CompileOption configures Compile.
type CompileOption func(*compileConfig)

type compileConfig struct {
	metrics        []metricID // the flat list (compile_metrics.go)
	outputMetrics  map[string][]metricID
	weighted       []metricID
	outputWeighted map[string][]metricID
	lossWeights    any
}

// Metrics names metrics to compute and log: any Keras 3 metric identifier ("acc",
// "accuracy", "mse", "bce", "binary_crossentropy", "top_k_categorical_accuracy", "auc",
// "Precision" ...; see package metrics). They form a flat list, as Keras's metrics list: on
// a model with one output every entry applies to it; on a model with several outputs the
// list must have exactly one entry per output, in output order (a list of another length
// is an error, as in Keras 3, not a broadcast); use OutputMetrics for several metrics per
// output or metrics on only some outputs.
func Metrics(names ...string) CompileOption {
	return func(c *compileConfig) { c.metrics = append(c.metrics, nameIDs(names)...) }
}

// OutputMetrics names metrics per output, keyed by output layer name (Keras's metrics dict).
func OutputMetrics(m map[string][]string) CompileOption {
	return func(c *compileConfig) { mergeMaps(&c.outputMetrics, nameMap(m)) }
}

// LossWeights weights each output's loss in the total loss: a float64 (one output), a
// []float64 in output order or a map[string]float64 keyed by output name. Missing weights
// are 1. Logged per-output losses stay unweighted, as in Keras.
func LossWeights(w any) CompileOption { return func(c *compileConfig) { c.lossWeights = w } }

// compiled is what Compile resolved: the optimizer, the weights it trains and, per output,
// its loss, weight and metrics.
type compiled struct {
	optimizer optimizers.Optimizer
	// trainable are the model's trainable weights when Compile ran: the ones training
	// updates until the next Compile, as in Keras, whatever SetTrainable does meanwhile.
	trainable []*Variable
	heads     []head
	config    map[string]any // Keras compile_config, for saving
}

// head is one output's training configuration.
type head struct {
	name   string // output name
	loss   losses.Loss
	weight float64
	sparse bool
	// shaped is the loss's own target shape (losses.TargetShaper: CTC, Circle), when the
	// targets are not shaped like the output.
	shaped  losses.TargetShaper
	metrics []metrics.Metric
	// weighted are the output's weighted metrics (Keras's weighted_metrics): updated with
	// the sample weights, when there are any.
	weighted []metrics.Metric
	// metricKeys and weightedKeys are the log names of metrics and weighted, in order.
	metricKeys, weightedKeys []string
	// metricObj and weightedObj say which metrics were given as objects: compile_config
	// saves those serialised, the others by name.
	metricObj, weightedObj []bool
}

// Optimizer returns the compiled optimizer, or nil before Compile.
func (m *Model) Optimizer() optimizers.Optimizer {
	if m.compiled == nil {
		return nil
	}
	return m.compiled.optimizer
}

// Compile configures the model for training. optimizer is a Keras name ("sgd", "adam",
// "rmsprop", "adagrad") or an optimizers.Optimizer; loss is a Keras name or losses.Loss (for
// every output), a []string with one name per output in order, or a map[string]string keyed by
// output name (an output without a loss is not trained by any loss); []any and map[string]any
// mix names and losses.Loss values (losses.CategoricalCrossentropy{FromLogits: true} ...).
// All problems are reported together.
//
// Compile records the model's trainable weights: Fit trains those until the next Compile, so
// a SetTrainable takes effect when the model is compiled again, as in Keras. An optimizer
// value serves one model: Compile binds it to this model's trainable weights (see
// optimizers.Builder); compiling it again after a SetTrainable keeps its state for the
// weights still trained, and fitting another model compiled with it earlier fails.
func (m *Model) Compile(optimizer, loss any, opts ...CompileOption) (err error) {
	defer recoverErr("Compile", &err)
	cfg := compileConfig{}
	var errs []error
	for i, o := range opts {
		if o == nil {
			errs = append(errs, argErr("Compile", "options", ErrInvalidArgument, "option %d is nil", i))
			continue
		}
		o(&cfg)
	}
	c := &compiled{}
	switch o := optimizer.(type) {
	case string:
		if c.optimizer, err = optimizers.Get(o); err != nil {
			errs = append(errs, &ArgumentError{Call: "Compile", Arg: "optimizer", Err: err})
		}
	case optimizers.Optimizer:
		if o == nil {
			errs = append(errs, argErr("Compile", "optimizer", ErrInvalidArgument, "is nil"))
		} else if e, ok := o.(interface{ Err() error }); ok && e.Err() != nil {
			errs = append(errs, &ArgumentError{Call: "Compile", Arg: "optimizer", Err: e.Err()})
		}
		c.optimizer = o
	default:
		errs = append(errs, argErr("Compile", "optimizer", ErrInvalidArgument, "must be a name or an optimizers.Optimizer, got %T", optimizer))
	}
	names := m.OutputNames()
	c.heads = make([]head, len(names))
	for i, n := range names {
		c.heads[i] = head{name: n, weight: 1}
	}
	index := func(what, name string) int {
		for i, n := range names {
			if n == name {
				return i
			}
		}
		errs = append(errs, argErr("Compile", what, ErrUnknownName, "no output named %q (outputs: %v)", name, names))
		return -1
	}
	setLoss := func(i int, l any) {
		switch v := l.(type) {
		case string:
			ls, err := losses.Get(v)
			if err != nil {
				errs = append(errs, &ArgumentError{Call: "Compile", Arg: fmt.Sprintf("loss of output %q", names[i]), Err: err})
				return
			}
			c.heads[i].loss = ls
		case losses.Loss:
			// Losses with arguments (label smoothing) check them here, once.
			if vl, ok := v.(interface{ Validate() error }); ok {
				if err := vl.Validate(); err != nil {
					errs = append(errs, fmt.Errorf("keras: Compile: %w: loss for output %q: %w", ErrInvalidArgument, names[i], err))
					return
				}
			}
			c.heads[i].loss = v
			if err := losses.CheckReduction(v); err != nil {
				errs = append(errs, fmt.Errorf("keras: Compile: %w: loss for output %q: %w", ErrInvalidArgument, names[i], err))
			}
		case nil:
		default:
			errs = append(errs, argErr("Compile", fmt.Sprintf("loss of output %q", names[i]), ErrInvalidArgument, "must be a name or a losses.Loss, got %T", l))
		}
		if sl, ok := c.heads[i].loss.(losses.SparseLoss); ok && sl.SparseTargets() {
			c.heads[i].sparse = true
		}
		c.heads[i].shaped, _ = c.heads[i].loss.(losses.TargetShaper)
	}
	switch l := loss.(type) {
	case []string:
		if len(l) != len(names) {
			errs = append(errs, argErr("Compile", "loss", ErrInvalidArgument, "%d losses for %d outputs", len(l), len(names)))
		} else {
			for i, s := range l {
				setLoss(i, s)
			}
		}
	case map[string]string:
		for k, s := range l {
			if i := index("loss", k); i >= 0 {
				setLoss(i, s)
			}
		}
	case []any:
		if len(l) != len(names) {
			errs = append(errs, fmt.Errorf("keras: Compile: %w: %d losses for %d outputs", ErrInvalidArgument, len(l), len(names)))
		} else {
			for i, s := range l {
				setLoss(i, s)
			}
		}
	case map[string]any:
		for k, s := range l {
			if i := index("loss", k); i >= 0 {
				setLoss(i, s)
			}
		}
	default:
		for i := range names {
			setLoss(i, loss)
		}
	}
	hasLoss := false
	for _, h := range c.heads {
		hasLoss = hasLoss || h.loss != nil
	}
	if !hasLoss && len(errs) == 0 {
		errs = append(errs, argErr("Compile", "loss", ErrInvalidArgument, "no loss for any output"))
	}
	switch w := cfg.lossWeights.(type) {
	case nil:
	case float64:
		for i := range c.heads {
			c.heads[i].weight = w
		}
	case []float64:
		if len(w) != len(names) {
			errs = append(errs, argErr("Compile", "loss_weights", ErrInvalidArgument, "%d loss weights for %d outputs", len(w), len(names)))
		} else {
			for i := range w {
				c.heads[i].weight = w[i]
			}
		}
	case map[string]float64:
		for k, v := range w {
			if i := index("loss_weights", k); i >= 0 {
				c.heads[i].weight = v
			}
		}
	default:
		errs = append(errs, argErr("Compile", "loss_weights", ErrInvalidArgument, "must be float64, []float64 or map[string]float64, got %T", w))
	}
	errs = append(errs, c.resolveMetrics(cfg, names)...)
	if err := errors.Join(errs...); err != nil {
		return err
	}
	c.trainable = m.TrainableVariables()
	if b, ok := c.optimizer.(optimizers.Builder); ok {
		params := make([]*tensor.Dense, len(c.trainable))
		for i, v := range c.trainable {
			params[i] = v.Value
		}
		if err := b.Build(params); err != nil {
			return fmt.Errorf("keras: Compile: optimizer: %w", err)
		}
	}
	c.config = compileConfigDict(c, loss, cfg)
	m.compiled = c
	m.programs.clear() // new losses: old training programs are stale
	return nil
}

// logKeys returns the training log names: loss, per-output losses when there are several
// losses, and metrics (prefixed by the output name on multi-output models).
func (c *compiled) multi() bool { return len(c.heads) > 1 }

func (c *compiled) lossKey(i int) string { return c.heads[i].name + "_loss" }

// nLosses counts the outputs that have a loss.
func (c *compiled) nLosses() int {
	n := 0
	for _, h := range c.heads {
		if h.loss != nil {
			n++
		}
	}
	return n
}

func compileConfigDict(c *compiled, loss any, cfg compileConfig) map[string]any {
	out := map[string]any{
		"optimizer":    c.optimizer.Config(),
		"loss":         loss,
		"loss_weights": cfg.lossWeights,
		"metrics":      cfg.metrics,
	}
	return out
}
