package optimizers

import (
	"fmt"
	"math"
	"testing"

	"gorgonia.org/tensor"
)

// referenceSequences are the weights after each of the three steps, computed by hand (in
// float64, with the formulas of keras/src/optimizers/*.py) from w0 and steps.
var referenceSequences = []struct {
	name  string
	make  func() Optimizer
	steps [][]float64
}{
	{"sgd default", func() Optimizer { return SGD() }, [][]float64{
		{0.999, -1.998, 2.997, 0.504},
		{0.994, -2.0005, 2.99825, 0.494},
		{0.997, -2.0075000000000003, 2.99825, 0.492},
	}},
	{"sgd momentum", func() Optimizer { return SGD(LearningRate(0.1), Momentum(0.9)) }, [][]float64{
		{0.99, -1.98, 2.97, 0.54},
		{0.9309999999999999, -1.9869999999999999, 2.9555000000000002, 0.47600000000000003},
		{0.9078999999999999, -2.0633, 2.9424500000000005, 0.39840000000000003},
	}},
	{"sgd nesterov", func() Optimizer { return SGD(LearningRate(0.1), Momentum(0.9), Nesterov(true)) }, [][]float64{
		{0.981, -1.962, 2.943, 0.5760000000000001},
		{0.8779, -1.9933, 2.94245, 0.41840000000000005},
		{0.8871100000000001, -2.13197, 2.930705, 0.3285600000000001},
	}},
	{"adam default", func() Optimizer { return Adam() }, [][]float64{
		{0.9990000316217766, -1.9990000158111383, 2.9990000105408146, 0.5009999920943683},
		{0.9981389906997606, -1.9991627464651553, 2.9986678727339915, 0.5005577781290594},
		{0.9978894638058898, -1.9997960398421362, 2.9984111292479287, 0.5001050025847372},
	}},
	{"adam custom", func() Optimizer {
		return Adam(LearningRate(0.01), Beta1(0.8), Beta2(0.99), Epsilon(1e-3))
	}, [][]float64{
		{0.990909090909091, -1.9904761904761905, 2.990322580645161, 0.5097560975609756},
		{0.982164439403402, -1.992616617324688, 2.987621051485004, 0.5048502144688993},
		{0.9802316747229027, -1.999617902978646, 2.9856637480927306, 0.5000704265585163},
	}},
	{"adam amsgrad", func() Optimizer { return Adam(LearningRate(0.01), AMSGrad(true)) }, [][]float64{
		{0.9900003162177663, -1.990000158111383, 2.990000105408144, 0.5099999209436835},
		{0.9813899069976069, -1.9916274646515542, 2.9866787273399145, 0.5055777812905944},
		{0.9788946380588988, -1.9979603984213627, 2.9841125765053103, 0.5010500258473721},
	}},
	{"rmsprop default", func() Optimizer { return RMSprop() }, [][]float64{
		{0.9968378804418571, -1.9968377618675612, 2.9968377399078943, 0.503162267778097},
		{0.9937310376096113, -1.9993567126903407, 2.998109376487498, 0.5002057070903544},
		{0.9954000213420496, -2.002266690558826, 2.998109376487498, 0.49959417521994737},
	}},
	{"rmsprop momentum", func() Optimizer { return RMSprop(LearningRate(0.01), Rho(0.8), Momentum(0.5)) }, [][]float64{
		{0.9776398792210342, -1.9776394599779406, 2.9776393823377427, 0.5223606448365177},
		{0.9444485675021324, -1.984643966045434, 2.975901416249522, 0.5124871738942907},
		{0.9401745027022343, -2.0089589059288855, 2.975032433205411, 0.5029436608502839},
	}},
	{"rmsprop centered", func() Optimizer { return RMSprop(LearningRate(0.01), Centered(true)) }, [][]float64{
		{0.9666685183642119, -1.9666671296199847, 2.9666668724260785, 0.5333332175931954},
		{0.9332750970189752, -1.9919195260472267, 2.979523886398862, 0.5032236740112157},
		{0.9501044838436195, -2.022603751681056, 2.979523886398862, 0.4969285844020535},
	}},
	{"rmsprop centered momentum", func() Optimizer {
		return RMSprop(LearningRate(0.01), Momentum(0.9), Centered(true))
	}, [][]float64{
		{0.9666685183642119, -1.9666671296199847, 2.9666668724260785, 0.5333332175931954},
		{0.9032767635467658, -1.961919942705213, 2.9495240715823323, 0.5332235698450916},
		{0.8630535710357086, -1.9883317001157481, 2.934095550822961, 0.5268297972626359},
	}},
	{"adagrad default", func() Optimizer { return Adagrad() }, [][]float64{
		{0.9996984887924728, -1.999465477707076, 2.999311752979506, 0.5007844643896943},
		{0.9988651555748802, -2.0000210331254573, 2.9995874118356864, 0.49989359361867153},
		{0.9993123691206898, -2.000862211540099, 2.9995874118356864, 0.4997181820215567},
	}},
	{"adagrad custom", func() Optimizer {
		return Adagrad(LearningRate(0.1), InitialAccumulatorValue(0.5), Epsilon(1e-3))
	}, [][]float64{
		{0.9860109072401867, -1.9728086128673814, 2.9609763835659235, 0.5491993382733503},
		{0.9286946694279281, -2.0049897489227284, 2.9770254531801785, 0.47160765317353737},
		{0.9612151140504864, -2.0719302018201406, 2.9770254531801785, 0.4562728629659295},
	}},
}

