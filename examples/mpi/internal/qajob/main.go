//go:build mpi

// Command qajob is the program examples/mpi's QA tests start: it trains a small version of
// the question-answering model of examples/qa (two int32 inputs, Embedding and LSTM on each,
// Concatenate, a softmax Dense) on the first e-mails embedded in kerago, in one of three
// ways, and writes what the tests compare into -out:
//
//	qajob -mode plain    -out d          # one process, one replica: the reference
//	qajob -mode replicas -out d          # one process, DataParallel(2)
//	mpirun -np 2 qajob -mode ranks -out d   # DataParallel(1, WithCommunicator(mpi comm))
//	mpirun -np 2 qajob -mode ranks -out d -kill-rank 1 -kill-epoch 2   # rank 1 dies by SIGKILL
//
// -dropout 0.3 adds a Dropout layer before the answer, to compare the masks' effect.
//
// Each process writes weights-rank<r>.bin (its final weights, little-endian float32 in the
// model's weight order) and history-rank<r>.txt (the epoch losses); in ranks mode every rank
// also passes a ModelCheckpoint to ckpt-rank<r>.keras and a TensorBoard to tb-rank<r>, so the
// tests see which ranks wrote. The ranks are built from different seeds: Fit broadcasts rank
// 0's weights and shuffling seed, and rank 0's seed is plain's.
package main

import (
	"encoding/binary"
	"flag"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/callbacks"
	"github.com/kerago/kerago/keras/datasets"
	"github.com/kerago/kerago/keras/layers"
	"github.com/kerago/kerago/keras/mpi"
	"github.com/kerago/kerago/keras/preprocessing"
	"gorgonia.org/tensor"
)

// options are the job's settings.
type options struct {
	mode      string // plain, replicas or ranks
	out       string
	epochs    int
	batch     int
	nTrain    int
	killRank  int // ranks mode: the rank that sends itself SIGKILL; -1 none
	killEpoch int
	dropout   float64 // rate of a Dropout before the answer layer; 0: none
}

// Small sizes, so that a run takes seconds: the model is examples/qa's, narrower and on
// shorter texts.
const (
	textVocabularySize     = 300
	questionVocabularySize = 100
	textLength             = 12
	questionLength         = 6
)

func main() {
	var o options
	flag.StringVar(&o.mode, "mode", "plain", "plain (1 process × 1 replica), replicas (1 × 2) or ranks (one rank per process, under mpirun)")
	flag.StringVar(&o.out, "out", "", "directory for the weights, histories, checkpoints and TensorBoard runs")
	flag.IntVar(&o.epochs, "epochs", 3, "training epochs")
	flag.IntVar(&o.batch, "batch", 32, "global batch size")
	flag.IntVar(&o.nTrain, "train", 224, "training e-mails")
	flag.IntVar(&o.killRank, "kill-rank", -1, "ranks mode: rank that kills itself with SIGKILL at -kill-epoch")
	flag.IntVar(&o.killEpoch, "kill-epoch", 2, "epoch (0-based) at whose start -kill-rank dies")
	flag.Float64Var(&o.dropout, "dropout", 0, "rate of a Dropout layer before the answer (0: none)")
	flag.Parse()
	if o.out == "" {
		fmt.Fprintln(os.Stderr, "qajob: -out is required")
		os.Exit(2)
	}
	var comm *mpi.Comm
	if o.mode == "ranks" {
		var err error
		if comm, err = mpi.Init(); err != nil {
			fmt.Fprintln(os.Stderr, "qajob:", err)
			os.Exit(1)
		}
	}
	if err := run(comm, o); err != nil {
		fmt.Fprintln(os.Stderr, "qajob:", err)
		if comm != nil {
			_ = comm.Abort(1) // no rank may wait for this one
		}
		os.Exit(1)
	}
	if comm != nil {
		if err := comm.Finalize(); err != nil {
			fmt.Fprintln(os.Stderr, "qajob:", err)
			os.Exit(1)
		}
	}
}

