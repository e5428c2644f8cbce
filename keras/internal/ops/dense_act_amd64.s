//go:build amd64 && !purego

#include "textflag.h"

// The relu epilogue of the Dense and convolution ops and its backward pass, eight float32
// lanes at a time with AVX, over n floats (n a positive multiple of 8). Each lane performs
// the Go loop's own operations (one IEEE addition; the relu as the ordered, quiet y > 0, so
// that NaN, -0 and 0 give +0), so the results are the loop's to the bit.

// func biasReluAVX(y, b *float32, n int)
// y[j] = relu(y[j] + b[j])
TEXT ·biasReluAVX(SB), NOSPLIT, $0-24
	MOVQ   y+0(FP), DI
	MOVQ   b+8(FP), SI
	MOVQ   n+16(FP), CX
	VXORPS Y7, Y7, Y7

biasReluLoop:
	VMOVUPS (DI), Y0
	VADDPS  (SI), Y0, Y0
	VCMPPS  $0x1e, Y7, Y0, Y1 // y > 0, ordered and quiet: false for NaN
	VANDPS  Y1, Y0, Y0
	VMOVUPS Y0, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	SUBQ    $8, CX
	JNZ     biasReluLoop
	VZEROUPPER
	RET

// func reluGradSumsAVX(dz, db, y, dy *float32, n int)
// d = dy[j] where y[j] > 0, else +0; dz[j] = d; db[j] += d
TEXT ·reluGradSumsAVX(SB), NOSPLIT, $0-40
	MOVQ   dz+0(FP), DI
	MOVQ   db+8(FP), BX
	MOVQ   y+16(FP), SI
	MOVQ   dy+24(FP), DX
	MOVQ   n+32(FP), CX
	VXORPS Y7, Y7, Y7

reluGradLoop:
	VMOVUPS (SI), Y0
	VCMPPS  $0x1e, Y7, Y0, Y1
	VANDPS  (DX), Y1, Y2
	VMOVUPS Y2, (DI)
	VADDPS  (BX), Y2, Y3
	VMOVUPS Y3, (BX)
	ADDQ    $32, DI
	ADDQ    $32, BX
	ADDQ    $32, SI
	ADDQ    $32, DX
	SUBQ    $8, CX
	JNZ     reluGradLoop
	VZEROUPPER
	RET
