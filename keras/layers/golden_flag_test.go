package layers_test

import "flag"

// update regenerates the layer kit's golden files, testdata/kit/*.json, with python3 and
// Keras 3 (kerastest.LayerCase.Golden): go test ./keras/layers -run 'TestDense' -update.
var update = flag.Bool("update", false, "regenerate testdata/kit/*.json with python3 and Keras 3")
