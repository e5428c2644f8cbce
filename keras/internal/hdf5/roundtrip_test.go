package hdf5

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// must returns v, panicking (and so failing the test) on an error.
func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func setAttrs(t *testing.T, s interface{ SetAttr(string, any) error }, kv ...any) {
	t.Helper()
	for i := 0; i < len(kv); i += 2 {
		if err := s.SetAttr(kv[i].(string), kv[i+1]); err != nil {
			t.Fatal(err)
		}
	}
}

func seq32(n int, scale float32) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(i)*scale - 1
	}
	return out
}

// testTrees returns the trees the writer tests encode.
func testTrees() map[string]func(t *testing.T) *File {
	return map[string]func(t *testing.T) *File{
		"keras3_weights": func(t *testing.T) *File {
			f := NewFile()
			add := func(path string, shape []int, data any) {
				must(f.Root.CreateDataset(path, shape, data))
			}
			add("layers/dense/vars/0", []int{8, 16}, seq32(128, 0.01))
			add("layers/dense/vars/1", []int{16}, make([]float32, 16))
			add("layers/lstm/cell/vars/0", []int{8, 20}, seq32(160, 0.5))
			add("layers/lstm/cell/vars/1", []int{5, 20}, seq32(100, -0.25))
			add("layers/lstm/cell/vars/2", []int{20}, seq32(20, 3))
			add("optimizer/vars/0", nil, []int64{42})
			add("optimizer/vars/1", []int{}, []float32{0.001})
			must(f.Root.CreateGroup("vars"))
			for _, p := range []string{"layers/dense/vars", "layers/lstm/cell/vars", "optimizer/vars"} {
				g, _ := f.Root.Group(p)
				setAttrs(t, g, "name", strings.Split(p, "/")[1])
			}
			return f
		},
		"keras_legacy": func(t *testing.T) *File {
			f := NewFile()
			var layers []string
			for i := 0; i < 500; i++ {
				layers = append(layers, fmt.Sprintf(`{"class_name": "Dense", "config": {"name": "dense_%d", "units": %d}}`, i, i))
			}
			setAttrs(t, f.Root,
				"model_config", `{"class_name": "Sequential", "config": {"layers": [`+strings.Join(layers, ", ")+`]}}`,
				"keras_version", FixedString("2.13.1"),
				"backend", FixedString("tensorflow"),
				"training_config", `{"loss": "mse"}`)
			mw := must(f.Root.CreateGroup("model_weights"))
			setAttrs(t, mw, "layer_names", FixedStrings{"input_1", "dense", "dense_1"},
				"backend", FixedString("tensorflow"), "keras_version", FixedString("2.13.1"))
			in := must(mw.CreateGroup("input_1"))
			setAttrs(t, in, "weight_names", []float64{})
			for i, name := range []string{"dense", "dense_1"} {
				g := must(mw.CreateGroup(name))
				setAttrs(t, g, "weight_names", FixedStrings{name + "/kernel:0", name + "/bias:0"})
				must(g.CreateDataset(name+"/kernel:0", []int{4, 3 + i}, seq32(4*(3+i), 0.1)))
				must(g.CreateDataset(name+"/bias:0", []int{3 + i}, seq32(3+i, 1)))
			}
			ow := must(f.Root.CreateGroup("optimizer_weights"))
			setAttrs(t, ow, "weight_names", FixedStrings{"Adam/iter:0"}, "empty", FixedStrings{})
			must(ow.CreateDataset("Adam/iter:0", nil, []int64{10}))
			return f
		},
		"types": func(t *testing.T) *File {
			f := NewFile()
			g := f.Root
			must(g.CreateDataset("f32", []int{2, 3}, []float32{1, -2, 3.5, float32(math.Inf(1)), float32(math.NaN()), math.SmallestNonzeroFloat32}))
			must(g.CreateDataset("f64", []int{2}, []float64{math.Pi, -math.MaxFloat64}))
			must(g.CreateDataset("i8", []int{3}, []int8{-128, 0, 127}))
			must(g.CreateDataset("i16", []int{1}, []int16{-32768}))
			must(g.CreateDataset("i32", []int{2, 1, 2}, []int32{1, 2, 3, math.MinInt32}))
			must(g.CreateDataset("i64", []int{2}, []int64{math.MinInt64, math.MaxInt64}))
			must(g.CreateDataset("u8", []int{2}, []uint8{0, 255}))
			must(g.CreateDataset("u16", []int{1}, []uint16{65535}))
			must(g.CreateDataset("u32", []int{1}, []uint32{math.MaxUint32}))
			must(g.CreateDataset("u64", []int{1}, []uint64{math.MaxUint64}))
			must(g.CreateDataset("scalar", nil, []float64{2.5}))
			must(g.CreateDataset("empty", []int{0, 3}, []float32{}))
			d := must(g.CreateDataset("with_attrs", []int{1}, []float32{1}))
			setAttrs(t, d, "s", "x", "n", 3)
			setAttrs(t, g,
				"str", "hello", "empty_str", "", "unicode", "h\u00e9llo \u2603",
				"strs", []string{"a", "", "ccc"}, "no_strs", []string{},
				"fixed", FixedString("abc"), "fixed_empty", FixedString(""),
				"fixeds", FixedStrings{"x", "yy", ""},
				"int", 7, "int64", int64(-1<<40), "int32", int32(-5), "uint8", uint8(200), "uint64", uint64(math.MaxUint64),
				"float32", float32(0.1), "float64", 0.1,
				"ints", []int{1, 2, 3}, "int64s", []int64{-1}, "int32s", []int32{4, 5}, "uint8s", []uint8{1, 2},
				"uint64s", []uint64{1 << 63}, "float32s", []float32{0.5, -0.25}, "float64s", []float64{math.Inf(-1), 1e300},
				"empty_float64s", []float64{}, "long_str", strings.Repeat("long ", 2000))
			must(g.CreateGroup("nested/a/b/c"))
			return f
		},
		"many_members": func(t *testing.T) *File {
			f := NewFile()
			// 9000 members need three B-tree levels (32 children of 8 entries each per level).
			g := must(f.Root.CreateGroup("many"))
			for i := 0; i < 9000; i++ {
				must(g.CreateDataset(fmt.Sprintf("m%05d", (i*7919)%9000), nil, []int32{int32(i)}))
			}
			for i := 0; i < 40; i++ {
				must(f.Root.CreateGroup(fmt.Sprintf("g%02d", 39-i)))
			}
			var many []string
			for i := 0; i < 700; i++ {
				many = append(many, strings.Repeat("s", i%50))
			}
			setAttrs(t, g, "strings", many)
			return f
		},
		"empty": func(t *testing.T) *File { return NewFile() },
	}
}

