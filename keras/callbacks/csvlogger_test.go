package callbacks

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/kerago/kerago/keras"
)

func TestCSVLoggerBytes(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.csv")
	c := CSVLogger(path)
	steps := []keras.Logs{
		{"loss": 0.1, "acc": 1},
		{"loss": 1e-05, "acc": 0.8686017990112305, "val_loss": 2.5e16},
	}
	if err := c.OnTrainBegin(keras.Logs{}); err != nil {
		t.Fatal(err)
	}
	for e, l := range steps {
		if err := c.OnEpochEnd(e, l); err != nil {
			t.Fatal(err)
		}
		// Flushed every epoch: the row is in the file before training ends.
		b, _ := os.ReadFile(path)
		if got := strings.Count(string(b), "\r\n"); got != e+2 {
			t.Errorf("after epoch %d the file has %d lines", e, got)
		}
	}
	if err := c.OnTrainEnd(keras.Logs{}); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	want := "epoch,acc,loss,val_acc,val_loss\r\n0,1.0,0.1,NA,NA\r\n1,0.8686017990112305,1e-05,NA,2.5e+16\r\n"
	if string(b) != want {
		t.Errorf("wrote %q, want %q", b, want)
	}
}

func TestCSVLoggerErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	cases := []struct {
		name string
		cb   *CSVLoggerCallback
		want string
	}{
		{"two-character separator", CSVLogger("x.csv", Separator(";;")), `Separator(";;")`},
		{"quote separator", CSVLogger("x.csv", Separator(`"`)), "Separator"},
		{"empty path", CSVLogger(""), "empty"},
		{"option of another callback", CSVLogger("x.csv", Monitor("loss")), "Monitor"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.cb.Err(); !errors.Is(err, keras.ErrInvalidArgument) || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Err() = %v, want ErrInvalidArgument naming %s", err, c.want)
			}
		})
	}
	c := CSVLogger(filepath.Join(file, "log.csv"))
	err := c.OnTrainBegin(keras.Logs{})
	var ce *Error
	if !errors.As(err, &ce) || ce.Callback != "CSVLogger" {
		t.Errorf("unwritable path: %v", err)
	}
	if err := c.OnEpochEnd(0, keras.Logs{}); err == nil {
		t.Errorf("OnEpochEnd without an open file succeeded")
	}
	if err := c.OnTrainEnd(keras.Logs{}); err != nil {
		t.Errorf("OnTrainEnd: %v", err)
	}
}
