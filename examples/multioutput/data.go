package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
)

// penguin is one bird of the Palmer penguins (penguins_complete.csv).
type penguin struct {
	species, island, sex                 string
	billLength, billDepth, flipper, mass float64
}

var (
	speciesNames = []string{"Adelie", "Chinstrap", "Gentoo"}
	islandNames  = []string{"Biscoe", "Dream", "Torgersen"}
)

// readPenguins reads penguins_complete.csv: species, island, bill_length_mm, bill_depth_mm,
// flipper_length_mm, body_mass_g, sex, year.
func readPenguins(path string) ([]penguin, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = 8
	if _, err := r.Read(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []penguin
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		var v [4]float64
		for i := range v {
			if v[i], err = strconv.ParseFloat(rec[2+i], 64); err != nil {
				return nil, fmt.Errorf("%s line %d: %w (use the file without missing values)", path, line, err)
			}
		}
		if !slices.Contains(speciesNames, rec[0]) || !slices.Contains(islandNames, rec[1]) {
			return nil, fmt.Errorf("%s line %d: unknown species %q or island %q", path, line, rec[0], rec[1])
		}
		out = append(out, penguin{species: rec[0], island: rec[1], sex: rec[6],
			billLength: v[0], billDepth: v[1], flipper: v[2], mass: v[3]})
	}
}

// split returns a random partition of 0..n-1 into training and test rows.
func split(n int, testFraction float64, seed uint64) (train, test []int) {
	perm := rand.New(rand.NewPCG(seed, seed^0x5eed)).Perm(n)
	nTest := int(math.Round(float64(n) * testFraction))
	return perm[nTest:], perm[:nTest]
}

// standardizer maps values to (v - mean) / std, with the statistics of the training rows.
type standardizer struct{ mean, std float64 }

func fitStandardizer(values []float64) standardizer {
	var s standardizer
	for _, v := range values {
		s.mean += v
	}
	s.mean /= float64(len(values))
	for _, v := range values {
		s.std += (v - s.mean) * (v - s.mean)
	}
	s.std = math.Sqrt(s.std / float64(len(values)))
	return s
}

func (s standardizer) apply(v float64) float64 { return (v - s.mean) / s.std }
