//go:build amd64 && !purego

#include "textflag.h"

// RMSprop's plain update (rmsprop.go: no momentum, not centered), eight float32 or four
// float64 lanes at a time with AVX, over n elements (a positive multiple of the lane count),
// in the scalar loop's order and without FMA (see useAVX):
//
//	v = rho*v + omr*(g*g)
//	w -= lr*g / sqrt(v + eps)

// func rmspropAVX32(w, gr, v *float32, n int, lr, rho, omr, eps float32)
TEXT ·rmspropAVX32(SB), NOSPLIT, $0-48
	MOVQ w+0(FP), DI
	MOVQ gr+8(FP), SI
	MOVQ v+16(FP), R8
	MOVQ n+24(FP), CX
	VBROADCASTSS lr+32(FP), Y10
	VBROADCASTSS rho+36(FP), Y11
	VBROADCASTSS omr+40(FP), Y12
	VBROADCASTSS eps+44(FP), Y13

loop32:
	VMOVUPS (SI), Y0     // g
	VMOVUPS (R8), Y1     // v
	VMULPS  Y11, Y1, Y1  // rho*v
	VMULPS  Y0, Y0, Y2   // g*g
	VMULPS  Y12, Y2, Y2  // omr*(g*g)
	VADDPS  Y2, Y1, Y1   // v'
	VMOVUPS Y1, (R8)
	VADDPS  Y13, Y1, Y3  // v' + eps
	VSQRTPS Y3, Y3
	VMULPS  Y10, Y0, Y4  // lr*g
	VDIVPS  Y3, Y4, Y4
	VMOVUPS (DI), Y5
	VSUBPS  Y4, Y5, Y5   // w'
	VMOVUPS Y5, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, R8
	SUBQ    $8, CX
	JNZ     loop32
	VZEROUPPER
	RET

// func rmspropAVX64(w, gr, v *float64, n int, lr, rho, omr, eps float64)
TEXT ·rmspropAVX64(SB), NOSPLIT, $0-64
	MOVQ w+0(FP), DI
	MOVQ gr+8(FP), SI
	MOVQ v+16(FP), R8
	MOVQ n+24(FP), CX
	VBROADCASTSD lr+32(FP), Y10
	VBROADCASTSD rho+40(FP), Y11
	VBROADCASTSD omr+48(FP), Y12
	VBROADCASTSD eps+56(FP), Y13

loop64:
	VMOVUPD (SI), Y0
	VMOVUPD (R8), Y1
	VMULPD  Y11, Y1, Y1
	VMULPD  Y0, Y0, Y2
	VMULPD  Y12, Y2, Y2
	VADDPD  Y2, Y1, Y1
	VMOVUPD Y1, (R8)
	VADDPD  Y13, Y1, Y3
	VSQRTPD Y3, Y3
	VMULPD  Y10, Y0, Y4
	VDIVPD  Y3, Y4, Y4
	VMOVUPD (DI), Y5
	VSUBPD  Y4, Y5, Y5
	VMOVUPD Y5, (DI)
	ADDQ    $32, DI
	ADDQ    $32, SI
	ADDQ    $32, R8
	SUBQ    $4, CX
	JNZ     loop64
	VZEROUPPER
	RET
