package tensorboard

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"google.golang.org/protobuf/encoding/protowire"
)

// Field numbers of TensorFlow's GraphDef and the messages in it
// (tensorboard/compat/proto/{graph,node_def,attr_value}.proto).
const (
	graphNode    protowire.Number = 1 // repeated NodeDef
	nodeName     protowire.Number = 1 // string
	nodeOp       protowire.Number = 2 // string
	nodeInput    protowire.Number = 3 // repeated string
	nodeAttr     protowire.Number = 5 // map<string, AttrValue>
	attrEntryKey protowire.Number = 1 // string
	attrEntryVal protowire.Number = 2 // AttrValue
	attrList     protowire.Number = 1 // ListValue
	attrS        protowire.Number = 2 // bytes
	attrI        protowire.Number = 3 // int64
	attrF        protowire.Number = 4 // float
	attrB        protowire.Number = 5 // bool
	attrType     protowire.Number = 6 // DataType
	attrShape    protowire.Number = 7 // TensorShapeProto
	listShape    protowire.Number = 7 // repeated TensorShapeProto
)

// RunGraphTag is the tag TensorBoard files an op graph (Event.graph_def) under.
const RunGraphTag = "__run_graph__"

// GraphNode is one node of an op graph, TensorFlow's NodeDef: what TensorBoard's default
// Graphs view draws as a box, with an edge from each of its inputs.
//
// TensorBoard groups nodes by the "/"-separated prefixes of their names ("encoder/dense" is
// drawn inside a box "encoder" that expands on a double click), so a name must not also be
// the prefix of another node's name.
type GraphNode struct {
	Name   string   // unique, not empty, no ':' and no leading '^'
	Op     string   // the operation, drawn on the node; for a Keras layer its class, "Dense"
	Inputs []string // names of the nodes feeding this one, "name:1" for a node's output 1

	// DType is the Keras dtype of the node's outputs ("float32", "float64", "int32",
	// "int64"), written as the attr "dtype"; "" writes none.
	DType string
	// OutputShapes are the shapes of the node's outputs, -1 for an unknown dimension, written
	// as the attr "_output_shapes" that TensorBoard labels the edges with; nil writes none.
	OutputShapes [][]int64
	// Attrs are further attributes shown in the node's info card: string, bool, int, int64
	// or float64 values (other types are an error).
	Attrs map[string]any
}

// TensorFlow DataType values of the Keras dtypes (types.proto).
var kerasDataTypes = map[string]uint64{"float32": dtFloat, "float64": dtDouble, "int32": 3, "int64": 9}

// kerasDTypeNames inverts kerasDataTypes for DecodeGraphDef.
var kerasDTypeNames = map[uint64]string{dtFloat: "float32", dtDouble: "float64", 3: "int32", 9: "int64"}

