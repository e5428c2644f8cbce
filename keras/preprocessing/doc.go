// Package preprocessing turns text into the padded integer sequences that an Embedding reads,
// as Keras's keras.utils.pad_sequences and its text vectorization do:
//
//	tokens := preprocessing.Tokenize("Win $1,000 now!")       // ["win", "1", "000", "now"]
//	vocab, err := preprocessing.NewVocabulary(trainDocs, 2000)  // 0 padding, 1 unknown, 2... by frequency
//	ids := vocab.Encode(tokens)
//	x, err := preprocessing.PadSequences(seqs, 60, preprocessing.Post, preprocessing.Post)
//
// [PadSequences] returns an int32 tensor of shape (samples, timesteps), padded with 0: feed it
// to layers.Embedding with MaskZero(true), so the padding is masked. A [Vocabulary] keeps id 0
// for padding and id 1 for out-of-vocabulary words, the layout of Keras's TextVectorization
// with output_mode="int", whose max_tokens counts both reserved ids as [NewVocabulary]'s size
// does.
//
// Errors wrap keras.ErrInvalidArgument (an argument out of range) or keras.ErrData (no data
// to pad), so errors.Is tells them apart.
package preprocessing
