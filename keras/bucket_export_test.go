package keras

// ProgramKeysForTest returns the keys ("mode|shape|shape") of the model's cached
// realisations, most recently used first.
func ProgramKeysForTest(m *Model) []string {
	var keys []string
	if m.programs == nil || m.programs.ll == nil {
		return nil
	}
	for e := m.programs.ll.Front(); e != nil; e = e.Next() {
		keys = append(keys, e.Value.(*program).key)
	}
	return keys
}

// BucketedInputsForTest reports, per input, whether batches of it run on bucketed lengths.
func BucketedInputsForTest(m *Model) []bool { return m.bucketedInputs() }
