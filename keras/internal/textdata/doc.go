// Package textdata prepares the team's real data sets for kerago's tests: it reads the
// SpamAssassin e-mails and the Palmer penguins from their CSV files, splits rows into training
// and test sets with a fixed seed, and builds the float32 tensors of the tabular features
// (rows, one-hot classes, columns, standardized values).
//
// Turning text into padded id sequences is public, in package keras/preprocessing (Tokenize,
// Vocabulary, PadSequences); finding the data sets is package keras/internal/testenv's
// (DataFile: $KERAGO_SHARED, or a "shared" directory beside one of the working directory's
// ancestors).
package textdata
