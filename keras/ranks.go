package keras

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"

	"gorgonia.org/tensor"
)

// startRanks begins a Fit on the ranks of a job: rank 0's weights, optimizer variables and
// a seed for shuffling go to every rank (Horovod's broadcast_parameters), so the ranks start
// equal whatever their own seeds and draw the same global batches. It returns Fit's random
// source: the broadcast seed's, or a fresh one without ranks.
func (m *Model) startRanks(s *distState) (*rand.Rand, error) {
	if s == nil || s.comm == nil {
		return newRand(), nil
	}
	var payload []byte
	if s.rank == 0 {
		// The two numbers newRand would seed Fit's source with, so that rank 0 shuffles as
		// one process seeded the same would.
		rngMu.Lock()
		seed := binary.LittleEndian.AppendUint64(nil, rng.Uint64())
		seed = binary.LittleEndian.AppendUint64(seed, rng.Uint64())
		rngMu.Unlock()
		unlock := m.rlockWeights()
		var ws []*tensor.Dense
		for _, v := range m.Variables() {
			ws = append(ws, v.Value)
		}
		var err error
		payload, err = encodeTensors(seed, ws)
		unlock()
		if err != nil {
			return nil, err
		}
		if payload, err = encodeTensors(payload, m.compiled.optimizer.Variables()); err != nil {
			return nil, err
		}
	}
	size := binary.LittleEndian.AppendUint64(nil, uint64(len(payload)))
	if err := s.comm.Broadcast(size, 0); err != nil {
		return nil, fmt.Errorf("keras: rank %d: broadcasting the size of rank 0's weights: %w", s.rank, err)
	}
	if s.rank != 0 {
		payload = make([]byte, binary.LittleEndian.Uint64(size))
	}
	if err := s.comm.Broadcast(payload, 0); err != nil {
		return nil, fmt.Errorf("keras: rank %d: broadcasting rank 0's weights: %w", s.rank, err)
	}
	if len(payload) < 16 {
		return nil, fmt.Errorf("keras: rank %d: %w: rank 0 sent %d bytes", s.rank, ErrInternal, len(payload))
	}
	s.seed = [2]uint64{binary.LittleEndian.Uint64(payload), binary.LittleEndian.Uint64(payload[8:])}
	src := rand.New(rand.NewPCG(s.seed[0], s.seed[1]))
	if s.rank == 0 {
		return src, nil
	}
	ws, rest, err := decodeTensors(payload[16:])
	if err != nil {
		return nil, fmt.Errorf("keras: rank %d: rank 0's weights: %w", s.rank, err)
	}
	optVars, _, err := decodeTensors(rest)
	if err != nil {
		return nil, fmt.Errorf("keras: rank %d: rank 0's optimizer variables: %w", s.rank, err)
	}
	defer m.lockWeights()()
	vars := m.Variables()
	if len(ws) != len(vars) {
		return nil, fmt.Errorf("keras: rank %d: %w: rank 0's model has %d weights, this one %d (build the same model on every rank)", s.rank, ErrShape, len(ws), len(vars))
	}
	for i, v := range vars {
		if !ws[i].Shape().Eq(v.Value.Shape()) || ws[i].Dtype() != v.Value.Dtype() {
			return nil, fmt.Errorf("keras: rank %d: %w: weight %s is %v %v on rank 0, %v %v here (build the same model on every rank)", s.rank, ErrShape, v.Path, ws[i].Dtype(), ws[i].Shape(), v.Value.Dtype(), v.Value.Shape())
		}
		// In place: the programs built so far keep reading the variables' arrays.
		if err := setFloats(v.Value, floats(ws[i])); err != nil {
			return nil, fmt.Errorf("keras: rank %d: weight %s: %w", s.rank, v.Path, err)
		}
	}
	if err := m.compiled.optimizer.SetVariables(optVars); err != nil {
		return nil, fmt.Errorf("keras: rank %d: rank 0's optimizer variables: %w", s.rank, err)
	}
	return src, nil
}

// Tensor encoding for the broadcast: a count, then per tensor its dtype code, rank, dims
// and little-endian values.
const (
	codeFloat32 byte = iota + 1
	codeFloat64
	codeInt64
	codeInt
)

