package datasets

import (
	"bytes"
	_ "embed"
	"fmt"
	"strconv"
)

//go:embed penguins.csv
var penguinsCSV []byte

// Penguin is one bird of the Palmer penguins data set.
type Penguin struct {
	Species       string  // Adelie, Chinstrap or Gentoo
	Island        string  // Biscoe, Dream or Torgersen
	BillLength    float64 // millimetres
	BillDepth     float64 // millimetres
	FlipperLength float64 // millimetres
	BodyMass      float64 // grams
	Sex           string  // male or female
	Year          int     // 2007, 2008 or 2009
}

// PenguinSpecies and PenguinIslands list the values of [Penguin.Species] and [Penguin.Island]
// in a fixed order, for one-hot encoding.
var (
	PenguinSpecies = []string{"Adelie", "Chinstrap", "Gentoo"}
	PenguinIslands = []string{"Biscoe", "Dream", "Torgersen"}
)

// Penguins returns the Palmer penguins (CC0; see LICENSE.penguins), the 333 birds measured in
// full, as a fixed split like Keras's load_data: a test set of 20% of each species (67 birds)
// and the other 266 for training, each in a shuffled order. The data is embedded in the
// module: no download, no file.
func Penguins() (train, test []Penguin, err error) {
	ps, err := ParsePenguins(penguinsCSV, "penguins.csv")
	if err != nil {
		return nil, nil, err
	}
	species := make([]string, len(ps))
	for i, p := range ps {
		species[i] = p.Species
	}
	trainIdx, testIdx := stratifiedSplit(species, 0.2, 1)
	return pickRows(ps, trainIdx), pickRows(ps, testIdx), nil
}

// ParsePenguins reads penguins in the CSV format of penguins_complete.csv (columns species,
// island, bill_length_mm, bill_depth_mm, flipper_length_mm, body_mass_g, sex, year), all rows,
// in file order; name is the file's name in errors. A missing value ("NA") is an error naming
// its line and column.
func ParsePenguins(data []byte, name string) ([]Penguin, error) {
	t, err := ParseCSV(bytes.NewReader(data), name)
	if err != nil {
		return nil, err
	}
	want := []string{"species", "island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex", "year"}
	if len(t.Header) != len(want) || fmt.Sprint(t.Header) != fmt.Sprint(want) {
		return nil, fmt.Errorf("datasets: %s: header is %v, expected %v", name, t.Header, want)
	}
	nums, err := t.Floats(want[2:6]...)
	if err != nil {
		return nil, err
	}
	v := nums.Data().([]float32)
	out := make([]Penguin, len(t.Rows))
	for r, rec := range t.Rows {
		year, err := strconv.Atoi(rec[7])
		if err != nil {
			return nil, fmt.Errorf("datasets: %s line %d column year: %q is not a year", name, t.Lines[r], rec[7])
		}
		if rec[6] != "male" && rec[6] != "female" {
			return nil, fmt.Errorf("datasets: %s line %d column sex: %q is not male or female", name, t.Lines[r], rec[6])
		}
		out[r] = Penguin{Species: rec[0], Island: rec[1],
			// Parsed as float32 by Floats; the float64 of its decimal text keeps 3.75 as 3.75.
			BillLength: round32(v[4*r]), BillDepth: round32(v[4*r+1]), FlipperLength: round32(v[4*r+2]), BodyMass: round32(v[4*r+3]),
			Sex: rec[6], Year: year}
	}
	return out, nil
}

// round32 widens a float32 parsed from a short decimal back to that decimal's float64.
func round32(f float32) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(float64(f), 'g', -1, 32), 64)
	return v
}

// pickRows returns the elements idx of s.
func pickRows[T any](s []T, idx []int) []T {
	out := make([]T, len(idx))
	for i, j := range idx {
		out[i] = s[j]
	}
	return out
}
