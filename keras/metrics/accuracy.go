package metrics

import (
	"fmt"

	"gorgonia.org/tensor"
)

type accKind int

const (
	unresolved accKind = iota
	binaryKind
	categoricalKind
	sparseKind
)

// Accuracy is Keras's accuracy family: binary (threshold 0.5), categorical (argmax equal) or
// sparse categorical (argmax equals the class index). "acc" and "accuracy" pick the kind at
// the first update from the shapes, as Keras does.
type Accuracy struct {
	mean
	kind   accKind
	yt, yp []float64
}

// Update accumulates one batch.
func (a *Accuracy) Update(yTrue, yPred *tensor.Dense) error {
	ts, ps := yTrue.Shape(), yPred.Shape()
	if a.kind == unresolved {
		last := ps[len(ps)-1]
		switch {
		case last == 1:
			a.kind = binaryKind
		case len(ts) < len(ps) || ts[len(ts)-1] == 1 && last > 1:
			a.kind = sparseKind
		default:
			a.kind = categoricalKind
		}
	}
	var err error
	if a.yt, err = floats(yTrue, a.yt); err != nil {
		return err
	}
	if a.yp, err = floats(yPred, a.yp); err != nil {
		return err
	}
	switch a.kind {
	case binaryKind:
		if len(a.yt) != len(a.yp) {
			return fmt.Errorf("metrics: %s: targets have %d values, predictions %d", a.name, len(a.yt), len(a.yp))
		}
		last := ps[len(ps)-1]
		rows := len(a.yp) / last
		for r := 0; r < rows; r++ {
			hit := 0.0
			for j := 0; j < last; j++ {
				p := 0.0
				if a.yp[r*last+j] > 0.5 {
					p = 1
				}
				if p == a.yt[r*last+j] {
					hit++
				}
			}
			a.total += hit / float64(last)
			a.count++
		}
	case categoricalKind, sparseKind:
		k := ps[len(ps)-1]
		rows := len(a.yp) / k
		sparse := a.kind == sparseKind
		if sparse && len(a.yt) != rows || !sparse && len(a.yt) != len(a.yp) {
			return fmt.Errorf("metrics: %s: targets of shape %v do not fit predictions of shape %v", a.name, ts, ps)
		}
		for r := 0; r < rows; r++ {
			p := argmax(a.yp[r*k : (r+1)*k])
			var t int
			if sparse {
				t = int(a.yt[r])
			} else {
				t = argmax(a.yt[r*k : (r+1)*k])
			}
			if p == t {
				a.total++
			}
			a.count++
		}
	}
	return nil
}

// argmax returns the index of the first largest value (ties go to the lowest index).
func argmax(v []float64) int {
	best := 0
	for i := 1; i < len(v); i++ {
		if v[i] > v[best] {
			best = i
		}
	}
	return best
}
