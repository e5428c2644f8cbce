package datasets

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
)

//go:generate go run ./internal/gen -src ${KERAGO_DATA}/spamassassin/spamassassin.csv -out spamassassin.csv.gz

//go:embed spamassassin.csv.gz
var spamAssassinGz []byte

// DataDirEnv names the environment variable that points the loaders at full data sets on
// disk: a directory holding spamassassin/spamassassin.csv (or data/spamassassin/...). When it
// is set, [SpamAssassin] reads the full corpus from there instead of the embedded subset;
// [FromDir] does the same for one call.
const DataDirEnv = "KERAGO_DATA"

// Email is one message of the SpamAssassin public corpus.
type Email struct {
	Label   int    // 0 ham, 1 spam
	Group   string // easy-ham-1, easy-ham-2, hard-ham-1 (ham), spam-1 or spam-2 (spam)
	ID      string // the message's number within its group, e.g. "00001"
	Subject string
	Body    string // the text after the headers; in the embedded subset, its first 1,500 bytes
}

// Option configures a loader such as [SpamAssassin].
type Option func(*loadOptions)

type loadOptions struct {
	dir    string
	hasDir bool
}

// FromDir makes the loader read the full data set from dir (a directory holding
// spamassassin/spamassassin.csv, or data/spamassassin/spamassassin.csv) instead of the
// embedded subset. An empty dir means the embedded subset, whatever $KERAGO_DATA says. Without
// this option the loader uses $KERAGO_DATA when it is set.
func FromDir(dir string) Option {
	return func(o *loadOptions) { o.dir, o.hasDir = dir, true }
}

// SpamAssassin returns e-mails of the Apache SpamAssassin public corpus (PDDL-1.0 / CC0; see
// LICENSE.spamassassin) as a fixed split like Keras's load_data: 20% of each group for testing,
// the rest for training, each in a shuffled order.
//
// By default it returns the subset embedded in the module: 4,000 of the 6,046 e-mails (3,200
// training, 800 test; 31% spam), every group in its full-corpus proportion, bodies cut to
// their first 1,500 bytes (see SOURCE.txt). With [FromDir] or $KERAGO_DATA it reads the full
// corpus, bodies whole, and splits it the same way.
func SpamAssassin(opts ...Option) (train, test []Email, err error) {
	o := loadOptions{dir: os.Getenv(DataDirEnv)}
	for _, opt := range opts {
		opt(&o)
	}
	var emails []Email
	if o.dir == "" {
		zr, err := gzip.NewReader(bytes.NewReader(spamAssassinGz))
		if err != nil {
			return nil, nil, fmt.Errorf("datasets: embedded spamassassin.csv.gz: %w", err)
		}
		if emails, err = ParseSpamAssassin(zr, "spamassassin.csv.gz"); err != nil {
			return nil, nil, err
		}
	} else {
		path, err := locate(o.dir, "spamassassin", "spamassassin.csv")
		if err != nil {
			return nil, nil, err
		}
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, fmt.Errorf("datasets: %w", err)
		}
		defer f.Close()
		if emails, err = ParseSpamAssassin(f, path); err != nil {
			return nil, nil, err
		}
	}
	groups := make([]string, len(emails))
	for i, e := range emails {
		groups[i] = e.Group
	}
	trainIdx, testIdx := stratifiedSplit(groups, 0.2, 1)
	return pickRows(emails, trainIdx), pickRows(emails, testIdx), nil
}

// ParseSpamAssassin reads e-mails in the CSV format of spamassassin.csv (columns label, group,
// id, subject, body) from r, all rows in file order; name is the file's name in errors.
func ParseSpamAssassin(r io.Reader, name string) ([]Email, error) {
	t, err := ParseCSV(r, name)
	if err != nil {
		return nil, err
	}
	want := []string{"label", "group", "id", "subject", "body"}
	if !slices.Equal(t.Header, want) {
		return nil, fmt.Errorf("datasets: %s: header is %v, expected %v", name, t.Header, want)
	}
	out := make([]Email, len(t.Rows))
	for i, rec := range t.Rows {
		label, err := strconv.Atoi(rec[0])
		if err != nil || (label != 0 && label != 1) {
			return nil, fmt.Errorf("datasets: %s line %d column label: %q is not 0 or 1", name, t.Lines[i], rec[0])
		}
		out[i] = Email{Label: label, Group: rec[1], ID: rec[2], Subject: rec[3], Body: rec[4]}
	}
	return out, nil
}

// locate returns the path of set/file under dir, or under dir/data (so both a data folder and
// the directory holding it work); the error names the paths it tried and wraps
// os.ErrNotExist.
func locate(dir, set, file string) (string, error) {
	tried := []string{filepath.Join(dir, set, file), filepath.Join(dir, "data", set, file)}
	for _, p := range tried {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p, nil
		}
	}
	return "", fmt.Errorf("datasets: no %s under %s: neither %s nor %s exists: %w", file, dir, tried[0], tried[1], os.ErrNotExist)
}
