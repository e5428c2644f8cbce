package keras

// Keras 3 serialises a functional model as its layers, each with its config and the
// "inbound_nodes" that say which tensors each call took (as __keras_tensor__ entries whose
// keras_history is [layer, node index, tensor index]), and the input and output layers. The
// functions here write that form exactly as Keras 3.15 does (checked against files Keras
// writes); saving_fromconfig.go reads it back.

// TrainableKeyOmitter is implemented by layers whose Keras class writes no "trainable" config
// key and whose constructor refuses one, as Keras 3's SpatialDropout1D and SpatialDropout2D:
// when OmitTrainableKey returns true, LayerConfig leaves the key out, so that Keras can load
// the file. Such a layer's trainability is then not saved, which only suits a layer without
// weights.
type TrainableKeyOmitter interface{ OmitTrainableKey() bool }

// LayerConfig returns a layer's full Keras 3 config: the layer's own keys plus name,
// trainable (unless the layer is a TrainableKeyOmitter that omits it) and dtype.
func LayerConfig(l Layer) map[string]any {
	cfg := map[string]any{}
	for k, v := range l.Config() {
		cfg[k] = v
	}
	cfg["name"] = l.Name()
	if _, ok := l.(*InputLayer); !ok {
		if o, ok := l.(TrainableKeyOmitter); !ok || !o.OmitTrainableKey() {
			cfg["trainable"] = l.base().trainable
		}
		cfg["dtype"] = dtypePolicy(l.base().DType())
	}
	return cfg
}

// dtypePolicy is how Keras 3 writes a layer's dtype policy.
func dtypePolicy(name string) map[string]any {
	return map[string]any{"module": "keras", "class_name": "DTypePolicy", "config": map[string]any{"name": name}, "registered_name": nil}
}

// shapeList writes a shape as Keras does: a list with null for unknown dimensions.
func shapeList(s Shape) []any {
	out := make([]any, len(s))
	for i, d := range s {
		if d >= 0 {
			out[i] = d
		}
	}
	return out
}

// kerasTensor is the __keras_tensor__ entry of a node argument; nodeIndex is the index of
// the producing call among the calls of its layer inside the model being written.
func kerasTensor(t *Tensor, nodeIndex int) map[string]any {
	return map[string]any{
		"class_name": "__keras_tensor__",
		"config": map[string]any{
			"shape":         shapeList(t.shape),
			"dtype":         t.dtype,
			"keras_history": []any{t.node.layer.Name(), nodeIndex, t.index},
		},
	}
}

// modelModule returns the module and registered name Keras writes for a model.
func modelModule(m *Model) (module string, registered any) {
	if m.sequential {
		return "keras", nil
	}
	return "keras.src.models.functional", "Functional"
}

// serializeLayer returns Keras 3's serialisation of l (serialize_keras_object): module,
// class_name, config, registered_name, and build_config once the layer is built (models also
// get compile_config, {} unless compiled). The model adds name and inbound_nodes.
func serializeLayer(l Layer) map[string]any {
	if m, ok := l.(*Model); ok {
		module, registered := modelModule(m)
		var build any
		if m.sequential {
			build = shapeList(m.inputs[0].shape)
		}
		return map[string]any{
			"module":          module,
			"class_name":      m.ClassName(),
			"config":          modelConfigDict(m),
			"registered_name": registered,
			"build_config":    map[string]any{"input_shape": build},
			"compile_config":  m.compileConfig(),
		}
	}
	entry := map[string]any{
		"module":          "keras.layers",
		"class_name":      l.ClassName(),
		"config":          LayerConfig(l),
		"registered_name": nil,
	}
	if km, ok := l.(KerasModuler); ok {
		entry["module"], entry["registered_name"] = km.KerasModule()
	}
	if _, ok := l.(KerasOperation); ok {
		// Keras writes an operation's config as its name alone, without a build_config.
		entry["config"] = map[string]any{"name": l.Name()}
		return entry
	}
	if _, ok := l.(*InputLayer); !ok {
		if nodes := l.base().nodes; len(nodes) > 0 {
			entry["build_config"] = map[string]any{"input_shape": buildShape(nodes[0].inputs)}
			ins := nodes[0].inputs
			if ki, ok := l.(KeywordInputs); ok {
				ins, _ = ki.SplitInputs(ins) // Keras's shapes_dict has the positional ones
			}
			if p, ok := l.(PositionalInputs); ok && len(p.PositionalInputs()) >= len(ins) {
				shapes := map[string]any{}
				for i, t := range ins {
					shapes[p.PositionalInputs()[i]+"_shape"] = shapeList(t.shape)
				}
				entry["build_config"] = map[string]any{"shapes_dict": shapes}
			}
		}
	}
	return entry
}

