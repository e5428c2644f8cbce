// Command mpi trains the digits MLP of examples/mlp as a data-parallel job over OpenMPI: every
// process that mpirun starts is one rank, rank 0's initial weights are broadcast to the others,
// each rank computes the gradients of its share of every global batch, and the gradients are
// summed over the ranks before one optimizer step, so every rank holds the same weights
// throughout. Only rank 0 prints the training log (docs/mpi.md):
//
//	go build -tags mpi -o /tmp/mpi-digits ./examples/mpi
//	mpirun -np 2 /tmp/mpi-digits                          # as root: add --allow-run-as-root
//	mpirun -np 2 /tmp/mpi-digits -fail-rank 1 -fail-epoch 3   # a rank fails: the job ends
//
// It needs the build tag mpi and OpenMPI (apt-get install libopenmpi-dev openmpi-bin); built
// without the tag it only says so.
package main
