//go:build amd64 && !purego

#include "textflag.h"

// Float32 sigmoid and tanh, eight lanes at a time with AVX2 and FMA, in place over n floats
// (n a positive multiple of 8). The algorithms and their accuracy are described in
// rnn_act_amd64.go; every constant below is an eight-lane vector, used as a memory operand.

// EXP replaces the eight lanes of Y0, already clamped to [-86, 88], by e^Y0; it clobbers Y1
// and Y2. x = n·ln2 + r with n = round(x·log2e) and r (|r| ≤ ln2/2) reduced with ln2 in two
// parts (n·ln2hi is exact); e^r is its Taylor series to r^7 (truncation 5e-9 relative, a
// tenth of an ulp); 2^n is added into the exponent bits.
#define EXP \
	VMULPS       log2e<>(SB), Y0, Y1; \
	VROUNDPS     $0, Y1, Y1; \
	VFNMADD231PS ln2hi<>(SB), Y1, Y0; \
	VFNMADD231PS ln2lo<>(SB), Y1, Y0; \
	VMOVUPS      c7<>(SB), Y2; \
	VFMADD213PS  c6<>(SB), Y0, Y2; \
	VFMADD213PS  c5<>(SB), Y0, Y2; \
	VFMADD213PS  c4<>(SB), Y0, Y2; \
	VFMADD213PS  c3<>(SB), Y0, Y2; \
	VFMADD213PS  half<>(SB), Y0, Y2; \
	VFMADD213PS  one<>(SB), Y0, Y2; \
	VFMADD213PS  one<>(SB), Y0, Y2; \
	VCVTPS2DQ    Y1, Y1; \
	VPSLLD       $23, Y1, Y1; \
	VPADDD       Y1, Y2, Y0

// func sigmoidAVX2(p *float32, n int)
TEXT ·sigmoidAVX2(SB), NOSPLIT, $0-16
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), CX

sigmoidLoop:
	VMOVUPS (SI), Y4
	VXORPS  signbit<>(SB), Y4, Y0 // -x
	VMAXPS  sigmin<>(SB), Y0, Y0
	VMINPS  sigmax<>(SB), Y0, Y0
	EXP                           // e^-x
	VADDPS  one<>(SB), Y0, Y0
	VMOVUPS one<>(SB), Y1
	VDIVPS  Y0, Y1, Y0            // 1/(1+e^-x)
	VCMPPS  $3, Y4, Y4, Y5        // NaN lanes pass through
	VBLENDVPS Y5, Y4, Y0, Y0
	VMOVUPS Y0, (SI)
	ADDQ    $32, SI
	SUBQ    $8, CX
	JNZ     sigmoidLoop
	VZEROUPPER
	RET

// func tanhAVX2(p *float32, n int)
TEXT ·tanhAVX2(SB), NOSPLIT, $0-16
	MOVQ p+0(FP), SI
	MOVQ n+8(FP), CX

tanhLoop:
	VMOVUPS (SI), Y4
	VANDPS  absmask<>(SB), Y4, Y6 // a = |x|
	VMINPS  tanhmax<>(SB), Y6, Y0
	VADDPS  Y0, Y0, Y0
	EXP                           // e^2a
	VADDPS  one<>(SB), Y0, Y0
	VMOVUPS two<>(SB), Y1
	VDIVPS  Y0, Y1, Y0
	VMOVUPS one<>(SB), Y1
	VSUBPS  Y0, Y1, Y7            // large a: 1 - 2/(e^2a + 1)
	VMULPS  Y6, Y6, Y1            // s = a²
	VMOVUPS t5<>(SB), Y2
	VFMADD213PS t4<>(SB), Y1, Y2
	VFMADD213PS t3<>(SB), Y1, Y2
	VFMADD213PS t2<>(SB), Y1, Y2
	VFMADD213PS t1<>(SB), Y1, Y2
	VMULPS  Y1, Y6, Y3
	VFMADD213PS Y6, Y3, Y2        // small a: a + a·s·P(s)
	VCMPPS  $1, tanhsmall<>(SB), Y6, Y5
	VBLENDVPS Y5, Y2, Y7, Y0
	VANDPS  signbit<>(SB), Y4, Y1 // tanh is odd
	VORPS   Y1, Y0, Y0
	VCMPPS  $3, Y4, Y4, Y5
	VBLENDVPS Y5, Y4, Y0, Y0
	VMOVUPS Y0, (SI)
	ADDQ    $32, SI
	SUBQ    $8, CX
	JNZ     tanhLoop
	VZEROUPPER
	RET

