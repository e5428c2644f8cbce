package keras

import (
	"errors"
	"fmt"
	"math"
	"sort"
	"strings"
)

// modelFromConfig rebuilds a model from a saved config: class is "Functional" (or "Model")
// or "Sequential".
func modelFromConfig(class string, cfg map[string]any, st *loadState) (*Model, error) {
	if st.depth >= MaxModelNesting {
		return nil, errTooDeep
	}
	st.depth++
	defer func() { st.depth-- }()
	var m *Model
	var err error
	if class == "Sequential" {
		m, err = sequentialFromConfig(cfg, st)
	} else {
		m, err = functionalFromConfig(cfg, st)
	}
	if errors.Is(err, errTooDeep) {
		return nil, errTooDeep
	}
	return m, err
}

// savedLayer is one entry of a functional config's layer list while the graph is rebuilt.
type savedLayer struct {
	name    string
	class   string
	layer   Layer
	mask    bool           // a mask-making op (NotEqual, Any) that Keras writes; its output is ignored
	nodes   []any          // inbound_nodes
	outputs [][]*Tensor    // per processed node
	input   *Tensor        // for input layers
	entry   map[string]any // the saved entry
}

// maskTensor stands for the output of a mask op: it may only appear as a "mask" keyword.
var maskTensor = &Tensor{}

func functionalFromConfig(cfg map[string]any, st *loadState) (*Model, error) {
	name, _ := cfg["name"].(string)
	list, ok := cfg["layers"].([]any)
	if !ok {
		return nil, fmt.Errorf("keras: %w: model %q: config has no layers list", ErrFileFormat, name)
	}
	byName := map[string]*savedLayer{}
	var order []*savedLayer
	for i, e := range list {
		entry, ok := e.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("keras: %w: model %q: layer %d is %T, not a dict", ErrFileFormat, name, i, e)
		}
		sl, err := newSavedLayer(entry, st)
		if err != nil {
			return nil, fmt.Errorf("keras: model %q: %w", name, err)
		}
		if byName[sl.name] != nil {
			return nil, fmt.Errorf("keras: %w: model %q: two layers are named %q", ErrFileFormat, name, sl.name)
		}
		byName[sl.name] = sl
		order = append(order, sl)
	}
	// Process nodes whose inputs exist until nothing changes: Keras 3 accepts layer lists in
	// any order.
	for progress := true; progress; {
		progress = false
		for _, sl := range order {
			for len(sl.outputs) < len(sl.nodes) {
				done, err := processNode(sl, sl.nodes[len(sl.outputs)], byName)
				if err != nil {
					return nil, fmt.Errorf("keras: model %q: %w", name, err)
				}
				if !done {
					break
				}
				progress = true
			}
		}
	}
	for _, sl := range order {
		if len(sl.outputs) < len(sl.nodes) {
			return nil, fmt.Errorf("keras: %w: model %q: call %d of layer %s refers to a tensor no layer produces", ErrFileFormat, name, len(sl.outputs), sl.name)
		}
	}
	inputs, err := resolveRefs(cfg["input_layers"], byName, "input_layers")
	if err != nil {
		return nil, fmt.Errorf("keras: model %q: %w", name, err)
	}
	outputs, err := resolveRefs(cfg["output_layers"], byName, "output_layers")
	if err != nil {
		return nil, fmt.Errorf("keras: model %q: %w", name, err)
	}
	var opts []ModelOption
	if name != "" {
		opts = append(opts, ModelName(name))
	}
	m, err := NewModel(inputs, outputs, opts...)
	if err != nil {
		return nil, err
	}
	if tr, ok := cfg["trainable"].(bool); ok {
		m.trainable = tr
	}
	return m, nil
}

