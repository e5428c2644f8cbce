// Package datasets ships small real data sets inside the module, so examples and tests run on
// a fresh machine with no download, as keras.datasets does for Keras users, and reads larger
// ones from disk.
//
// Embedded (each with its licence beside this file; SOURCE.txt says where each comes from):
//
//   - [Digits]: scikit-learn's 1,797 8×8 handwritten digits (BSD-3-Clause).
//   - [Iris]: Fisher's 150 irises (BSD-3-Clause).
//   - [Penguins]: the 333 Palmer penguins measured in full (CC0), a (train, test) split.
//   - [SpamAssassin]: 4,000 e-mails of the SpamAssassin public corpus, bodies cut to 1,500
//     bytes (PDDL-1.0 / CC0), a (train, test) split.
//
// The full SpamAssassin corpus (6,046 e-mails, 22 MB) is read from disk when [FromDir] or the
// environment variable KERAGO_DATA ([DataDirEnv]) names a directory holding
// spamassassin/spamassassin.csv:
//
//	KERAGO_DATA=/path/to/data go run ./examples/qa
//
// [LoadMNIST] reads MNIST's IDX gzip files from a directory; [ReadCSV] reads any CSV with a
// header into a [Table] whose columns become tensors. Both report a truncated or ragged file
// with its name, the line or item, and what was expected; a missing file or directory gives
// an error that wraps os.ErrNotExist.
//
// [OneHot], [Split], [Shuffle] and [TrainTestSplit] prepare tensors and row indices for
// training.
package datasets
