package initializers

import (
	"fmt"
	"math"
	"testing"

	"gorgonia.org/tensor"
)

func TestFans(t *testing.T) {
	for _, tc := range []struct {
		name        string
		shape       []int
		fanIn, fanO int
	}{
		{"scalar", nil, 1, 1},
		{"vector", []int{7}, 7, 7},
		{"dense kernel", []int{3, 4}, 3, 4},
		{"lstm kernel (64, 4*32)", []int{64, 128}, 64, 128},
		{"lstm recurrent kernel (32, 4*32)", []int{32, 128}, 32, 128},
		{"conv1d kernel (5, 32, 64)", []int{5, 32, 64}, 160, 320},
		{"conv2d kernel (3, 3, 16, 32)", []int{3, 3, 16, 32}, 144, 288},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, out := Fans(tc.shape)
			if in != tc.fanIn || out != tc.fanO {
				t.Errorf("Fans(%v) = (%d, %d), want (%d, %d)", tc.shape, in, out, tc.fanIn, tc.fanO)
			}
		})
	}
}

func TestGlorotUniformLimit(t *testing.T) {
	for _, dt := range dtypes {
		for _, shape := range [][]int{{784, 256}, {5, 32, 64}, {64, 128}} {
			t.Run(fmt.Sprintf("%v/%v", dt, shape), func(t *testing.T) {
				fanIn, fanOut := Fans(shape)
				limit := math.Sqrt(6 / float64(fanIn+fanOut))
				vals := initialized(t, GlorotUniform(), dt, 1, shape...)
				_, _, maxAbs := moments(vals, 0)
				bound := limit
				if dt.Name() == "float32" {
					bound = float64(float32(limit))
				}
				if maxAbs > bound {
					t.Errorf("max |v| = %v exceeds the limit sqrt(6/(fan_in+fan_out)) = %v", maxAbs, limit)
				}
				if maxAbs < 0.99*limit {
					t.Errorf("max |v| = %v, want close to the limit %v", maxAbs, limit)
				}
				checkStats(t, vals, 0, limit/math.Sqrt(3), 0.03)
			})
		}
	}
}

func TestVarianceScalingStats(t *testing.T) {
	const k = truncatedNormalStddevFactor
	for _, tc := range []struct {
		name  string
		init  Initializer
		shape []int
		std   float64 // of the distribution
		bound float64 // largest |v| allowed; 0 when unbounded
	}{
		{"glorot_normal", GlorotNormal(), []int{200, 300}, math.Sqrt(2.0 / 500), 2 * math.Sqrt(2.0/500) / k},
		{"he_normal conv", HeNormal(), []int{5, 32, 64}, math.Sqrt(2.0 / 160), 2 * math.Sqrt(2.0/160) / k},
		{"he_uniform conv", HeUniform(), []int{5, 32, 64}, math.Sqrt(6.0/160) / math.Sqrt(3), math.Sqrt(6.0 / 160)},
		{"lecun_normal", LecunNormal(), []int{400, 100}, math.Sqrt(1.0 / 400), 2 * math.Sqrt(1.0/400) / k},
		{"lecun_uniform", LecunUniform(), []int{400, 100}, math.Sqrt(3.0/400) / math.Sqrt(3), math.Sqrt(3.0 / 400)},
		{"glorot_uniform lstm kernel", GlorotUniform(), []int{64, 4 * 32}, math.Sqrt(6.0/192) / math.Sqrt(3), math.Sqrt(6.0 / 192)},
		{"fan_out untruncated lstm kernel", VarianceScaling(2, FanOut, DistributionUntruncatedNormal), []int{64, 512},
			math.Sqrt(2.0 / 512), 0},
		{"fan_avg uniform conv", VarianceScaling(1, FanAvg, DistributionUniform), []int{5, 32, 64},
			math.Sqrt(3.0/240) / math.Sqrt(3), math.Sqrt(3.0 / 240)},
		{"legacy normal = truncated", VarianceScaling(0.5, FanIn, DistributionNormal), []int{100, 200},
			math.Sqrt(0.5 / 100), 2 * math.Sqrt(0.5/100) / k},
	} {
		for _, dt := range dtypes {
			t.Run(fmt.Sprintf("%s/%v", tc.name, dt), func(t *testing.T) {
				vals := initialized(t, tc.init, dt, 7, tc.shape...)
				checkStats(t, vals, 0, tc.std, 0.03)
				if _, _, maxAbs := moments(vals, 0); tc.bound > 0 && maxAbs > tc.bound*(1+1e-7) {
					t.Errorf("max |v| = %v exceeds %v", maxAbs, tc.bound)
				}
			})
		}
	}
}

func TestPlainDistributions(t *testing.T) {
	for _, dt := range dtypes {
		t.Run(fmt.Sprint(dt), func(t *testing.T) {
			t.Run("random_normal", func(t *testing.T) {
				checkStats(t, initialized(t, RandomNormal(1, 2), dt, 3, 100, 100), 1, 2, 0.03)
			})
			t.Run("default random_normal", func(t *testing.T) {
				init, _ := Get("random_normal")
				checkStats(t, initialized(t, init, dt, 3, 100, 100), 0, 0.05, 0.03)
			})
			t.Run("truncated_normal", func(t *testing.T) {
				vals := initialized(t, TruncatedNormal(0.5, 0.1), dt, 4, 100, 100)
				checkStats(t, vals, 0.5, 0.1*truncatedNormalStddevFactor, 0.03)
				if _, _, dev := moments(vals, 0.5); dev > 0.2+1e-6 {
					t.Errorf("a value lies %v from the mean, beyond two stddevs (0.2)", dev)
				}
			})
			t.Run("random_uniform", func(t *testing.T) {
				vals := initialized(t, RandomUniform(-3, 5), dt, 5, 100, 100)
				checkStats(t, vals, 1, 8/math.Sqrt(12), 0.03)
				for _, v := range vals {
					if v < -3 || v > 5 {
						t.Fatalf("value %v outside [-3, 5)", v)
					}
				}
			})
			t.Run("uniform is Embedding's ±0.05", func(t *testing.T) {
				init, _ := Get("uniform")
				vals := initialized(t, init, dt, 6, 1000, 64)
				mean, _, maxAbs := moments(vals, 0)
				if maxAbs > 0.05 || maxAbs < 0.0499 || math.Abs(mean) > 0.001 {
					t.Errorf("uniform: max |v| %v, mean %v; want within ±0.05, centred", maxAbs, mean)
				}
			})
		})
	}
}

func TestReproducible(t *testing.T) {
	for _, name := range []string{"glorot_uniform", "glorot_normal", "he_normal", "he_uniform", "lecun_normal",
		"lecun_uniform", "random_normal", "random_uniform", "truncated_normal", "variance_scaling", "orthogonal"} {
		t.Run(name, func(t *testing.T) {
			init, err := Get(name)
			if err != nil {
				t.Fatal(err)
			}
			a := initialized(t, init, tensor.Float64, 42, 8, 12)
			b := initialized(t, init, tensor.Float64, 42, 8, 12)
			c := initialized(t, init, tensor.Float64, 43, 8, 12)
			f := initialized(t, init, tensor.Float32, 42, 8, 12)
			same, differs := true, false
			for i := range a {
				same = same && a[i] == b[i]
				differs = differs || a[i] != c[i]
				if float32(a[i]) != float32(f[i]) {
					t.Fatalf("float32 value %v differs from the float64 one %v drawn with the same seed", f[i], a[i])
				}
			}
			if !same {
				t.Error("the same seed gave different values")
			}
			if !differs {
				t.Error("different seeds gave the same values")
			}
		})
	}
}