// newSavedLayer creates the layer of one functional-config entry.
func newSavedLayer(entry map[string]any, st *loadState) (*savedLayer, error) {
	class, _ := entry["class_name"].(string)
	cfg, _ := entry["config"].(map[string]any)
	if class == "" || cfg == nil {
		return nil, fmt.Errorf("%w: layer entry without class_name or config", ErrFileFormat)
	}
	name, _ := entry["name"].(string)
	if name == "" {
		name, _ = cfg["name"].(string)
	}
	if name == "" {
		return nil, fmt.Errorf("%w: %s layer without a name", ErrFileFormat, class)
	}
	sl := &savedLayer{name: name, class: class, entry: entry}
	if nodes, ok := entry["inbound_nodes"].([]any); ok {
		sl.nodes = nodes
	} else if entry["inbound_nodes"] != nil {
		return nil, fmt.Errorf("%w: layer %s: inbound_nodes is %T", ErrFileFormat, name, entry["inbound_nodes"])
	}
	module, _ := entry["module"].(string)
	switch {
	case class == "InputLayer":
		t, err := inputFromConfig(cfg, name)
		if err != nil {
			return nil, err
		}
		sl.input = t
		sl.outputs = [][]*Tensor{{t}}
		sl.nodes = nil
	case (class == "NotEqual" || class == "Any" || class == "ConvertToTensor") && (module == "" || strings.HasPrefix(module, "keras.src.ops")):
		// NotEqual after Embedding(mask_zero=True); NotEqual then Any for Masking;
		// ConvertToTensor of the query's mask after Attention (its compute_mask).
		sl.mask = true
	case class == "Functional" || class == "Model" || class == "Sequential":
		m, err := modelFromConfig(class, cfg, st)
		if err != nil {
			return nil, err
		}
		sl.layer = m
	default:
		if strings.HasPrefix(module, "keras.src.ops") {
			l, err := operationFromEntry(module, class, name, cfg, sl.nodes)
			if err != nil {
				return nil, err
			}
			sl.layer = l
			return sl, nil
		}
		l, err := layerFromEntry(entry, class, cfg)
		if err != nil {
			return nil, err
		}
		if l.Name() != name {
			return nil, fmt.Errorf("%w: layer entry %q holds a config named %q", ErrFileFormat, name, l.Name())
		}
		st.charge(l)
		sl.layer = l
	}
	return sl, nil
}

// inputFromConfig rebuilds an Input from an InputLayer config.
func inputFromConfig(cfg map[string]any, name string) (*Tensor, error) {
	raw, ok := cfg["batch_shape"]
	if !ok {
		raw = cfg["batch_input_shape"]
	}
	shape, err := shapeFromConfig(raw)
	if err != nil || len(shape) < 2 {
		return nil, fmt.Errorf("%w: input %s: batch_shape %v: want a list with the batch dimension first and at least one more", ErrFileFormat, name, raw)
	}
	for _, k := range []string{"sparse", "ragged"} {
		if b, _ := cfg[k].(bool); b {
			return nil, fmt.Errorf("%w: input %s: %s inputs are not supported", ErrUnknownName, name, k)
		}
	}
	dtype := "float32"
	if d, ok := cfg["dtype"]; ok && d != nil && !isBoolDType(d) { // bool: see isBoolDType
		if dtype, err = policyName(d); err != nil {
			return nil, fmt.Errorf("input %s: %w", name, err)
		}
	}
	t := Input(shape[1:], Name(name), DType(dtype))
	if t.err != nil {
		return nil, t.err
	}
	return t, nil
}

// maxConfigDim bounds a dimension of a saved input shape (a sequence length, an image side),
// as layers.MaxConfigInt bounds the integers of layer configs.
const maxConfigDim = 1<<31 - 1

// shapeFromConfig reads a shape list: null (or a negative number) is None.
func shapeFromConfig(v any) (Shape, error) {
	list, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("%w: shape is %T, not a list", ErrFileFormat, v)
	}
	s := make(Shape, len(list))
	for i, d := range list {
		switch x := d.(type) {
		case nil:
			s[i] = None
		case float64:
			if x > maxConfigDim {
				return nil, fmt.Errorf("%w: dimension %.0f in shape %v exceeds the limit %d", ErrFileFormat, x, list, maxConfigDim)
			}
			if x != math.Trunc(x) || x < -1 || x == 0 && i > 0 {
				return nil, fmt.Errorf("%w: bad dimension %v in shape %v", ErrFileFormat, x, list)
			}
			s[i] = int(x)
			if x < 0 {
				s[i] = None
			}
		default:
			return nil, fmt.Errorf("%w: dimension %v of %T in shape", ErrFileFormat, d, d)
		}
	}
	return s, nil
}

