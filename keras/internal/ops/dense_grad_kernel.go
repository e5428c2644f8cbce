package ops

import (
	"unsafe"

	"github.com/kerago/kerago/keras/internal/blasimpl"
)

// The passes the Dense and convolution backward ops make besides dX: dz = dy ⊙ act′(y) with
// the bias gradient, and the kernel gradient xᵀ·dz.

// actGradSums writes dy ⊙ act′(y) into dz as actGrad does and, when db is not nil, the
// column sums of dz (units columns) into db, in the same pass over the rows: each sum adds
// the rows in order, as colSums does, so db is colSums(db, dz, units) to the bit. With the
// linear activation dz is dy itself and only the sums are taken.
func actGradSums[T float](dz, db, y, dy []T, units int, act DenseAct) {
	if act == DenseLinear {
		if db != nil {
			colSums(db, dy, units)
		}
		return
	}
	if db == nil || units == 0 {
		actGrad(dz, y, dy, act)
		return
	}
	clear(db[:units])
	dz32, db32, y32, dy32 := asFloat32(dz), asFloat32(db), asFloat32(y), asFloat32(dy)
	for r := 0; r+units <= len(y); r += units {
		z, yr, g := dz[r:r+units], y[r:r+units], dy[r:r+units]
		switch act {
		case DenseRelu:
			j0 := 0 // the columns before j0 are done
			if y32 != nil {
				j0 = reluGradSums32(dz32[r:r+units], db32, y32[r:r+units], dy32[r:r+units], units)
			}
			for j, v := range yr[j0:] {
				d := g[j0+j]
				if !(v > 0) {
					d = 0
				}
				z[j0+j] = d
				db[j0+j] += d
			}
		case DenseTanh:
			for j, v := range yr {
				// The conversion rounds d before it is summed: Go may otherwise fuse
				// the product into the sum, which colSums of the stored dz never does.
				d := T(g[j] * (1 - v*v))
				z[j] = d
				db[j] += d
			}
		}
	}
}

// kernelGrad writes dW = xᵀ·dz into dw (in×units, row-major) for x (rows×in) and dz
// (rows×units).
//
// gonum's GEMM, the default build's BLAS, skips the zero elements of its first operand, and
// xᵀ·dz makes x that operand: the first layer's input has no zeros, where dz after a relu is
// about half zeros. When dz has enough more zeros, kernelGrad computes dWᵀ = dzᵀ·x instead
// into tmp and transposes it into dw. Both sum the same products x[r][i]·dz[r][j] over r in
// order, each rounded on its own, so for finite values dw is equal to the bit either way (a
// term that gonum skips adds a zero to a sum that started at +0). With OpenBLAS, which skips
// nothing, the product is always xᵀ·dz.
func kernelGrad[T float](rows, in, units int, x, dz, dw []T, tmp *scratch) {
	if blasimpl.Name() == "gonum" && transposedCheaper(rows, in, units, x, dz) {
		dwT := scratchSlice[T](tmp, in*units)
		gemm(true, false, units, in, rows, dz, units, x, in, 0, dwT, in)
		transpose2D(dw, dwT, units, in)
		return
	}
	gemm(true, false, in, units, rows, x, in, dz, units, 0, dw, units)
}

// transposedCheaper says whether dzᵀ·x and its transposition cost gonum fewer operations
// than xᵀ·dz: the GEMM makes one multiply-add per non-zero element of its first operand and
// column of its second, and moving an element in the transposition costs about two. Counting
// the zeros reads x and dz once, which is a units-th and an in-th of the product's work.
func transposedCheaper[T float](rows, in, units int, x, dz []T) bool {
	nx, nz := nonZeros(x[:rows*in]), nonZeros(dz[:rows*units])
	return nz*in+2*in*units < nx*units
}

// nonZeros counts the elements of v that are not zero.
func nonZeros[T float](v []T) int {
	n := 0
	for _, e := range v {
		if e != 0 {
			n++
		}
	}
	return n
}

// transpose2D writes the transpose of src (rows×cols, row-major) into dst (cols×rows), in
// tiles so that both sides stay in cache.
func transpose2D[T float](dst, src []T, rows, cols int) {
	const tile = 32
	for r0 := 0; r0 < rows; r0 += tile {
		r1 := min(r0+tile, rows)
		for c0 := 0; c0 < cols; c0 += tile {
			c1 := min(c0+tile, cols)
			for r := r0; r < r1; r++ {
				s := src[r*cols : r*cols+cols]
				for c := c0; c < c1; c++ {
					dst[c*rows+r] = s[c]
				}
			}
		}
	}
}

// asFloat32 returns v as a []float32 when T is float32, else nil: the generic kernels hand
// their float32 rows to the vector kernels without converting a slice to an interface, which
// would allocate.
func asFloat32[T float](v []T) []float32 {
	var z T
	if _, ok := any(z).(float32); !ok {
		return nil
	}
	return *(*[]float32)(unsafe.Pointer(&v))
}
