// Package datasets ships small real data sets inside the module, so examples and tests run on
// a fresh machine with no download, as keras.datasets does for Keras users.
//
// Digits and Iris come from scikit-learn (BSD-3-Clause; see LICENSE.scikit-learn beside this
// file): the 1,797 8×8 handwritten digits of the UCI optical recognition data set, and
// Fisher's 150 irises.
package datasets
