// Command bench runs kerago's seed-model benchmarks next to the same models in Keras 3 (JAX
// backend) and PyTorch on this machine and prints the side-by-side table, with ratios, as
// Markdown:
//
//	go run ./bench [-rounds 3] [-steps 20] [-models mlp,qa] [-openblas=auto] [-python python3] [-torch-python /usr/bin/python3]
//
// Columns are kerago's default build (pure Go), kerago built with -tags openblas (when
// libopenblas links; see docs/performance.md), Keras 3 with JAX (bench/keras_bench.py) and
// PyTorch (bench/torch_bench.py). A framework whose interpreter or module is missing gets a
// dash and a note. Every measurement is one process: a Go test binary running one
// sub-benchmark of BenchmarkSeed, or one Python script; each times -steps steps after its
// warm-up and reports the mean ms per step. The processes run interleaved, model by model,
// framework order rotating each round, so that drift in the machine's speed falls on all
// columns alike. The table shows each column's median over rounds, and each ratio as the
// median over rounds of the two frameworks' times in the same round.
//
// Run it from the repository root.
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
)

// models is the suite, in BenchmarkSeed's order.
var models = []string{"mlp", "qa", "conv1d", "three_outputs", "residual_conv2d", "predict_mlp_b1", "predict_mlp_b128"}

func main() {
	rounds := flag.Int("rounds", 3, "interleaved rounds; the table shows the median")
	steps := flag.Int("steps", 20, "timed steps per process")
	warmup := flag.Int("warmup", 3, "untimed steps per Python process (Go: the first step and testing's N=1 run)")
	only := flag.String("models", strings.Join(models, ","), "comma-separated models to run")
	openblas := flag.String("openblas", "auto", "include the -tags openblas build: auto (if it links), yes, no")
	python := flag.String("python", "python3", "interpreter with keras 3 and jax (.ci/requirements.txt)")
	torchPython := flag.String("torch-python", "/usr/bin/python3", "interpreter with torch (Debian's python3-torch serves /usr/bin/python3)")
	flag.Parse()
	if err := run(*rounds, *steps, *warmup, strings.Split(*only, ","), *openblas, *python, *torchPython); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func run(rounds, steps, warmup int, names []string, openblas, python, torchPython string) error {
	for _, n := range names {
		if !contains(models, n) {
			return fmt.Errorf("unknown model %q (have %s)", n, strings.Join(models, ", "))
		}
	}
	if rounds < 1 || steps < 1 || warmup < 0 {
		return fmt.Errorf("-rounds and -steps must be at least 1, -warmup at least 0")
	}
	tmp, err := os.MkdirTemp("", "kerago-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	var runners []runner
	var notes []string
	goBin := filepath.Join(tmp, "layers.test")
	if out, err := exec.Command("go", "test", "-c", "-o", goBin, "./keras/layers").CombinedOutput(); err != nil {
		return fmt.Errorf("building the benchmarks (run from the repository root): %v\n%s", err, out)
	}
	runners = append(runners, goRunner("kerago", goBin, steps))
	switch openblas {
	case "no":
	case "yes", "auto":
		bin := filepath.Join(tmp, "layers-openblas.test")
		out, err := exec.Command("go", "test", "-tags", "openblas", "-c", "-o", bin, "./keras/layers").CombinedOutput()
		switch {
		case err == nil:
			runners = append(runners, goRunner("kerago openblas", bin, steps))
		case openblas == "yes":
			return fmt.Errorf("building with -tags openblas (apt-get install libopenblas-dev): %v\n%s", err, out)
		default:
			notes = append(notes, "kerago openblas: not built (install libopenblas-dev and a C compiler)")
		}
	default:
		return fmt.Errorf("-openblas must be auto, yes or no, not %q", openblas)
	}
	for _, py := range []struct{ label, interp, script, module string }{
		{"Keras 3 / JAX", python, "bench/keras_bench.py", "keras, jax"},
		{"PyTorch", torchPython, "bench/torch_bench.py", "torch"},
	} {
		check := exec.Command(py.interp, "-c", "import "+py.module)
		check.Env = pyEnv()
		if err := check.Run(); err != nil {
			notes = append(notes, fmt.Sprintf("%s: %s cannot import %s", py.label, py.interp, py.module))
			continue
		}
		runners = append(runners, pyRunner(py.label, py.interp, py.script, steps, warmup))
	}

	res := newResults()
	for r := range rounds {
		for _, m := range names {
			for i := range runners {
				rn := runners[(i+r)%len(runners)]
				fmt.Fprintf(os.Stderr, "round %d/%d %-17s %-16s", r+1, rounds, m, rn.label)
				s, err := rn.measure(m)
				if err != nil {
					fmt.Fprintln(os.Stderr, " failed")
					return fmt.Errorf("%s %s: %w", rn.label, m, err)
				}
				fmt.Fprintf(os.Stderr, " %8.2f ms\n", s.ms)
				res.add(rn.label, m, s)
			}
		}
	}
	labels := make([]string, len(runners))
	for i, rn := range runners {
		labels[i] = rn.label
	}
	fmt.Printf("%d rounds, %d timed steps per process, GOMAXPROCS %d, %s/%s\n\n", rounds, steps, runtime.GOMAXPROCS(0), runtime.GOOS, runtime.GOARCH)
	fmt.Print(res.table(labels, names))
	for _, n := range notes {
		fmt.Println("\nnote:", n)
	}
	return nil
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
