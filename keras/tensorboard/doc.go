// Package tensorboard writes TensorBoard event files in pure Go, the files
// Keras's TensorBoard callback writes, so that `tensorboard --logdir DIR`
// shows Go training runs exactly as it shows TensorFlow ones.
//
// A [Writer] owns one event file in one directory (one TensorBoard "run").
// The file is named as TensorFlow 2's summary writer names it,
//
//	events.out.tfevents.<%010d unix seconds>.<hostname>.<pid>.<counter>.v2
//
// where counter counts the writers this process has opened (from 0,
// zero-padded to 6 digits so that files sort in the order they were opened,
// which is the order TensorBoard reads them in), and it
// starts with the `brain.Event:2` file_version record. Each later record is a
// TFRecord (little-endian uint64 length, masked CRC-32C of the length, the
// serialized tensorboard.Event, masked CRC-32C of the data) holding one
// summary value in TensorFlow 2's form:
//
//   - [Writer.Scalar]: a rank-0 DT_FLOAT tensor (4 bytes of tensor_content,
//     as tf.summary.scalar writes it) with plugin "scalars";
//   - [Writer.Histogram]: a [30,3] DT_DOUBLE tensor of (left edge, right
//     edge, count) rows with plugin "histograms", bucketed exactly as
//     tf.summary.histogram buckets (see [HistogramBuckets]);
//   - [Writer.Text]: a rank-0 DT_STRING tensor with plugin "text";
//   - [Writer.Graph]: the Keras model JSON as a rank-0 DT_STRING tensor with
//     tag "keras" at step 0 and plugin "graph_keras_model" (content "1"),
//     which TensorBoard's Graphs dashboard draws as the conceptual graph.
//
// [Writer.OpGraph] writes the other kind of graph record, an Event whose
// graph_def field holds a serialized TensorFlow GraphDef (nodes with a name,
// an op, inputs and attrs; see [GraphNode]), filed under the tag
// [RunGraphTag]: the op graph the Graphs dashboard opens on.
//
// Like TensorFlow 2 the writer repeats the plugin metadata on every value and
// leaves data_class unset (TensorBoard infers it from the plugin name).
//
// # Steps
//
// TensorBoard's default data server discards, when a point arrives with a
// step not greater than the last step of its tag, every earlier point with a
// step at or after the new one. The Writer therefore refuses such a point
// with an error wrapping [ErrStepOrder] and writes nothing, so that data
// already written is never hidden by a later write. Steps are checked per tag
// within one Writer; a new Writer (a new file) starts afresh, so restarting a
// run in the same directory at step 0 is the caller's decision, as in Keras.
//
// # Buffering
//
// Records go through a buffer that is flushed to the file when more than
// [MaxQueue] events are pending (default 10), at the latest [FlushInterval]
// after the first pending event (default 120 s; both defaults are
// TensorFlow's tf.summary.create_file_writer defaults), on [Writer.Flush] and
// on [Writer.Close]. TensorBoard reads a file that ends inside a record as a
// file still being written, so a reader never sees a damaged file.
//
// [ReadEvents] and [ReadDir] decode event files back (this package's and
// TensorFlow's, including v1 simple_value scalars and HistogramProto
// histograms), verifying both CRCs of every record.
package tensorboard
