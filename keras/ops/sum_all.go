package ops

import G "gorgonia.org/gorgonia"

// SumAll returns the sum of every element of x, a scalar: the reduction a penalty added to
// the loss needs (keras.Context.AddLoss), as Keras's ops.sum(x) with no axis.
func (o *Builder) SumAll(x *G.Node) *G.Node {
	if !o.ok("SumAll", x) {
		return nil
	}
	if x.IsScalar() {
		return x
	}
	y, err := G.Sum(x)
	return o.node("SumAll", y, err, x)
}

// L1L2 returns l1·Σ|x| + l2·Σx², the penalty of Keras's regularizers.L1L2 (a term whose
// factor is 0 is left out, as Keras leaves it out), a scalar.
func (o *Builder) L1L2(x *G.Node, l1, l2 float64) *G.Node {
	if !o.ok("L1L2", x) {
		return nil
	}
	var terms []*G.Node
	if l1 != 0 {
		terms = append(terms, o.Scale(o.SumAll(o.Abs(x)), l1))
	}
	if l2 != 0 {
		terms = append(terms, o.Scale(o.SumAll(o.unary("Square", G.Square, x)), l2))
	}
	if len(terms) == 0 {
		return o.Constant(0)
	}
	return o.Sum(terms...)
}

// AddLoss adds a scalar to the realisation's total loss (keras.Context.AddLoss), keeping the
// first error as every operation does.
func (o *Builder) AddLoss(loss *G.Node) {
	if !o.ok("AddLoss", loss) {
		return
	}
	if err := o.ctx.AddLoss(loss); err != nil {
		o.fail("AddLoss", err)
	}
}
