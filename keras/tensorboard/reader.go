package tensorboard

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
)

// Kind says what an [Event] holds.
type Kind string

// The kinds of events [ReadEvents] tells apart.
const (
	KindFileVersion Kind = "file_version" // the first record of a file
	KindScalar      Kind = "scalar"       // Value is set
	KindHistogram   Kind = "histogram"    // Buckets is set
	KindText        Kind = "text"         // Text is set
	KindKerasModel  Kind = "keras_model"  // Text holds the model JSON
	KindTensor      Kind = "tensor"       // another tensor summary (DType and Shape set)
	KindGraphDef    Kind = "graph_def"    // an op graph (tag "__run_graph__")
	KindOther       Kind = "other"        // image, audio, session log, ...
)

// Event is one decoded record of an event file, or one value of it when a
// record's summary holds several values (this package writes one per record).
type Event struct {
	WallTime float64 // seconds since the epoch
	Step     int64
	Kind     Kind

	FileVersion  string // KindFileVersion: "brain.Event:2"
	SourceWriter string // source_metadata.writer, if present

	Tag           string
	Plugin        string // plugin_name of the value's metadata ("scalars" for v1 simple_value)
	PluginContent []byte
	DType         int32   // TensorFlow DataType of a tensor value (1 DT_FLOAT, 2 DT_DOUBLE, 7 DT_STRING)
	Shape         []int64 // tensor shape; empty for a scalar

	Value   float64  // KindScalar (float32 values widened)
	Buckets []Bucket // KindHistogram: (left, right, count) rows
	Text    string   // KindText, KindKerasModel, or a DT_STRING KindTensor's first string

	GraphDef []byte // KindGraphDef: the serialized GraphDef ([DecodeGraphDef] parses it)
}

// ReadEvents decodes every record of the event file at path, checking both
// CRCs of each. On damage it returns the events before it and an error
// wrapping [ErrCorrupt] or, for a file that ends inside a record (possibly
// one still being written), [ErrTruncated].
//
// It reads TensorFlow 2 summaries as this package writes them and also
// TensorFlow 1 / PyTorch forms: simple_value scalars, and HistogramProto
// histograms converted to rows as TensorBoard converts them.
func ReadEvents(path string) ([]Event, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, &Error{Op: "read", Path: path, Msg: "cannot read the event file", Err: err}
	}
	var out []Event
	for off, i := 0, 0; off < len(b); i++ {
		data, n, err := nextRecord(b[off:])
		if err != nil {
			return out, &Error{Op: "read", Path: path, Msg: fmt.Sprintf("record %d at offset %d: %v", i, off, err), Err: sentinelOf(err)}
		}
		evs, err := decodeEvent(data)
		if err != nil {
			return out, &Error{Op: "read", Path: path, Msg: fmt.Sprintf("record %d at offset %d: %v", i, off, err), Err: ErrCorrupt}
		}
		out = append(out, evs...)
		off += n
	}
	return out, nil
}

// ReadDir reads the event files of one run: every regular file in dir
// (not its subdirectories) whose name contains "tfevents", in name order as
// TensorBoard reads them, and returns their events one file after the other.
func ReadDir(dir string) ([]Event, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, &Error{Op: "read", Path: dir, Msg: "cannot list the run directory", Err: err}
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && strings.Contains(e.Name(), "tfevents") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	var out []Event
	for _, n := range names {
		evs, err := ReadEvents(filepath.Join(dir, n))
		out = append(out, evs...)
		if err != nil {
			return out, err
		}
	}
	return out, nil
}

func sentinelOf(err error) error {
	if errors.Is(err, ErrTruncated) {
		return ErrTruncated
	}
	return ErrCorrupt
}

// field is one decoded protobuf field: x for varint and fixed types, b for
// length-delimited ones.
type field struct {
	num protowire.Number
	typ protowire.Type
	x   uint64
	b   []byte
}

