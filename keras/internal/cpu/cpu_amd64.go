//go:build amd64 && !purego

package cpu

// AVX2FMA reports whether the CPU has AVX2 and FMA and the operating system saves the YMM
// registers across context switches (x86-64 CPUs since 2013-2015). It is set once when the
// program starts and only read afterwards.
var AVX2FMA = detectAVX2FMA()

func cpuid(leaf, sub uint32) (eax, ebx, ecx, edx uint32)

func xgetbv() (eax, edx uint32)

// detectAVX2FMA asks CPUID for AVX, FMA and OSXSAVE (leaf 1) and AVX2 (leaf 7), and XGETBV
// whether the OS enabled the XMM and YMM state: a CPU with AVX2 under an OS that does not
// save the upper halves of the registers must not use them.
func detectAVX2FMA() bool {
	maxLeaf, _, _, _ := cpuid(0, 0)
	if maxLeaf < 7 {
		return false
	}
	_, _, ecx1, _ := cpuid(1, 0)
	const fma, osxsave, avx = 1 << 12, 1 << 27, 1 << 28
	if ecx1&(fma|osxsave|avx) != fma|osxsave|avx {
		return false
	}
	if xcr0, _ := xgetbv(); xcr0&6 != 6 {
		return false
	}
	_, ebx7, _, _ := cpuid(7, 0)
	const avx2 = 1 << 5
	return ebx7&avx2 != 0
}
