package keras_test

import (
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
	"github.com/kerago/kerago/keras/layers"
)

// The golden tables are Keras 3's own output for the same models (shared/docs/KERAS.md
// §1.8.1, printed with COLUMNS=200).

const sequentialGolden = `Model: "sequential"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                         ┃ Output Shape                ┃         Param # ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━┩
│ d1 (Dense)                           │ (None, 4)                   │              36 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dropout (Dropout)                    │ (None, 4)                   │               0 │
├──────────────────────────────────────┼─────────────────────────────┼─────────────────┤
│ dense (Dense)                        │ (None, 1)                   │               5 │
└──────────────────────────────────────┴─────────────────────────────┴─────────────────┘
 Total params: 41 (164.00 B)
 Trainable params: 41 (164.00 B)
 Non-trainable params: 0 (0.00 B)
`

const twoHeadsGolden = `Model: "two_heads"
┏━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━┓
┃ Layer (type)                  ┃ Output Shape              ┃         Param # ┃ Connected to               ┃
┡━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━┩
│ a (InputLayer)                │ (None, 8)                 │               0 │ -                          │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ b (InputLayer)                │ (None, 8)                 │               0 │ -                          │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ shared (Dense)                │ (None, 4)                 │              36 │ a[0][0], b[0][0]           │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ cat (Concatenate)             │ (None, 8)                 │               0 │ shared[0][0], shared[1][0] │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ out1 (Dense)                  │ (None, 1)                 │               9 │ cat[0][0]                  │
├───────────────────────────────┼───────────────────────────┼─────────────────┼────────────────────────────┤
│ out2 (Dense)                  │ (None, 2)                 │              18 │ cat[0][0]                  │
└───────────────────────────────┴───────────────────────────┴─────────────────┴────────────────────────────┘
 Total params: 63 (252.00 B)
 Trainable params: 63 (252.00 B)
 Non-trainable params: 0 (0.00 B)
`

func TestSummarySequentialGolden(t *testing.T) {
	t.Setenv("COLUMNS", "")
	keras.SetRandomSeed(1)
	keras.ClearSession()
	m, err := keras.NewSequential(
		keras.InputShape(keras.Shape{8}),
		layers.Dense(4, layers.Name("d1")),
		layers.Dropout(0.5),
		layers.Dense(1),
	)
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	m.Summary(&b)
	if got := b.String(); got != sequentialGolden {
		t.Errorf("summary differs from Keras's:\n got:\n%s\nwant:\n%s", got, sequentialGolden)
	}
}

func TestSummaryMultiInputGolden(t *testing.T) {
	t.Setenv("COLUMNS", "")
	a := keras.Input(keras.Shape{8}, keras.Name("a"))
	b := keras.Input(keras.Shape{8}, keras.Name("b"))
	shared := layers.Dense(4, layers.Name("shared"))
	cat := layers.Concatenate(layers.Name("cat")).Call(shared.Call(a), shared.Call(b))
	out1 := layers.Dense(1, layers.Name("out1")).Call(cat)
	out2 := layers.Dense(2, layers.Name("out2")).Call(cat)
	m, err := keras.NewModel(keras.Inputs(a, b), keras.Outputs(out1, out2), keras.ModelName("two_heads"))
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	m.Summary(&sb)
	if got := sb.String(); got != twoHeadsGolden {
		t.Errorf("summary differs from Keras's:\n got:\n%s\nwant:\n%s", got, twoHeadsGolden)
	}
}

func TestSummaryWrapsLongNames(t *testing.T) {
	t.Setenv("COLUMNS", "")
	keras.SetRandomSeed(1)
	keras.ClearSession()
	in := keras.Input(keras.Shape{16}, keras.Name("tokens"))
	x := layers.BatchNormalization().Call(in)
	m, err := keras.NewModel(keras.Inputs(in), keras.Outputs(x))
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	m.Summary(&sb)
	want := "│ batch_normalization                  │ (None, 16)                  │              64 │\n" +
		"│ (BatchNormalization)                 │                             │                 │\n"
	if !strings.Contains(sb.String(), want) {
		t.Errorf("summary does not wrap the long row as Keras does:\n%s", sb.String())
	}
	if !strings.Contains(sb.String(), " Non-trainable params: 32 (128.00 B)\n") {
		t.Errorf("non-trainable count wrong:\n%s", sb.String())
	}
}
