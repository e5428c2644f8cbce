// Package mpi connects the processes of one data-parallel kerago job through OpenMPI: every
// process started by mpirun calls [Init] once and gets a *Comm, which has the method set of
// keras.Communicator (Rank, Size, Broadcast, AllreduceSum, Abort), so it is handed to
// training as
//
//	comm, err := mpi.Init()
//	if err != nil { ... }
//	defer comm.Finalize()
//	h, err := m.Fit(x, y, keras.BatchSize(256),
//		keras.Distribution(keras.DataParallel(1, keras.WithCommunicator(comm))))
//
// The package reaches OpenMPI's C library through cgo and is compiled only with the build tag
// mpi; the default build of kerago needs neither cgo nor MPI, and without the tag this package
// holds nothing but this documentation. To build and run a program that uses it (Debian:
// apt-get install libopenmpi-dev openmpi-bin):
//
//	go build -tags mpi -o prog ./cmd/prog
//	mpirun -np 2 ./prog                       # as root: mpirun --allow-run-as-root -np 2 ./prog
//
// # Threads
//
// MPI binds its state to the OS thread that initialised it, while Go moves goroutines between
// OS threads. A *Comm therefore runs every MPI call on one goroutine locked to its OS thread
// (the one that called MPI_Init_thread); the methods hand their call to it and wait, so a
// *Comm may be used from any goroutine, and calls from several goroutines are serialised.
//
// # Failure
//
// Errors are returned, never fatal: MPI_COMM_WORLD's error handler is MPI_ERRORS_RETURN and
// each error carries MPI_Error_string's text and the call that failed. A rank that cannot go
// on calls [Comm.Abort], and mpirun ends every process of the job with a non-zero status. A
// rank that dies (a signal, a panic, os.Exit before Finalize) makes mpirun end the job too;
// docs/mpi.md gives the measured times.
package mpi
