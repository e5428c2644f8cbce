//go:build mpi

// This file uses keras.Distribution, keras.DataParallel and keras.WithCommunicator, built on
// the dp branch: with the mpi tag it compiles once that branch is merged.

package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/datasets"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/mpi"
)

// *mpi.Comm is what keras's data-parallel loop takes.
var _ keras.Communicator = (*mpi.Comm)(nil)

// options are the example's settings.
type options struct {
	epochs    int
	batch     int
	failRank  int // the rank whose training fails at failEpoch, to show the job ending; -1: none
	failEpoch int
}

func main() {
	var o options
	flag.IntVar(&o.epochs, "epochs", 20, "training epochs")
	flag.IntVar(&o.batch, "batch", 64, "global batch size, over all ranks")
	flag.IntVar(&o.failRank, "fail-rank", -1, "rank whose training fails at -fail-epoch (-1: none)")
	flag.IntVar(&o.failEpoch, "fail-epoch", 3, "epoch at which -fail-rank fails")
	flag.Parse()

	comm, err := mpi.Init()
	if err != nil {
		log.Fatal(err)
	}
	if err := run(os.Stdout, comm, o); err != nil {
		// Fit has already called comm.Abort(1) for an error inside training; an error before
		// or after it (data, model) ends the job the same way, so that no rank waits for this
		// one in a collective call.
		fmt.Fprintf(os.Stderr, "rank %d: %v\n", comm.Rank(), err)
		_ = comm.Abort(1)
		os.Exit(1)
	}
	if err := comm.Finalize(); err != nil {
		log.Fatal(err)
	}
}

func run(w io.Writer, comm *mpi.Comm, o options) error {
	if comm.Rank() != 0 {
		w = io.Discard // one log for the job, rank 0's
	}
	// Every rank builds the same model; the seeds need not agree, since Fit starts by
	// broadcasting rank 0's weights.
	keras.SetRandomSeed(42)
	x, oneHot, err := datasets.DigitsPrepared(0)
	if err != nil {
		return err
	}
	const nTrain = 1437
	xTrain, xTest, err := datasets.Split(x, nTrain)
	if err != nil {
		return err
	}
	yTrain, yTest, err := datasets.Split(oneHot, nTrain)
	if err != nil {
		return err
	}

	in := keras.Input(keras.Shape{64})
	h := layers.Dense(32, layers.Activation("relu")).Call(in)
	h = layers.Dense(32, layers.Activation("relu")).Call(h)
	out := layers.Dense(10, layers.Activation("softmax")).Call(h)
	model, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		return err
	}
	if err := model.Compile("adam", "categorical_crossentropy", keras.Metrics("acc")); err != nil {
		return err
	}
	fmt.Fprintf(w, "%d ranks, global batch %d\n", comm.Size(), o.batch)

	// One replica per rank: the ranks are the parallelism. BatchSize is the global batch;
	// rank r trains on rows r, r+size, … of each.
	dist := keras.Distribution(keras.DataParallel(1, keras.WithCommunicator(comm)))
	opts := []keras.FitOption{keras.Epochs(o.epochs), keras.BatchSize(o.batch), keras.Verbose(2), dist}
	if o.failRank == comm.Rank() {
		opts = append(opts, keras.Callbacks(&failAt{epoch: o.failEpoch}))
	}
	if _, err := model.Fit(xTrain, yTrain, opts...); err != nil {
		return err
	}
	logs, err := model.Evaluate(xTest, yTest, keras.Verbose(0))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "held-out digits (%d): loss %.4f, accuracy %.4f\n", xTest.Shape()[0], logs["loss"], logs["acc"])
	return nil
}

// failAt is a callback that fails training at the start of one epoch, standing for any error
// on one rank (bad data, a NaN under TerminateOnNaN).
type failAt struct {
	keras.BaseCallback
	epoch int
}

// OnEpochBegin fails at the chosen epoch.
func (f *failAt) OnEpochBegin(epoch int, _ keras.Logs) error {
	if epoch == f.epoch {
		return errors.New("examples/mpi: the failure asked for with -fail-rank")
	}
	return nil
}
