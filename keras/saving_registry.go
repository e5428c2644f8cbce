package keras

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// LayerFromConfig rebuilds a layer from its Keras config (the "config" dict of a saved layer:
// name, trainable, dtype and the layer's own keys, as JSON decodes them: numbers are float64,
// lists []any, dicts map[string]any). It returns a new, unbuilt layer; LoadModel calls it on
// its inputs, which builds it, then loads its weights.
type LayerFromConfig func(cfg map[string]any) (Layer, error)

var (
	registryMu sync.RWMutex
	registry   = map[string]LayerFromConfig{}
)

// RegisterLayer makes a layer class loadable by LoadModel: className is the Keras class name
// written in saved models ("Dense", "LSTM", or a custom layer's registered name such as
// "MyPackage>MyLayer"). Package layers registers every built-in layer in its init, so a
// program that loads models must import it (every program that builds one does). Like
// sql.Register, RegisterLayer panics if className is empty, fromConfig is nil or the class is
// already registered: call it from init.
func RegisterLayer(className string, fromConfig LayerFromConfig) {
	registryMu.Lock()
	defer registryMu.Unlock()
	if className == "" || fromConfig == nil {
		panic("keras: RegisterLayer: empty class name or nil function")
	}
	if _, dup := registry[className]; dup {
		panic("keras: RegisterLayer: class " + className + " registered twice")
	}
	registry[className] = fromConfig
}

// RegisteredLayers returns the class names LoadModel can rebuild, sorted.
func RegisteredLayers() []string {
	registryMu.RLock()
	defer registryMu.RUnlock()
	out := make([]string, 0, len(registry))
	for k := range registry {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func lookupLayer(names ...string) (LayerFromConfig, bool) {
	registryMu.RLock()
	defer registryMu.RUnlock()
	for _, n := range names {
		if f, ok := registry[n]; ok {
			return f, true
		}
	}
	return nil, false
}

// DeserializeLayer rebuilds a layer from a saved layer entry, as Keras's
// deserialize_keras_object does: {"class_name": ..., "config": {...}} with optional
// "module" and "registered_name". Models (Functional, Sequential) are rebuilt with their own
// layers. A class no registered function knows is an error wrapping ErrUnknownName that names
// it. Wrappers such as Bidirectional use it for the layer they wrap.
func DeserializeLayer(entry map[string]any) (Layer, error) {
	class, _ := entry["class_name"].(string)
	if class == "" {
		return nil, fmt.Errorf("keras: %w: layer entry has no class_name", ErrFileFormat)
	}
	cfg, ok := entry["config"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("keras: %w: layer %s has no config dict", ErrFileFormat, class)
	}
	switch class {
	case "Functional", "Model", "Sequential":
		return modelFromConfig(class, cfg, newLoadState(0))
	}
	return layerFromEntry(entry, class, cfg)
}

func layerFromEntry(entry map[string]any, class string, cfg map[string]any) (Layer, error) {
	names := []string{class}
	if r, ok := entry["registered_name"].(string); ok && r != "" && r != class {
		names = []string{r, class}
	}
	f, ok := lookupLayer(names...)
	if !ok {
		hint := ""
		if len(RegisteredLayers()) == 0 {
			hint = " (no layer classes are registered: import github.com/kerago/kerago/keras/layers)"
		}
		return nil, fmt.Errorf("keras: %w: layer class %q is not supported by this library%s", ErrUnknownName, strings.Join(names, "\" / \""), hint)
	}
	l, err := callFromConfig(f, cfg)
	if err != nil {
		name, _ := cfg["name"].(string)
		return nil, fmt.Errorf("keras: layer %s (%s) from config: %w", name, class, err)
	}
	if l == nil || l.base() == nil {
		return nil, fmt.Errorf("keras: %w: the function registered for %s returned no layer", ErrInternal, class)
	}
	if err := l.base().Err(); err != nil {
		return nil, layerErr(l, err)
	}
	return l, nil
}

// callFromConfig calls a registered function, turning a panic into an error.
func callFromConfig(f LayerFromConfig, cfg map[string]any) (l Layer, err error) {
	defer recoverErr("layer from config", &err)
	return f(cfg)
}
