package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
)

// sample is one process's measurement of one model.
type sample struct {
	ms     float64 // mean ms per step
	rssMB  float64 // peak resident set of the process
	allocs float64 // Go only: allocations per step (-1: not measured)
	bytes  float64 // Go only: bytes allocated per step (-1: not measured)
}

// runner measures one framework.
type runner struct {
	label   string
	measure func(model string) (sample, error)
	isGo    bool
}

// goRunner runs BenchmarkSeed/model of the compiled test binary bin, one process per call.
func goRunner(label, bin string, steps int) runner {
	return runner{label: label, isGo: true, measure: func(model string) (sample, error) {
		cmd := exec.Command(bin, "-test.run", "^$", "-test.bench", "^BenchmarkSeed$/^"+model+"$",
			"-test.benchtime", strconv.Itoa(steps)+"x", "-test.benchmem")
		out, err := cmd.CombinedOutput()
		if err != nil {
			return sample{}, fmt.Errorf("%v\n%s", err, out)
		}
		return parseGoBench(out, model)
	}}
}

// parseGoBench reads the result line of BenchmarkSeed/model from go test's output, e.g.
//
//	BenchmarkSeed/mlp-2   20   22393914 ns/op   15.22 heap-MB   29.15 rss-MB   2471106 B/op   1828 allocs/op
func parseGoBench(out []byte, model string) (sample, error) {
	prefix := "BenchmarkSeed/" + model
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 4 || (f[0] != prefix && !strings.HasPrefix(f[0], prefix+"-")) {
			continue
		}
		s := sample{ms: -1, rssMB: -1, allocs: -1, bytes: -1}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				return sample{}, fmt.Errorf("bad value %q in %q", f[i], line)
			}
			switch f[i+1] {
			case "ns/op":
				s.ms = v / 1e6
			case "rss-MB":
				s.rssMB = v
			case "allocs/op":
				s.allocs = v
			case "B/op":
				s.bytes = v
			}
		}
		if s.ms < 0 {
			return sample{}, fmt.Errorf("no ns/op in %q", line)
		}
		return s, nil
	}
	return sample{}, fmt.Errorf("no result line for %s in:\n%s", prefix, out)
}

// pyRunner runs a bench/*_bench.py script with interpreter interp, one process per call.
func pyRunner(label, interp, script string, steps, warmup int) runner {
	return runner{label: label, measure: func(model string) (sample, error) {
		cmd := exec.Command(interp, script, "--model", model, "--steps", strconv.Itoa(steps), "--warmup", strconv.Itoa(warmup))
		cmd.Env = pyEnv()
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			return sample{}, fmt.Errorf("%v\n%s%s", err, out, stderr.Bytes())
		}
		return parsePyResult(out)
	}}
}

// pyEnv is the environment of the Python processes: this one's, with KERAS_BACKEND=jax unless
// it names a backend (Keras 3 would otherwise default to TensorFlow).
func pyEnv() []string {
	env := os.Environ()
	if os.Getenv("KERAS_BACKEND") == "" {
		env = append(env, "KERAS_BACKEND=jax")
	}
	return env
}

// parsePyResult reads the JSON line the scripts print last.
func parsePyResult(out []byte) (sample, error) {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	var r struct {
		MS  *float64 `json:"ms_per_step"`
		RSS float64  `json:"peak_rss_mb"`
	}
	last := lines[len(lines)-1]
	if err := json.Unmarshal([]byte(last), &r); err != nil || r.MS == nil {
		return sample{}, fmt.Errorf("no ms_per_step in the last line %q (%v)", last, err)
	}
	return sample{ms: *r.MS, rssMB: r.RSS, allocs: -1, bytes: -1}, nil
}
