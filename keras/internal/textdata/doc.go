// Package textdata prepares the team's real data sets for kerago's tests and examples: it reads
// the SpamAssassin e-mails and the Palmer penguins from their CSV files, turns text into
// padded id sequences (a lowercase word tokenizer, a vocabulary of the most frequent words with
// 0 for padding and 1 for unknown words, Keras's pad_sequences), and splits rows into training
// and test sets with a fixed seed.
//
// The data sets are not shipped with the module: SharedDir finds the directory that holds them
// ($KERAGO_SHARED, or a "shared" directory beside one of the working directory's ancestors), and
// Locate finds a file in it.
package textdata
