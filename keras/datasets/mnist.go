package datasets

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"gorgonia.org/tensor"
)

// MNIST's four files, as published (IDX format, gzip-compressed).
const (
	mnistTrainImages = "train-images-idx3-ubyte.gz"
	mnistTrainLabels = "train-labels-idx1-ubyte.gz"
	mnistTestImages  = "t10k-images-idx3-ubyte.gz"
	mnistTestLabels  = "t10k-labels-idx1-ubyte.gz"
)

// LoadMNIST reads the MNIST handwritten digits from the four IDX gzip files as published
// (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz,
// t10k-labels-idx1-ubyte.gz) in dir, dir/mnist or dir/data/mnist. Like Keras's
// mnist.load_data it returns the 60,000 training and 10,000 test images with their labels:
// x of shape (n, 28, 28) holding the pixel values 0..255 as float32 (divide by 255 for [0, 1]),
// y of shape (n,) holding the digit 0..9 as int. MNIST is not embedded (12 MB, CC BY-SA 3.0).
//
// A truncated or malformed file is an error naming it and saying what was expected.
func LoadMNIST(dir string) (xTrain, yTrain, xTest, yTest *tensor.Dense, err error) {
	if xTrain, yTrain, err = loadMNISTPair(dir, mnistTrainImages, mnistTrainLabels); err != nil {
		return nil, nil, nil, nil, err
	}
	if xTest, yTest, err = loadMNISTPair(dir, mnistTestImages, mnistTestLabels); err != nil {
		return nil, nil, nil, nil, err
	}
	return xTrain, yTrain, xTest, yTest, nil
}

func loadMNISTPair(dir, imagesFile, labelsFile string) (x, y *tensor.Dense, err error) {
	images, imageDims, err := readIDXFile(dir, imagesFile, 3)
	if err != nil {
		return nil, nil, err
	}
	labels, labelDims, err := readIDXFile(dir, labelsFile, 1)
	if err != nil {
		return nil, nil, err
	}
	if imageDims[0] != labelDims[0] {
		return nil, nil, fmt.Errorf("datasets: %s holds %d images but %s %d labels", imagesFile, imageDims[0], labelsFile, labelDims[0])
	}
	pixels := make([]float32, len(images))
	for i, b := range images {
		pixels[i] = float32(b)
	}
	digits := make([]int, len(labels))
	for i, b := range labels {
		if b > 9 {
			return nil, nil, fmt.Errorf("datasets: %s: label %d of item %d is not a digit", labelsFile, b, i)
		}
		digits[i] = int(b)
	}
	return tensor.New(tensor.WithShape(imageDims...), tensor.WithBacking(pixels)),
		tensor.New(tensor.WithShape(labelDims...), tensor.WithBacking(digits)), nil
}

// readIDXFile finds name in dir, dir/mnist or dir/data/mnist and reads it with [readIDX].
func readIDXFile(dir, name string, rank int) ([]byte, []int, error) {
	var tried []string
	for _, p := range []string{filepath.Join(dir, name), filepath.Join(dir, "mnist", name), filepath.Join(dir, "data", "mnist", name)} {
		f, err := os.Open(p)
		if errors.Is(err, os.ErrNotExist) {
			tried = append(tried, p)
			continue
		}
		if err != nil {
			return nil, nil, fmt.Errorf("datasets: %w", err)
		}
		defer f.Close()
		zr, err := gzip.NewReader(bufio.NewReader(f))
		if err != nil {
			return nil, nil, fmt.Errorf("datasets: %s: not a gzip file: %w", p, err)
		}
		data, dims, err := readIDX(zr, rank)
		if err != nil {
			return nil, nil, fmt.Errorf("datasets: %s: %w", p, err)
		}
		return data, dims, nil
	}
	return nil, nil, fmt.Errorf("datasets: MNIST file %s not found: tried %s: %w", name, strings.Join(tried, ", "), os.ErrNotExist)
}

// readIDX reads an IDX file of unsigned bytes of the given rank: a magic number 0x0000 0x08
// rank, rank big-endian uint32 dimensions, then their product of bytes.
func readIDX(r io.Reader, rank int) ([]byte, []int, error) {
	var head [4]byte
	if _, err := io.ReadFull(r, head[:]); err != nil {
		return nil, nil, fmt.Errorf("truncated: the 4-byte IDX magic number is missing (%w)", err)
	}
	if head[0] != 0 || head[1] != 0 || head[2] != 0x08 || int(head[3]) != rank {
		return nil, nil, fmt.Errorf("IDX magic number % x, expected 00 00 08 %02x (unsigned bytes, %d dimensions)", head, rank, rank)
	}
	dims := make([]int, rank)
	size := 1
	for i := range dims {
		var d uint32
		if err := binary.Read(r, binary.BigEndian, &d); err != nil {
			return nil, nil, fmt.Errorf("truncated: dimension %d of %d is missing (%w)", i+1, rank, err)
		}
		dims[i] = int(d)
		size *= int(d)
	}
	if size > 1<<31 {
		return nil, nil, fmt.Errorf("dimensions %v ask for %d bytes; not an MNIST file", dims, size)
	}
	data := make([]byte, size)
	n, err := io.ReadFull(r, data)
	if err != nil {
		return nil, nil, fmt.Errorf("truncated: dimensions %v need %d bytes of data, the file has %d (%w)", dims, size, n, err)
	}
	return data, dims, nil
}