// encodeTensors appends ts to buf.
func encodeTensors(buf []byte, ts []*tensor.Dense) ([]byte, error) {
	le := binary.LittleEndian
	buf = le.AppendUint32(buf, uint32(len(ts)))
	for _, t := range ts {
		var code byte
		switch t.Dtype() {
		case tensor.Float32:
			code = codeFloat32
		case tensor.Float64:
			code = codeFloat64
		case tensor.Int64:
			code = codeInt64
		case tensor.Int:
			code = codeInt
		default:
			return nil, fmt.Errorf("keras: %w: cannot broadcast a %v tensor", ErrDType, t.Dtype())
		}
		buf = append(buf, code, byte(len(t.Shape())))
		for _, d := range t.Shape() {
			buf = le.AppendUint32(buf, uint32(d))
		}
		switch v := t.Data().(type) {
		case []float32:
			for _, x := range v {
				buf = le.AppendUint32(buf, math.Float32bits(x))
			}
		case []float64:
			for _, x := range v {
				buf = le.AppendUint64(buf, math.Float64bits(x))
			}
		case []int64:
			for _, x := range v {
				buf = le.AppendUint64(buf, uint64(x))
			}
		case []int:
			for _, x := range v {
				buf = le.AppendUint64(buf, uint64(x))
			}
		case float32: // a scalar tensor's Data is the value itself
			buf = le.AppendUint32(buf, math.Float32bits(v))
		case float64:
			buf = le.AppendUint64(buf, math.Float64bits(v))
		case int64:
			buf = le.AppendUint64(buf, uint64(v))
		case int:
			buf = le.AppendUint64(buf, uint64(v))
		default:
			return nil, fmt.Errorf("keras: %w: cannot broadcast %T values", ErrDType, v)
		}
	}
	return buf, nil
}

// decodeTensors reads what encodeTensors wrote and returns the rest of buf.
func decodeTensors(buf []byte) ([]*tensor.Dense, []byte, error) {
	le := binary.LittleEndian
	short := fmt.Errorf("%w: the broadcast ends early", ErrInternal)
	if len(buf) < 4 {
		return nil, nil, short
	}
	n := int(le.Uint32(buf))
	buf = buf[4:]
	out := make([]*tensor.Dense, 0, n)
	for range n {
		if len(buf) < 2 {
			return nil, nil, short
		}
		code, dims := buf[0], int(buf[1])
		buf = buf[2:]
		if len(buf) < 4*dims {
			return nil, nil, short
		}
		shape := make(tensor.Shape, dims)
		size := 1
		for i := range shape {
			shape[i] = int(le.Uint32(buf[4*i:]))
			size *= shape[i]
		}
		buf = buf[4*dims:]
		width := 8
		if code == codeFloat32 {
			width = 4
		}
		if len(buf) < width*size {
			return nil, nil, short
		}
		var backing any
		switch code {
		case codeFloat32:
			v := make([]float32, size)
			for i := range v {
				v[i] = math.Float32frombits(le.Uint32(buf[4*i:]))
			}
			backing = v
		case codeFloat64:
			v := make([]float64, size)
			for i := range v {
				v[i] = math.Float64frombits(le.Uint64(buf[8*i:]))
			}
			backing = v
		case codeInt64:
			v := make([]int64, size)
			for i := range v {
				v[i] = int64(le.Uint64(buf[8*i:]))
			}
			backing = v
		case codeInt:
			v := make([]int, size)
			for i := range v {
				v[i] = int(le.Uint64(buf[8*i:]))
			}
			backing = v
		default:
			return nil, nil, fmt.Errorf("%w: unknown dtype code %d in the broadcast", ErrInternal, code)
		}
		buf = buf[width*size:]
		if dims == 0 {
			out = append(out, scalarTensor(backing))
			continue
		}
		out = append(out, tensor.New(tensor.WithShape(shape...), tensor.WithBacking(backing)))
	}
	return out, buf, nil
}

// scalarTensor returns a 0-d tensor holding the one value of backing.
func scalarTensor(backing any) *tensor.Dense {
	switch v := backing.(type) {
	case []float32:
		return tensor.New(tensor.FromScalar(v[0]))
	case []float64:
		return tensor.New(tensor.FromScalar(v[0]))
	case []int64:
		return tensor.New(tensor.FromScalar(v[0]))
	default:
		return tensor.New(tensor.FromScalar(backing.([]int)[0]))
	}
}