// isBoolDType reports whether an input's dtype is "bool", as Keras models declare attention
// masks (MultiHeadAttention's attention_mask). kerago has no bool tensors: such an input is
// read as float32, to be fed 0s and 1s (or any numbers, nonzero counting as true, as the
// layers that take masks cast them).
func isBoolDType(v any) bool {
	if m, ok := v.(map[string]any); ok {
		cfg, _ := m["config"].(map[string]any)
		v = cfg["name"]
	}
	return v == "bool"
}

// policyName reads a dtype: a name or a DTypePolicy dict. Only the float32 and float64
// policies (and integer input dtypes) are supported.
func policyName(v any) (string, error) {
	var name string
	switch x := v.(type) {
	case string:
		name = x
	case map[string]any:
		cfg, _ := x["config"].(map[string]any)
		name, _ = cfg["name"].(string)
	}
	switch name {
	case "float32", "float64", "int32", "int64":
		return name, nil
	}
	return "", fmt.Errorf("%w: dtype policy %v is not supported (float32, float64)", ErrDType, v)
}

// processNode calls sl's layer for one saved node if every input tensor exists. It reports
// whether it did.
func processNode(sl *savedLayer, node any, byName map[string]*savedLayer) (bool, error) {
	tensors, kwargs, err := nodeTensors(node)
	if err != nil {
		return false, fmt.Errorf("layer %s: %w", sl.name, err)
	}
	resolve := func(r tensorRef) (*Tensor, bool, error) {
		src := byName[r.layer]
		if src == nil {
			return nil, false, fmt.Errorf("%w: layer %s takes a tensor from unknown layer %q", ErrFileFormat, sl.name, r.layer)
		}
		if src.mask {
			return maskTensor, true, nil
		}
		if r.node >= len(src.outputs) {
			if r.node >= len(src.nodes) && src.input == nil {
				return nil, false, fmt.Errorf("%w: layer %s takes output %d of call %d of %s, which has %d calls", ErrFileFormat, sl.name, r.tensor, r.node, r.layer, len(src.nodes))
			}
			return nil, false, nil // not yet computed
		}
		outs := src.outputs[r.node]
		if r.tensor < 0 || r.tensor >= len(outs) {
			return nil, false, fmt.Errorf("%w: layer %s takes output %d of %s, which has %d outputs", ErrFileFormat, sl.name, r.tensor, r.layer, len(outs))
		}
		return outs[r.tensor], true, nil
	}
	ins := make([]*Tensor, 0, len(tensors))
	for _, r := range tensors {
		t, ok, err := resolve(r)
		if err != nil || !ok {
			return false, err
		}
		if t == maskTensor && !sl.mask {
			return false, fmt.Errorf("%w: layer %s takes the output of mask operation %s as an input", ErrUnknownName, sl.name, r.layer)
		}
		ins = append(ins, t)
	}
	// A mask keyword is re-derived from the layer that makes it (Embedding's mask_zero,
	// Masking), which Keras writes as a mask operation. A mask from any other tensor (an Input
	// of booleans passed as mask=) would be dropped and the layer would attend to or step
	// over every position: refuse it rather than load a model that predicts otherwise.
	for _, r := range kwargRefs(kwargs["mask"]) {
		t, ok, err := resolve(r)
		if err != nil || !ok {
			return false, err
		}
		if t != maskTensor {
			return false, fmt.Errorf("%w: layer %s: call argument \"mask\" is the output of %s, an explicit mask; kerago applies only masks made by Embedding(mask_zero) and Masking (pass it as an input where the layer takes one, as MultiHeadAttention's attention mask)", ErrUnknownName, sl.name, r.layer)
		}
	}
	kwTensors := map[string]*Tensor{}
	for k, v := range kwargs {
		if k == "mask" || k == "training" {
			continue
		}
		r, isTensor, err := kwargTensor(v)
		if err != nil {
			return false, fmt.Errorf("layer %s: call argument %q: %w", sl.name, k, err)
		}
		if !isTensor {
			continue
		}
		t, ok, err := resolve(r)
		if err != nil || !ok {
			return false, err
		}
		if t == maskTensor {
			return false, fmt.Errorf("%w: layer %s takes the output of mask operation %s as call argument %q", ErrUnknownName, sl.name, r.layer, k)
		}
		kwTensors[k] = t
	}
	for k, v := range kwargs {
		switch k {
		case "mask", "training":
			// Masks are re-derived from the layers that make them; training is decided by
			// Fit and Predict.
			continue
		}
		if kwTensors[k] != nil {
			continue // an input, joined below
		}
		if ck, ok := sl.layer.(CallKeywords); ok {
			took, err := ck.SetCallKeyword(k, v)
			if err != nil {
				return false, fmt.Errorf("layer %s: call argument %q: %w", sl.name, k, err)
			}
			if took {
				continue
			}
		}
		if v != nil {
			return false, fmt.Errorf("%w: layer %s: call argument %q is not supported", ErrUnknownName, sl.name, k)
		}
	}
	if ck, ok := sl.layer.(CallKeywords); ok && !sl.mask {
		// A keyword an earlier call set and this one leaves out is its default here: kerago
		// keeps one setting per layer, so the layer refuses the difference rather than
		// applying the earlier call's setting to this call too.
		for k := range ck.CallKeywords() {
			if _, given := kwargs[k]; given {
				continue
			}
			if _, err := ck.SetCallKeyword(k, nil); err != nil {
				return false, fmt.Errorf("layer %s: call argument %q left out: %w", sl.name, k, err)
			}
		}
	}
	if len(kwTensors) > 0 && !sl.mask {
		ki, ok := sl.layer.(KeywordInputs)
		if !ok {
			names := make([]string, 0, len(kwTensors))
			for k := range kwTensors {
				names = append(names, k)
			}
			sort.Strings(names)
			return false, fmt.Errorf("%w: layer %s: call arguments %q are tensors; %s takes no tensor keyword arguments", ErrUnknownName, sl.name, names, sl.layer.ClassName())
		}
		if ins, err = ki.JoinInputs(ins, kwTensors); err != nil {
			return false, fmt.Errorf("%w: layer %s: %w", ErrUnknownName, sl.name, err)
		}
	}
	if sl.mask {
		sl.outputs = append(sl.outputs, []*Tensor{maskTensor})
		return true, nil
	}
	if len(ins) == 0 {
		return false, fmt.Errorf("%w: layer %s: a call with no input tensors", ErrFileFormat, sl.name)
	}
	outs := Call(sl.layer, ins...)
	if len(outs) == 1 && outs[0].err != nil {
		return false, outs[0].err
	}
	sl.outputs = append(sl.outputs, outs)
	return true, nil
}

