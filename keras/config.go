package keras

// Keras 3 serialises a functional model as its layers, each with its config and the
// "inbound_nodes" that say which tensors each call took (as __keras_tensor__ entries whose
// keras_history is [layer, node index, tensor index]), and the input and output layers.

// LayerConfig returns a layer's full Keras 3 config: the layer's own keys plus name,
// trainable and dtype.
func LayerConfig(l Layer) map[string]any {
	cfg := map[string]any{}
	for k, v := range l.Config() {
		cfg[k] = v
	}
	cfg["name"] = l.Name()
	if _, ok := l.(*InputLayer); !ok {
		cfg["trainable"] = l.base().trainable
		cfg["dtype"] = dtypePolicy(l.base().DType())
	}
	return cfg
}

func dtypePolicy(name string) map[string]any {
	return map[string]any{"module": "keras", "class_name": "DTypePolicy", "config": map[string]any{"name": name}, "registered_name": nil}
}

func kerasTensor(t *Tensor) map[string]any {
	shape := make([]any, len(t.shape))
	for i, d := range t.shape {
		if d < 0 {
			shape[i] = nil
		} else {
			shape[i] = d
		}
	}
	return map[string]any{
		"class_name": "__keras_tensor__",
		"config": map[string]any{
			"shape":         shape,
			"dtype":         t.dtype,
			"keras_history": []any{t.node.layer.Name(), t.node.index, t.index},
		},
	}
}

func modelConfigDict(m *Model) map[string]any {
	inModel := map[*Node]bool{}
	for _, n := range m.nodes {
		inModel[n] = true
	}
	var layers []any
	for _, l := range m.layers {
		module := "keras.layers"
		if _, ok := l.(*Model); ok {
			module = "keras.src.models.functional"
		}
		entry := map[string]any{
			"module":          module,
			"class_name":      l.ClassName(),
			"config":          LayerConfig(l),
			"registered_name": nil,
			"name":            l.Name(),
		}
		var inbound []any
		for _, n := range l.base().nodes {
			if !inModel[n] || n.isInput() {
				continue
			}
			var arg any
			if len(n.inputs) == 1 {
				arg = kerasTensor(n.inputs[0])
			} else {
				list := make([]any, len(n.inputs))
				for i, t := range n.inputs {
					list[i] = kerasTensor(t)
				}
				arg = list
			}
			inbound = append(inbound, map[string]any{"args": []any{arg}, "kwargs": map[string]any{}})
			if _, ok := entry["build_config"]; !ok {
				entry["build_config"] = map[string]any{"input_shape": shapeConfig(n.inputs)}
			}
		}
		if inbound == nil {
			inbound = []any{}
		}
		entry["inbound_nodes"] = inbound
		layers = append(layers, entry)
	}
	ref := func(ts []*Tensor) []any {
		out := make([]any, len(ts))
		for i, t := range ts {
			out[i] = []any{t.node.layer.Name(), t.node.index, t.index}
		}
		return out
	}
	return map[string]any{
		"name":          m.Name(),
		"trainable":     m.trainable,
		"layers":        layers,
		"input_layers":  ref(m.inputs),
		"output_layers": ref(m.outputs),
	}
}

func shapeConfig(ts []*Tensor) any {
	one := func(t *Tensor) []any {
		s := make([]any, len(t.shape))
		for i, d := range t.shape {
			if d < 0 {
				s[i] = nil
			} else {
				s[i] = d
			}
		}
		return s
	}
	if len(ts) == 1 {
		return one(ts[0])
	}
	out := make([]any, len(ts))
	for i, t := range ts {
		out[i] = one(t)
	}
	return out
}
