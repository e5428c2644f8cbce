package kerastest

import (
	"fmt"
	"path/filepath"
	"strings"
)

// HasGolden reports whether dir holds a golden file of a LayerCase of the layer class: a file
// named after the class in snake case, alone or followed by an underscore and a variant
// (LeakyReLU: leaky_relu.json; Dense: dense_rank2.json). Coverage checks use it: a layer
// tested with RunLayerTest has had its config saved, loaded and compared, and Keras has
// loaded the file the golden values came from.
func HasGolden(dir, class string) (bool, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return false, fmt.Errorf("kerastest: golden files of %s in %s: %w", class, dir, err)
	}
	want := strings.ToLower(class)
	for _, f := range files {
		stem := strings.TrimSuffix(filepath.Base(f), ".json")
		for i := range len(stem) + 1 {
			if (i == len(stem) || stem[i] == '_') && strings.ReplaceAll(stem[:i], "_", "") == want {
				return true, nil
			}
		}
	}
	return false, nil
}
