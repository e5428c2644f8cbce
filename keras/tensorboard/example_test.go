package tensorboard_test

import (
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/kerago/kerago/keras/tensorboard"
)

// Write a run as Keras's TensorBoard callback does, then read it back. View
// it with: tensorboard --logdir <logdir>
func Example() {
	logdir, err := os.MkdirTemp("", "logs")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(logdir)

	w, err := tensorboard.NewWriter(filepath.Join(logdir, "train"))
	if err != nil {
		log.Fatal(err)
	}
	defer w.Close()
	for epoch := range int64(3) {
		if err := w.Scalar("epoch_loss", epoch, 1/float64(epoch+1)); err != nil {
			log.Fatal(err)
		}
	}
	if err := w.Histogram("dense/kernel/histogram", 0, []float64{-2, -1, 0, 6}); err != nil {
		log.Fatal(err)
	}
	// TensorBoard would hide steps 1 and 2 behind a second step 1: refused.
	err = w.Scalar("epoch_loss", 1, 0.1)
	fmt.Println("step 1 again:", errors.Is(err, tensorboard.ErrStepOrder))
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}

	events, err := tensorboard.ReadDir(filepath.Join(logdir, "train"))
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range events {
		switch e.Kind {
		case tensorboard.KindFileVersion:
			fmt.Println(e.FileVersion)
		case tensorboard.KindScalar:
			fmt.Printf("%s step %d: %.4g\n", e.Tag, e.Step, e.Value)
		case tensorboard.KindHistogram:
			n := 0.0
			for _, b := range e.Buckets {
				n += b.Count
			}
			fmt.Printf("%s step %d: %d buckets from %g to %g, %g values\n",
				e.Tag, e.Step, len(e.Buckets), e.Buckets[0].Left, e.Buckets[len(e.Buckets)-1].Right, n)
		}
	}
	// Output:
	// step 1 again: true
	// brain.Event:2
	// epoch_loss step 0: 1
	// epoch_loss step 1: 0.5
	// epoch_loss step 2: 0.3333
	// dense/kernel/histogram step 0: 30 buckets from -2 to 6, 4 values
}

// HistogramBuckets is tf.summary.histogram's bucketing.
func ExampleHistogramBuckets() {
	for _, b := range tensorboard.HistogramBuckets([]float64{-2, -1, 0, 6}, 4) {
		fmt.Printf("[%g, %g): %g\n", b.Left, b.Right, b.Count)
	}
	// Output:
	// [-2, 0): 2
	// [0, 2): 1
	// [2, 4): 0
	// [4, 6): 1
}
