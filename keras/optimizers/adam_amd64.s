//go:build amd64 && !purego

#include "textflag.h"

// Adam's element-wise update (adam.go), eight float32 or four float64 lanes at a time with
// AVX, over n elements (a positive multiple of the lane count). Each lane performs the scalar
// loop's operations in its order, each correctly rounded, and no FMA: the results are the
// scalar loop's to the bit.
//
//	m += (g - m) * omb1
//	v += (g*g - v) * omb2
//	w -= m * alpha / (sqrt(v) + eps)

// func adamAVX32(w, gr, m, v *float32, n int, alpha, omb1, omb2, eps float32)
TEXT ·adamAVX32(SB), NOSPLIT, $0-56
	MOVQ w+0(FP), DI
	MOVQ gr+8(FP), SI
	MOVQ m+16(FP), R8
	MOVQ v+24(FP), R9
	MOVQ n+32(FP), CX
	VBROADCASTSS alpha+40(FP), Y10
	VBROADCASTSS omb1+44(FP), Y11
	VBROADCASTSS omb2+48(FP), Y12
	VBROADCASTSS eps+52(FP), Y13

loop32:
	VMOVUPS (SI), Y0     // g
	VMOVUPS (R8), Y1     // m
	VSUBPS  Y1, Y0, Y2   // g - m
	VMULPS  Y11, Y2, Y2
	VADDPS  Y2, Y1, Y1   // m'
	VMOVUPS Y1, (R8)
	VMULPS  Y0, Y0, Y3   // g*g
	VMOVUPS (R9), Y4     // v
	VSUBPS  Y4, Y3, Y3   // g*g - v
	VMULPS  Y12, Y3, Y3
	VADDPS  Y3, Y4, Y4   // v'
	VMOVUPS Y4, (R9)
	VSQRTPS Y4, Y5
	VADDPS  Y13, Y5, Y5  // sqrt(v') + eps
	VMULPS  Y10, Y1, Y6  // m' * alpha
	VDIVPS  Y5, Y6, Y6
	VMOVUPS (DI), Y7
	VSUBPS  Y6, Y7, Y7   // w'
	VMOVUPS Y7, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, R8
	ADDQ    $32, R9
	SUBQ    $8, CX
	JNZ     loop32
	VZEROUPPER
	RET

// func adamAVX64(w, gr, m, v *float64, n int, alpha, omb1, omb2, eps float64)
TEXT ·adamAVX64(SB), NOSPLIT, $0-72
	MOVQ w+0(FP), DI
	MOVQ gr+8(FP), SI
	MOVQ m+16(FP), R8
	MOVQ v+24(FP), R9
	MOVQ n+32(FP), CX
	VBROADCASTSD alpha+40(FP), Y10
	VBROADCASTSD omb1+48(FP), Y11
	VBROADCASTSD omb2+56(FP), Y12
	VBROADCASTSD eps+64(FP), Y13

loop64:
	VMOVUPD (SI), Y0
	VMOVUPD (R8), Y1
	VSUBPD  Y1, Y0, Y2
	VMULPD  Y11, Y2, Y2
	VADDPD  Y2, Y1, Y1
	VMOVUPD Y1, (R8)
	VMULPD  Y0, Y0, Y3
	VMOVUPD (R9), Y4
	VSUBPD  Y4, Y3, Y3
	VMULPD  Y12, Y3, Y3
	VADDPD  Y3, Y4, Y4
	VMOVUPD Y4, (R9)
	VSQRTPD Y4, Y5
	VADDPD  Y13, Y5, Y5
	VMULPD  Y10, Y1, Y6
	VDIVPD  Y5, Y6, Y6
	VMOVUPD (DI), Y7
	VSUBPD  Y6, Y7, Y7
	VMOVUPD Y7, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, R8
	ADDQ    $32, R9
	SUBQ    $4, CX
	JNZ     loop64
	VZEROUPPER
	RET
