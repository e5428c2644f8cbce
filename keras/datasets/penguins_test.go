package datasets

import (
	"slices"
	"strings"
	"testing"
)

func TestPenguins(t *testing.T) {
	train, test, err := Penguins()
	if err != nil {
		t.Fatal(err)
	}
	if len(train) != 266 || len(test) != 67 {
		t.Fatalf("%d training and %d test penguins, want 266 and 67", len(train), len(test))
	}
	count := map[string]int{}
	for _, p := range test {
		count[p.Species]++
		if !slices.Contains(PenguinSpecies, p.Species) || !slices.Contains(PenguinIslands, p.Island) {
			t.Errorf("unknown species or island in %+v", p)
		}
	}
	// 20% of each species (146 Adelie, 68 Chinstrap, 119 Gentoo), rounded.
	if count["Adelie"] != 29 || count["Chinstrap"] != 14 || count["Gentoo"] != 24 {
		t.Errorf("test species %v, want 29 Adelie, 14 Chinstrap, 24 Gentoo", count)
	}
	// The first bird of the file, with its decimal values intact.
	first := Penguin{"Adelie", "Torgersen", 39.1, 18.7, 181, 3750, "male", 2007}
	if !slices.Contains(append(train, test...), first) {
		t.Errorf("the first penguin of the file %+v is missing", first)
	}
	again, _, err := Penguins()
	if err != nil || !slices.Equal(again, train) {
		t.Error("a second call gives another split")
	}
}

func TestParsePenguinsMissingValue(t *testing.T) {
	data := "species,island,bill_length_mm,bill_depth_mm,flipper_length_mm,body_mass_g,sex,year\n" +
		"Adelie,Torgersen,39.1,18.7,181,3750,male,2007\n" +
		"Adelie,Torgersen,NA,NA,NA,NA,NA,2007\n"
	_, err := ParsePenguins([]byte(data), "penguins.csv")
	if err == nil || !strings.Contains(err.Error(), "penguins.csv line 3 column bill_length_mm") {
		t.Errorf("error %v, want one naming line 3 and column bill_length_mm", err)
	}
}
