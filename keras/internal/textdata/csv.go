package textdata

import (
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
)

// Email is one message of the SpamAssassin public corpus.
type Email struct {
	Label   int    // 0 ham, 1 spam
	Group   string // easy-ham-1, easy-ham-2, hard-ham-1, spam-1 or spam-2
	ID      string // the message's number within its group, e.g. "00001"
	Subject string
	Body    string
}

// Penguin is one bird of the Palmer penguins data set.
type Penguin struct {
	Species       string // Adelie, Chinstrap or Gentoo
	Island        string // Biscoe, Dream or Torgersen
	BillLength    float64
	BillDepth     float64
	FlipperLength float64
	BodyMass      float64 // grams
	Sex           string  // male or female
	Year          int
}

// ReadSpamAssassin reads spamassassin.csv (columns label, group, id, subject, body).
func ReadSpamAssassin(path string) ([]Email, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("textdata: %w", err)
	}
	defer f.Close()
	return ParseSpamAssassin(f, path)
}

// ParseSpamAssassin reads e-mails in the format of spamassassin.csv from r; name is used in
// errors.
func ParseSpamAssassin(r io.Reader, name string) ([]Email, error) {
	var out []Email
	err := readCSV(r, name, []string{"label", "group", "id", "subject", "body"}, func(line int, rec []string) error {
		label, err := strconv.Atoi(rec[0])
		if err != nil || (label != 0 && label != 1) {
			return fmt.Errorf("label %q is not 0 or 1", rec[0])
		}
		out = append(out, Email{Label: label, Group: rec[1], ID: rec[2], Subject: rec[3], Body: rec[4]})
		return nil
	})
	return out, err
}

// ReadPenguins reads penguins_complete.csv (columns species, island, bill_length_mm,
// bill_depth_mm, flipper_length_mm, body_mass_g, sex, year). Rows with a missing value ("NA")
// are an error: use the complete file.
func ReadPenguins(path string) ([]Penguin, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("textdata: %w", err)
	}
	defer f.Close()
	return ParsePenguins(f, path)
}

// ParsePenguins reads penguins in the format of penguins_complete.csv from r; name is used in
// errors.
func ParsePenguins(r io.Reader, name string) ([]Penguin, error) {
	header := []string{"species", "island", "bill_length_mm", "bill_depth_mm", "flipper_length_mm", "body_mass_g", "sex", "year"}
	var out []Penguin
	err := readCSV(r, name, header, func(line int, rec []string) error {
		var nums [4]float64
		for i := range nums {
			v, err := strconv.ParseFloat(rec[2+i], 64)
			if err != nil {
				return fmt.Errorf("column %s: %q is not a number", header[2+i], rec[2+i])
			}
			nums[i] = v
		}
		year, err := strconv.Atoi(rec[7])
		if err != nil {
			return fmt.Errorf("column year: %q is not an integer", rec[7])
		}
		if rec[6] != "male" && rec[6] != "female" {
			return fmt.Errorf("column sex: %q is not male or female", rec[6])
		}
		out = append(out, Penguin{Species: rec[0], Island: rec[1], BillLength: nums[0], BillDepth: nums[1],
			FlipperLength: nums[2], BodyMass: nums[3], Sex: rec[6], Year: year})
		return nil
	})
	return out, err
}

// readCSV checks the header and calls row for every record, with its line number.
func readCSV(r io.Reader, name string, header []string, row func(line int, rec []string) error) error {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = len(header)
	got, err := cr.Read()
	if err != nil {
		return fmt.Errorf("textdata: %s: reading the header: %w", name, err)
	}
	if !slices.Equal(got, header) {
		return fmt.Errorf("textdata: %s: header is %v, expected %v", name, got, header)
	}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("textdata: %s: %w", name, err)
		}
		line, _ := cr.FieldPos(0)
		if err := row(line, rec); err != nil {
			return fmt.Errorf("textdata: %s line %d: %w", name, line, err)
		}
	}
}
