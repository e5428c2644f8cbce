package keras

import (
	"fmt"
)

// Tensor is a symbolic tensor: the output of Input or of a layer call. It knows its static
// shape (batch dimension first, None where unknown), its dtype and the layer call that made
// it. It holds no data.
//
// A layer call that fails returns a Tensor that carries the error instead of panicking;
// every later call on it passes the error on, and NewModel returns it.
type Tensor struct {
	shape Shape
	dtype string
	node  *Node // the layer call that produced this tensor
	index int   // which output of that call
	err   error
}

// errTensor returns a tensor that carries err.
func errTensor(err error) *Tensor { return &Tensor{err: err} }

// Shape returns the tensor's shape, batch dimension included (None).
func (t *Tensor) Shape() Shape {
	if t == nil {
		return nil
	}
	return t.shape.Clone()
}

// DType returns the Keras dtype name: "float32", "float64", "int32" or "int64".
func (t *Tensor) DType() string {
	if t == nil {
		return ""
	}
	return t.dtype
}

// Err returns the error of the layer call that made t, or of any call before it.
func (t *Tensor) Err() error {
	if t == nil {
		return fmt.Errorf("keras: %w: nil tensor", ErrGraph)
	}
	return t.err
}

// Layer returns the layer that produced t (an input layer for Input tensors).
func (t *Tensor) Layer() Layer {
	if t == nil || t.node == nil {
		return nil
	}
	return t.node.layer
}

// Name returns the name Keras gives the tensor: the producing layer's name.
func (t *Tensor) Name() string {
	if l := t.Layer(); l != nil {
		return l.Name()
	}
	return ""
}

// String describes the tensor as Keras's KerasTensor repr does.
func (t *Tensor) String() string {
	if t == nil {
		return "<nil tensor>"
	}
	if t.err != nil {
		return fmt.Sprintf("<Tensor error=%v>", t.err)
	}
	return fmt.Sprintf("<Tensor shape=%v, dtype=%s, name=%s>", t.shape, t.dtype, t.Name())
}

// Node is one call of a layer: its input tensors and the output tensors it produced. A layer
// called twice (a shared layer) has two nodes.
type Node struct {
	layer   Layer
	index   int // position among the layer's nodes
	inputs  []*Tensor
	outputs []*Tensor
}

// Layer returns the layer called.
func (n *Node) Layer() Layer { return n.layer }

// Index returns the node's position among the calls of its layer (Keras's node index).
func (n *Node) Index() int { return n.index }

// Inputs returns the input tensors of the call.
func (n *Node) Inputs() []*Tensor { return n.inputs }

// Outputs returns the output tensors of the call.
func (n *Node) Outputs() []*Tensor { return n.outputs }

// isInput reports whether the node is an Input layer's node.
func (n *Node) isInput() bool {
	_, ok := n.layer.(*InputLayer)
	return ok
}
