package datasets_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"

	"github.com/kerago/kerago/keras/datasets"
)

// SpamAssassin returns a fixed (train, test) split of the embedded e-mails; set KERAGO_DATA
// (or pass FromDir) to use the full corpus instead.
func ExampleSpamAssassin() {
	os.Unsetenv(datasets.DataDirEnv) // the embedded subset, as on a fresh clone
	train, test, err := datasets.SpamAssassin()
	if err != nil {
		log.Fatal(err)
	}
	spam := 0
	for _, e := range test {
		spam += e.Label
	}
	fmt.Printf("%d training e-mails, %d test e-mails, %d of them spam\n", len(train), len(test), spam)
	// Output: 3200 training e-mails, 800 test e-mails, 251 of them spam
}

// Penguins returns a fixed (train, test) split of the 333 complete Palmer penguins.
func ExamplePenguins() {
	train, test, err := datasets.Penguins()
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(len(train), len(test), datasets.PenguinSpecies)
	// Output: 266 67 [Adelie Chinstrap Gentoo]
}

// ReadCSV reads any CSV with a header; Floats and Classes turn its columns into tensors, and
// a ragged row is an error naming the file and line.
func ExampleReadCSV() {
	dir, err := os.MkdirTemp("", "csv")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "flowers.csv")
	data := "petal_length,petal_width,species\n1.4,0.2,setosa\n4.7,1.4,versicolor\n"
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		log.Fatal(err)
	}
	table, err := datasets.ReadCSV(path)
	if err != nil {
		log.Fatal(err)
	}
	x, err := table.Floats("petal_length", "petal_width")
	if err != nil {
		log.Fatal(err)
	}
	y, names, err := table.Classes("species")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(x.Shape(), y.Data(), names)

	if err := os.WriteFile(path, []byte(data+"5.1,setosa\n"), 0o644); err != nil {
		log.Fatal(err)
	}
	_, err = datasets.ReadCSV(path)
	fmt.Println(strings.TrimPrefix(err.Error(), "datasets: "+dir+string(filepath.Separator)))
	// Output:
	// (2, 2) [0 1] [setosa versicolor]
	// flowers.csv line 4: 2 columns, expected 3 as in the header [petal_length petal_width species]
}
