package tensorboard

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"math"
	"strings"
	"testing"
)

func unhex(t *testing.T, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.NewReplacer(" ", "", "\n", "", "\t", "").Replace(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestScalarBytesMatchTensorFlow compares with the record of a real
// TensorFlow 2 file quoted in TFEVENTS.md §7:
// tf.summary.scalar("my_metric", 0.5, step=1).
func TestScalarBytesMatchTensorFlow(t *testing.T) {
	wall := 1585499054.25
	tensor := appendScalarTensor(nil, 0.5)
	value := appendValue(nil, "my_metric", tensor, pluginScalars, "")
	got := appendSummaryEvent(nil, wall, 1, value)

	var w [8]byte
	binary.LittleEndian.PutUint64(w[:], math.Float64bits(wall))
	want := append(unhex(t, "09"), w[:]...)
	want = append(want, unhex(t, `10 01 2a 26 0a 24
		0a 09 6d795f6d6574726963
		42 0a 08 01 12 00 22 04 0000003f
		4a 0b 0a 09 0a 07 7363616c617273`)...)
	if !bytes.Equal(got, want) {
		t.Fatalf("scalar event\n got %x\nwant %x", got, want)
	}
}

func TestTensorEncodings(t *testing.T) {
	tests := []struct {
		name string
		got  []byte
		want string
	}{
		{"step 0 omitted", appendSummaryEvent(nil, 0, 0, nil), "09 0000000000000000 2a 02 0a 00"},
		{"negative step", appendSummaryEvent(nil, 0, -1, nil), "09 0000000000000000 10 ffffffffffffffffff01 2a 02 0a 00"},
		{"string", appendStringTensor(nil, []byte("hi")), "08 07 12 00 42 02 6869"},
		{"histogram k=1", appendHistogramTensor(nil, []Bucket{{1, 2, 3}}),
			"08 02 12 08 12 02 08 01 12 02 08 03 22 18 000000000000f03f 0000000000000040 0000000000000840"},
		{"histogram k=0", appendHistogramTensor(nil, []Bucket{}), "08 02 12 06 12 00 12 02 08 03"},
		{"keras model metadata", appendValue(nil, "keras", nil, pluginKerasModel, kerasModelCont),
			"0a 05 6b65726173 42 00 4a 18 0a 16 0a 11 67726170685f6b657261735f6d6f64656c 12 01 31"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if want := unhex(t, tc.want); !bytes.Equal(tc.got, want) {
				t.Fatalf("\n got %x\nwant %x", tc.got, want)
			}
		})
	}
}
