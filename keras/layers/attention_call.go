package layers

import (
	"fmt"

	"github.com/kerago/kerago/keras"
)

// attentionCallKeywords returns the call arguments the attention layers record: Keras writes
// those a call passed, and kerago the ones set (false is Keras's default).
func attentionCallKeywords(causal, scores bool) map[string]any {
	kw := map[string]any{}
	if causal {
		kw["use_causal_mask"] = true
	}
	if scores {
		kw["return_attention_scores"] = true
	}
	if len(kw) == 0 {
		return nil
	}
	return kw
}

// setAttentionCallKeyword takes use_causal_mask into causal and return_attention_scores into
// scores, from a saved call of l; ok is false for another keyword. kerago keeps one setting
// per layer, so a layer called once with and once without one is refused.
func setAttentionCallKeyword(l interface {
	Name() string
	InboundNodes() []*keras.Node
}, name string, v any, causal, scores *bool) (ok bool, err error) {
	var dst *bool
	switch name {
	case "use_causal_mask":
		dst = causal
	case "return_attention_scores":
		dst = scores
	default:
		return false, nil
	}
	b, isBool := v.(bool)
	if !isBool && v != nil {
		return true, fmt.Errorf("%w: %v is not a bool", keras.ErrInvalidArgument, v)
	}
	if len(l.InboundNodes()) > 0 && b != *dst {
		return true, fmt.Errorf("%w: layer %s is called with %s %v and %v; kerago keeps one setting per layer", keras.ErrInvalidArgument, l.Name(), name, *dst, b)
	}
	*dst = b
	return true, nil
}
