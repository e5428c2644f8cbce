//go:build amd64 && !purego

#include "textflag.h"

// Adagrad's update (adagrad.go), eight float32 or four float64 lanes at a time with AVX, over
// n elements (a positive multiple of the lane count), in the scalar loop's order and without
// FMA (see useAVX):
//
//	acc += g*g
//	w -= lr*g / sqrt(acc + eps)

// func adagradAVX32(w, gr, acc *float32, n int, lr, eps float32)
TEXT ·adagradAVX32(SB), NOSPLIT, $0-40
	MOVQ w+0(FP), DI
	MOVQ gr+8(FP), SI
	MOVQ acc+16(FP), R8
	MOVQ n+24(FP), CX
	VBROADCASTSS lr+32(FP), Y10
	VBROADCASTSS eps+36(FP), Y13

loop32:
	VMOVUPS (SI), Y0     // g
	VMOVUPS (R8), Y1     // acc
	VMULPS  Y0, Y0, Y2   // g*g
	VADDPS  Y2, Y1, Y1   // acc'
	VMOVUPS Y1, (R8)
	VADDPS  Y13, Y1, Y3  // acc' + eps
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

// func adagradAVX64(w, gr, acc *float64, n int, lr, eps float64)
TEXT ·adagradAVX64(SB), NOSPLIT, $0-48
	MOVQ w+0(FP), DI
	MOVQ gr+8(FP), SI
	MOVQ acc+16(FP), R8
	MOVQ n+24(FP), CX
	VBROADCASTSD lr+32(FP), Y10
	VBROADCASTSD eps+40(FP), Y13

loop64:
	VMOVUPD (SI), Y0
	VMOVUPD (R8), Y1
	VMULPD  Y0, Y0, Y2
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