// buildShape is the input_shape of a build_config: one shape, or a list for several inputs.
func buildShape(ts []*Tensor) any {
	if len(ts) == 1 {
		return shapeList(ts[0].shape)
	}
	out := make([]any, len(ts))
	for i, t := range ts {
		out[i] = shapeList(t.shape)
	}
	return out
}

// modelConfigDict returns the model's get_config(): for a functional model name, trainable,
// layers (with their inbound nodes), input_layers and output_layers; for a Sequential model
// name, trainable, dtype, layers (input layer first) and build_input_shape.
func modelConfigDict(m *Model) map[string]any {
	if m.sequential {
		layers := []any{serializeLayer(m.inputs[0].node.layer)}
		for _, l := range m.Layers() {
			layers = append(layers, serializeLayer(l))
		}
		return map[string]any{
			"name":              m.Name(),
			"trainable":         m.trainable,
			"dtype":             dtypePolicy(m.DType()),
			"layers":            layers,
			"build_input_shape": shapeList(m.inputs[0].shape),
		}
	}
	reindex := m.nodeReindex()
	layers := make([]any, 0, len(m.layers))
	for _, l := range m.layers {
		entry := serializeLayer(l)
		entry["name"] = l.Name()
		inbound := []any{}
		for _, n := range l.base().nodes {
			if _, ok := reindex[n]; !ok || n.isInput() {
				continue
			}
			ins := n.inputs
			kwargs := map[string]any{}
			if ki, ok := l.(KeywordInputs); ok {
				var kw map[string]*Tensor
				ins, kw = ki.SplitInputs(ins)
				for k, t := range kw {
					kwargs[k] = kerasTensor(t, reindex[t.node])
				}
			}
			args := make([]any, len(ins))
			for i, t := range ins {
				args[i] = kerasTensor(t, reindex[t.node])
			}
			if op, ok := l.(KerasOperation); ok {
				// An operation's tensors and numbers are its positional arguments.
				inbound = append(inbound, map[string]any{"args": op.KerasCallArgs(args), "kwargs": kwargs})
				continue
			}
			var arg any = args[0]
			if len(args) > 1 {
				arg = args // a merge layer takes one argument: the list of tensors
			}
			callArgs := []any{arg}
			if p, ok := l.(PositionalInputs); ok && len(p.PositionalInputs()) > 0 {
				callArgs = args // query, value, key: one argument each
			}
			if _, ok := l.(*Model); ok {
				kwargs["mask"] = nil
			}
			if ck, ok := l.(CallKeywords); ok {
				for k, v := range ck.CallKeywords() {
					kwargs[k] = v
				}
			}
			inbound = append(inbound, map[string]any{"args": callArgs, "kwargs": kwargs})
		}
		entry["inbound_nodes"] = inbound
		layers = append(layers, entry)
	}
	ref := func(ts []*Tensor) any {
		out := make([]any, len(ts))
		for i, t := range ts {
			out[i] = []any{t.node.layer.Name(), reindex[t.node] + constructionNodes(t.node.layer), t.index}
		}
		if len(out) == 1 {
			return out[0] // Keras 3 writes a single input or output as a bare triple
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

// constructionNodes is what Keras 3 adds to a call index in input_layers and output_layers
// (not in inbound_nodes) for l: 1 for a functional model, whose get_config counts a node for
// the model's own construction before its calls (node_reindexing_map starts at 1 for
// Functional, and functional_from_config subtracts 1 again), 0 for every other layer,
// Sequential included (it is not a Functional). Writing 0 there for a nested model's first
// call makes Keras read index -1, the model's last call: two calls of one nested model as
// outputs come back swapped, silently.
func constructionNodes(l Layer) int {
	if m, ok := l.(*Model); ok && !m.sequential {
		return 1
	}
	return 0
}

// nodeReindex numbers each layer's calls inside m from 0, in call order, as Keras's
// node_reindexing_map does: a layer also called outside m (or in another model) keeps only
// the calls that belong to m.
func (m *Model) nodeReindex() map[*Node]int {
	in := make(map[*Node]bool, len(m.nodes))
	for _, n := range m.nodes {
		in[n] = true
	}
	out := make(map[*Node]int, len(m.nodes))
	for _, l := range m.layers {
		k := 0
		for _, n := range l.base().nodes {
			if in[n] {
				out[n] = k
				k++
			}
		}
	}
	return out
}
