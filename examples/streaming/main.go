// Command streaming trains a classifier from files on disk without loading them whole, as
// Keras trains from a PyDataset or a generator: it writes the scikit-learn digits embedded in
// kerago as many small CSV shards to a temporary directory, then trains from a keras.FromCSV
// stream that reads them line by line, one batch at a time, with a goroutine reading ahead
// (keras.Prefetch) and rows shuffled across shards in a buffer (keras.ShuffleBuffer). The
// held-out digits are evaluated from a stream too. It prints the held-out accuracy beside
// the accuracy of always answering the most common digit.
//
//	go run ./examples/streaming
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"strconv"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/datasets"
	"github.com/kerago/kerago/keras/layers"
	"gorgonia.org/tensor"
)

// options are the example's settings; the smoke test runs it with small ones.
type options struct {
	epochs  int
	verbose int
	shards  int
}

func main() {
	var o options
	flag.IntVar(&o.epochs, "epochs", 30, "training epochs")
	flag.IntVar(&o.verbose, "verbose", 2, "0 silent, 1 progress bar, 2 a line per epoch")
	flag.IntVar(&o.shards, "shards", 12, "CSV files the training rows are written to")
	flag.Parse()
	if err := run(os.Stdout, o); err != nil {
		log.Fatal(err)
	}
}

func run(w io.Writer, o options) error {
	keras.SetRandomSeed(42)
	dir, err := os.MkdirTemp("", "kerago-streaming-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	train, test, base, err := writeShards(dir, o.shards)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "wrote %d training shards and 1 held-out file to %s\n", len(train), dir)

	in := keras.Input(keras.Shape{64})
	h := layers.Dense(32, layers.Activation("relu")).Call(in)
	out := layers.Dense(10, layers.Activation("softmax")).Call(h)
	model, err := keras.NewModel(keras.Inputs(in), keras.Outputs(out))
	if err != nil {
		return err
	}
	if err := model.Compile("adam", "sparse_categorical_crossentropy", keras.Metrics("acc")); err != nil {
		return err
	}
	// Batches of 32 rows, read from the files as training goes: the last column is the
	// digit. Every epoch reopens the files; at most Prefetch batches and the shuffle buffer's
	// rows are in memory at once.
	stream := keras.FromCSV(32, -1, train...)
	if _, err := model.Fit(stream, nil, keras.Epochs(o.epochs), keras.Prefetch(2), keras.ShuffleBuffer(256),
		keras.Verbose(o.verbose)); err != nil {
		return err
	}
	logs, err := model.Evaluate(keras.FromCSV(64, -1, test), nil, keras.Verbose(0))
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "held-out digits (%d): loss %.4f, accuracy %.4f; always answering the most common digit: %.4f\n",
		testRows, logs["loss"], logs["acc"], base)
	return nil
}

// testRows is how many digits are held out.
const testRows = 360

// writeShards writes the shuffled digits (pixels scaled to [0, 1], then the digit) as CSV:
// the first 1,437 rows round-robin into n training files, the last 360 into one held-out
// file. It returns the paths and the held-out accuracy of answering the digit most common
// in training.
func writeShards(dir string, n int) (train []string, test string, base float64, err error) {
	x, y, err := datasets.Digits()
	if err != nil {
		return nil, "", 0, err
	}
	if x, y, err = datasets.Shuffle(x, y, 0); err != nil {
		return nil, "", 0, err
	}
	rows := x.Shape()[0]
	nTrain := rows - testRows
	ws := make([]*bufio.Writer, n+1)
	files := make([]*os.File, n+1)
	for i := range ws {
		name := fmt.Sprintf("train-%02d.csv", i)
		if i == n {
			name = "test.csv"
		}
		if files[i], err = os.Create(filepath.Join(dir, name)); err != nil {
			return nil, "", 0, err
		}
		defer files[i].Close()
		ws[i] = bufio.NewWriter(files[i])
		if i < n {
			train = append(train, files[i].Name())
		}
	}
	test = files[n].Name()
	var trainCount, testCount [10]int
	pixels := x.Data().([]float32)
	for r := range rows {
		f := ws[n]
		digit := label(y, r)
		if r < nTrain {
			f = ws[r%n]
			trainCount[digit]++
		} else {
			testCount[digit]++
		}
		line := make([]byte, 0, 64*6)
		for _, p := range pixels[r*64 : (r+1)*64] {
			line = strconv.AppendFloat(line, float64(p/16), 'g', -1, 32)
			line = append(line, ',')
		}
		line = strconv.AppendInt(line, int64(digit), 10)
		line = append(line, '\n')
		if _, err := f.Write(line); err != nil {
			return nil, "", 0, err
		}
	}
	for _, f := range ws {
		if err := f.Flush(); err != nil {
			return nil, "", 0, err
		}
	}
	best := 0
	for d := range trainCount {
		if trainCount[d] > trainCount[best] {
			best = d
		}
	}
	return train, test, float64(testCount[best]) / testRows, nil
}

// label returns the digit of row r of y, whatever integer or float dtype it has.
func label(y *tensor.Dense, r int) int {
	switch v := y.Data().(type) {
	case []float32:
		return int(v[r])
	case []float64:
		return int(v[r])
	case []int:
		return v[r]
	case []int32:
		return int(v[r])
	case []int64:
		return int(v[r])
	}
	return -1
}
