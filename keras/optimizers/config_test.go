package optimizers

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestConfigDefaults(t *testing.T) {
	base := map[string]any{
		"weight_decay": nil, "clipnorm": nil, "global_clipnorm": nil, "clipvalue": nil,
		"use_ema": false, "ema_momentum": 0.99, "ema_overwrite_frequency": nil,
		"loss_scale_factor": nil, "gradient_accumulation_steps": nil,
	}
	with := func(extra map[string]any) map[string]any {
		out := map[string]any{}
		for k, v := range base {
			out[k] = v
		}
		for k, v := range extra {
			out[k] = v
		}
		return out
	}
	for _, tc := range []struct {
		opt  Optimizer
		want map[string]any
	}{
		{SGD(), with(map[string]any{"name": "SGD", "learning_rate": 0.01, "momentum": 0.0, "nesterov": false})},
		{Adam(), with(map[string]any{"name": "adam", "learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999,
			"epsilon": 1e-7, "amsgrad": false})},
		{AdamW(), with(map[string]any{"name": "adam_w", "learning_rate": 0.001, "weight_decay": 0.004,
			"beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7, "amsgrad": false})},
		{RMSprop(), with(map[string]any{"name": "rmsprop", "learning_rate": 0.001, "rho": 0.9, "momentum": 0.0,
			"epsilon": 1e-7, "centered": false})},
		{Adagrad(), with(map[string]any{"name": "adagrad", "learning_rate": 0.001,
			"initial_accumulator_value": 0.1, "epsilon": 1e-7})},
	} {
		t.Run(tc.opt.Name(), func(t *testing.T) {
			if got := tc.opt.Config(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Config() =\n%v\nwant\n%v", got, tc.want)
			}
		})
	}
	t.Run("learning rate follows SetLearningRate", func(t *testing.T) {
		opt := Adam()
		opt.SetLearningRate(0.5)
		if got := opt.Config()["learning_rate"]; got != 0.5 {
			t.Errorf("learning_rate = %v, want 0.5", got)
		}
	})
}

func TestFromConfigRoundTrip(t *testing.T) {
	classes := map[string]string{"sgd": "SGD", "adam": "Adam", "rmsprop": "RMSprop", "adagrad": "Adagrad"}
	for _, opt := range []Optimizer{
		SGD(LearningRate(0.5), Momentum(0.06), Nesterov(true)),
		Adam(LearningRate(0.5), Beta1(0.5), Beta2(0.67), Epsilon(1e-5), AMSGrad(true)),
		RMSprop(LearningRate(0.5), Rho(0.8), Momentum(0.05), Epsilon(1e-6), Centered(true)),
		Adagrad(LearningRate(0.5), InitialAccumulatorValue(0.2), Epsilon(1e-5)),
	} {
		t.Run(opt.Name(), func(t *testing.T) {
			// Through JSON, as a saved model stores it.
			raw, err := json.Marshal(opt.Config())
			if err != nil {
				t.Fatal(err)
			}
			var cfg map[string]any
			if err := json.Unmarshal(raw, &cfg); err != nil {
				t.Fatal(err)
			}
			got, err := FromConfig(classes[opt.Name()], cfg)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got.Config(), opt.Config()) {
				t.Errorf("round trip:\n%v\nwant\n%v", got.Config(), opt.Config())
			}
		})
	}
}

func TestFromConfigKeras(t *testing.T) {
	// A compile_config optimizer entry as Keras 3 writes it, and a Keras 2 one.
	const keras3 = `{"name": "adam", "learning_rate": 0.0010000000474974513, "weight_decay": null,
		"clipnorm": null, "global_clipnorm": null, "clipvalue": null, "use_ema": false,
		"ema_momentum": 0.99, "ema_overwrite_frequency": null, "loss_scale_factor": null,
		"gradient_accumulation_steps": null, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-07,
		"amsgrad": false}`
	const keras2 = `{"name": "RMSprop", "lr": 0.01, "decay": 0.0, "rho": 0.9, "momentum": 0.0,
		"epsilon": 1e-07, "centered": false, "jit_compile": true, "is_legacy_optimizer": false}`
	for _, tc := range []struct {
		class, js, name string
		lr              float64
	}{
		{"Adam", keras3, "adam", 0.0010000000474974513},
		{"RMSprop", keras2, "rmsprop", 0.01},
	} {
		var cfg map[string]any
		d := json.NewDecoder(strings.NewReader(tc.js))
		d.UseNumber()
		if err := d.Decode(&cfg); err != nil {
			t.Fatal(err)
		}
		opt, err := FromConfig(tc.class, cfg)
		if err != nil {
			t.Fatalf("FromConfig(%s): %v", tc.class, err)
		}
		if opt.Name() != tc.name || opt.LearningRate() != tc.lr {
			t.Errorf("FromConfig(%s) = %s lr %v, want %s lr %v", tc.class, opt.Name(), opt.LearningRate(), tc.name, tc.lr)
		}
	}
	opt, err := FromConfig("sgd", map[string]any{})
	if err != nil || opt.LearningRate() != 0.01 {
		t.Errorf("FromConfig(sgd, {}) = %v, %v; want defaults", opt, err)
	}
}

func TestFromConfigErrors(t *testing.T) {
	for _, tc := range []struct {
		name, class string
		cfg         map[string]any
		sentinels   []error
		want        string
	}{
		{"unknown class", "Adafactor", nil, []error{ErrUnknownOptimizer}, "Adafactor"},
		{"use_ema", "Adam", map[string]any{"use_ema": true}, []error{ErrConfig}, "use_ema"},
		{"two clippings", "Adam", map[string]any{"clipnorm": 1.0, "clipvalue": 0.5}, []error{ErrConfig, ErrInvalidOption}, "only one of"},
		{"use_ema", "Adam", map[string]any{"use_ema": true}, []error{ErrConfig}, "use_ema"},
		{"decay", "SGD", map[string]any{"decay": 0.1}, []error{ErrConfig}, "decay"},
		{"unknown key", "SGD", map[string]any{"beta_1": 0.9}, []error{ErrConfig}, "beta_1"},
		{"wrong type", "Adam", map[string]any{"amsgrad": "yes"}, []error{ErrConfig}, "amsgrad"},
		{"wrong number type", "Adam", map[string]any{"beta_1": "0.9"}, []error{ErrConfig}, "beta_1"},
		{"schedule", "Adam", map[string]any{"learning_rate": map[string]any{"class_name": "ExponentialDecay"}},
			[]error{ErrConfig}, "schedules"},
		{"out of range", "Adam", map[string]any{"beta_1": 1.5}, []error{ErrConfig, ErrInvalidOption}, "beta_1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			opt, err := FromConfig(tc.class, tc.cfg)
			if opt != nil {
				t.Errorf("FromConfig returned an optimizer with an error")
			}
			for _, s := range tc.sentinels {
				if !errors.Is(err, s) {
					t.Errorf("error %v is not %v", err, s)
				}
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v does not mention %q", err, tc.want)
			}
		})
	}
}
