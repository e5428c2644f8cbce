//go:build !openblas

package blasimpl

// Without the openblas tag Gorgonia keeps its default, gonum's pure-Go BLAS.
const name = "gonum"
