package textdata

import (
	"fmt"
	"io"
	"os"

	"github.com/kerago/kerago/keras/datasets"
)

// Email is one message of the SpamAssassin public corpus. It is package datasets' type, so
// the tests read the full corpus with the same parser that reads the embedded subset.
type Email = datasets.Email

// Penguin is one bird of the Palmer penguins data set (package datasets' type).
type Penguin = datasets.Penguin

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
	return datasets.ParseSpamAssassin(r, name)
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
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("textdata: %s: %w", name, err)
	}
	return datasets.ParsePenguins(data, name)
}
