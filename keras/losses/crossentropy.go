package losses

import (
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// BinaryCrossentropy is Keras's "binary_crossentropy": mean over the last axis of
// -(y·log p + (1-y)·log(1-p)), then over the batch. From sigmoid logits z it is computed as
// softplus(z) - y·z, which is finite for any z; from probabilities, p is clipped to
// [Epsilon, 1-Epsilon] as Keras does.
type BinaryCrossentropy struct{}

// Name returns "binary_crossentropy".
func (BinaryCrossentropy) Name() string { return "binary_crossentropy" }

// Build returns the binary cross-entropy.
func (l BinaryCrossentropy) Build(y, pred, logits *G.Node, activation string) (*G.Node, error) {
	if err := checkShapes(l.Name(), y, pred); err != nil {
		return nil, err
	}
	if logits != nil && activation == "sigmoid" {
		sp, err := G.Softplus(logits)
		if err != nil {
			return nil, err
		}
		yz, err := G.HadamardProd(y, logits)
		if err != nil {
			return nil, err
		}
		e, err := G.Sub(sp, yz)
		if err != nil {
			return nil, err
		}
		return meanAll(e)
	}
	p, err := clip(pred)
	if err != nil {
		return nil, err
	}
	logp, err := G.Log(p)
	if err != nil {
		return nil, err
	}
	one := constant(pred, 1)
	q, err := G.Sub(one, p)
	if err != nil {
		return nil, err
	}
	logq, err := G.Log(q)
	if err != nil {
		return nil, err
	}
	ny, err := G.Sub(one, y)
	if err != nil {
		return nil, err
	}
	a, err := G.HadamardProd(y, logp)
	if err != nil {
		return nil, err
	}
	b, err := G.HadamardProd(ny, logq)
	if err != nil {
		return nil, err
	}
	s, err := G.Add(a, b)
	if err != nil {
		return nil, err
	}
	m, err := meanAll(s)
	if err != nil {
		return nil, err
	}
	return G.Neg(m)
}

// CategoricalCrossentropy is Keras's "categorical_crossentropy": -Σ y·log p over the classes
// (last axis), averaged over the batch. From softmax logits it uses LogSoftMax; from
// probabilities, p is normalised and clipped to [Epsilon, 1-Epsilon] as Keras does.
type CategoricalCrossentropy struct{}

// Name returns "categorical_crossentropy".
func (CategoricalCrossentropy) Name() string { return "categorical_crossentropy" }

// Build returns the categorical cross-entropy.
func (l CategoricalCrossentropy) Build(y, pred, logits *G.Node, activation string) (*G.Node, error) {
	return categorical(l.Name(), y, pred, logits, activation)
}

// SparseCategoricalCrossentropy is Keras's "sparse_categorical_crossentropy": the categorical
// cross-entropy with integer class targets (fed one-hot encoded).
type SparseCategoricalCrossentropy struct{}

// Name returns "sparse_categorical_crossentropy".
func (SparseCategoricalCrossentropy) Name() string { return "sparse_categorical_crossentropy" }

// SparseTargets reports that targets are class indices.
func (SparseCategoricalCrossentropy) SparseTargets() bool { return true }

// Build returns the cross-entropy of the one-hot targets.
func (l SparseCategoricalCrossentropy) Build(y, pred, logits *G.Node, activation string) (*G.Node, error) {
	return categorical(l.Name(), y, pred, logits, activation)
}

func categorical(name string, y, pred, logits *G.Node, activation string) (*G.Node, error) {
	if err := checkShapes(name, y, pred); err != nil {
		return nil, err
	}
	last := pred.Dims() - 1
	var logp *G.Node
	var err error
	if logits != nil && activation == "softmax" {
		// An explicit axis keeps this LogSoftMax node apart from the SoftMax node of the
		// activation: Gorgonia hashes both ops alike except for the axis (its issue #569).
		logp, err = G.LogSoftMax(logits, last)
		if err != nil {
			return nil, err
		}
	} else {
		sum, err := G.Sum(pred, last)
		if err != nil {
			return nil, err
		}
		norm, err := G.BroadcastHadamardDiv(pred, sum, nil, []byte{byte(last)})
		if err != nil {
			return nil, err
		}
		p, err := clip(norm)
		if err != nil {
			return nil, err
		}
		if logp, err = G.Log(p); err != nil {
			return nil, err
		}
	}
	yl, err := G.HadamardProd(y, logp)
	if err != nil {
		return nil, err
	}
	m, err := sumLastThenMean(yl)
	if err != nil {
		return nil, err
	}
	return G.Neg(m)
}

// clip limits probabilities to [Epsilon, 1-Epsilon]. Gorgonia's MaxBetween and MinBetween
// take operands of one shape, so the bounds are constant tensors of p's shape.
func clip(p *G.Node) (*G.Node, error) {
	lo, err := G.MaxBetween(p, filled(p, Epsilon))
	if err != nil {
		return nil, err
	}
	return G.MinBetween(lo, filled(p, 1-Epsilon))
}

// filled returns a constant of n's shape and dtype with every element v.
func filled(n *G.Node, v float64) *G.Node {
	s := n.Shape().Clone()
	t := tensor.New(tensor.WithShape(s...), tensor.Of(n.Dtype()))
	switch d := t.Data().(type) {
	case []float32:
		for i := range d {
			d[i] = float32(v)
		}
	case []float64:
		for i := range d {
			d[i] = v
		}
	}
	return G.NewConstant(t)
}
