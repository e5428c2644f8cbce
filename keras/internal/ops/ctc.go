package ops

import (
	"fmt"
	"math"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// CTCLoss returns Keras 3's CTC loss of each sample: labels (batch, max_label_length) of
// class indices, 0 marking padding and class 0 being the blank (Keras's mask_index=0), and
// logits (batch, steps, classes), to which it applies log_softmax itself as Keras's
// ops.ctc_loss does. A sample's label length is its number of non-zero entries, and every
// sample uses all the steps (keras.losses.CTC's input_length). The result is (batch,).
//
// It follows Keras's JAX recursion (optax's ctc_loss_with_forward_probs: blank and emit
// states, log ε = -1e5 for forbidden transitions) step for step, and its gradient is that
// recursion's exact reverse pass, written by hand: a dynamic programme is not expressible in
// Gorgonia's ops. Labels out of [0, classes) or longer than the steps are errors.
func CTCLoss(labels, logits *G.Node) (*G.Node, error) {
	return applyKernel("ctc_loss", "mask_index=0", ctc{}, 1, labels, logits)
}

type ctc struct{}

// ctcLogEpsilon is Keras's (optax's) log of a forbidden transition's probability.
const ctcLogEpsilon = -1e5

func (ctc) outShape(in []tensor.Shape) (tensor.Shape, error) {
	if len(in) != 2 || len(in[0]) != 2 || len(in[1]) != 3 || in[0][0] != in[1][0] {
		return nil, fmt.Errorf("want labels (batch, max_label_length) and logits (batch, steps, classes) of one batch size, got %v", in)
	}
	return tensor.Shape{in[1][0]}, nil
}

// ctcSample is one sample's problem: its labels, its length and log-probabilities.
type ctcSample struct {
	lab    []int       // max_label_length labels
	length int         // non-zero labels
	rep    []float64   // rep[n] = 1 when lab[n] == lab[n+1] (0 past the end)
	lp     [][]float64 // steps × classes log-probabilities
}

func ctcSamples(in [][]float64, s []tensor.Shape) ([]ctcSample, error) {
	b, n := s[0][0], s[0][1]
	steps, classes := s[1][1], s[1][2]
	out := make([]ctcSample, b)
	for i := range out {
		c := &out[i]
		c.lab, c.rep = make([]int, n), make([]float64, n)
		for j := range c.lab {
			v := in[0][i*n+j]
			if v != math.Trunc(v) || v < 0 || v >= float64(classes) {
				return nil, fmt.Errorf("sample %d: label %v is not a class index in [0, %d)", i, v, classes)
			}
			c.lab[j] = int(v)
			if c.lab[j] != 0 {
				c.length++
			}
		}
		if c.length > steps {
			return nil, fmt.Errorf("sample %d has %d labels, more than the %d output steps can emit", i, c.length, steps)
		}
		for j := 0; j+1 < n; j++ {
			if c.lab[j] == c.lab[j+1] {
				c.rep[j] = 1
			}
		}
		c.lp = make([][]float64, steps)
		for t := range c.lp {
			row := in[1][(i*steps+t)*classes : (i*steps+t+1)*classes]
			m := math.Inf(-1)
			for _, v := range row {
				m = math.Max(m, v)
			}
			sum := 0.0
			for _, v := range row {
				sum += math.Exp(v - m)
			}
			lse := m + math.Log(sum)
			c.lp[t] = make([]float64, classes)
			for k, v := range row {
				c.lp[t][k] = v - lse
			}
		}
	}
	return out, nil
}

func logAddExp(a, b float64) float64 {
	m := math.Max(a, b)
	return m + math.Log1p(math.Exp(-math.Abs(a-b)))
}

// ctcStep holds one step's states for the reverse pass.
type ctcStep struct {
	phi, emit  []float64 // states before the step
	phiP       []float64 // phi after the emit-to-phi ε transition
	next, nEmi []float64 // states after the step
	np         []float64 // phiP + log p(blank)
}

// forward runs the recursion, keeping every step when keep is set; it returns the final
// phi row (after the last ε transition) and the steps.
func (c *ctcSample) forward(keep bool) ([]float64, []ctcStep) {
	n := len(c.lab)
	phi, emit := make([]float64, n+1), make([]float64, n)
	for j := range phi {
		if j > 0 {
			phi[j] = ctcLogEpsilon
		}
	}
	for j := range emit {
		emit[j] = ctcLogEpsilon
	}
	var steps []ctcStep
	for t := range c.lp {
		lpPhi := c.lp[t][0]
		phiP := append([]float64(nil), phi...)
		for j := 0; j < n; j++ {
			phiP[j+1] = logAddExp(phi[j+1], emit[j]+ctcLogEpsilon*c.rep[j])
		}
		nEmi := make([]float64, n)
		for j := range nEmi {
			e := c.lp[t][c.lab[j]]
			nEmi[j] = logAddExp(phiP[j]+e, emit[j]+e)
		}
		np := make([]float64, n+1)
		for j := range np {
			np[j] = phiP[j] + lpPhi
		}
		next := append([]float64(nil), np...)
		for j := 0; j < n; j++ {
			next[j+1] = logAddExp(np[j+1], emit[j]+lpPhi+ctcLogEpsilon*(1-c.rep[j]))
		}
		if keep {
			steps = append(steps, ctcStep{phi: phi, emit: emit, phiP: phiP, next: next, nEmi: nEmi, np: np})
		}
		phi, emit = next, nEmi
	}
	last := append([]float64(nil), phi...)
	for j := 0; j < n; j++ {
		last[j+1] = logAddExp(phi[j+1], emit[j])
	}
	if keep {
		steps = append(steps, ctcStep{phi: phi, emit: emit, next: last})
	}
	return last, steps
}

func (ctc) forward(in [][]float64, s []tensor.Shape) ([]float64, error) {
	samples, err := ctcSamples(in, s)
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(samples))
	for i := range samples {
		last, _ := samples[i].forward(false)
		out[i] = -last[samples[i].length]
	}
	return out, nil
}

