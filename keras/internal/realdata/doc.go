// Package realdata holds no code, only tests: kerago's sequence and multi-output models
// (the guide's chapters on several inputs, several outputs, shared layers and models as layers) trained on real data, the SpamAssassin e-mails and the Palmer penguins,
// with their held-out results beside trivial baselines. They sit in their own package so they
// do not slow the keras package's tests.
//
// The data sets are not shipped with the module. The tests find them in $KERAGO_SHARED/data
// (or a "shared/data" directory beside an ancestor of this one) and skip without them, unless
// KERAGO_REQUIRE_DATA=1, when a missing data set fails the test. Sizes are kept small (2,000
// word vocabularies, 12 to 150 tokens, 16 to 64 units, a few epochs, subsamples of the corpus)
// so each test takes under a minute and a half with -race on two cores.
package realdata
