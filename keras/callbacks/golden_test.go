package callbacks

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/internal/testenv"
)

var update = flag.Bool("update", false, "regenerate testdata/golden.json by running testdata/keras_golden.py (needs python3 with keras and jax)")

// jfloat is a float in the golden JSON: a number, or "nan", "inf", "-inf".
type jfloat float64

func (f *jfloat) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err == nil {
		switch s {
		case "nan":
			*f = jfloat(math.NaN())
		case "inf":
			*f = jfloat(math.Inf(1))
		case "-inf":
			*f = jfloat(math.Inf(-1))
		default:
			return fmt.Errorf("bad float %q", s)
		}
		return nil
	}
	var v float64
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = jfloat(v)
	return nil
}

func toLogs(m map[string]jfloat) keras.Logs {
	l := keras.Logs{}
	for k, v := range m {
		l[k] = float64(v)
	}
	return l
}

// same compares floats, NaN equal to NaN.
func same(a, b float64) bool { return a == b || (math.IsNaN(a) && math.IsNaN(b)) }

type goldenCase struct {
	Name     string                     `json:"name"`
	Callback string                     `json:"callback"`
	Path     string                     `json:"path"`
	Schedule string                     `json:"schedule"`
	Kwargs   map[string]json.RawMessage `json:"kwargs"`
	LR       *float64                   `json:"lr"`
	Epochs   []struct {
		Logs    map[string]jfloat   `json:"logs"`
		Batches []map[string]jfloat `json:"batches"`
	} `json:"epochs"`
	Result struct {
		ConstructError *string `json:"construct_error"`
		Error          *struct {
			Epoch   int    `json:"epoch"`
			Message string `json:"message"`
		} `json:"error"`
		Epochs []struct {
			Stop            bool              `json:"stop"`
			LR              jfloat            `json:"lr"`
			Logs            map[string]jfloat `json:"logs"`
			Wait            *int              `json:"wait"`
			Best            *jfloat           `json:"best"`
			CooldownCounter *int              `json:"cooldown_counter"`
		} `json:"epochs"`
		Stdout       string   `json:"stdout"`
		Warnings     []string `json:"warnings"`
		FinalWeight  float64  `json:"final_weight"`
		Saved        []string `json:"saved"`
		StoppedEpoch *int     `json:"stopped_epoch"`
		BestEpoch    *int     `json:"best_epoch"`
	} `json:"result"`
}

type goldenFile struct {
	KerasVersion string       `json:"keras_version"`
	Cases        []goldenCase `json:"cases"`
	CSVCases     []struct {
		Name   string                     `json:"name"`
		Kwargs map[string]json.RawMessage `json:"kwargs"`
		Runs   [][]map[string]jfloat      `json:"runs"`
		Pre    *string                    `json:"pre"`
		Bytes  string                     `json:"bytes"`
	} `json:"csv_cases"`
	FormatCases []struct {
		Kind  string  `json:"kind"`
		Value jfloat  `json:"value"`
		Spec  string  `json:"spec"`
		Out   *string `json:"out"`
		Error string  `json:"error"`
	} `json:"format_cases"`
	ReprCases []struct {
		Value float64 `json:"value"`
		Out   string  `json:"out"`
	} `json:"repr_cases"`
}

func loadGolden(t *testing.T) goldenFile {
	t.Helper()
	if *update {
		t.Setenv("KERAS_BACKEND", "jax")
		testenv.PythonOutput(t, testenv.Python(t, "keras"), "testdata/keras_golden.py")
	}
	var g goldenFile
	testenv.ReadJSON(t, "testdata/golden.json", &g, "go test -update (testdata/keras_golden.py)")
	return g
}

var schedules = map[string]func(int, float64) float64{
	"halve_from_2": func(e int, lr float64) float64 {
		if e < 2 {
			return lr
		}
		return lr * 0.5
	},
	"exp_decay":     func(e int, _ float64) float64 { return 0.1 * math.Pow(0.9, float64(e)) },
	"constant_1e-5": func(int, float64) float64 { return 1e-05 },
}

