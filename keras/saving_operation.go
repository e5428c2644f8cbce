package keras

import "fmt"

// operationFromEntry rebuilds an operation node Keras 3 records for a raw keras.ops call on
// symbolic tensors (module keras.src.ops.numpy, class Add for `x + 3`). The function
// registered as module>class gets the entry's config plus "call_args": the positional
// arguments of its one call, tensors as nil and numbers as written, since an operation's
// numbers live in its call rather than its config.
func operationFromEntry(module, class, name string, cfg map[string]any, nodes []any) (Layer, error) {
	f, ok := lookupLayer(module + ">" + class)
	if !ok {
		return nil, fmt.Errorf("%w: operation %q (%s.%s) is not supported by this library", ErrUnknownName, name, module, class)
	}
	if len(nodes) != 1 {
		return nil, fmt.Errorf("%w: operation %q (%s) has %d calls; Keras records one per operation", ErrFileFormat, name, class, len(nodes))
	}
	node, ok := nodes[0].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("%w: operation %q (%s): call is %T, not a dict", ErrFileFormat, name, class, nodes[0])
	}
	args, _ := node["args"].([]any)
	callArgs := make([]any, len(args))
	for i, a := range args {
		switch x := a.(type) {
		case map[string]any:
			if x["class_name"] != "__keras_tensor__" {
				return nil, fmt.Errorf("%w: operation %q (%s): argument %d is a %v, not a tensor or a number", ErrUnknownName, name, class, i, x["class_name"])
			}
		case float64:
			callArgs[i] = x
		default:
			return nil, fmt.Errorf("%w: operation %q (%s): argument %d is %v (%T), not a tensor or a number", ErrUnknownName, name, class, i, a, a)
		}
	}
	if kw, _ := node["kwargs"].(map[string]any); len(kw) > 0 {
		return nil, fmt.Errorf("%w: operation %q (%s): keyword arguments %v are not supported", ErrUnknownName, name, class, kw)
	}
	c := make(map[string]any, len(cfg)+1)
	for k, v := range cfg {
		c[k] = v
	}
	c["call_args"] = callArgs
	l, err := callFromConfig(f, c)
	if err != nil {
		return nil, fmt.Errorf("keras: operation %s (%s): %w", name, class, err)
	}
	if l == nil || l.base() == nil {
		return nil, fmt.Errorf("keras: %w: the function registered for %s returned no layer", ErrInternal, class)
	}
	if err := l.base().Err(); err != nil {
		return nil, layerErr(l, err)
	}
	if l.Name() != name {
		return nil, fmt.Errorf("%w: operation entry %q holds a config named %q", ErrFileFormat, name, l.Name())
	}
	return l, nil
}
