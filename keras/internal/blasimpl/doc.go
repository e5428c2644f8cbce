// Package blasimpl chooses the BLAS behind every matrix product kerago runs: Gorgonia's
// MatMul (Dense, the convolution GEMMs after im2col, anything a custom layer multiplies)
// and kerago's own kernels (the recurrent layers' sequence kernels), which all ask
// [gorgonia.org/gorgonia.WhichBLAS] at call time, so one switch covers them.
//
// The default build leaves Gorgonia's own choice, gonum's pure-Go BLAS, and needs no C
// toolchain. Built with the openblas tag,
//
//	go build -tags openblas ./...
//	go test -tags openblas ./keras/...
//
// the package links Debian's libopenblas (apt-get install libopenblas-dev) through cgo and
// gonum's netlib binding, and installs it in Gorgonia and its tensor package before any
// graph runs. No environment variable is needed. OpenBLAS runs one thread unless
// OPENBLAS_NUM_THREADS (or GOTO_NUM_THREADS, OMP_NUM_THREADS) names a count: kerago keeps
// the other cores busy itself, and OpenBLAS's spinning workers would compete with it.
// Instead, large products are cut into row (or column) chunks that helper goroutines take
// as they get a CPU, the caller computing whatever is left (split.go); Gorgonia's
// WhichBLAS then reports that wrapper around netlib's Implementation. When one of the
// variables names a count, OpenBLAS threads every product itself and nothing is cut.
// OPENBLAS_CORETYPE is honoured as usual.
//
// The keras package imports this one, so every program using kerago gets the switch.
package blasimpl
