package datasets

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras/internal/testenv"
)

func TestSpamAssassinEmbedded(t *testing.T) {
	t.Setenv(DataDirEnv, "")
	train, test, err := SpamAssassin()
	if err != nil {
		t.Fatal(err)
	}
	if len(train) != 3200 || len(test) != 800 {
		t.Fatalf("%d training and %d test e-mails, want 3200 and 800", len(train), len(test))
	}
	groups := map[string]int{}
	spam := 0
	for _, e := range test {
		groups[e.Group]++
		spam += e.Label
		if len(e.Body) > 1500 {
			t.Fatalf("body of %s/%s has %d bytes, more than the 1500 kept", e.Group, e.ID, len(e.Body))
		}
	}
	// 20% of each group of the subset (1654, 926, 165 ham; 331, 924 spam).
	want := map[string]int{"easy-ham-1": 331, "easy-ham-2": 185, "hard-ham-1": 33, "spam-1": 66, "spam-2": 185}
	for g, n := range want {
		if groups[g] != n {
			t.Errorf("test set has %d e-mails of %s, want %d", groups[g], g, n)
		}
	}
	if spam != 251 {
		t.Errorf("test set has %d spam, want 251", spam)
	}
	seen := map[string]bool{}
	for _, e := range append(train, test...) {
		k := e.Group + "/" + e.ID
		if seen[k] {
			t.Fatalf("e-mail %s appears twice", k)
		}
		seen[k] = true
	}
}

func TestSpamAssassinFromDir(t *testing.T) {
	_, err := func() ([]Email, error) {
		_, test, err := SpamAssassin(FromDir(t.TempDir()))
		return test, err
	}()
	if err == nil || !strings.Contains(err.Error(), filepath.Join("spamassassin", "spamassassin.csv")) {
		t.Errorf("a directory without the corpus gave %v, want an error naming the file", err)
	}
	if !errors.Is(err, os.ErrNotExist) {
		t.Errorf("error %v does not wrap os.ErrNotExist", err)
	}

	// The full corpus, through the option and through the environment variable.
	path := testenv.DataFile(t, "spamassassin/spamassassin.csv")
	dir := filepath.Dir(filepath.Dir(path))
	train, test, err := SpamAssassin(FromDir(dir))
	if err != nil {
		t.Fatal(err)
	}
	if len(train)+len(test) != 6046 || len(test) != 1209 {
		t.Errorf("full corpus: %d + %d e-mails, want 4837 + 1209", len(train), len(test))
	}
	t.Setenv(DataDirEnv, dir)
	_, test2, err := SpamAssassin()
	if err != nil || len(test2) != len(test) {
		t.Errorf("with $%s: %d test e-mails, %v", DataDirEnv, len(test2), err)
	}
	if _, test3, err := SpamAssassin(FromDir("")); err != nil || len(test3) != 800 {
		t.Errorf("FromDir(\"\") gave %d test e-mails (%v), want the embedded 800", len(test3), err)
	}
}
