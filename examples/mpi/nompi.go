//go:build !mpi

package main

import (
	"fmt"
	"os"
)

// main, in a build without the mpi tag, says how to build the real program: the default build
// of kerago links no MPI library.
func main() {
	fmt.Fprintln(os.Stderr, "examples/mpi: built without the mpi build tag; build it with "+
		"`go build -tags mpi ./examples/mpi` and run it under mpirun (docs/mpi.md)")
	os.Exit(2)
}
