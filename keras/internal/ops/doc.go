// Package ops holds kerago's own Gorgonia ops: computations Gorgonia gets wrong or does
// slowly, each a gorgonia.Op with a hand-written backward op.
//
// The families, a file (or a few) each, with their backward ops and helpers:
//
//   - softmax: Softmax and LogSoftmax over the last axis, and the cross-entropy of softmax
//     logits fused into one op (SoftmaxCrossEntropy);
//   - relu: Relu, one op with a hand-written gradient (Gorgonia's Rectify is a comparison and
//     a product, each a pass with its own allocation), and LeakyRelu (leaky_relu.go), whose
//     gradient at 0 is 1 as in Keras (relu(x) − slope·relu(−x) on Rectify gives 1 + slope),
//     and Gelu (gelu.go); all are one elementwise op with a backward op (elementwise.go),
//     each activation giving only its kernels;
//   - Maximum and Minimum (minmax.go), whose gradient splits a tie evenly between the two
//     inputs as JAX's does (Gorgonia's MaxBetween gives it all to the first);
//   - recurrent (rnn_*.go): RNN, a whole LSTM, GRU or SimpleRNN call as one op, since an
//     unrolled graph costs Gorgonia's compiler time quadratic in its length; the three cells
//     share one skeleton (the input projection of all steps as one GEMM, one h·U GEMM per
//     step and half batch, the cell's elementwise pass over whole gate rows), and float32
//     sigmoid and tanh run eight lanes at a time on amd64 with AVX2 and FMA (rnn_act*.go);
//   - convolution (conv*.go, depthwise.go), pooling (pool.go) and padding (pad.go): Im2col,
//     DepthwiseConv, Pool2D and Pad2D on channels-last images with explicit padding on every
//     side, since Gorgonia's own work on NCHW, pad symmetrically and hash without the
//     padding; the direct window loops share one walk over a window's taps (window_taps.go);
//     Conv (conv_fused.go) is a whole convolution with its bias and activation as one op,
//     sharing Dense's epilogue;
//   - CastIDs (cast.go): float ids to ints for Embedding, since Gorgonia has no cast op, and
//     Embed (embedding.go), the lookup and its table gradient, keeping their memory.
//
// The layers package calls these; none of it is public API.
//
// On the softmax family: Gorgonia's own
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
