package datasets

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestReadCSV(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.csv", "a,b,kind\n1,2.5,x\n3,4,y\n5,6,x\n")
	tab, err := ReadCSV(good)
	if err != nil {
		t.Fatal(err)
	}
	x, err := tab.Floats("b", "a")
	if err != nil {
		t.Fatal(err)
	}
	if got := x.Data().([]float32); !x.Shape().Eq([]int{3, 2}) || got[0] != 2.5 || got[1] != 1 || got[5] != 5 {
		t.Errorf("Floats(b, a) = %v %v", x.Shape(), got)
	}
	ids, names, err := tab.Classes("kind")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(names, " ") != "x y" || ids.Data().([]int)[1] != 1 {
		t.Errorf("Classes = %v %v", ids.Data(), names)
	}

	tests := []struct {
		name, file string
		read       func(*Table) error
		want       []string // parts of the error message
	}{
		{"ragged row", write("ragged.csv", "a,b,c\n1,2,3\n4,5\n"), nil,
			[]string{"ragged.csv line 3", "2 columns, expected 3"}},
		{"long row", write("long.csv", "a,b\n1,2\n3,4\n5,6,7\n"), nil,
			[]string{"long.csv line 4", "3 columns, expected 2"}},
		{"empty file", write("empty.csv", ""), nil, []string{"empty.csv", "expected a header"}},
		{"not a number", write("na.csv", "a,b\n1,2\nNA,4\n"), func(t *Table) error { _, err := t.Floats("a", "b"); return err },
			[]string{"na.csv line 3 column a", `"NA" is not a number`}},
		{"unknown column", good, func(t *Table) error { _, _, err := t.Classes("nope"); return err },
			[]string{"good.csv", `no column "nope"`}},
		{"missing file", filepath.Join(dir, "none.csv"), nil, []string{"none.csv"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := ReadCSV(tt.file)
			if err == nil && tt.read != nil {
				err = tt.read(tab)
			}
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q lacks %q", err, w)
				}
			}
		})
	}
}
