package keras

import (
	"testing"
	"time"
)

// groupModel builds a one-layer model over l, for the group tests.
func groupModel(t *testing.T, l Layer) *Model {
	t.Helper()
	in := Input(Shape{3})
	m, err := NewModel(Inputs(in), Outputs(CallOne(l, in)))
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// Models join a group exactly when they share a layer, directly or through other models.
func TestSharedLockGroups(t *testing.T) {
	a, b := groupModel(t, &testDense{units: 2}), groupModel(t, &testDense{units: 2})
	if a.currentGroup() == b.currentGroup() {
		t.Fatal("two models that share nothing have one lock")
	}
	in := Input(Shape{3})
	both, err := NewModel(Inputs(in), Outputs(a.Call(in), b.Call(in)))
	if err != nil {
		t.Fatal(err)
	}
	g := both.currentGroup()
	if a.currentGroup() != g || b.currentGroup() != g || a.layers[1].base().currentGroup() != g {
		t.Fatal("a model over two models does not share their lock")
	}
	// An Input tensor holds no weights: two models over one Input stay apart.
	c, d := &testDense{units: 2}, &testDense{units: 2}
	shared := Input(Shape{3})
	mc, err := NewModel(Inputs(shared), Outputs(CallOne(c, shared)))
	if err != nil {
		t.Fatal(err)
	}
	md, err := NewModel(Inputs(shared), Outputs(CallOne(d, shared)))
	if err != nil {
		t.Fatal(err)
	}
	if mc.currentGroup() == md.currentGroup() {
		t.Fatal("two models sharing only an Input tensor have one lock")
	}
}

// Joining a new model to a group whose lock is held (a training step in flight) does not
// wait for it, and a step of the new model then waits for the holder.
func TestSharedLockJoinWhileHeld(t *testing.T) {
	l := &testDense{units: 2}
	a := groupModel(t, l)
	unlock := a.lockWeights()
	made := make(chan *Model)
	go func() {
		in := Input(Shape{3})
		m, err := NewModel(Inputs(in), Outputs(CallOne(&testDense{units: 2}, CallOne(l, in))))
		if err != nil {
			t.Error(err)
		}
		made <- m
	}()
	var m *Model
	select {
	case m = <-made:
	case <-time.After(10 * time.Second):
		t.Fatal("NewModel waited for another model's lock")
	}
	if m == nil {
		unlock()
		return
	}
	locked := make(chan struct{})
	go func() {
		u := m.rlockWeights()
		close(locked)
		u()
	}()
	select {
	case <-locked:
		t.Fatal("a model sharing a layer read its weights while another model held them for writing")
	case <-time.After(50 * time.Millisecond):
	}
	unlock()
	<-locked
}
