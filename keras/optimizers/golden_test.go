package optimizers

import (
	"encoding/json"
	"fmt"
	"os"
	"testing"

	"gorgonia.org/tensor"
)

// kerasRun is one case of testdata/golden.json, written by testdata/golden.py from Keras 3.15.
type kerasRun struct {
	Class     string         `json:"class"`
	Config    map[string]any `json:"config"`
	Steps     [][]float64    `json:"steps"`
	Variables []string       `json:"variables"`
}

// goldenMakers builds, for each case of golden.py, the same optimizer here.
var goldenMakers = map[string]func() Optimizer{
	"adamw default": func() Optimizer { return AdamW() },
	"adamw custom": func() Optimizer {
		return AdamW(LearningRate(0.01), WeightDecay(0.1), Beta1(0.8), Beta2(0.99), Epsilon(1e-3))
	},
	"adamw amsgrad":  func() Optimizer { return AdamW(LearningRate(0.01), WeightDecay(0.5), AMSGrad(true)) },
	"adamax default": func() Optimizer { return Adamax() },
	"adamax custom": func() Optimizer {
		return Adamax(LearningRate(0.05), Beta1(0.8), Beta2(0.9), Epsilon(1e-3), WeightDecay(0.1))
	},
	"lion default":     func() Optimizer { return Lion() },
	"lion custom":      func() Optimizer { return Lion(LearningRate(0.05), Beta1(0.5), Beta2(0.8), WeightDecay(0.1)) },
	"adadelta default": func() Optimizer { return Adadelta() },
	"adadelta custom":  func() Optimizer { return Adadelta(LearningRate(1.0), Rho(0.8), Epsilon(1e-3), WeightDecay(0.1)) },
	"nadam default":    func() Optimizer { return Nadam() },
	"nadam custom": func() Optimizer {
		return Nadam(LearningRate(0.05), Beta1(0.8), Beta2(0.9), Epsilon(1e-3), WeightDecay(0.1))
	},
	"adam clipnorm":                 func() Optimizer { return Adam(LearningRate(0.01), ClipNorm(0.3)) },
	"adamw clipvalue":               func() Optimizer { return AdamW(LearningRate(0.01), ClipValue(0.25)) },
	"sgd global_clipnorm":           func() Optimizer { return SGD(LearningRate(0.1), Momentum(0.9), GlobalClipNorm(0.4)) },
	"rmsprop clipnorm weight_decay": func() Optimizer { return RMSprop(LearningRate(0.01), ClipNorm(0.2), WeightDecay(0.3)) },
	"ftrl default":                  func() Optimizer { return Ftrl() },
	"ftrl custom": func() Optimizer {
		return Ftrl(LearningRate(0.1), LearningRatePower(-0.7), InitialAccumulatorValue(0.3),
			L1RegularizationStrength(0.05), L2RegularizationStrength(0.2), L2ShrinkageRegularizationStrength(0.1),
			Beta(0.5), WeightDecay(0.1))
	},
	"adam weight_decay":    func() Optimizer { return Adam(LearningRate(0.01), WeightDecay(0.2)) },
	"sgd weight_decay":     func() Optimizer { return SGD(LearningRate(0.1), Momentum(0.9), WeightDecay(0.3)) },
	"rmsprop weight_decay": func() Optimizer { return RMSprop(LearningRate(0.01), WeightDecay(0.3)) },
	"adagrad weight_decay": func() Optimizer { return Adagrad(LearningRate(0.1), WeightDecay(0.3)) },
}

func loadGolden(t *testing.T) map[string]kerasRun {
	t.Helper()
	b, err := os.ReadFile("testdata/golden.json")
	if err != nil {
		t.Fatal(err)
	}
	var runs map[string]kerasRun
	if err := json.Unmarshal(b, &runs); err != nil {
		t.Fatalf("testdata/golden.json: %v", err)
	}
	return runs
}

// TestKerasRuns replays the steps Keras 3.15 took (float32) and checks each weight, the
// variable count and that FromConfig of Keras's own config gives the same optimizer.
func TestKerasRuns(t *testing.T) {
	runs := loadGolden(t)
	for name, make := range goldenMakers {
		run, ok := runs[name]
		if !ok {
			t.Fatalf("golden.json has no case %q", name)
		}
		t.Run(name, func(t *testing.T) {
			fromCfg, err := FromConfig(run.Class, run.Config)
			if err != nil {
				t.Fatalf("FromConfig(%s, Keras's config): %v", run.Class, err)
			}
			for i, opt := range []Optimizer{make(), fromCfg} {
				params := split(w0, tensor.Float32)
				for s, g := range steps {
					if err := opt.Apply(params, split(g, tensor.Float32)); err != nil {
						t.Fatalf("step %d: %v", s+1, err)
					}
					assertClose(t, fmt.Sprintf("opt %d step %d", i, s+1), values(params...), run.Steps[s], 1e-6, 1e-7)
				}
				if got := len(opt.Variables()); got != len(run.Variables) {
					t.Errorf("opt %d: %d variables, Keras has %d: %v", i, got, len(run.Variables), run.Variables)
				}
				cfg := opt.Config()
				if fmt.Sprint(cfg["weight_decay"]) != fmt.Sprint(run.Config["weight_decay"]) {
					t.Errorf("opt %d: weight_decay = %v, Keras %v", i, cfg["weight_decay"], run.Config["weight_decay"])
				}
				// Keras numbers the names of later instances (adam_w_1); the first is the default.
				if name == "adamw default" && cfg["name"] != run.Config["name"] {
					t.Errorf("opt %d: name = %v, Keras %v", i, cfg["name"], run.Config["name"])
				}
			}
		})
	}
}