// OpGraph writes nodes as the run's op graph, as TensorFlow's summary writer writes a traced
// graph: an Event whose graph_def field holds the serialized GraphDef, at step 0, filed by
// TensorBoard under the tag [RunGraphTag]. TensorBoard's Graphs dashboard shows it in its
// default view (the Keras conceptual graph of [Writer.Graph] is the other view). The event is
// flushed at once. Write it once per file: a second call fails with [ErrStepOrder].
//
// Bad nodes (a missing or repeated name, an input naming no node, an attr TensorBoard cannot
// hold) fail with [ErrValue] naming the node, and nothing is written.
func (w *Writer) OpGraph(nodes []GraphNode) error {
	const op = "op graph"
	gd, err := EncodeGraphDef(nodes)
	if err != nil {
		return w.fail(op, RunGraphTag, err.Error(), ErrValue)
	}
	if w == nil {
		return &Error{Op: op, Tag: RunGraphTag, Err: ErrClosed}
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.closed {
		return w.fail(op, RunGraphTag, "", ErrClosed)
	}
	if w.err != nil {
		return w.fail(op, RunGraphTag, "an earlier write to the file failed", w.err)
	}
	if _, ok := w.last[RunGraphTag]; ok {
		return w.fail(op, RunGraphTag, "the file already holds an op graph; TensorBoard keeps only the newest of a run, so write one", ErrStepOrder)
	}
	ev := protowire.AppendTag(nil, eventWallTime, protowire.Fixed64Type)
	ev = protowire.AppendFixed64(ev, math.Float64bits(wallTime(w.now())))
	ev = protowire.AppendTag(ev, eventGraphDef, protowire.BytesType)
	ev = protowire.AppendBytes(ev, gd)
	if err := w.writeRecord(ev); err != nil {
		return w.fail(op, RunGraphTag, "cannot write the event", err)
	}
	w.last[RunGraphTag] = 0
	w.pending++
	if err := w.flushLocked(); err != nil {
		return w.fail(op, RunGraphTag, "cannot flush the event file", err)
	}
	return nil
}

// EncodeGraphDef checks nodes and serializes them as a TensorFlow GraphDef. The nodes keep
// their order; attrs are written sorted by key, so the bytes depend only on the nodes.
func EncodeGraphDef(nodes []GraphNode) ([]byte, error) {
	names := make(map[string]bool, len(nodes))
	for i, n := range nodes {
		switch {
		case n.Name == "":
			return nil, fmt.Errorf("node %d (%s) has no name", i, n.Op)
		case !utf8.ValidString(n.Name) || !utf8.ValidString(n.Op):
			return nil, fmt.Errorf("node %d: name or op %q is not valid UTF-8", i, n.Name)
		case strings.ContainsRune(n.Name, ':') || strings.HasPrefix(n.Name, "^"):
			return nil, fmt.Errorf("node %q: a node name may not contain ':' or start with '^' (they mark output indices and control inputs)", n.Name)
		case names[n.Name]:
			return nil, fmt.Errorf("node %q appears twice", n.Name)
		}
		names[n.Name] = true
	}
	var b []byte
	for _, n := range nodes {
		for _, in := range n.Inputs {
			src, _, _ := strings.Cut(strings.TrimPrefix(in, "^"), ":")
			if !names[src] {
				return nil, fmt.Errorf("node %q: input %q names no node of the graph", n.Name, in)
			}
		}
		nd, err := appendNodeDef(nil, n)
		if err != nil {
			return nil, fmt.Errorf("node %q: %w", n.Name, err)
		}
		b = protowire.AppendTag(b, graphNode, protowire.BytesType)
		b = protowire.AppendBytes(b, nd)
	}
	return b, nil
}

// appendNodeDef appends the NodeDef fields of n.
func appendNodeDef(b []byte, n GraphNode) ([]byte, error) {
	b = protowire.AppendTag(b, nodeName, protowire.BytesType)
	b = protowire.AppendString(b, n.Name)
	if n.Op != "" {
		b = protowire.AppendTag(b, nodeOp, protowire.BytesType)
		b = protowire.AppendString(b, n.Op)
	}
	for _, in := range n.Inputs {
		b = protowire.AppendTag(b, nodeInput, protowire.BytesType)
		b = protowire.AppendString(b, in)
	}
	attr := func(key string, value []byte) {
		e := protowire.AppendTag(nil, attrEntryKey, protowire.BytesType)
		e = protowire.AppendString(e, key)
		e = protowire.AppendTag(e, attrEntryVal, protowire.BytesType)
		e = protowire.AppendBytes(e, value)
		b = protowire.AppendTag(b, nodeAttr, protowire.BytesType)
		b = protowire.AppendBytes(b, e)
	}
	if n.OutputShapes != nil {
		var list []byte
		for _, s := range n.OutputShapes {
			list = protowire.AppendTag(list, listShape, protowire.BytesType)
			list = protowire.AppendBytes(list, appendShape(nil, s))
		}
		v := protowire.AppendTag(nil, attrList, protowire.BytesType)
		attr("_output_shapes", protowire.AppendBytes(v, list))
	}
	if n.DType != "" {
		dt, ok := kerasDataTypes[n.DType]
		if !ok {
			return nil, fmt.Errorf("dtype %q is not a Keras dtype (float32, float64, int32, int64)", n.DType)
		}
		v := protowire.AppendTag(nil, attrType, protowire.VarintType)
		attr("dtype", protowire.AppendVarint(v, dt))
	}
	keys := make([]string, 0, len(n.Attrs))
	for k := range n.Attrs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if k == "" || !utf8.ValidString(k) || k == "dtype" || k == "_output_shapes" {
			return nil, fmt.Errorf("attr %q: empty, not UTF-8, or set by the DType and OutputShapes fields", k)
		}
		var v []byte
		switch x := n.Attrs[k].(type) {
		case string:
			if !utf8.ValidString(x) {
				return nil, fmt.Errorf("attr %q: the string is not valid UTF-8", k)
			}
			v = protowire.AppendTag(v, attrS, protowire.BytesType)
			v = protowire.AppendString(v, x)
		case bool:
			v = protowire.AppendTag(v, attrB, protowire.VarintType)
			v = protowire.AppendVarint(v, protowire.EncodeBool(x))
		case int:
			v = protowire.AppendTag(v, attrI, protowire.VarintType)
			v = protowire.AppendVarint(v, uint64(x))
		case int64:
			v = protowire.AppendTag(v, attrI, protowire.VarintType)
			v = protowire.AppendVarint(v, uint64(x))
		case float64:
			v = protowire.AppendTag(v, attrF, protowire.Fixed32Type)
			v = protowire.AppendFixed32(v, math.Float32bits(float32(x)))
		default:
			return nil, fmt.Errorf("attr %q: a %T cannot be an attr (use string, bool, int, int64 or float64)", k, x)
		}
		attr(k, v)
	}
	return b, nil
}