// The constants, each eight copies of one float32: log2e; ln2 in two parts (ln2hi has 9
// significant bits, so n·ln2hi is exact for |n| ≤ 151); 1/k! for k = 7 … 3, 1/2, 1 and 2;
// the clamp of -x for sigmoid (-86, 88) and of |x| for tanh (10) and tanh's branch point
// (0.625); t1 … t5, tanh's P(s) = t1 + t2·s + … + t5·s⁴ for s = x²; the sign bit and its
// complement.
DATA log2e<>+0(SB)/4, $0x3fb8aa3b
DATA log2e<>+4(SB)/4, $0x3fb8aa3b
DATA log2e<>+8(SB)/4, $0x3fb8aa3b
DATA log2e<>+12(SB)/4, $0x3fb8aa3b
DATA log2e<>+16(SB)/4, $0x3fb8aa3b
DATA log2e<>+20(SB)/4, $0x3fb8aa3b
DATA log2e<>+24(SB)/4, $0x3fb8aa3b
DATA log2e<>+28(SB)/4, $0x3fb8aa3b
GLOBL log2e<>(SB), RODATA|NOPTR, $32

DATA ln2hi<>+0(SB)/4, $0x3f318000
DATA ln2hi<>+4(SB)/4, $0x3f318000
DATA ln2hi<>+8(SB)/4, $0x3f318000
DATA ln2hi<>+12(SB)/4, $0x3f318000
DATA ln2hi<>+16(SB)/4, $0x3f318000
DATA ln2hi<>+20(SB)/4, $0x3f318000
DATA ln2hi<>+24(SB)/4, $0x3f318000
DATA ln2hi<>+28(SB)/4, $0x3f318000
GLOBL ln2hi<>(SB), RODATA|NOPTR, $32

DATA ln2lo<>+0(SB)/4, $0xb95e8083
DATA ln2lo<>+4(SB)/4, $0xb95e8083
DATA ln2lo<>+8(SB)/4, $0xb95e8083
DATA ln2lo<>+12(SB)/4, $0xb95e8083
DATA ln2lo<>+16(SB)/4, $0xb95e8083
DATA ln2lo<>+20(SB)/4, $0xb95e8083
DATA ln2lo<>+24(SB)/4, $0xb95e8083
DATA ln2lo<>+28(SB)/4, $0xb95e8083
GLOBL ln2lo<>(SB), RODATA|NOPTR, $32

DATA c7<>+0(SB)/4, $0x39500d01
DATA c7<>+4(SB)/4, $0x39500d01
DATA c7<>+8(SB)/4, $0x39500d01
DATA c7<>+12(SB)/4, $0x39500d01
DATA c7<>+16(SB)/4, $0x39500d01
DATA c7<>+20(SB)/4, $0x39500d01
DATA c7<>+24(SB)/4, $0x39500d01
DATA c7<>+28(SB)/4, $0x39500d01
GLOBL c7<>(SB), RODATA|NOPTR, $32

DATA c6<>+0(SB)/4, $0x3ab60b61
DATA c6<>+4(SB)/4, $0x3ab60b61
DATA c6<>+8(SB)/4, $0x3ab60b61
DATA c6<>+12(SB)/4, $0x3ab60b61
DATA c6<>+16(SB)/4, $0x3ab60b61
DATA c6<>+20(SB)/4, $0x3ab60b61
DATA c6<>+24(SB)/4, $0x3ab60b61
DATA c6<>+28(SB)/4, $0x3ab60b61
GLOBL c6<>(SB), RODATA|NOPTR, $32

DATA c5<>+0(SB)/4, $0x3c088889
DATA c5<>+4(SB)/4, $0x3c088889
DATA c5<>+8(SB)/4, $0x3c088889
DATA c5<>+12(SB)/4, $0x3c088889
DATA c5<>+16(SB)/4, $0x3c088889
DATA c5<>+20(SB)/4, $0x3c088889
DATA c5<>+24(SB)/4, $0x3c088889
DATA c5<>+28(SB)/4, $0x3c088889
GLOBL c5<>(SB), RODATA|NOPTR, $32

DATA c4<>+0(SB)/4, $0x3d2aaaab
DATA c4<>+4(SB)/4, $0x3d2aaaab
DATA c4<>+8(SB)/4, $0x3d2aaaab
DATA c4<>+12(SB)/4, $0x3d2aaaab
DATA c4<>+16(SB)/4, $0x3d2aaaab
DATA c4<>+20(SB)/4, $0x3d2aaaab
DATA c4<>+24(SB)/4, $0x3d2aaaab
DATA c4<>+28(SB)/4, $0x3d2aaaab
GLOBL c4<>(SB), RODATA|NOPTR, $32

