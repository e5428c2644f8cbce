// Package callbacks holds Keras's built-in callbacks: EarlyStopping, ModelCheckpoint,
// ReduceLROnPlateau, LearningRateScheduler, CSVLogger, TerminateOnNaN, Lambda, History,
// ProgbarLogger and TensorBoard, each with Keras 3's algorithm, defaults, messages and files.
//
// Pass them to Fit with keras.Callbacks:
//
//	cbs := []keras.Callback{
//		callbacks.EarlyStopping(callbacks.Monitor("acc"), callbacks.Patience(2)),
//		callbacks.ModelCheckpoint("my_model.keras", callbacks.Monitor("val_loss"), callbacks.SaveBestOnly(true)),
//		callbacks.ReduceLROnPlateau(callbacks.Monitor("val_loss"), callbacks.Factor(0.1), callbacks.Patience(10)),
//	}
//	history, err := model.Fit(x, y, keras.Epochs(10), keras.Callbacks(cbs...), keras.ValidationData(xVal, yVal))
//
// Constructors take Keras's keyword arguments as options named after them; an option left out
// keeps Keras's default. Options only record values: a bad value, or an option the callback
// does not take, is reported by the callback's Err method and returned by Fit before the
// first epoch, all problems together. Errors are [*Error] values naming the callback and
// wrapping keras.ErrInvalidArgument, keras.ErrUnknownName or the I/O error.
//
// The callbacks that watch a logged value (EarlyStopping, ModelCheckpoint,
// ReduceLROnPlateau) decide its direction in Mode("auto") as Keras 3 does: "loss" and
// "val_loss" go down, a compiled metric goes its own way (accuracies up, errors down), and
// anything else is an error at the first epoch end that asks for Mode("min") or Mode("max").
//
// Verbose messages are printed to each callback's Out (os.Stdout) with Keras's wording and
// number formats; warnings, such as a monitored value missing from the logs, go once each to
// its Warn (os.Stderr).
package callbacks