// kwargsOptions turns the Python keyword arguments into options.
func kwargsOptions(t *testing.T, kw map[string]json.RawMessage) []Option {
	t.Helper()
	var opts []Option
	for k, raw := range kw {
		var f jfloat
		var s string
		var b bool
		num := func() float64 {
			if err := json.Unmarshal(raw, &f); err != nil {
				t.Fatalf("%s: %v", k, err)
			}
			return float64(f)
		}
		switch k {
		case "monitor", "mode", "separator":
			if err := json.Unmarshal(raw, &s); err != nil {
				t.Fatal(err)
			}
			opts = append(opts, map[string]func(string) Option{"monitor": Monitor, "mode": Mode, "separator": Separator}[k](s))
		case "restore_best_weights", "save_best_only", "save_weights_only", "append", "raise_error":
			if err := json.Unmarshal(raw, &b); err != nil {
				t.Fatal(err)
			}
			opts = append(opts, map[string]func(bool) Option{"restore_best_weights": RestoreBestWeights,
				"save_best_only": SaveBestOnly, "save_weights_only": SaveWeightsOnly, "append": Append,
				"raise_error": RaiseError}[k](b))
		case "patience", "start_from_epoch", "verbose", "cooldown":
			opts = append(opts, map[string]func(int) Option{"patience": Patience, "start_from_epoch": StartFromEpoch,
				"verbose": Verbose, "cooldown": Cooldown}[k](int(num())))
		case "min_delta", "baseline", "initial_value_threshold", "factor", "min_lr":
			opts = append(opts, map[string]func(float64) Option{"min_delta": MinDelta, "baseline": Baseline,
				"initial_value_threshold": InitialValueThreshold, "factor": Factor, "min_lr": MinLR}[k](num()))
		case "save_freq":
			if err := json.Unmarshal(raw, &s); err == nil {
				opts = append(opts, SaveFreq(s))
			} else {
				opts = append(opts, SaveFreq(int(num())))
			}
		default:
			t.Fatalf("unknown keyword %s", k)
		}
	}
	return opts
}

// goldenCallback is what the replay needs of every callback.
type goldenCallback interface {
	keras.Callback
	Err() error
}

var tmpName = regexp.MustCompile(`^\.tmp-\d+-`)

