package hdf5

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras/internal/testenv"
)

// requirePython returns the python3 interpreter if it can import h5py. It
// skips the test otherwise, or fails it when KERAGO_REQUIRE_PYTHON=1.
func requirePython(t *testing.T) string {
	t.Helper()
	return testenv.Python(t, "h5py", "numpy")
}

// h5pyDump runs testdata/h5dump.py on path and decodes its JSON.
func h5pyDump(t *testing.T, py, path string) map[string]any {
	t.Helper()
	out := testenv.PythonOutput(t, py, filepath.Join("testdata", "h5dump.py"), path)
	return decodeDump(t, out)
}

func decodeDump(t *testing.T, b []byte) map[string]any {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v map[string]any
	if err := dec.Decode(&v); err != nil {
		t.Fatalf("decoding h5py dump: %v", err)
	}
	return v
}

// dumpDType names a DType the way h5dump.py names numpy dtypes.
func dumpDType(d DType) string {
	order := "<"
	if d.BigEndian {
		order = ">"
	}
	if d.Size == 1 {
		order = "|"
	}
	enc := "ascii"
	if d.UTF8 {
		enc = "utf-8"
	}
	switch d.Class {
	case Int:
		return fmt.Sprintf("%si%d", order, d.Size)
	case Uint:
		return fmt.Sprintf("%su%d", order, d.Size)
	case Float:
		return fmt.Sprintf("%sf%d", order, d.Size)
	case String:
		return fmt.Sprintf("str:%s:%d", enc, d.Size)
	case VarString:
		return "str:" + enc + ":vlen"
	}
	return "unsupported"
}

// comparer accumulates differences between a Go tree and an h5py dump.
type comparer struct {
	t *testing.T
	// byName compares members and attributes sorted by name, for trees
	// built by the writer (whose insertion order the file does not keep).
	byName bool
	errs   int
}

func (c *comparer) errorf(path, format string, args ...any) {
	c.t.Helper()
	c.errs++
	if c.errs <= 30 {
		c.t.Errorf("%s: %s", path, fmt.Sprintf(format, args...))
	}
}

func (c *comparer) group(path string, g *Group, want map[string]any) {
	if want["kind"] != "group" {
		c.errorf(path, "Go has a group, h5py a %v", want["kind"])
		return
	}
	c.attrs(path, g.Attrs(), want["attrs"].([]any))
	wantMembers := want["members"].([]any)
	members := append([]member(nil), g.members...)
	if c.byName {
		sort.Slice(members, func(i, j int) bool { return members[i].name < members[j].name })
	}
	var gotNames, wantNames []string
	for _, m := range members {
		gotNames = append(gotNames, m.name)
	}
	for _, w := range wantMembers {
		wantNames = append(wantNames, w.([]any)[0].(string))
	}
	if !reflect.DeepEqual(gotNames, wantNames) {
		c.errorf(path, "members\n got %q\nwant %q", gotNames, wantNames)
		return
	}
	for i, w := range wantMembers {
		wm := w.([]any)[1].(map[string]any)
		m := members[i]
		p := strings.TrimSuffix(path, "/") + "/" + m.name
		if m.group != nil {
			c.group(p, m.group, wm)
		} else {
			c.dataset(p, m.dataset, wm)
		}
	}
}

func (c *comparer) dataset(path string, d *Dataset, want map[string]any) {
	if want["kind"] != "dataset" {
		c.errorf(path, "Go has a dataset, h5py a %v", want["kind"])
		return
	}
	c.attrs(path, d.Attrs(), want["attrs"].([]any))
	if strings.HasPrefix(d.Name(), "unsupported_") {
		if _, err := d.Value(); !errors.Is(err, ErrUnsupported) {
			c.errorf(path, "want ErrUnsupported, got %v", err)
		}
		return
	}
	if got := dumpDType(d.DType); got != want["dtype"] {
		c.errorf(path, "dtype %s, h5py %v", got, want["dtype"])
	}
	c.shape(path, d.Shape, want["shape"])
	v, err := d.Value()
	if err != nil {
		c.errorf(path, "value: %v", err)
		return
	}
	c.values(path, v, want["value"])
}

func (c *comparer) shape(path string, got []int, want any) {
	var w []int
	if want != nil {
		for _, x := range want.([]any) {
			n, _ := x.(json.Number).Int64()
			w = append(w, int(n))
		}
	}
	if len(got) != len(w) || (len(got) > 0 && !reflect.DeepEqual(got, w)) {
		c.errorf(path, "shape %v, h5py %v", got, w)
	}
}

func (c *comparer) attrs(path string, got []*Attribute, want []any) {
	if c.byName {
		got = append([]*Attribute(nil), got...)
		sort.Slice(got, func(i, j int) bool { return got[i].Name < got[j].Name })
	}
	var gotNames, wantNames []string
	for _, a := range got {
		gotNames = append(gotNames, a.Name)
	}
	for _, w := range want {
		wantNames = append(wantNames, w.([]any)[0].(string))
	}
	if !reflect.DeepEqual(gotNames, wantNames) {
		c.errorf(path, "attributes\n got %q\nwant %q", gotNames, wantNames)
		return
	}
	for i, w := range want {
		wa := w.([]any)[1].(map[string]any)
		a := got[i]
		p := path + "@" + a.Name
		if g := dumpDType(a.DType); g != wa["dtype"] {
			c.errorf(p, "dtype %s, h5py %v", g, wa["dtype"])
		}
		if wa["shape"] == nil {
			if a.Shape != nil {
				c.errorf(p, "shape %v, h5py scalar", a.Shape)
			}
			if wa["value"] == nil {
				if a.Value != nil {
					c.errorf(p, "value %v, h5py has none", a.Value)
				}
				continue
			}
			c.values(p, []any{a.Value}, []any{wa["value"]})
			continue
		}
		c.shape(p, a.Shape, wa["shape"])
		c.values(p, a.Value, wa["value"])
	}
}

// values compares a Go slice with h5py's flat list of values.
func (c *comparer) values(path string, got any, want any) {
	wl, _ := want.([]any)
	rv := reflect.ValueOf(got)
	if rv.Kind() != reflect.Slice {
		c.errorf(path, "value %T is not a slice", got)
		return
	}
	if rv.Len() != len(wl) {
		c.errorf(path, "%d values, h5py %d", rv.Len(), len(wl))
		return
	}
	for i := range wl {
		if !sameValue(rv.Index(i).Interface(), wl[i]) {
			c.errorf(path, "value[%d] = %v, h5py %v", i, rv.Index(i).Interface(), wl[i])
			return
		}
	}
}

func sameValue(got, want any) bool {
	switch g := got.(type) {
	case string:
		return want == g
	case FixedString:
		return want == string(g)
	case float32:
		return sameFloat(float64(g), want)
	case float64:
		return sameFloat(g, want)
	}
	n, ok := want.(json.Number)
	if !ok {
		return false
	}
	return fmt.Sprint(got) == n.String()
}

func sameFloat(g float64, want any) bool {
	s, ok := want.(string)
	if !ok {
		return false
	}
	w, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return false
	}
	if math.IsNaN(w) {
		return math.IsNaN(g)
	}
	return g == w && math.Signbit(g) == math.Signbit(w)
}

// compareWithH5py checks that g matches the h5py dump want.
func compareWithH5py(t *testing.T, g *Group, want map[string]any, byName bool) {
	t.Helper()
	c := &comparer{t: t, byName: byName}
	c.group("/", g, want)
}
