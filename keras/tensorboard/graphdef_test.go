package tensorboard

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// The bytes of a small GraphDef, worked out by hand from graph.proto and node_def.proto:
// node (field 1) {name (1) "x", op (2) "InputLayer"}, node {name "d", op "Dense", input (3)
// "x"}.
func TestEncodeGraphDefBytes(t *testing.T) {
	got, err := EncodeGraphDef([]GraphNode{{Name: "x", Op: "InputLayer"}, {Name: "d", Op: "Dense", Inputs: []string{"x"}}})
	if err != nil {
		t.Fatal(err)
	}
	want := []byte{
		0x0a, 0x0f, 0x0a, 0x01, 'x', 0x12, 0x0a, 'I', 'n', 'p', 'u', 't', 'L', 'a', 'y', 'e', 'r',
		0x0a, 0x0d, 0x0a, 0x01, 'd', 0x12, 0x05, 'D', 'e', 'n', 's', 'e', 0x1a, 0x01, 'x',
	}
	if !bytes.Equal(got, want) {
		t.Errorf("EncodeGraphDef = % x\nwant            % x", got, want)
	}
	// The dtype attr: entry (5) {key (1) "dtype", value (2) {type (6) DT_INT32 = 3}}.
	got, err = EncodeGraphDef([]GraphNode{{Name: "i", DType: "int32"}})
	if err != nil {
		t.Fatal(err)
	}
	want = []byte{0x0a, 0x10, 0x0a, 0x01, 'i', 0x2a, 0x0b, 0x0a, 0x05, 'd', 't', 'y', 'p', 'e', 0x12, 0x02, 0x30, 0x03}
	if !bytes.Equal(got, want) {
		t.Errorf("EncodeGraphDef(dtype) = % x\nwant                   % x", got, want)
	}
}

// What OpGraph writes, the reader and DecodeGraphDef give back, unknown dimensions,
// multi-output inputs and every attr type included.
func TestOpGraphRoundTrip(t *testing.T) {
	nodes := []GraphNode{
		{Name: "text", Op: "InputLayer", DType: "int32", OutputShapes: [][]int64{{-1, -1}}},
		{Name: "lstm", Op: "LSTM", Inputs: []string{"text"}, DType: "float32", OutputShapes: [][]int64{{-1, 8}, {-1, 8}, {-1, 8}},
			Attrs: map[string]any{"units": int64(8), "activation": "tanh", "return_state": true, "dropout": 0.25}},
		{Name: "encoder/dense", Op: "Dense", Inputs: []string{"lstm:1", "lstm:2"}, DType: "float64", OutputShapes: [][]int64{{-1, 2}}},
	}
	w := mustWriter(t)
	if err := w.Scalar("loss", 0, 1); err != nil {
		t.Fatal(err)
	}
	if err := w.OpGraph(nodes); err != nil {
		t.Fatal(err)
	}
	if err := w.OpGraph(nodes); !errors.Is(err, ErrStepOrder) {
		t.Errorf("second OpGraph: %v, want ErrStepOrder", err)
	}
	evs := mustRead(t, w)
	var graphs [][]byte
	for _, ev := range evs {
		if ev.Kind == KindGraphDef {
			if ev.Tag != RunGraphTag || ev.Step != 0 {
				t.Errorf("graph event tag %q step %d, want %q at 0", ev.Tag, ev.Step, RunGraphTag)
			}
			graphs = append(graphs, ev.GraphDef)
		}
	}
	if len(graphs) != 1 {
		t.Fatalf("%d graph events, want 1", len(graphs))
	}
	got, err := DecodeGraphDef(graphs[0])
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, nodes) {
		t.Errorf("decoded\n%+v\nwant\n%+v", got, nodes)
	}
}

func TestOpGraphErrors(t *testing.T) {
	cases := []struct {
		name  string
		nodes []GraphNode
		msg   string
	}{
		{"no name", []GraphNode{{Op: "Dense"}}, "node 0 (Dense) has no name"},
		{"twice", []GraphNode{{Name: "a"}, {Name: "a"}}, `node "a" appears twice`},
		{"colon", []GraphNode{{Name: "a:1"}}, `node "a:1": a node name may not contain ':'`},
		{"dangling input", []GraphNode{{Name: "a", Inputs: []string{"b:1"}}}, `node "a": input "b:1" names no node`},
		{"dtype", []GraphNode{{Name: "a", DType: "float16"}}, `node "a": dtype "float16" is not a Keras dtype`},
		{"attr type", []GraphNode{{Name: "a", Attrs: map[string]any{"kernel_size": []int{3}}}}, `node "a": attr "kernel_size": a []int cannot be an attr`},
		{"reserved attr", []GraphNode{{Name: "a", Attrs: map[string]any{"dtype": "float32"}}}, `attr "dtype": empty, not UTF-8, or set by the DType`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			w := mustWriter(t)
			err := w.OpGraph(c.nodes)
			if !errors.Is(err, ErrValue) || !strings.Contains(err.Error(), c.msg) || !strings.Contains(err.Error(), RunGraphTag) {
				t.Fatalf("OpGraph: %v, want ErrValue with %q", err, c.msg)
			}
			// Nothing was written: a good graph still goes in.
			if err := w.OpGraph([]GraphNode{{Name: "ok"}}); err != nil {
				t.Fatalf("OpGraph after a rejected graph: %v", err)
			}
		})
	}
	if _, err := DecodeGraphDef([]byte{0x0a, 0x05, 0x0a}); !errors.Is(err, ErrCorrupt) {
		t.Errorf("DecodeGraphDef(truncated) = %v, want ErrCorrupt", err)
	}
}
