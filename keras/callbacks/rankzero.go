package callbacks

import "github.com/kerago/kerago/keras"

// The callbacks that write files run on rank 0 only when Fit trains on the ranks of a
// multi-process job (keras.DataParallel with keras.WithCommunicator), as Horovod's
// convention is: the ranks hold the same weights and logs, so one copy of each file is
// wanted, and ranks sharing a file system would otherwise write the same path at once.
var (
	_ keras.RankZeroOnly = (*ModelCheckpointCallback)(nil)
	_ keras.RankZeroOnly = (*TensorBoardCallback)(nil)
	_ keras.RankZeroOnly = (*CSVLoggerCallback)(nil)
)

// RankZeroOnly reports true: only rank 0 of a multi-process job saves checkpoints.
func (c *ModelCheckpointCallback) RankZeroOnly() bool { return true }

// RankZeroOnly reports true: only rank 0 of a multi-process job writes TensorBoard logs.
func (c *TensorBoardCallback) RankZeroOnly() bool { return true }

// RankZeroOnly reports true: only rank 0 of a multi-process job writes the CSV file.
func (c *CSVLoggerCallback) RankZeroOnly() bool { return true }