// backward reverses the recursion: each logaddexp(a, b) = r passes its gradient g on as
// g·e^(a-r) and g·e^(b-r); the log-probabilities' gradient then goes through log_softmax.
func (ctc) backward(in [][]float64, s []tensor.Shape, dOut []float64) ([]float64, error) {
	samples, err := ctcSamples(in, s)
	if err != nil {
		return nil, err
	}
	steps, classes := s[1][1], s[1][2]
	dz := make([]float64, len(in[1]))
	for i := range samples {
		c := &samples[i]
		n := len(c.lab)
		last, st := c.forward(true)
		fin := st[len(st)-1]
		gLast := make([]float64, n+1)
		gLast[c.length] = -dOut[i]
		gPhi, gEmit := make([]float64, n+1), make([]float64, n)
		gPhi[0] = gLast[0]
		for j := 0; j < n; j++ {
			g := gLast[j+1]
			gPhi[j+1] += g * math.Exp(fin.phi[j+1]-last[j+1])
			gEmit[j] += g * math.Exp(fin.emit[j]-last[j+1])
		}
		gLP := make([][]float64, steps)
		for t := steps - 1; t >= 0; t-- {
			x := st[t]
			lpPhi := c.lp[t][0]
			gLP[t] = make([]float64, classes)
			gNp := make([]float64, n+1)
			pPhi, pEmit := make([]float64, n+1), make([]float64, n)
			gNp[0] = gPhi[0]
			for j := 0; j < n; j++ {
				g := gPhi[j+1]
				b := x.emit[j] + lpPhi + ctcLogEpsilon*(1-c.rep[j])
				gNp[j+1] += g * math.Exp(x.np[j+1]-x.next[j+1])
				wb := g * math.Exp(b-x.next[j+1])
				pEmit[j] += wb
				gLP[t][0] += wb
			}
			gPhiP := make([]float64, n+1)
			for j := range gNp {
				gPhiP[j] += gNp[j]
				gLP[t][0] += gNp[j]
			}
			for j := 0; j < n; j++ {
				g := gEmit[j]
				e := c.lp[t][c.lab[j]]
				wa := g * math.Exp(x.phiP[j]+e-x.nEmi[j])
				wb := g * math.Exp(x.emit[j]+e-x.nEmi[j])
				gPhiP[j] += wa
				pEmit[j] += wb
				gLP[t][c.lab[j]] += wa + wb
			}
			pPhi[0] = gPhiP[0]
			for j := 0; j < n; j++ {
				g := gPhiP[j+1]
				pPhi[j+1] += g * math.Exp(x.phi[j+1]-x.phiP[j+1])
				pEmit[j] += g * math.Exp(x.emit[j]+ctcLogEpsilon*c.rep[j]-x.phiP[j+1])
			}
			gPhi, gEmit = pPhi, pEmit
		}
		for t := 0; t < steps; t++ {
			sum := 0.0
			for _, g := range gLP[t] {
				sum += g
			}
			for k := 0; k < classes; k++ {
				dz[(i*steps+t)*classes+k] = gLP[t][k] - math.Exp(c.lp[t][k])*sum
			}
		}
	}
	return dz, nil
}
