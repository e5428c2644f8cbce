package datasets

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
)

// TrainTestSplit returns a random partition of the row indices 0..n-1 into a training set and
// a test set of round(n·testFraction) rows, each in a random order, as scikit-learn's
// train_test_split does. The same seed gives the same split.
func TrainTestSplit(n int, testFraction float64, seed uint64) (train, test []int, err error) {
	if !(testFraction > 0 && testFraction < 1) {
		return nil, nil, fmt.Errorf("datasets: TrainTestSplit: the test fraction must be in (0, 1), got %v", testFraction)
	}
	nTest := int(math.Round(float64(n) * testFraction))
	if nTest == 0 || nTest == n {
		return nil, nil, fmt.Errorf("datasets: TrainTestSplit: a test fraction of %v of %d rows leaves no training or no test rows", testFraction, n)
	}
	perm := rand.New(rand.NewPCG(seed, seed^0x5eed)).Perm(n)
	return perm[nTest:], perm[:nTest], nil
}

// stratifiedSplit splits rows 0..n-1 so that each stratum (rows with the same key) puts
// round(size·testFraction) of its rows in the test set; both sets come out shuffled. The
// loaders use it so that a small test set still holds every class in its true proportion.
func stratifiedSplit(keys []string, testFraction float64, seed uint64) (train, test []int) {
	rng := rand.New(rand.NewPCG(seed, seed^0x5eed))
	var order []string
	strata := map[string][]int{}
	for i, k := range keys {
		if _, ok := strata[k]; !ok {
			order = append(order, k)
		}
		strata[k] = append(strata[k], i)
	}
	for _, k := range order {
		rows := strata[k]
		rng.Shuffle(len(rows), func(a, b int) { rows[a], rows[b] = rows[b], rows[a] })
		nTest := int(math.Round(float64(len(rows)) * testFraction))
		test = append(test, rows[:nTest]...)
		train = append(train, rows[nTest:]...)
	}
	// Shuffled again so that no stratum sits in one block (a ValidationSplit takes the tail).
	rng.Shuffle(len(train), func(a, b int) { train[a], train[b] = train[b], train[a] })
	rng.Shuffle(len(test), func(a, b int) { test[a], test[b] = test[b], test[a] })
	return slices.Clip(train), slices.Clip(test)
}
