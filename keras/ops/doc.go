// Package ops is the toolkit for writing a layer's Forward: tensor operations on one call's
// [keras.Context] that read like Keras's keras.ops, keep the first error (as bufio.Writer and
// the symbolic keras.Tensor do) and carry kerago's workarounds for Gorgonia's traps
// (docs/gorgonia.md), so a layer author never meets them.
//
// A Forward starts a [Builder] on its context, chains operations without checking errors,
// and returns through [Builder.Result], which reports the first failure:
//
//	func (l *MyDense) Forward(ctx *keras.Context, in []*G.Node) ([]*G.Node, error) {
//		o := ops.New(ctx)
//		y := o.Add(o.MatMul(in[0], o.Var(l.kernel)), o.Var(l.bias))
//		return o.Result(o.Activation(l.activation, y))
//	}
//
// What the operations take care of:
//
//   - [Builder.MatMul] contracts the last axis of an input of any rank ≥ 2, reshaping around
//     Gorgonia's rank-2 product, as Keras's Dense does.
//   - [Builder.Add], [Builder.Sub], [Builder.Mul], [Builder.Maximum] and [Builder.Minimum]
//     broadcast a lower-rank operand over the leading axes (a bias over a batch), which
//     Gorgonia's element-wise operators do not.
//   - [Builder.Activation] applies an activation by its Keras name and records the logits of
//     softmax and sigmoid, so losses can be computed stably from them.
//   - [Builder.Softmax] is never Gorgonia's SoftMax node shared with a loss (the two collide
//     in Gorgonia's hash, issue #569).
//   - [Builder.Dropout] multiplies by a mask drawn in Go and fed each step: Gorgonia's Dropout
//     op has a wrong gradient.
//
// After the first failure every operation returns nil and does nothing, and the error names
// the operation and the shapes it got. A panic inside a layer's Forward (from Gorgonia or from
// the layer itself) is recovered by the model, which reports it as a [keras.LayerError]
// naming the layer.
package ops