// TestKerasGolden replays, on the Go callbacks with a real model, the scripted epochs that
// testdata/keras_golden.py ran through Keras 3's own callbacks, and compares everything
// Keras recorded: construction errors, errors at an epoch, stop_training, the learning rate
// and the logs after every epoch, wait/best/cooldown counters, the weights held at the end
// (restored or not), printed messages, warnings and saved paths.
func TestKerasGolden(t *testing.T) {
	g := loadGolden(t)
	if len(g.Cases) < 50 {
		t.Fatalf("only %d golden cases", len(g.Cases))
	}
	for _, gc := range g.Cases {
		t.Run(gc.Name, func(t *testing.T) {
			t.Chdir(t.TempDir())
			res := gc.Result
			opts := kwargsOptions(t, gc.Kwargs)
			var cb goldenCallback
			var out, warn bytes.Buffer
			var saved []string
			switch gc.Callback {
			case "EarlyStopping":
				c := EarlyStopping(opts...)
				c.Out, c.Warn = &out, &warn
				cb = c
			case "ReduceLROnPlateau":
				c := ReduceLROnPlateau(opts...)
				c.Out, c.Warn = &out, &warn
				cb = c
			case "ModelCheckpoint":
				c := ModelCheckpoint(gc.Path, opts...)
				c.Out, c.Warn = &out, &warn
				c.save = func(_ *keras.Model, path string, _ bool) error {
					dir, base := filepath.Split(path)
					if !tmpName.MatchString(base) {
						t.Errorf("saved to %s, not to a temporary name", path)
					}
					saved = append(saved, filepath.ToSlash(filepath.Join(dir, tmpName.ReplaceAllString(base, ""))))
					return os.WriteFile(path, []byte("model"), 0o644)
				}
				cb = c
			case "LearningRateScheduler":
				c := LearningRateScheduler(schedules[gc.Schedule], opts...)
				c.Out = &out
				cb = c
			case "TerminateOnNaN":
				c := TerminateOnNaN(opts...)
				c.Out = &out
				cb = c
			default:
				t.Fatalf("unknown callback %s", gc.Callback)
			}
			if res.ConstructError != nil {
				if cb.Err() == nil {
					t.Fatalf("Keras refused the arguments (%s); Err() is nil", *res.ConstructError)
				}
				if err := cb.OnTrainBegin(keras.Logs{}); err == nil {
					t.Errorf("OnTrainBegin did not return the argument error")
				}
				t.Logf("Keras: %s\nGo:    %v", *res.ConstructError, cb.Err())
				return
			}
			if err := cb.Err(); err != nil {
				t.Fatalf("Err() = %v; Keras accepted the arguments", err)
			}
			lr := 0.01
			if gc.LR != nil {
				lr = *gc.LR
			}
			m := testModel(t, lr)
			cb.SetModel(m)
			m.SetStopTraining(false)
			var gotErr error
			errEpoch := -1
			last := keras.Logs{}
			if err := cb.OnTrainBegin(keras.Logs{}); err != nil {
				t.Fatal(err)
			}
		loop:
			for epoch, ep := range gc.Epochs {
				markWeights(t, m, float64(epoch+1))
				if gotErr = cb.OnEpochBegin(epoch, keras.Logs{}); gotErr != nil {
					errEpoch = epoch
					break
				}
				for b, bl := range ep.Batches {
					if gotErr = cb.OnTrainBatchBegin(b, keras.Logs{}); gotErr == nil {
						gotErr = cb.OnTrainBatchEnd(b, toLogs(bl))
					}
					if gotErr != nil {
						errEpoch = epoch
						break loop
					}
					if m.StopTraining() {
						break
					}
				}
				logs := toLogs(ep.Logs)
				if gotErr = cb.OnEpochEnd(epoch, logs); gotErr != nil {
					errEpoch = epoch
					break
				}
				last = logs
				if epoch >= len(res.Epochs) {
					t.Fatalf("epoch %d ran; Keras stopped after %d epochs", epoch, len(res.Epochs))
				}
				want := res.Epochs[epoch]
				if m.StopTraining() != want.Stop {
					t.Errorf("epoch %d: stop training %v, Keras %v", epoch, m.StopTraining(), want.Stop)
				}
				if got := m.Optimizer().LearningRate(); got != float64(want.LR) {
					t.Errorf("epoch %d: learning rate %v, Keras %v", epoch, got, float64(want.LR))
				}
				if len(logs) != len(want.Logs) {
					t.Errorf("epoch %d: logs %v, Keras %v", epoch, logs, want.Logs)
				}
				for k, v := range want.Logs {
					if got, ok := logs[k]; !ok || !same(got, float64(v)) {
						t.Errorf("epoch %d: logs[%q] = %v, Keras %v", epoch, k, got, float64(v))
					}
				}
				checkState(t, epoch, cb, want.Wait, want.Best, want.CooldownCounter)
				if m.StopTraining() {
					break
				}
			}
			if res.Error != nil {
				if gotErr == nil {
					t.Fatalf("no error; Keras failed at epoch %d: %s", res.Error.Epoch, res.Error.Message)
				}
				if errEpoch != res.Error.Epoch {
					t.Errorf("error at epoch %d, Keras at epoch %d", errEpoch, res.Error.Epoch)
				}
				t.Logf("Keras: %s\nGo:    %v", res.Error.Message, gotErr)
			} else {
				if gotErr != nil {
					t.Fatalf("error %v; Keras ran through", gotErr)
				}
				if err := cb.OnTrainEnd(last); err != nil {
					t.Fatal(err)
				}
				if got := weightMark(m); got != res.FinalWeight {
					t.Errorf("the model ends with the weights of epoch %v, Keras with those of epoch %v", got, res.FinalWeight)
				}
			}
			if out.String() != res.Stdout {
				t.Errorf("printed\n%q\nKeras printed\n%q", out.String(), res.Stdout)
			}
			var warnings []string
			for _, l := range strings.Split(strings.TrimSuffix(warn.String(), "\n"), "\n") {
				if l != "" {
					warnings = append(warnings, strings.TrimPrefix(l, "UserWarning: "))
				}
			}
			if fmt.Sprint(warnings) != fmt.Sprint(res.Warnings) {
				t.Errorf("warnings %q, Keras %q", warnings, res.Warnings)
			}
			if fmt.Sprint(saved) != fmt.Sprint(res.Saved) {
				t.Errorf("saved %q, Keras %q", saved, res.Saved)
			}
			for _, p := range saved {
				if _, err := os.Stat(p); err != nil {
					t.Errorf("saved file: %v", err)
				}
			}
			leftovers, _ := filepath.Glob(".tmp-*")
			if sub, _ := filepath.Glob("*/.tmp-*"); len(sub) > 0 {
				leftovers = append(leftovers, sub...)
			}
			if len(leftovers) > 0 {
				t.Errorf("temporary files left: %v", leftovers)
			}
			if es, ok := cb.(*EarlyStoppingCallback); ok {
				if res.StoppedEpoch != nil && es.StoppedEpoch() != *res.StoppedEpoch {
					t.Errorf("stopped epoch %d, Keras %d", es.StoppedEpoch(), *res.StoppedEpoch)
				}
				if res.BestEpoch != nil && res.Error == nil && es.BestEpoch() != *res.BestEpoch {
					t.Errorf("best epoch %d, Keras %d", es.BestEpoch(), *res.BestEpoch)
				}
			}
		})
	}
}

