package keras

// ProgramKeysForTest returns the keys ("mode|shape|shape") of the model's cached
// realisations, most recently used first.
func ProgramKeysForTest(m *Model) []string {
	var keys []string
	if m.programs == nil {
		return nil
	}
	m.programs.mu.Lock()
	defer m.programs.mu.Unlock()
	if m.programs.ll == nil {
		return nil
	}
	for e := m.programs.ll.Front(); e != nil; e = e.Next() {
		keys = append(keys, e.Value.(*poolEntry).key)
	}
	return keys
}

// BucketedInputsForTest reports, per input, whether batches of it run on bucketed lengths.
func BucketedInputsForTest(m *Model) []bool { return m.bucketedInputs() }