// tensorRef is a keras_history: a layer, one of its calls and one of that call's outputs.
type tensorRef struct {
	layer        string
	node, tensor int
}

// nodeTensors reads the input tensors and keyword arguments of a saved call, in Keras 3's form
// ({"args": [...], "kwargs": {...}}) or Keras 2's ([[layer, node, tensor, kwargs], ...]).
func nodeTensors(node any) ([]tensorRef, map[string]any, error) {
	var refs []tensorRef
	switch n := node.(type) {
	case map[string]any:
		args, _ := n["args"].([]any)
		var walk func(v any, top bool) error
		walk = func(v any, top bool) error {
			switch x := v.(type) {
			case map[string]any:
				if x["class_name"] != "__keras_tensor__" {
					return fmt.Errorf("%w: call argument %v is not a tensor", ErrUnknownName, x["class_name"])
				}
				c, _ := x["config"].(map[string]any)
				r, err := parseRef(c["keras_history"])
				if err != nil {
					return err
				}
				refs = append(refs, r)
			case []any:
				for _, e := range x {
					if err := walk(e, false); err != nil {
						return err
					}
				}
			default:
				if !top {
					return fmt.Errorf("%w: call argument %v in a tensor list", ErrFileFormat, v)
				}
				// A constant positional argument (NotEqual's 0): only mask ops have them,
				// and their outputs are ignored.
			}
			return nil
		}
		for _, a := range args {
			if err := walk(a, true); err != nil {
				return nil, nil, err
			}
		}
		kw, _ := n["kwargs"].(map[string]any)
		return refs, kw, nil
	case []any:
		kw := map[string]any{}
		for _, e := range n {
			item, ok := e.([]any)
			if !ok || len(item) < 3 {
				return nil, nil, fmt.Errorf("%w: legacy node entry %v", ErrFileFormat, e)
			}
			r, err := parseRef(item[:3])
			if err != nil {
				return nil, nil, err
			}
			refs = append(refs, r)
			if len(item) > 3 {
				if m, ok := item[3].(map[string]any); ok {
					for k, v := range m {
						kw[k] = v
					}
				}
			}
		}
		return refs, kw, nil
	}
	return nil, nil, fmt.Errorf("%w: node is %T", ErrFileFormat, node)
}

