package saving

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/kerago/kerago/keras/internal/errs"
)

// tempInfix separates the target's name from os.CreateTemp's random digits in the name of a
// save's temporary file: ".m.keras.tmp-123456789".
const tempInfix = ".tmp-"

// StaleTempAge is how old a temporary file of an interrupted save (a process killed while
// saving leaves one behind) must be before the next save into its directory removes it. A
// save that is still running keeps its file's modification time fresh as it writes.
const StaleTempAge = 15 * time.Minute

// isOwnTemp reports whether name is one of WriteFileAtomic's temporary files: a dot, a model
// or weights file name, tempInfix and the decimal digits os.CreateTemp adds. Nothing else
// (no user's file) matches.
func isOwnTemp(name string) bool {
	i := strings.LastIndex(name, tempInfix)
	if !strings.HasPrefix(name, ".") || i < 0 {
		return false
	}
	digits := name[i+len(tempInfix):]
	if digits == "" || len(digits) > 20 || strings.Trim(digits, "0123456789") != "" {
		return false
	}
	target := strings.ToLower(name[1:i])
	return strings.HasSuffix(target, ".keras") || strings.HasSuffix(target, ".h5") || strings.HasSuffix(target, ".hdf5")
}

// removeStaleTemps removes regular files of isOwnTemp's pattern older than StaleTempAge from
// dir. It is best effort: a file it cannot list or remove is left, and the save goes on.
func removeStaleTemps(dir string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	cutoff := time.Now().Add(-StaleTempAge)
	for _, e := range entries {
		if !e.Type().IsRegular() || !isOwnTemp(e.Name()) {
			continue
		}
		if info, err := e.Info(); err == nil && info.ModTime().Before(cutoff) {
			os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}

// WriteFileAtomic writes a file at path through write: the bytes go to a temporary file in the
// same directory, which is synced and renamed over path only when everything succeeded. On any
// error the temporary file is removed and an earlier file at path is left as it was.
func WriteFileAtomic(path string, write func(w io.Writer) error) (err error) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	if base == "" {
		return fmt.Errorf("%w: %q is a directory, not a file name", errs.InvalidArgument, path)
	}
	removeStaleTemps(dir)
	f, err := os.CreateTemp(dir, "."+base+tempInfix+"*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if err = write(f); err != nil {
		return err
	}
	if err = f.Chmod(0o644); err != nil {
		return err
	}
	if err = f.Sync(); err != nil {
		return err
	}
	if err = f.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp, path); err != nil {
		return err
	}
	// Make the rename itself durable; some systems cannot sync a directory, which is not an
	// error for the caller.
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
