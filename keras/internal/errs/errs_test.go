package errs

import (
	"errors"
	"fmt"
	"testing"
)

func TestRefinedKindMatchesItsParentOnly(t *testing.T) {
	loss := Refine(UnknownName, "unknown loss")
	metric := Refine(UnknownName, "unknown metric")
	err := fmt.Errorf("losses: %w %q", loss, "msee")
	if !errors.Is(err, loss) || !errors.Is(err, UnknownName) {
		t.Errorf("%v: does not match its kind and parent", err)
	}
	if errors.Is(err, metric) || errors.Is(err, InvalidArgument) {
		t.Errorf("%v: matches a sibling or an unrelated kind", err)
	}
	if got := err.Error(); got != `losses: unknown loss "msee"` {
		t.Errorf("message %q: a refinement must print only its own text", got)
	}
}