func TestReferenceSequences(t *testing.T) {
	for _, tc := range referenceSequences {
		for _, dt := range dtypes {
			t.Run(fmt.Sprintf("%s/%v", tc.name, dt), func(t *testing.T) {
				opt := tc.make()
				params := split(w0, dt)
				rel, abs := 1e-12, 1e-15
				if dt == tensor.Float32 {
					rel, abs = 1e-6, 1e-7
				}
				for s, g := range steps {
					if err := opt.Apply(params, split(g, dt)); err != nil {
						t.Fatalf("step %d: %v", s+1, err)
					}
					assertClose(t, fmt.Sprintf("step %d", s+1), values(params...), tc.steps[s], rel, abs)
				}
				if got := opt.Iterations(); got != int64(len(steps)) {
					t.Errorf("Iterations() = %d, want %d", got, len(steps))
				}
			})
		}
	}
}

// TestKerasGolden replays the numbers of Keras's own optimizer tests
// (keras/src/optimizers/*_test.py: test_single_step and test_correctness_with_golden).
func TestKerasGolden(t *testing.T) {
	t.Run("single step", func(t *testing.T) {
		for _, tc := range []struct {
			name string
			opt  Optimizer
			want []float64
		}{
			{"sgd", SGD(LearningRate(0.5)), []float64{0.5, -1.0, -0.5, 3.0}},
			{"adam", Adam(LearningRate(0.5)), []float64{0.5, 1.5, 2.5, 3.5}},
			{"rmsprop", RMSprop(LearningRate(0.5)), []float64{-0.5811, 0.4189, 1.4189, 2.4189}},
			{"adagrad", Adagrad(LearningRate(0.5)), []float64{0.5233, 1.5007, 2.5005, 3.5061}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				w := dense(tensor.Float32, []float64{1, 2, 3, 4}, 4)
				g := dense(tensor.Float32, []float64{1, 6, 7, 2}, 4)
				if err := tc.opt.Apply([]*tensor.Dense{w}, []*tensor.Dense{g}); err != nil {
					t.Fatal(err)
				}
				assertClose(t, "w", values(w), tc.want, 1e-4, 1e-4)
			})
		}
	})
	tile := func(col []float64) [][]float64 {
		out := make([][]float64, len(col))
		for i, v := range col {
			out[i] = make([]float64, 10)
			for j := range out[i] {
				out[i][j] = v
			}
		}
		return out
	}
	for _, tc := range []struct {
		name   string
		opt    Optimizer
		golden [][]float64
	}{
		{"sgd nesterov without momentum", SGD(Nesterov(true)), [][]float64{
			{0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999, 0.9999},
			{0.9989, 0.9979, 0.9969, 0.9959, 0.9949, 0.9939, 0.9929, 0.9919, 0.9909, 0.9899},
			{0.9979, 0.9959, 0.9939, 0.9919, 0.9899, 0.9879, 0.9859, 0.9839, 0.9819, 0.9799},
			{0.9969, 0.9939, 0.9909, 0.9879, 0.9849, 0.9819, 0.9789, 0.9759, 0.9729, 0.9699},
			{0.9959, 0.9919, 0.9879, 0.9839, 0.9799, 0.9759, 0.9719, 0.9679, 0.9639, 0.9599},
		}},
		{"adam amsgrad", Adam(AMSGrad(true)), tile([]float64{0.999, 0.9982, 0.9974, 0.9965, 0.9955})},
		{"rmsprop centered", RMSprop(Centered(true)), tile([]float64{0.9967, 0.9933, 0.9908, 0.9885, 0.9864})},
		{"adagrad", Adagrad(LearningRate(0.2), InitialAccumulatorValue(0.3), Epsilon(1e-6)), [][]float64{
			{0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963, 0.9963},
			{0.9604, 0.9278, 0.9003, 0.8784, 0.8615, 0.8487, 0.8388, 0.8313, 0.8255, 0.8209},
			{0.9251, 0.8629, 0.8137, 0.7768, 0.7497, 0.7298, 0.7151, 0.704, 0.6956, 0.6891},
			{0.8903, 0.8012, 0.7342, 0.6862, 0.6521, 0.6277, 0.6099, 0.5967, 0.5867, 0.579},
			{0.856, 0.7422, 0.6604, 0.6037, 0.5644, 0.5367, 0.5168, 0.5021, 0.491, 0.4825},
		}},
	} {
		t.Run("golden/"+tc.name, func(t *testing.T) {
			ones, first, grads := make([]float64, 10), make([]float64, 10), make([]float64, 10)
			for i := range ones {
				ones[i], first[i], grads[i] = 1, 0.01, 0.1*float64(i+1)
			}
			x := dense(tensor.Float32, ones, 10)
			apply := func(g []float64) {
				t.Helper()
				if err := tc.opt.Apply([]*tensor.Dense{x}, []*tensor.Dense{dense(tensor.Float32, g, 10)}); err != nil {
					t.Fatal(err)
				}
			}
			apply(first)
			for i := range 5 {
				assertClose(t, fmt.Sprintf("golden[%d]", i), values(x), tc.golden[i], 5e-4, 5e-4)
				apply(grads)
			}
		})
	}
}

