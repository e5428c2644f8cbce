package keras_test

import "testing"

const allLossesRegenerate = "KERAS_BACKEND=jax python3 keras/testdata/all_losses.py"

// A model Keras compiled with a dict of every loss object beyond the cross-entropies (Huber,
// LogCosh, KLDivergence, Poisson, CosineSimilarity, the hinges, the focal cross-entropies,
// Dice, Tversky, MAPE, MSLE, CategoricalGeneralizedCrossEntropy; several with arguments)
// loads compiled, evaluates to Keras's loss of every output and their sum, and saves the loss
// objects back as Keras wrote them.
func TestLoadKerasAllLossesCompiled(t *testing.T) {
	// One batch only: Dice, Tversky (axis None sums over the batch) and the hinge's
	// binary-label test depend on the batch, as they do in Keras.
	checkKerasCompiledLosses(t, "all_losses", allLossesRegenerate, 2e-5, func(n int) []int { return []int{n} })
}
