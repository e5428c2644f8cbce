package keras

// LoadBudgetsForTest returns how many layers are charged against a load's weight budget:
// none once every LoadModel has returned.
func LoadBudgetsForTest() int {
	n := 0
	loadBudgets.Range(func(any, any) bool { n++; return true })
	return n
}