DATA c3<>+0(SB)/4, $0x3e2aaaab
DATA c3<>+4(SB)/4, $0x3e2aaaab
DATA c3<>+8(SB)/4, $0x3e2aaaab
DATA c3<>+12(SB)/4, $0x3e2aaaab
DATA c3<>+16(SB)/4, $0x3e2aaaab
DATA c3<>+20(SB)/4, $0x3e2aaaab
DATA c3<>+24(SB)/4, $0x3e2aaaab
DATA c3<>+28(SB)/4, $0x3e2aaaab
GLOBL c3<>(SB), RODATA|NOPTR, $32

DATA half<>+0(SB)/4, $0x3f000000
DATA half<>+4(SB)/4, $0x3f000000
DATA half<>+8(SB)/4, $0x3f000000
DATA half<>+12(SB)/4, $0x3f000000
DATA half<>+16(SB)/4, $0x3f000000
DATA half<>+20(SB)/4, $0x3f000000
DATA half<>+24(SB)/4, $0x3f000000
DATA half<>+28(SB)/4, $0x3f000000
GLOBL half<>(SB), RODATA|NOPTR, $32

DATA one<>+0(SB)/4, $0x3f800000
DATA one<>+4(SB)/4, $0x3f800000
DATA one<>+8(SB)/4, $0x3f800000
DATA one<>+12(SB)/4, $0x3f800000
DATA one<>+16(SB)/4, $0x3f800000
DATA one<>+20(SB)/4, $0x3f800000
DATA one<>+24(SB)/4, $0x3f800000
DATA one<>+28(SB)/4, $0x3f800000
GLOBL one<>(SB), RODATA|NOPTR, $32

DATA two<>+0(SB)/4, $0x40000000
DATA two<>+4(SB)/4, $0x40000000
DATA two<>+8(SB)/4, $0x40000000
DATA two<>+12(SB)/4, $0x40000000
DATA two<>+16(SB)/4, $0x40000000
DATA two<>+20(SB)/4, $0x40000000
DATA two<>+24(SB)/4, $0x40000000
DATA two<>+28(SB)/4, $0x40000000
GLOBL two<>(SB), RODATA|NOPTR, $32

DATA sigmin<>+0(SB)/4, $0xc2ac0000
DATA sigmin<>+4(SB)/4, $0xc2ac0000
DATA sigmin<>+8(SB)/4, $0xc2ac0000
DATA sigmin<>+12(SB)/4, $0xc2ac0000
DATA sigmin<>+16(SB)/4, $0xc2ac0000
DATA sigmin<>+20(SB)/4, $0xc2ac0000
DATA sigmin<>+24(SB)/4, $0xc2ac0000
DATA sigmin<>+28(SB)/4, $0xc2ac0000
GLOBL sigmin<>(SB), RODATA|NOPTR, $32

DATA sigmax<>+0(SB)/4, $0x42b00000
DATA sigmax<>+4(SB)/4, $0x42b00000
DATA sigmax<>+8(SB)/4, $0x42b00000
DATA sigmax<>+12(SB)/4, $0x42b00000
DATA sigmax<>+16(SB)/4, $0x42b00000
DATA sigmax<>+20(SB)/4, $0x42b00000
DATA sigmax<>+24(SB)/4, $0x42b00000
DATA sigmax<>+28(SB)/4, $0x42b00000
GLOBL sigmax<>(SB), RODATA|NOPTR, $32

DATA tanhmax<>+0(SB)/4, $0x41200000
DATA tanhmax<>+4(SB)/4, $0x41200000
DATA tanhmax<>+8(SB)/4, $0x41200000
DATA tanhmax<>+12(SB)/4, $0x41200000
DATA tanhmax<>+16(SB)/4, $0x41200000
DATA tanhmax<>+20(SB)/4, $0x41200000
DATA tanhmax<>+24(SB)/4, $0x41200000
DATA tanhmax<>+28(SB)/4, $0x41200000
GLOBL tanhmax<>(SB), RODATA|NOPTR, $32