// sortedTree returns a deep copy of g with members and attributes sorted by
// name, the order a symbol-table group has in the file.
func sortedTree(g *Group) *Group {
	out := newGroup(g.name)
	out.attrs = sortedAttrs(g.attrs)
	ms := append([]member(nil), g.members...)
	sort.Slice(ms, func(i, j int) bool { return ms[i].name < ms[j].name })
	for _, m := range ms {
		if m.group != nil {
			out.add(member{name: m.name, group: sortedTree(m.group)})
			continue
		}
		d := *m.dataset
		d.attrs = sortedAttrs(d.attrs)
		out.add(member{name: m.name, dataset: &d})
	}
	return out
}

func sortedAttrs(as []*Attribute) []*Attribute {
	out := append([]*Attribute(nil), as...)
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// sameTree compares two trees, treating NaNs as equal and nil and empty
// shapes alike.
func sameTree(t *testing.T, path string, got, want *Group) {
	t.Helper()
	if !reflect.DeepEqual(got.Keys(), want.Keys()) {
		t.Fatalf("%s: members %q, want %q", path, got.Keys(), want.Keys())
	}
	sameAttrs(t, path, got.attrs, want.attrs)
	for i, m := range want.members {
		g := got.members[i]
		p := path + "/" + m.name
		switch {
		case m.group != nil && g.group != nil:
			sameTree(t, p, g.group, m.group)
		case m.dataset != nil && g.dataset != nil:
			if !reflect.DeepEqual(g.dataset.DType, m.dataset.DType) || len(g.dataset.Shape) != len(m.dataset.Shape) ||
				(len(m.dataset.Shape) > 0 && !reflect.DeepEqual(g.dataset.Shape, m.dataset.Shape)) {
				t.Errorf("%s: %v %v, want %v %v", p, g.dataset.DType, g.dataset.Shape, m.dataset.DType, m.dataset.Shape)
			}
			gv, err := g.dataset.Value()
			if err != nil {
				t.Errorf("%s: %v", p, err)
			}
			if fmt.Sprint(gv) != fmt.Sprint(m.dataset.data) {
				t.Errorf("%s: values %v, want %v", p, gv, m.dataset.data)
			}
			sameAttrs(t, p, g.dataset.attrs, m.dataset.attrs)
		default:
			t.Errorf("%s: kinds differ", p)
		}
	}
}

func sameAttrs(t *testing.T, path string, got, want []*Attribute) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("%s: %d attributes, want %d", path, len(got), len(want))
		return
	}
	for i, w := range want {
		g := got[i]
		if g.Name != w.Name || g.DType != w.DType || fmt.Sprint(g.Shape) != fmt.Sprint(w.Shape) ||
			fmt.Sprintf("%T %v", g.Value, g.Value) != fmt.Sprintf("%T %v", w.Value, w.Value) {
			t.Errorf("%s@%s: got %+v\nwant %+v", path, w.Name, *g, *w)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for name, build := range testTrees() {
		t.Run(name, func(t *testing.T) {
			f := build(t)
			b, err := f.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			got, err := Read(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			sameTree(t, "", got.Root, sortedTree(f.Root))
			// Writing what was read gives the same bytes.
			b2, err := got.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b, b2) {
				t.Errorf("re-encoding a read tree changed the file (%d -> %d bytes)", len(b), len(b2))
			}
		})
	}
}

func TestLookupAndConversions(t *testing.T) {
	f := NewFile()
	must(f.Root.CreateDataset("layers/dense/vars/0", []int{2, 2}, []float64{1, 2, 3, 4}))
	must(f.Root.CreateDataset("layers/dense/vars/1", []int{2}, []int32{5, 6}))
	b := must(f.Bytes())
	got := must(Read(bytes.NewReader(b), int64(len(b))))
	d, ok := got.Root.Dataset("layers/dense/vars/0")
	if !ok {
		t.Fatal("dataset not found by path")
	}
	if v := must(d.Float32s()); !reflect.DeepEqual(v, []float32{1, 2, 3, 4}) {
		t.Errorf("Float32s = %v", v)
	}
	vars, ok := got.Root.Group("layers/dense/vars")
	if !ok || len(vars.Datasets()) != 2 || vars.Name() != "vars" {
		t.Fatalf("group lookup: %v %v", ok, vars)
	}
	d1, _ := vars.Dataset("1")
	if v := must(d1.Float64s()); !reflect.DeepEqual(v, []float64{5, 6}) {
		t.Errorf("Float64s = %v", v)
	}
	if v := must(d1.Int64s()); !reflect.DeepEqual(v, []int64{5, 6}) {
		t.Errorf("Int64s = %v", v)
	}
	if _, err := d.Int64s(); err == nil {
		t.Error("Int64s of float data: no error")
	}
	if _, ok := got.Root.Dataset("layers/dense"); ok {
		t.Error("a group was returned as a dataset")
	}
	if _, ok := got.Root.Group("layers/nope"); ok {
		t.Error("missing group found")
	}
}

func TestAttrHelpers(t *testing.T) {
	g := NewFile().Root
	setAttrs(t, g, "a", "x", "b", FixedString("y"), "c", FixedStrings{"p", "q"}, "d", []string{"r"}, "e", []float64{}, "f", 1)
	for name, want := range map[string]string{"a": "x", "b": "y"} {
		if s, ok := g.AttrString(name); !ok || s != want {
			t.Errorf("AttrString(%q) = %q, %v", name, s, ok)
		}
	}
	for name, want := range map[string][]string{"c": {"p", "q"}, "d": {"r"}, "e": {}, "a": {"x"}} {
		if s, ok := g.AttrStrings(name); !ok || !reflect.DeepEqual(s, want) {
			t.Errorf("AttrStrings(%q) = %q, %v", name, s, ok)
		}
	}
	if _, ok := g.AttrStrings("f"); ok {
		t.Error("AttrStrings of an int succeeded")
	}
	setAttrs(t, g, "a", "replaced")
	if s, _ := g.AttrString("a"); s != "replaced" || len(g.Attrs()) != 6 {
		t.Errorf("SetAttr did not replace: %q, %d attrs", s, len(g.Attrs()))
	}
}

func TestBuildErrors(t *testing.T) {
	g := NewFile().Root
	must(g.CreateDataset("d", []int{1}, []float32{1}))
	must(g.CreateGroup("g"))
	cases := map[string]error{
		"empty name":      errOf(g.CreateGroup("")),
		"dot":             errOf(g.CreateGroup("a/./b")),
		"double slash":    errOf(g.CreateGroup("a//b")),
		"nul":             errOf(g.CreateGroup("a\x00b")),
		"duplicate":       errOf(g.CreateGroup("g")),
		"under a dataset": errOf(g.CreateGroup("d/x")),
		"bad shape":       errOf(g.CreateDataset("x", []int{2, 2}, []float32{1})),
		"negative shape":  errOf(g.CreateDataset("y", []int{-1}, []float32{})),
		"bad type":        errOf(g.CreateDataset("z", []int{1}, []string{"s"})),
		"bad attr type":   g.SetAttr("a", struct{}{}),
		"empty attr name": g.SetAttr("", 1),
		"nul in fixed":    g.SetAttr("a", FixedString("a\x00")),
	}
	for name, err := range cases {
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: got %v, want ErrInvalid", name, err)
		}
	}
	huge := NewFile()
	setAttrs(t, huge.Root, "big", FixedStrings{strings.Repeat("x", 70000)})
	if _, err := huge.Bytes(); !errors.Is(err, ErrInvalid) {
		t.Errorf("oversized attribute: got %v, want ErrInvalid", err)
	}
}

func errOf[T any](_ T, err error) error { return err }