// kwargTensor reads a keyword argument of a saved call that is a tensor (Keras's
// {"class_name": "__keras_tensor__", ...}); isTensor is false for any other value.
// kwargRefs returns the tensor references in a keyword argument: one tensor, or tensors in
// lists and dicts (Attention's mask=[query_mask, value_mask]). Malformed references are
// left to the readers that need them.
func kwargRefs(v any) []tensorRef {
	switch x := v.(type) {
	case []any:
		var refs []tensorRef
		for _, e := range x {
			refs = append(refs, kwargRefs(e)...)
		}
		return refs
	case map[string]any:
		if x["class_name"] == "__keras_tensor__" {
			if r, _, err := kwargTensor(x); err == nil {
				return []tensorRef{r}
			}
			return nil
		}
		var refs []tensorRef
		for _, e := range x {
			refs = append(refs, kwargRefs(e)...)
		}
		return refs
	}
	return nil
}

func kwargTensor(v any) (r tensorRef, isTensor bool, err error) {
	x, ok := v.(map[string]any)
	if !ok || x["class_name"] != "__keras_tensor__" {
		return tensorRef{}, false, nil
	}
	c, _ := x["config"].(map[string]any)
	r, err = parseRef(c["keras_history"])
	return r, true, err
}

// parseRef reads [layer name, node index, tensor index].
func parseRef(v any) (tensorRef, error) {
	l, ok := v.([]any)
	if !ok || len(l) < 3 {
		return tensorRef{}, fmt.Errorf("%w: tensor reference %v: want [layer, node, tensor]", ErrFileFormat, v)
	}
	name, ok := l[0].(string)
	n, ok1 := l[1].(float64)
	t, ok2 := l[2].(float64)
	if !ok || !ok1 || !ok2 || n < 0 || t < 0 || n != math.Trunc(n) || t != math.Trunc(t) || n > 1<<30 || t > 1<<30 {
		return tensorRef{}, fmt.Errorf("%w: tensor reference %v: want [layer, node, tensor]", ErrFileFormat, v)
	}
	return tensorRef{layer: name, node: int(n), tensor: int(t)}, nil
}

