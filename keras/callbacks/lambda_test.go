package callbacks

import (
	"testing"

	"github.com/kerago/kerago/keras"
)

// Unset hooks do nothing; set ones get the epoch or batch and the logs.
func TestLambdaHooks(t *testing.T) {
	var got []int
	l := Lambda(LambdaHooks{OnEpochEnd: func(epoch int, logs keras.Logs) error {
		logs["seen"] = 1
		got = append(got, epoch)
		return nil
	}})
	logs := keras.Logs{}
	for _, err := range []error{l.OnTrainBegin(logs), l.OnEpochBegin(0, logs), l.OnTrainBatchEnd(0, logs),
		l.OnTestEnd(logs), l.OnPredictBatchEnd(3, logs), l.OnEpochEnd(7, logs), l.OnTrainEnd(logs)} {
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(got) != 1 || got[0] != 7 || logs["seen"] != 1 {
		t.Errorf("OnEpochEnd saw %v, logs %v", got, logs)
	}
}
