package callbacks

import "github.com/kerago/kerago/keras"

// History returns a new keras.History, Keras's History callback. Fit always records one and
// returns it; pass your own to Fit to have Fit use (and return) it instead, so that one
// record spans several Fit calls: Keras 3 keeps the values and restarts the epoch list.
func History() *keras.History { return &keras.History{} }

// ProgbarLogger returns Keras 3's ProgbarLogger: the progress bar (Fit's Verbose(1)) or one
// line per epoch (Verbose(2)), its verbosity taken from Fit's Verbose as Keras 3's
// ProgbarLogger() takes it. Fit adds one when Verbose is not 0 and none is given.
func ProgbarLogger() *keras.ProgbarLogger { return keras.NewProgbarLogger(0) }