// eachField calls f for every field of the message b.
func eachField(b []byte, f func(field) error) error {
	for len(b) > 0 {
		num, typ, n := protowire.ConsumeTag(b)
		if n < 0 {
			return protowire.ParseError(n)
		}
		b = b[n:]
		fd := field{num: num, typ: typ}
		switch typ {
		case protowire.VarintType:
			fd.x, n = protowire.ConsumeVarint(b)
		case protowire.Fixed64Type:
			fd.x, n = protowire.ConsumeFixed64(b)
		case protowire.Fixed32Type:
			var v uint32
			v, n = protowire.ConsumeFixed32(b)
			fd.x = uint64(v)
		case protowire.BytesType:
			fd.b, n = protowire.ConsumeBytes(b)
		default:
			n = protowire.ConsumeFieldValue(num, typ, b)
		}
		if n < 0 {
			return fmt.Errorf("field %d: %w", num, protowire.ParseError(n))
		}
		b = b[n:]
		if err := f(fd); err != nil {
			return err
		}
	}
	return nil
}

// want checks the wire type of a known field, as TensorBoard's Rust data
// server does.
func (fd field) want(t protowire.Type, name string) error {
	if fd.typ != t {
		return fmt.Errorf("%s (field %d) has wire type %d, want %d", name, fd.num, fd.typ, t)
	}
	return nil
}

func (fd field) str(name string) (string, error) {
	if err := fd.want(protowire.BytesType, name); err != nil {
		return "", err
	}
	if !utf8.Valid(fd.b) {
		return "", fmt.Errorf("%s is not valid UTF-8", name)
	}
	return string(fd.b), nil
}

