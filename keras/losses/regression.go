package losses

import G "gorgonia.org/gorgonia"

// MeanSquaredError is Keras's "mse": mean((pred - y)²).
type MeanSquaredError struct{}

// Name returns "mean_squared_error".
func (MeanSquaredError) Name() string { return "mean_squared_error" }

// Build returns mean((pred - y)²).
func (l MeanSquaredError) Build(y, pred, _ *G.Node, _ string) (*G.Node, error) {
	if err := checkShapes(l.Name(), y, pred); err != nil {
		return nil, err
	}
	d, err := G.Sub(pred, y)
	if err != nil {
		return nil, err
	}
	sq, err := G.Square(d)
	if err != nil {
		return nil, err
	}
	return meanAll(sq)
}

// MeanAbsoluteError is Keras's "mae": mean(|pred - y|).
type MeanAbsoluteError struct{}

// Name returns "mean_absolute_error".
func (MeanAbsoluteError) Name() string { return "mean_absolute_error" }

// Build returns mean(|pred - y|).
func (l MeanAbsoluteError) Build(y, pred, _ *G.Node, _ string) (*G.Node, error) {
	if err := checkShapes(l.Name(), y, pred); err != nil {
		return nil, err
	}
	d, err := G.Sub(pred, y)
	if err != nil {
		return nil, err
	}
	a, err := G.Abs(d)
	if err != nil {
		return nil, err
	}
	return meanAll(a)
}
