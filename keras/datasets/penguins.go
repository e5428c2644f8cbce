package datasets

import (
	"bytes"
	_ "embed"
	"fmt"
	"slices"
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
	if !slices.Equal(t.Header, want) {
		return nil, fmt.Errorf("datasets: %s: header is %v, expected %v", name, t.Header, want)
	}
	out := make([]Penguin, len(t.Rows))
	for r, rec := range t.Rows {
		var v [4]float64 // bill length, bill depth, flipper length, body mass
		for i := range v {
			if v[i], err = strconv.ParseFloat(rec[2+i], 64); err != nil {
				return nil, fmt.Errorf("datasets: %s line %d column %s: %q is not a number", name, t.Lines[r], want[2+i], rec[2+i])
			}
		}
		year, err := strconv.Atoi(rec[7])
		if err != nil {
			return nil, fmt.Errorf("datasets: %s line %d column year: %q is not a year", name, t.Lines[r], rec[7])
		}
		if rec[6] != "male" && rec[6] != "female" {
			return nil, fmt.Errorf("datasets: %s line %d column sex: %q is not male or female", name, t.Lines[r], rec[6])
		}
		out[r] = Penguin{Species: rec[0], Island: rec[1], BillLength: v[0], BillDepth: v[1], FlipperLength: v[2], BodyMass: v[3],
			Sex: rec[6], Year: year}
	}
	return out, nil
}

// pickRows returns the elements idx of s.
func pickRows[T any](s []T, idx []int) []T {
	out := make([]T, len(idx))
	for i, j := range idx {
		out[i] = s[j]
	}
	return out
}
