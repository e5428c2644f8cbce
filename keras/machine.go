package keras

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"

	"github.com/kerago/kerago/keras/internal/exec"
	G "gorgonia.org/gorgonia"
)

// machineKind is the machine a program runs on.
type machineKind string

const (
	// machineExec is kerago's own machine (keras/internal/exec): every value allocated once
	// per program and reused from step to step. The default.
	machineExec machineKind = "exec"
	// machineTape is Gorgonia's TapeMachine, which allocates the values anew every run. It
	// runs the programs exec refuses, and every program when KERAGO_MACHINE=tape.
	machineTape machineKind = "tape"
)

// machineEnv names the environment variable that picks the machine of every program built
// afterwards: "tape" for Gorgonia's TapeMachine (to compare with), "exec" or unset for
// kerago's own.
const machineEnv = "KERAGO_MACHINE"

// machineOverride, when not empty, wins over machineEnv: tests compare the two machines in
// one process with it.
var machineOverride atomic.Pointer[machineKind]

// wantedMachine returns the machine programs should run on.
func wantedMachine() (machineKind, error) {
	if k := machineOverride.Load(); k != nil {
		return *k, nil
	}
	switch v := os.Getenv(machineEnv); v {
	case "", string(machineExec):
		return machineExec, nil
	case string(machineTape):
		return machineTape, nil
	default:
		return "", fmt.Errorf("keras: %w: %s=%q: want %q or %q (or unset)", ErrInvalidArgument, machineEnv, v, machineExec, machineTape)
	}
}

// newMachine builds the machine of a program's graph, its Reads already added. A graph
// kerago's machine cannot run (exec.ErrUnsupported) runs on the TapeMachine.
func newMachine(g *G.ExprGraph) (G.VM, machineKind, error) {
	want, err := wantedMachine()
	if err != nil {
		return nil, "", err
	}
	if want == machineExec {
		m, err := exec.New(g)
		if err == nil {
			return m, machineExec, nil
		}
		if !errors.Is(err, exec.ErrUnsupported) {
			return nil, "", fmt.Errorf("keras: %w", err)
		}
	}
	return G.NewTapeMachine(g), machineTape, nil
}