// resolveRefs reads input_layers or output_layers: one triple, a list of triples, or a dict
// of them (flattened in sorted key order, as Keras flattens dicts).
func resolveRefs(v any, byName map[string]*savedLayer, what string) ([]*Tensor, error) {
	var raw []any
	switch x := v.(type) {
	case []any:
		if len(x) > 0 {
			if _, single := x[0].(string); single {
				raw = []any{x}
			} else {
				raw = x
			}
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			raw = append(raw, x[k])
		}
	}
	if len(raw) == 0 {
		return nil, fmt.Errorf("%w: %s is missing or empty", ErrFileFormat, what)
	}
	refs := make([]tensorRef, len(raw))
	for i, e := range raw {
		r, err := parseRef(e)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		refs[i] = r
	}
	// Keras counts a functional model's construction as its call 0 here (see
	// constructionNodes), so it never writes index 0 for such a model. A list that does was
	// written by kerago before it followed Keras, numbering calls from 0: read it that way.
	shift := 1
	for _, r := range refs {
		if src := byName[r.layer]; src != nil && src.layer != nil && r.node == 0 && constructionNodes(src.layer) == 1 {
			shift = 0
		}
	}
	out := make([]*Tensor, len(raw))
	for i, r := range refs {
		src := byName[r.layer]
		call := r.node
		if src != nil && src.layer != nil {
			call -= shift * constructionNodes(src.layer)
		}
		if src == nil || src.mask || call >= len(src.outputs) || r.tensor >= len(src.outputs[call]) {
			return nil, fmt.Errorf("%w: %s names output %d of call %d of layer %q, which does not exist", ErrFileFormat, what, r.tensor, r.node, r.layer)
		}
		out[i] = src.outputs[call][r.tensor]
	}
	return out, nil
}

// sequentialFromConfig rebuilds a Sequential model: its input (an InputLayer entry first, or
// a batch shape on the first layer as Keras 2 writes it), then each layer called on the
// previous output.
func sequentialFromConfig(cfg map[string]any, st *loadState) (*Model, error) {
	name, _ := cfg["name"].(string)
	list, ok := cfg["layers"].([]any)
	if !ok || len(list) == 0 {
		return nil, fmt.Errorf("keras: %w: Sequential %q: config has no layers", ErrFileFormat, name)
	}
	entries := make([]map[string]any, len(list))
	for i, e := range list {
		entry, ok := e.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("keras: %w: Sequential %q: layer %d is %T, not a dict", ErrFileFormat, name, i, e)
		}
		entries[i] = entry
	}
	var x *Tensor
	var err error
	first, _ := entries[0]["config"].(map[string]any)
	if entries[0]["class_name"] == "InputLayer" {
		if first == nil {
			return nil, fmt.Errorf("keras: %w: Sequential %q: input layer without config", ErrFileFormat, name)
		}
		iname, _ := first["name"].(string)
		if iname == "" {
			iname = UniqueName("input_layer")
		}
		if x, err = inputFromConfig(first, iname); err != nil {
			return nil, fmt.Errorf("keras: Sequential %q: %w", name, err)
		}
		entries = entries[1:]
	} else {
		in := map[string]any{"dtype": "float32"}
		switch {
		case first != nil && first["batch_input_shape"] != nil:
			in["batch_shape"] = first["batch_input_shape"]
		case first != nil && first["batch_shape"] != nil:
			in["batch_shape"] = first["batch_shape"]
		default:
			in["batch_shape"] = cfg["build_input_shape"]
		}
		if x, err = inputFromConfig(in, UniqueName("input_layer")); err != nil {
			return nil, fmt.Errorf("keras: Sequential %q: %w", name, err)
		}
	}
	input := x
	for _, entry := range entries {
		class, _ := entry["class_name"].(string)
		lcfg, _ := entry["config"].(map[string]any)
		var l Layer
		switch class {
		case "Functional", "Model", "Sequential":
			l, err = modelFromConfig(class, lcfg, st)
		default:
			l, err = layerFromEntry(entry, class, lcfg)
		}
		if err != nil {
			return nil, fmt.Errorf("keras: Sequential %q: %w", name, err)
		}
		st.charge(l)
		outs := Call(l, x)
		if outs[0].err != nil {
			return nil, outs[0].err
		}
		if len(outs) != 1 {
			return nil, fmt.Errorf("keras: %w: Sequential %q: layer %s has %d outputs; Sequential layers have one", ErrGraph, name, l.Name(), len(outs))
		}
		x = outs[0]
	}
	if name == "" {
		name = UniqueName("sequential")
	}
	m, err := NewModel(Inputs(input), Outputs(x), ModelName(name))
	if err != nil {
		return nil, err
	}
	m.sequential = true
	if tr, ok := cfg["trainable"].(bool); ok {
		m.trainable = tr
	}
	return m, nil
}