func TestSetLearningRate(t *testing.T) {
	// The update of these optimizers is proportional to the learning rate of that step, so
	// doubling the rate before step 2 must double the step-2 update.
	for _, v := range []variant{
		{"sgd", func() Optimizer { return SGD() }},
		{"adam", func() Optimizer { return Adam() }},
		{"rmsprop", func() Optimizer { return RMSprop() }},
		{"adagrad", func() Optimizer { return Adagrad() }},
	} {
		t.Run(v.name, func(t *testing.T) {
			a, b := v.make(), v.make()
			pa, pb := split(w0, tensor.Float64), split(w0, tensor.Float64)
			for _, o := range []struct {
				opt Optimizer
				p   []*tensor.Dense
			}{{a, pa}, {b, pb}} {
				if err := o.opt.Apply(o.p, split(steps[0], tensor.Float64)); err != nil {
					t.Fatal(err)
				}
			}
			before := values(pa...)
			lr := a.LearningRate()
			b.SetLearningRate(2 * lr)
			if got := b.LearningRate(); got != 2*lr {
				t.Fatalf("LearningRate() = %v after SetLearningRate(%v)", got, 2*lr)
			}
			for _, o := range []struct {
				opt Optimizer
				p   []*tensor.Dense
			}{{a, pa}, {b, pb}} {
				if err := o.opt.Apply(o.p, split(steps[1], tensor.Float64)); err != nil {
					t.Fatal(err)
				}
			}
			da, db := values(pa...), values(pb...)
			for i := range da {
				da[i] = 2 * (da[i] - before[i])
				db[i] -= before[i]
			}
			assertClose(t, "step-2 update", db, da, 1e-9, 1e-15)
		})
	}
	t.Run("sgd exact", func(t *testing.T) {
		opt := SGD(LearningRate(0.5))
		w := dense(tensor.Float64, []float64{1}, 1)
		g := dense(tensor.Float64, []float64{1}, 1)
		_ = opt.Apply([]*tensor.Dense{w}, []*tensor.Dense{g})
		opt.SetLearningRate(0.25)
		_ = opt.Apply([]*tensor.Dense{w}, []*tensor.Dense{g})
		if got := values(w)[0]; got != 0.25 {
			t.Errorf("w = %v, want 1 - 0.5 - 0.25 = 0.25", got)
		}
	})
}

func TestApplyDoesNotAllocate(t *testing.T) {
	for _, v := range variants {
		for _, dt := range dtypes {
			t.Run(fmt.Sprintf("%s/%v", v.name, dt), func(t *testing.T) {
				opt := v.make()
				params, grads := split(w0, dt), split(steps[0], dt)
				big := dense(dt, make([]float64, 1000), 10, 100)
				params, grads = append(params, big), append(grads, dense(dt, make([]float64, 1000), 10, 100))
				if err := opt.Apply(params, grads); err != nil {
					t.Fatal(err)
				}
				var err error
				allocs := testing.AllocsPerRun(100, func() { err = opt.Apply(params, grads) })
				if err != nil {
					t.Fatal(err)
				}
				if allocs != 0 {
					t.Errorf("Apply allocates %v times per call after the first, want 0", allocs)
				}
			})
		}
	}
}

func TestNoUpdateOnEmptyApply(t *testing.T) {
	opt := Adam()
	if err := opt.Apply(nil, nil); err != nil {
		t.Fatalf("Apply(nil, nil) = %v, want nil (a no-op, as in Keras)", err)
	}
	if opt.Iterations() != 0 {
		t.Errorf("Iterations() = %d after an empty Apply, want 0", opt.Iterations())
	}
	if len(opt.Variables()) != 2 {
		t.Errorf("an empty Apply built the optimizer")
	}
}

func TestFloat32AndFloat64Mixed(t *testing.T) {
	// Each parameter keeps its own dtype; one optimizer may update both kinds.
	opt := Adam()
	p32, p64 := dense(tensor.Float32, []float64{1}, 1), dense(tensor.Float64, []float64{1}, 1)
	g32, g64 := dense(tensor.Float32, []float64{0.5}, 1), dense(tensor.Float64, []float64{0.5}, 1)
	if err := opt.Apply([]*tensor.Dense{p32, p64}, []*tensor.Dense{g32, g64}); err != nil {
		t.Fatal(err)
	}
	if a, b := values(p32)[0], values(p64)[0]; math.Abs(a-b) > 1e-7 {
		t.Errorf("float32 %v and float64 %v disagree", a, b)
	}
}
