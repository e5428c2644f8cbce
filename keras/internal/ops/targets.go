package ops

import (
	"fmt"

	G "gorgonia.org/gorgonia"
)

// checkTargets reports, for op's error, targets y that are not shaped and typed like x (what
// names x: "logits", "predictions"), as the element-wise losses need them.
func checkTargets(op fmt.Stringer, what string, x, y *G.Node) error {
	if !x.Shape().Eq(y.Shape()) {
		return fmt.Errorf("%v: targets have shape %v, %s %v", op, y.Shape(), what, x.Shape())
	}
	if x.Dtype() != y.Dtype() {
		return fmt.Errorf("%v: targets are %v, %s %v", op, y.Dtype(), what, x.Dtype())
	}
	return nil
}
