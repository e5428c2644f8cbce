// Package ops holds kerago's own Gorgonia ops: computations Gorgonia gets wrong or does
// slowly, each a gorgonia.Op with a hand-written backward op.
//
// Today it holds the softmax family: Softmax and LogSoftmax over the last axis, and the
// cross-entropy of softmax logits fused into one op (SoftmaxCrossEntropy). Gorgonia's own
// kernels for these (tensor v0.9.24's softMaxLastDimF32/F64, behind both G.SoftMax and
// G.LogSoftMax) let every row of a batch depend on the batch's first element: see
// docs/gorgonia.md. The ops here work row by row, subtract each row's own maximum, and
// allocate nothing per row.
//
// Every op embeds Base, which supplies the gorgonia.Op methods that follow from the op's
// name, its parameters and its arity, and hashes the name with the parameters so that two
// different ops on one node are never merged by Gorgonia (its issue #569 merged SoftMax and
// LogSoftMax that way).
package ops
