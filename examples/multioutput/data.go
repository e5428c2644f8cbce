package main

import "math"

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