// checkState compares the callback's counters with Keras's attributes after an epoch.
func checkState(t *testing.T, epoch int, cb keras.Callback, wait *int, best *jfloat, cooldown *int) {
	t.Helper()
	var gotWait, gotCooldown int
	var gotBest *float64
	switch c := cb.(type) {
	case *EarlyStoppingCallback:
		gotWait, gotBest = c.wait, c.best
	case *ReduceLROnPlateauCallback:
		gotWait, gotBest, gotCooldown = c.wait, c.best, c.cooldownCounter
	case *ModelCheckpointCallback:
		gotBest = c.best
	default:
		return
	}
	if wait != nil && gotWait != *wait {
		t.Errorf("epoch %d: wait %d, Keras %d", epoch, gotWait, *wait)
	}
	if cooldown != nil && gotCooldown != *cooldown {
		t.Errorf("epoch %d: cooldown counter %d, Keras %d", epoch, gotCooldown, *cooldown)
	}
	switch {
	case best == nil && gotBest != nil:
		t.Errorf("epoch %d: best %v, Keras None", epoch, *gotBest)
	case best != nil && (gotBest == nil || !same(*gotBest, float64(*best))):
		t.Errorf("epoch %d: best %v, Keras %v", epoch, gotBest, float64(*best))
	}
}

// TestCSVGolden compares CSVLogger's bytes with the files Keras's CSVLogger wrote for the
// same logs.
func TestCSVGolden(t *testing.T) {
	g := loadGolden(t)
	for _, gc := range g.CSVCases {
		t.Run(gc.Name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "log.csv")
			if gc.Pre != nil {
				if err := os.WriteFile(path, []byte(*gc.Pre), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for _, run := range gc.Runs {
				c := CSVLogger(path, kwargsOptions(t, gc.Kwargs)...)
				if err := c.OnTrainBegin(keras.Logs{}); err != nil {
					t.Fatal(err)
				}
				for epoch, l := range run {
					if err := c.OnEpochEnd(epoch, toLogs(l)); err != nil {
						t.Fatal(err)
					}
				}
				if err := c.OnTrainEnd(keras.Logs{}); err != nil {
					t.Fatal(err)
				}
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if string(b) != gc.Bytes {
				t.Errorf("wrote\n%q\nKeras wrote\n%q", b, gc.Bytes)
			}
		})
	}
}

// TestFormatGolden compares the format-spec subset and repr(float) with Python's own output.
func TestFormatGolden(t *testing.T) {
	g := loadGolden(t)
	if len(g.FormatCases) < 500 || len(g.ReprCases) < 80 {
		t.Fatalf("%d format and %d repr cases", len(g.FormatCases), len(g.ReprCases))
	}
	for _, c := range g.FormatCases {
		var got string
		var err error
		if c.Kind == "int" {
			got, err = pyFormatInt(int(c.Value), c.Spec)
		} else {
			got, err = pyFormatFloat(float64(c.Value), c.Spec)
		}
		switch {
		case c.Out == nil && err == nil:
			t.Errorf("format(%v, %q) = %q; Python raised %q", float64(c.Value), c.Spec, got, c.Error)
		case c.Out != nil && err != nil:
			t.Errorf("format(%v, %q): %v; Python %q", float64(c.Value), c.Spec, err, *c.Out)
		case c.Out != nil && got != *c.Out:
			t.Errorf("format(%s %v, %q) = %q; Python %q", c.Kind, float64(c.Value), c.Spec, got, *c.Out)
		}
	}
	for _, c := range g.ReprCases {
		if got := pyRepr(c.Value); got != c.Out {
			t.Errorf("repr(%v) = %q; Python %q", c.Value, got, c.Out)
		}
	}
}
