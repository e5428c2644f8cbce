package tensorboard

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"google.golang.org/protobuf/encoding/protowire"
)

// writeFile writes framed records holding the given events to a file.
func writeFile(t *testing.T, events ...[]byte) string {
	t.Helper()
	var b []byte
	for _, e := range events {
		b = appendRecord(b, e)
	}
	path := filepath.Join(t.TempDir(), "events.out.tfevents.0000000001.test")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func msg(num protowire.Number, body []byte) []byte {
	return protowire.AppendBytes(protowire.AppendTag(nil, num, protowire.BytesType), body)
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

func fixed64(num protowire.Number, v float64) []byte {
	return protowire.AppendFixed64(protowire.AppendTag(nil, num, protowire.Fixed64Type), math.Float64bits(v))
}

func TestReadOtherForms(t *testing.T) {
	str := func(num protowire.Number, s string) []byte { return msg(num, []byte(s)) }
	step := protowire.AppendVarint(protowire.AppendTag(nil, eventStep, protowire.VarintType), 7)
	event := func(values ...[]byte) []byte {
		var summary []byte
		for _, v := range values {
			summary = append(summary, msg(summaryValue, v)...)
		}
		return cat(fixed64(eventWallTime, 12.5), step, msg(eventSummary, summary))
	}
	// PyTorch's add_scalar: a v1 simple_value, no metadata.
	simple := cat(str(valueTag, "loss"), protowire.AppendFixed32(protowire.AppendTag(nil, valueSimple, protowire.Fixed32Type), math.Float32bits(0.5)))
	// A scalar in one float_val (also accepted by TensorBoard).
	floatVal := cat(str(valueTag, "acc"),
		msg(valueTensor, cat([]byte{0x08, 0x01, 0x12, 0x00}, msg(tensorFloatVal, binary.LittleEndian.AppendUint32(nil, math.Float32bits(0.25))))),
		msg(valueMetadata, msg(metaPluginData, str(pluginName, "scalars"))))
	// A v1 HistogramProto: limits 1, 2, DBL_MAX; counts 3, 4, 0; min 0.5, max 1.5.
	packed := func(vs ...float64) []byte {
		var b []byte
		for _, v := range vs {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(v))
		}
		return b
	}
	histo := cat(str(valueTag, "h"), msg(valueHisto, cat(fixed64(histoMin, 0.5), fixed64(histoMax, 1.5),
		msg(histoBucketLimit, packed(1, 2, math.MaxFloat64)), msg(histoBucket, packed(3, 4, 0)))))
	graph := cat(fixed64(eventWallTime, 1), msg(eventGraphDef, nil))
	path := writeFile(t, event(simple, floatVal), event(histo), graph)
	evs, err := ReadEvents(path)
	if err != nil {
		t.Fatal(err)
	}
	want := []Event{
		{WallTime: 12.5, Step: 7, Kind: KindScalar, Tag: "loss", Plugin: "scalars", Value: 0.5},
		{WallTime: 12.5, Step: 7, Kind: KindScalar, Tag: "acc", Plugin: "scalars", DType: dtFloat, Value: 0.25},
		{WallTime: 12.5, Step: 7, Kind: KindHistogram, Tag: "h", Plugin: "histograms",
			Buckets: []Bucket{{0.5, 1, 3}, {1, 2, 4}, {2, 1.5, 0}}},
		{WallTime: 1, Kind: KindGraphDef, Tag: "__run_graph__"},
	}
	if !reflect.DeepEqual(evs, want) {
		t.Fatalf("events\n got %+v\nwant %+v", evs, want)
	}
}

func TestReadDamage(t *testing.T) {
	w := mustWriter(t)
	for i := range 3 {
		if err := w.Scalar("a", int64(i), 1); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(w.Path())
	if err != nil {
		t.Fatal(err)
	}
	recLen := (len(good) - len(appendRecord(nil, appendHeaderEvent(nil, 0)))) / 3
	lastStart := len(good) - recLen
	badProto := appendRecord(bytes.Clone(good), []byte{0x0a, 0x05, 0x01}) // field 1 declared longer than the message
	wrongWire := appendRecord(bytes.Clone(good), []byte{0x08, 0x01})      // wall_time as a varint
	flipped := bytes.Clone(good)
	flipped[lastStart+14] ^= 0x40
	tests := []struct {
		name  string
		data  []byte
		want  error
		nread int
	}{
		{"truncated tail", good[:len(good)-3], ErrTruncated, 3},
		{"flipped data byte", flipped, ErrCorrupt, 3},
		{"undecodable event", badProto, ErrCorrupt, 4},
		{"wrong wire type", wrongWire, ErrCorrupt, 4},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "events.out.tfevents.x")
			if err := os.WriteFile(path, tc.data, 0o644); err != nil {
				t.Fatal(err)
			}
			evs, err := ReadEvents(path)
			if !errors.Is(err, tc.want) {
				t.Fatalf("error = %v, want %v", err, tc.want)
			}
			if len(evs) != tc.nread {
				t.Errorf("%d events before the damage, want %d", len(evs), tc.nread)
			}
		})
	}
	if _, err := ReadEvents(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
	if _, err := ReadDir(filepath.Join(t.TempDir(), "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing dir: %v", err)
	}
}