DATA tanhsmall<>+0(SB)/4, $0x3f200000
DATA tanhsmall<>+4(SB)/4, $0x3f200000
DATA tanhsmall<>+8(SB)/4, $0x3f200000
DATA tanhsmall<>+12(SB)/4, $0x3f200000
DATA tanhsmall<>+16(SB)/4, $0x3f200000
DATA tanhsmall<>+20(SB)/4, $0x3f200000
DATA tanhsmall<>+24(SB)/4, $0x3f200000
DATA tanhsmall<>+28(SB)/4, $0x3f200000
GLOBL tanhsmall<>(SB), RODATA|NOPTR, $32

DATA t1<>+0(SB)/4, $0xbeaaaa9a
DATA t1<>+4(SB)/4, $0xbeaaaa9a
DATA t1<>+8(SB)/4, $0xbeaaaa9a
DATA t1<>+12(SB)/4, $0xbeaaaa9a
DATA t1<>+16(SB)/4, $0xbeaaaa9a
DATA t1<>+20(SB)/4, $0xbeaaaa9a
DATA t1<>+24(SB)/4, $0xbeaaaa9a
DATA t1<>+28(SB)/4, $0xbeaaaa9a
GLOBL t1<>(SB), RODATA|NOPTR, $32

DATA t2<>+0(SB)/4, $0x3e0883b5
DATA t2<>+4(SB)/4, $0x3e0883b5
DATA t2<>+8(SB)/4, $0x3e0883b5
DATA t2<>+12(SB)/4, $0x3e0883b5
DATA t2<>+16(SB)/4, $0x3e0883b5
DATA t2<>+20(SB)/4, $0x3e0883b5
DATA t2<>+24(SB)/4, $0x3e0883b5
DATA t2<>+28(SB)/4, $0x3e0883b5
GLOBL t2<>(SB), RODATA|NOPTR, $32

DATA t3<>+0(SB)/4, $0xbd5c224a
DATA t3<>+4(SB)/4, $0xbd5c224a
DATA t3<>+8(SB)/4, $0xbd5c224a
DATA t3<>+12(SB)/4, $0xbd5c224a
DATA t3<>+16(SB)/4, $0xbd5c224a
DATA t3<>+20(SB)/4, $0xbd5c224a
DATA t3<>+24(SB)/4, $0xbd5c224a
DATA t3<>+28(SB)/4, $0xbd5c224a
GLOBL t3<>(SB), RODATA|NOPTR, $32

DATA t4<>+0(SB)/4, $0x3ca92c74
DATA t4<>+4(SB)/4, $0x3ca92c74
DATA t4<>+8(SB)/4, $0x3ca92c74
DATA t4<>+12(SB)/4, $0x3ca92c74
DATA t4<>+16(SB)/4, $0x3ca92c74
DATA t4<>+20(SB)/4, $0x3ca92c74
DATA t4<>+24(SB)/4, $0x3ca92c74
DATA t4<>+28(SB)/4, $0x3ca92c74
GLOBL t4<>(SB), RODATA|NOPTR, $32

DATA t5<>+0(SB)/4, $0xbbbb5afc
DATA t5<>+4(SB)/4, $0xbbbb5afc
DATA t5<>+8(SB)/4, $0xbbbb5afc
DATA t5<>+12(SB)/4, $0xbbbb5afc
DATA t5<>+16(SB)/4, $0xbbbb5afc
DATA t5<>+20(SB)/4, $0xbbbb5afc
DATA t5<>+24(SB)/4, $0xbbbb5afc
DATA t5<>+28(SB)/4, $0xbbbb5afc
GLOBL t5<>(SB), RODATA|NOPTR, $32

DATA signbit<>+0(SB)/4, $0x80000000
DATA signbit<>+4(SB)/4, $0x80000000
DATA signbit<>+8(SB)/4, $0x80000000
DATA signbit<>+12(SB)/4, $0x80000000
DATA signbit<>+16(SB)/4, $0x80000000
DATA signbit<>+20(SB)/4, $0x80000000
DATA signbit<>+24(SB)/4, $0x80000000
DATA signbit<>+28(SB)/4, $0x80000000
GLOBL signbit<>(SB), RODATA|NOPTR, $32

DATA absmask<>+0(SB)/4, $0x7fffffff
DATA absmask<>+4(SB)/4, $0x7fffffff
DATA absmask<>+8(SB)/4, $0x7fffffff
DATA absmask<>+12(SB)/4, $0x7fffffff
DATA absmask<>+16(SB)/4, $0x7fffffff
DATA absmask<>+20(SB)/4, $0x7fffffff
DATA absmask<>+24(SB)/4, $0x7fffffff
DATA absmask<>+28(SB)/4, $0x7fffffff
GLOBL absmask<>(SB), RODATA|NOPTR, $32