func run(comm *mpi.Comm, o options) error {
	rank := 0
	if comm != nil {
		rank = comm.Rank()
	}
	x, y, err := data(o.nTrain)
	if err != nil {
		return err
	}
	// Rank 0 and the one-process runs share a seed; other ranks do not need to.
	keras.SetRandomSeed(int64(1 + 1000*rank))
	model, err := qaModel(o.dropout)
	if err != nil {
		return err
	}
	opts := []keras.FitOption{keras.Epochs(o.epochs), keras.BatchSize(o.batch), keras.Verbose(0)}
	switch o.mode {
	case "plain":
	case "replicas":
		opts = append(opts, keras.Distribution(keras.DataParallel(2)))
	case "ranks":
		opts = append(opts,
			keras.Distribution(keras.DataParallel(1, keras.WithCommunicator(comm))),
			keras.Callbacks(
				callbacks.ModelCheckpoint(filepath.Join(o.out, fmt.Sprintf("ckpt-rank%d.keras", rank)), callbacks.Monitor("loss")),
				callbacks.TensorBoard(filepath.Join(o.out, fmt.Sprintf("tb-rank%d", rank))),
			))
		if rank == o.killRank {
			opts = append(opts, keras.Callbacks(&killAt{epoch: o.killEpoch, stamp: filepath.Join(o.out, "killed-at")}))
		}
	default:
		return fmt.Errorf("unknown -mode %q: plain, replicas or ranks", o.mode)
	}
	h, err := model.Fit(x, y, opts...)
	if err != nil {
		return err
	}
	hist := ""
	for _, l := range h.History["loss"] {
		hist += strconv.FormatFloat(l, 'g', -1, 64) + "\n"
	}
	if err := os.WriteFile(filepath.Join(o.out, fmt.Sprintf("history-rank%d.txt", rank)), []byte(hist), 0o644); err != nil {
		return err
	}
	var buf []byte
	for _, w := range model.Weights() {
		for _, v := range w.Data().([]float32) {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
		}
	}
	return os.WriteFile(filepath.Join(o.out, fmt.Sprintf("weights-rank%d.bin", rank)), buf, 0o644)
}

// data returns the first n embedded e-mails as the model's named inputs (body and subject
// ids) and one-hot answers (ham, spam).
func data(n int) (keras.Named, *tensor.Dense, error) {
	emails, _, err := datasets.SpamAssassin()
	if err != nil {
		return nil, nil, err
	}
	if n > len(emails) {
		return nil, nil, fmt.Errorf("-train %d: only %d training e-mails", n, len(emails))
	}
	emails = emails[:n]
	var texts, questions [][]string
	y := make([]float32, 2*n)
	for i, e := range emails {
		texts = append(texts, preprocessing.TokenizeFirst(e.Body, textLength))
		questions = append(questions, preprocessing.TokenizeFirst(e.Subject, questionLength))
		y[2*i+e.Label] = 1
	}
	encode := func(docs [][]string, size, length int) (*tensor.Dense, error) {
		vocab, err := preprocessing.NewVocabulary(docs, size)
		if err != nil {
			return nil, err
		}
		seqs := make([][]int, len(docs))
		for i, d := range docs {
			seqs[i] = vocab.Encode(d)
		}
		return preprocessing.PadSequences(seqs, length, preprocessing.Post, preprocessing.Post)
	}
	text, err := encode(texts, textVocabularySize, textLength)
	if err != nil {
		return nil, nil, err
	}
	question, err := encode(questions, questionVocabularySize, questionLength)
	if err != nil {
		return nil, nil, err
	}
	return keras.Named{"text": text, "question": question}, tensor.New(tensor.WithShape(n, 2), tensor.WithBacking(y)), nil
}

// qaModel builds and compiles examples/qa's model at the job's sizes, with a Dropout of rate
// dropout before the answer layer when it is positive.
func qaModel(dropout float64) (*keras.Model, error) {
	text := keras.Input(keras.Shape{keras.None}, keras.DType("int32"), keras.Name("text"))
	encodedText := layers.LSTM(8).Call(layers.Embedding(textVocabularySize, 16, layers.MaskZero(true)).Call(text))
	question := keras.Input(keras.Shape{keras.None}, keras.DType("int32"), keras.Name("question"))
	encodedQuestion := layers.LSTM(4).Call(layers.Embedding(questionVocabularySize, 8, layers.MaskZero(true)).Call(question))
	concatenated := layers.Concatenate(layers.Axis(-1)).Call(encodedText, encodedQuestion)
	if dropout > 0 {
		concatenated = layers.Dropout(dropout).Call(concatenated)
	}
	answer := layers.Dense(2, layers.Activation("softmax")).Call(concatenated)
	model, err := keras.NewModel(keras.Inputs(text, question), keras.Outputs(answer))
	if err != nil {
		return nil, err
	}
	if err := model.Compile("adam", "categorical_crossentropy", keras.Metrics("acc")); err != nil {
		return nil, err
	}
	return model, nil
}

// killAt kills its own process with SIGKILL at the start of an epoch, after writing the time
// to stamp: a rank that dies without a word (the OOM killer, a crashed node), not one that
// fails cleanly and calls Abort.
type killAt struct {
	keras.BaseCallback
	epoch int
	stamp string
}

// OnEpochBegin dies at the chosen epoch.
func (k *killAt) OnEpochBegin(epoch int, _ keras.Logs) error {
	if epoch != k.epoch {
		return nil
	}
	now := strconv.FormatInt(time.Now().UnixNano(), 10)
	if err := os.WriteFile(k.stamp, []byte(now), 0o644); err != nil {
		return err
	}
	return syscall.Kill(os.Getpid(), syscall.SIGKILL)
}
