package keras

import (
	"errors"
	"fmt"
	"runtime/debug"
	"strings"

	G "gorgonia.org/gorgonia"
)

// forwardLayer runs one call of l.Forward in a realisation and turns any failure, a panic
// included (from Gorgonia, from the kit or from a custom layer), into one *LayerError naming
// the layer, its class, the realisation and the call's input shapes. A panic's stack stays on
// the error ([LayerError.Stack]) instead of in the message, which is one line.
func forwardLayer(ctx *Context, l Layer, ins []*G.Node) (outs []*G.Node, err error) {
	defer func() {
		if r := recover(); r != nil {
			outs, err = nil, &LayerError{Layer: l.Name(), Class: l.ClassName(),
				Err: &layerCallError{where: realisation(ctx, ins), err: panicErr(r), stack: debug.Stack()}}
		}
	}()
	outs, err = l.Forward(ctx, ins)
	if err == nil {
		return outs, nil
	}
	var le *LayerError
	if errors.As(err, &le) {
		return nil, err // a nested model's layer already said where
	}
	return nil, &LayerError{Layer: l.Name(), Class: l.ClassName(), Err: &layerCallError{where: realisation(ctx, ins), err: err}}
}

// recoverCall turns a panic in a layer's symbolic call (Build or OutputShapes) into one
// *LayerError naming the layer, with the stack on the error value, as forwardLayer does for
// Forward.
func recoverCall(l Layer, errp *error) {
	if r := recover(); r != nil {
		*errp = &LayerError{Layer: l.Name(), Class: l.ClassName(),
			Err: &layerCallError{where: "in its call on symbolic inputs", err: panicErr(r), stack: debug.Stack()}}
	}
}

// panicErr is a recovered panic as an error wrapping ErrInternal (and the panic value, when it
// is an error).
func panicErr(r any) error {
	if re, ok := r.(error); ok {
		return fmt.Errorf("%w: panic: %w", ErrInternal, re)
	}
	return fmt.Errorf("%w: panic: %v", ErrInternal, r)
}

// realisation describes one call of a layer in a realisation of the model, for messages.
func realisation(ctx *Context, ins []*G.Node) string {
	mode := "inference"
	if ctx.Training() {
		mode = "training"
	}
	shapes := make([]string, len(ins))
	for i, n := range ins {
		shapes[i] = fmt.Sprint(n.Shape())
	}
	return fmt.Sprintf("in the %s realisation for input shapes %s", mode, strings.Join(shapes, ", "))
}

// layerCallError is the failure of one layer call while the model realised its graph.
type layerCallError struct {
	where string
	err   error
	stack []byte // the panic's stack, or nil
}

func (e *layerCallError) Error() string { return e.where + ": " + e.err.Error() }
func (e *layerCallError) Unwrap() error { return e.err }

// Stack returns the goroutine stack of the panic that caused the error, when a layer's
// Build, OutputShapes or Forward panicked, and nil otherwise. The message never
// carries it; print it when debugging a custom layer:
//
//	var le *keras.LayerError
//	if errors.As(err, &le) && le.Stack() != nil {
//		os.Stderr.Write(le.Stack())
//	}
func (e *LayerError) Stack() []byte {
	var ce *layerCallError
	if errors.As(e.Err, &ce) {
		return ce.stack
	}
	return nil
}
