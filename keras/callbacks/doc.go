// Package callbacks holds Keras's built-in callbacks: EarlyStopping, ModelCheckpoint,
// ReduceLROnPlateau, LearningRateScheduler, CSVLogger, TerminateOnNaN, Lambda, ProgbarLogger
// and TensorBoard, each with Keras 3's algorithm and defaults.
//
// Pass them to Fit with keras.Callbacks:
//
//	cbs := []keras.Callback{
//		callbacks.EarlyStopping(callbacks.Monitor("acc"), callbacks.Patience(2)),
//		callbacks.ModelCheckpoint("my_model.keras", callbacks.Monitor("val_loss"), callbacks.SaveBestOnly(true)),
//	}
//	history, err := model.Fit(x, y, keras.Epochs(10), keras.Callbacks(cbs...))
//
// Constructors take Keras's keyword arguments as options named after them; an option left out
// keeps Keras's default. A bad option value is reported by Fit, before the first epoch.
package callbacks
