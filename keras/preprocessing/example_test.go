package preprocessing_test

import (
	"fmt"

	"github.com/kerago/kerago/keras/preprocessing"
)

// Pad three sequences to 4 ids, as keras.utils.pad_sequences(seqs, maxlen=4) does: zeros
// before the short ones, the last ids of the long one.
func ExamplePadSequences() {
	seqs := [][]int{{1}, {2, 3}, {4, 5, 6, 7, 8}}
	x, err := preprocessing.PadSequences(seqs, 4, preprocessing.Pre, preprocessing.Pre)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(x.Shape(), x.Data())

	// maxLen 0 pads to the longest sequence; Post pads after and cuts the end.
	x, _ = preprocessing.PadSequences(seqs, 0, preprocessing.Post, preprocessing.Post)
	fmt.Println(x.Shape(), x.Data())
	// Output:
	// (3, 4) [0 0 0 1 0 0 2 3 5 6 7 8]
	// (3, 5) [1 0 0 0 0 2 3 0 0 0 4 5 6 7 8]
}

func ExampleTokenize() {
	fmt.Printf("%q\n", preprocessing.Tokenize("Re: WIN $1,000,000 now -- Ünïcode café!"))
	// Output:
	// ["re" "win" "1" "000" "000" "now" "ünïcode" "café"]
}

// Build a vocabulary from training documents, encode a new one and pad the ids for an
// Embedding with MaskZero(true): 0 is padding, 1 an unknown word.
func ExampleVocabulary() {
	train := [][]string{
		preprocessing.Tokenize("the cat sat on the mat"),
		preprocessing.Tokenize("the dog sat"),
	}
	vocab, err := preprocessing.NewVocabulary(train, 5) // 0, 1 and the 3 most frequent words
	if err != nil {
		fmt.Println(err)
		return
	}
	var words []string
	for id := 2; id < vocab.Size(); id++ {
		words = append(words, fmt.Sprintf("%d:%s", id, vocab.Word(id)))
	}
	fmt.Println(words)
	ids := vocab.Encode(preprocessing.Tokenize("The cat sat still"))
	fmt.Println(ids)
	x, _ := preprocessing.PadSequences([][]int{ids}, 6, preprocessing.Post, preprocessing.Post)
	fmt.Println(x.Data())
	// Output:
	// [2:the 3:sat 4:cat]
	// [2 4 3 1]
	// [2 4 3 1 0 0]
}