// appendShape appends a TensorShapeProto's fields: one dim per size, -1 for unknown (as a
// 10-byte varint, proto3's int64 encoding).
func appendShape(b []byte, dims []int64) []byte {
	for _, d := range dims {
		var dim []byte
		if d != 0 {
			dim = protowire.AppendTag(dim, dimSize, protowire.VarintType)
			dim = protowire.AppendVarint(dim, uint64(d))
		}
		b = protowire.AppendTag(b, shapeDim, protowire.BytesType)
		b = protowire.AppendBytes(b, dim)
	}
	return b
}

// DecodeGraphDef parses a serialized GraphDef (an Event's graph_def, [Event.GraphDef]) into
// its nodes: names, ops, inputs, dtype, output shapes and the scalar attrs. Fields it does
// not know are skipped; malformed bytes are an error wrapping [ErrCorrupt].
func DecodeGraphDef(b []byte) ([]GraphNode, error) {
	var nodes []GraphNode
	err := eachField(b, func(f field) error {
		if f.num != graphNode {
			return nil
		}
		if err := f.want(protowire.BytesType, "GraphDef.node"); err != nil {
			return err
		}
		n, err := decodeNodeDef(f.b)
		if err != nil {
			return fmt.Errorf("node %d: %w", len(nodes), err)
		}
		nodes = append(nodes, n)
		return nil
	})
	if err != nil {
		return nodes, fmt.Errorf("%w: GraphDef: %v", ErrCorrupt, err)
	}
	return nodes, nil
}

// decodeNodeDef parses one NodeDef.
func decodeNodeDef(b []byte) (GraphNode, error) {
	var n GraphNode
	err := eachField(b, func(f field) error {
		var err error
		switch f.num {
		case nodeName:
			n.Name, err = f.str("NodeDef.name")
		case nodeOp:
			n.Op, err = f.str("NodeDef.op")
		case nodeInput:
			var in string
			in, err = f.str("NodeDef.input")
			n.Inputs = append(n.Inputs, in)
		case nodeAttr:
			if err = f.want(protowire.BytesType, "NodeDef.attr"); err == nil {
				err = decodeAttr(f.b, &n)
			}
		}
		return err
	})
	return n, err
}

// decodeAttr parses one attr map entry into n.
func decodeAttr(b []byte, n *GraphNode) error {
	var key string
	var val []byte
	err := eachField(b, func(f field) error {
		var err error
		switch f.num {
		case attrEntryKey:
			key, err = f.str("attr key")
		case attrEntryVal:
			err = f.want(protowire.BytesType, "attr value")
			val = f.b
		}
		return err
	})
	if err != nil {
		return err
	}
	return eachField(val, func(f field) error {
		switch {
		case key == "_output_shapes" && f.num == attrList:
			n.OutputShapes = [][]int64{}
			return eachField(f.b, func(l field) error {
				if l.num != listShape {
					return nil
				}
				s, err := decodeShape(l.b)
				n.OutputShapes = append(n.OutputShapes, s)
				return err
			})
		case key == "dtype" && f.num == attrType:
			n.DType = kerasDTypeNames[f.x]
			return nil
		}
		if n.Attrs == nil {
			n.Attrs = map[string]any{}
		}
		switch f.num {
		case attrS:
			n.Attrs[key] = string(f.b)
		case attrI:
			n.Attrs[key] = int64(f.x)
		case attrF:
			n.Attrs[key] = float64(math.Float32frombits(uint32(f.x)))
		case attrB:
			n.Attrs[key] = f.x != 0
		}
		return nil
	})
}

// decodeShape parses a TensorShapeProto's dims.
func decodeShape(b []byte) ([]int64, error) {
	dims := []int64{}
	err := eachField(b, func(f field) error {
		if f.num != shapeDim {
			return nil
		}
		var size int64
		err := eachField(f.b, func(d field) error {
			if d.num == dimSize {
				size = int64(d.x)
			}
			return nil
		})
		dims = append(dims, size)
		return err
	})
	return dims, err
}
