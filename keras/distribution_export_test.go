package keras

import "io"

// QuietRanksForTest sends the errors ranks log before aborting to w and returns a function
// that restores stderr.
func QuietRanksForTest(w io.Writer) (restore func()) {
	old := stderr
	stderr = w
	return func() { stderr = old }
}
