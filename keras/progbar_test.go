package keras

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/kerago/kerago/keras/internal/testenv"
)

// progbarGolden is keras/testdata/progbar_golden.json, written by
// keras/callbacks/testdata/keras_golden.py: Keras 3's ProgbarLogger driven through scripted
// hooks with a fake clock, and the exact bytes it printed.
type progbarGolden struct {
	KerasVersion string `json:"keras_version"`
	Cases        []struct {
		Name   string `json:"name"`
		Params struct {
			Verbose int `json:"verbose"`
			Epochs  int `json:"epochs"`
			Steps   int `json:"steps"`
		} `json:"params"`
		Events []struct {
			Hook  string             `json:"hook"`
			Arg   *int               `json:"arg"`
			T     float64            `json:"t"`
			Logs  map[string]float64 `json:"logs"`
			Added map[string]float64 `json:"added"`
		} `json:"events"`
		Output string `json:"output"`
	} `json:"cases"`
}

// TestProgbarKerasGolden replays the hooks on a ProgbarLogger made as callbacks.ProgbarLogger()
// makes it (verbosity from the params), with the same clock, and compares every byte:
// counters, colours, ETA and elapsed formats, time per step, throttling, padding and
// backspaces, key order, the verbose-2 line, evaluate and predict bars.
func TestProgbarKerasGolden(t *testing.T) {
	var g progbarGolden
	testenv.ReadJSON(t, "testdata/progbar_golden.json", &g, "keras/callbacks/testdata/keras_golden.py")
	if len(g.Cases) < 8 {
		t.Fatalf("%d cases", len(g.Cases))
	}
	for _, c := range g.Cases {
		t.Run(c.Name, func(t *testing.T) {
			var out strings.Builder
			var now time.Time
			p := NewProgbarLogger(0)
			p.Out, p.Dynamic = &out, true
			p.clock = func() time.Time { return now }
			p.SetParams(Params{Verbose: c.Params.Verbose, Epochs: c.Params.Epochs, Steps: c.Params.Steps})
			for _, ev := range c.Events {
				sec := 1000 + ev.T
				now = time.Unix(0, 0).Add(time.Duration(math.Round(sec * 1e9)))
				logs := Logs{}
				for k, v := range ev.Logs {
					logs[k] = v
				}
				for k, v := range ev.Added {
					logs[k] = v
				}
				arg := 0
				if ev.Arg != nil {
					arg = *ev.Arg
				}
				var err error
				switch ev.Hook {
				case "on_train_begin":
					err = p.OnTrainBegin(logs)
				case "on_train_end":
					err = p.OnTrainEnd(logs)
				case "on_epoch_begin":
					err = p.OnEpochBegin(arg, logs)
				case "on_epoch_end":
					err = p.OnEpochEnd(arg, logs)
				case "on_train_batch_end":
					err = p.OnTrainBatchEnd(arg, logs)
				case "on_test_begin":
					err = p.OnTestBegin(logs)
				case "on_test_batch_end":
					err = p.OnTestBatchEnd(arg, logs)
				case "on_test_end":
					err = p.OnTestEnd(logs)
				case "on_predict_begin":
					err = p.OnPredictBegin(logs)
				case "on_predict_batch_end":
					err = p.OnPredictBatchEnd(arg, logs)
				case "on_predict_end":
					err = p.OnPredictEnd(logs)
				default:
					t.Fatalf("unknown hook %s", ev.Hook)
				}
				if err != nil {
					t.Fatal(err)
				}
			}
			if out.String() != c.Output {
				t.Errorf("printed\n%q\nKeras %s printed\n%q", out.String(), g.KerasVersion, c.Output)
			}
		})
	}
}

// TestProgbarPlain checks the output without Dynamic (not a terminal): one finished line per
// epoch, no escape codes, Keras's layout otherwise.
func TestProgbarPlain(t *testing.T) {
	var out strings.Builder
	now := time.Unix(1000, 0)
	p := NewProgbarLogger(1)
	p.Out, p.Dynamic = &out, false
	p.clock = func() time.Time { return now }
	p.SetParams(Params{Verbose: 1, Epochs: 2, Steps: 3})
	p.OnTrainBegin(Logs{})
	for e := range 2 {
		p.OnEpochBegin(e, Logs{})
		for b := range 3 {
			now = now.Add(20 * time.Millisecond)
			p.OnTrainBatchEnd(b, Logs{"loss": 0.5, "acc": 0.25})
		}
		p.OnEpochEnd(e, Logs{"loss": 0.5, "acc": 0.25, "val_loss": 0.0001, "learning_rate": 0.01})
	}
	want := "Epoch 1/2\n3/3 ━━━━━━━━━━━━━━━━━━━━ 0s 20ms/step - acc: 0.2500 - loss: 0.5000 - val_loss: 1.0000e-04 - learning_rate: 0.0100\n" +
		"Epoch 2/2\n3/3 ━━━━━━━━━━━━━━━━━━━━ 0s 20ms/step - acc: 0.2500 - loss: 0.5000 - val_loss: 1.0000e-04 - learning_rate: 0.0100\n"
	if out.String() != want {
		t.Errorf("got\n%q\nwant\n%q", out.String(), want)
	}
}