// decodeEvent decodes one Event into one Event per summary value (or one
// for any other payload).
func decodeEvent(b []byte) ([]Event, error) {
	var ev Event
	var values [][]byte
	kind := KindOther
	err := eachField(b, func(fd field) error {
		var err error
		switch fd.num {
		case eventWallTime:
			err = fd.want(protowire.Fixed64Type, "Event.wall_time")
			ev.WallTime = math.Float64frombits(fd.x)
		case eventStep:
			err = fd.want(protowire.VarintType, "Event.step")
			ev.Step = int64(fd.x)
		case eventFileVersion:
			ev.FileVersion, err = fd.str("Event.file_version")
			kind = KindFileVersion
		case eventGraphDef:
			err = fd.want(protowire.BytesType, "Event.graph_def")
			kind = KindGraphDef
			if len(fd.b) > 0 { // an empty GraphDef reads as nil, as a missing one does
				ev.GraphDef = fd.b
			}
		case eventSummary:
			if err = fd.want(protowire.BytesType, "Event.summary"); err != nil {
				return err
			}
			kind = ""
			err = eachField(fd.b, func(v field) error {
				if v.num != summaryValue {
					return nil
				}
				if err := v.want(protowire.BytesType, "Summary.value"); err != nil {
					return err
				}
				values = append(values, v.b)
				return nil
			})
		case eventSourceMetadata:
			if err = fd.want(protowire.BytesType, "Event.source_metadata"); err != nil {
				return err
			}
			err = eachField(fd.b, func(s field) error {
				var err error
				if s.num == sourceMetadataWriter {
					ev.SourceWriter, err = s.str("SourceMetadata.writer")
				}
				return err
			})
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if kind != "" {
		ev.Kind = kind
		if kind == KindGraphDef {
			ev.Tag = RunGraphTag
		}
		return []Event{ev}, nil
	}
	out := make([]Event, 0, len(values))
	for _, vb := range values {
		e := ev
		if err := decodeValue(vb, &e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// tensor is a decoded TensorProto.
type tensor struct {
	dtype   int32
	shape   []int64
	content []byte
	floats  []float64 // float_val widened, or double_val
	strings [][]byte
}

// decodeValue decodes a Summary.Value into e.
func decodeValue(b []byte, e *Event) error {
	var nodeName string
	var simple *float32
	var histo, tens []byte
	kind := KindOther
	err := eachField(b, func(fd field) error {
		var err error
		switch fd.num {
		case valueTag:
			e.Tag, err = fd.str("Summary.Value.tag")
		case valueNodeName:
			nodeName, err = fd.str("Summary.Value.node_name")
		case valueMetadata:
			if err = fd.want(protowire.BytesType, "Summary.Value.metadata"); err != nil {
				return err
			}
			err = decodeMetadata(fd.b, e)
		case valueSimple:
			err = fd.want(protowire.Fixed32Type, "Summary.Value.simple_value")
			v := math.Float32frombits(uint32(fd.x))
			simple, histo, tens = &v, nil, nil
		case valueHisto:
			err = fd.want(protowire.BytesType, "Summary.Value.histo")
			simple, histo, tens = nil, fd.b, nil
		case valueTensor:
			err = fd.want(protowire.BytesType, "Summary.Value.tensor")
			simple, histo, tens = nil, nil, fd.b
		case valueImage, valueAudio:
			simple, histo, tens = nil, nil, nil
		}
		return err
	})
	if err != nil {
		return err
	}
	if e.Tag == "" {
		e.Tag = nodeName
	}
	switch {
	case simple != nil:
		kind, e.Value = KindScalar, float64(*simple)
		if e.Plugin == "" {
			e.Plugin = pluginScalars
		}
	case histo != nil:
		bk, err := decodeHisto(histo)
		if err != nil {
			return err
		}
		kind, e.Buckets = KindHistogram, bk
		if e.Plugin == "" {
			e.Plugin = pluginHistograms
		}
	case tens != nil:
		t, err := decodeTensor(tens)
		if err != nil {
			return err
		}
		kind = KindTensor
		e.DType, e.Shape = t.dtype, t.shape
		vals, numeric := t.values()
		switch {
		case e.Plugin == pluginScalars && numeric && len(vals) == 1 && len(t.shape) == 0:
			kind, e.Value = KindScalar, vals[0]
		case e.Plugin == pluginHistograms && numeric && len(t.shape) == 2 && t.shape[1] == 3 && int64(len(vals)) == 3*t.shape[0]:
			kind, e.Buckets = KindHistogram, make([]Bucket, t.shape[0])
			for i := range e.Buckets {
				e.Buckets[i] = Bucket{vals[3*i], vals[3*i+1], vals[3*i+2]}
			}
		case t.dtype == dtString && len(t.strings) > 0:
			e.Text = string(t.strings[0])
			switch e.Plugin {
			case pluginText:
				kind = KindText
			case pluginKerasModel:
				kind = KindKerasModel
			}
		}
	}
	e.Kind = kind
	return nil
}

func decodeMetadata(b []byte, e *Event) error {
	return eachField(b, func(fd field) error {
		if fd.num != metaPluginData {
			return nil
		}
		if err := fd.want(protowire.BytesType, "SummaryMetadata.plugin_data"); err != nil {
			return err
		}
		return eachField(fd.b, func(p field) error {
			var err error
			switch p.num {
			case pluginName:
				e.Plugin, err = p.str("PluginData.plugin_name")
			case pluginContent:
				err = p.want(protowire.BytesType, "PluginData.content")
				e.PluginContent = append([]byte(nil), p.b...)
			}
			return err
		})
	})
}

// appendPacked appends the values of a repeated float or double field, packed
// or not.
func appendPacked(dst []float64, fd field, double bool, name string) ([]float64, error) {
	size, typ := 4, protowire.Fixed32Type
	if double {
		size, typ = 8, protowire.Fixed64Type
	}
	if fd.typ == typ {
		if double {
			return append(dst, math.Float64frombits(fd.x)), nil
		}
		return append(dst, float64(math.Float32frombits(uint32(fd.x)))), nil
	}
	if err := fd.want(protowire.BytesType, name); err != nil {
		return dst, err
	}
	if len(fd.b)%size != 0 {
		return dst, fmt.Errorf("packed %s has %d bytes, not a multiple of %d", name, len(fd.b), size)
	}
	for p := fd.b; len(p) > 0; p = p[size:] {
		if double {
			dst = append(dst, math.Float64frombits(binary.LittleEndian.Uint64(p)))
		} else {
			dst = append(dst, float64(math.Float32frombits(binary.LittleEndian.Uint32(p))))
		}
	}
	return dst, nil
}

func decodeTensor(b []byte) (tensor, error) {
	var t tensor
	err := eachField(b, func(fd field) error {
		var err error
		switch fd.num {
		case tensorDType:
			err = fd.want(protowire.VarintType, "TensorProto.dtype")
			t.dtype = int32(fd.x)
		case tensorShape:
			if err = fd.want(protowire.BytesType, "TensorProto.tensor_shape"); err != nil {
				return err
			}
			t.shape = t.shape[:0]
			err = eachField(fd.b, func(d field) error {
				if d.num != shapeDim {
					return nil
				}
				if err := d.want(protowire.BytesType, "TensorShapeProto.dim"); err != nil {
					return err
				}
				size := int64(0)
				err := eachField(d.b, func(s field) error {
					if s.num != dimSize {
						return nil
					}
					size = int64(s.x)
					return s.want(protowire.VarintType, "TensorShapeProto.Dim.size")
				})
				t.shape = append(t.shape, size)
				return err
			})
		case tensorContent:
			err = fd.want(protowire.BytesType, "TensorProto.tensor_content")
			t.content = fd.b
		case tensorFloatVal:
			t.floats, err = appendPacked(t.floats, fd, false, "TensorProto.float_val")
		case tensorDoubleVal:
			t.floats, err = appendPacked(t.floats, fd, true, "TensorProto.double_val")
		case tensorStringVal:
			err = fd.want(protowire.BytesType, "TensorProto.string_val")
			t.strings = append(t.strings, fd.b)
		}
		return err
	})
	return t, err
}

// values flattens a DT_FLOAT or DT_DOUBLE tensor as TensorFlow's MakeNdarray
// does (typed values shorter than the shape are padded with the last one).
func (t tensor) values() ([]float64, bool) {
	size := 4
	switch t.dtype {
	case dtFloat:
	case dtDouble:
		size = 8
	default:
		return nil, false
	}
	count := int64(1)
	for _, d := range t.shape {
		if d < 0 || d > math.MaxInt32 {
			return nil, false
		}
		count *= d
		if count > math.MaxInt32 {
			return nil, false
		}
	}
	if len(t.content) > 0 {
		if int64(len(t.content)) != count*int64(size) {
			return nil, false
		}
		out := make([]float64, count)
		for i := range out {
			if size == 4 {
				out[i] = float64(math.Float32frombits(binary.LittleEndian.Uint32(t.content[4*i:])))
			} else {
				out[i] = math.Float64frombits(binary.LittleEndian.Uint64(t.content[8*i:]))
			}
		}
		return out, true
	}
	switch n := int64(len(t.floats)); {
	case n == count:
		return t.floats, true
	case count > 1<<24: // padding would allocate more than the file holds
		return nil, false
	case n == 0:
		return make([]float64, count), true
	case n < count:
		out := append(make([]float64, 0, count), t.floats...)
		for int64(len(out)) < count {
			out = append(out, t.floats[n-1])
		}
		return out, true
	}
	return nil, false
}

// decodeHisto converts a v1 HistogramProto to rows as TensorBoard's data
// server does: left edges [min] + bucket_limit[:-1], right edges
// bucket_limit[:-1] + [max].
func decodeHisto(b []byte) ([]Bucket, error) {
	var lo, hi float64
	var limits, counts []float64
	err := eachField(b, func(fd field) error {
		var err error
		switch fd.num {
		case histoMin:
			err = fd.want(protowire.Fixed64Type, "HistogramProto.min")
			lo = math.Float64frombits(fd.x)
		case histoMax:
			err = fd.want(protowire.Fixed64Type, "HistogramProto.max")
			hi = math.Float64frombits(fd.x)
		case histoBucketLimit:
			limits, err = appendPacked(limits, fd, true, "HistogramProto.bucket_limit")
		case histoBucket:
			counts, err = appendPacked(counts, fd, true, "HistogramProto.bucket")
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if len(limits) != len(counts) {
		return nil, fmt.Errorf("HistogramProto has %d bucket_limit and %d bucket values", len(limits), len(counts))
	}
	out := make([]Bucket, len(counts))
	for i := range out {
		out[i].Count = counts[i]
		out[i].Left = lo
		if i > 0 {
			out[i].Left = limits[i-1]
		}
		out[i].Right = hi
		if i < len(out)-1 {
			out[i].Right = limits[i]
		}
	}
	return out, nil
}
