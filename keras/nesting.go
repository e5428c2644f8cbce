package keras

import "fmt"

// MaxModelNesting is how many models a file may hold inside one another, the outermost
// included (a model used as a layer of a model used as a layer ...): Save and SaveWeights
// refuse a deeper model, and LoadModel a deeper config. Each level adds two groups to the
// weights file's paths (layers/<model>/...), and HDF5 readers, ours included, bound group
// nesting, so without this bound Save would write files that nothing reads back.
const MaxModelNesting = 128

// errTooDeep is the short error for a config nested beyond MaxModelNesting; it is passed up
// unwrapped, since the names of every enclosing model would make it kilobytes long.
var errTooDeep = fmt.Errorf("%w: models are nested more than %d deep (MaxModelNesting)", ErrFileFormat, MaxModelNesting)

// nestingDepth returns how many models m holds inside one another, itself included. Each
// model is visited once, so a model called many times at every level costs no more.
func nestingDepth(m *Model, memo map[*Model]int) int {
	if d, ok := memo[m]; ok {
		return d
	}
	deepest := 0
	for _, n := range m.nodes {
		if inner, ok := n.layer.(*Model); ok {
			deepest = max(deepest, nestingDepth(inner, memo))
		}
	}
	memo[m] = deepest + 1
	return deepest + 1
}

// checkSavable refuses a model that Save would write but LoadModel could not read.
func checkSavable(m *Model) error {
	if d := nestingDepth(m, map[*Model]int{}); d > MaxModelNesting {
		return fmt.Errorf("%w: model %s nests %d models inside one another; files hold at most %d (MaxModelNesting)", ErrInvalidArgument, m.Name(), d, MaxModelNesting)
	}
	return nil
}
