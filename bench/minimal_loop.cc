// minimal_loop.cc - the independent check of the suite's save numbers: a plain Google
// Benchmark loop of one XSAVE-family instruction over registers put in use once, with none of
// the suite's machinery (no condition images, no XINUSE checks, no calibration, no medians of
// batches). A figure of the suite that disagrees with this loop must be explained.
//
//   xstate-bench-minimal-loop [Google Benchmark flags]
//
// Cases: xsave/avx512 and xsavec/avx512 (RFBM 0xe7: x87 ST0-7, ZMM0-31 and k0-7 in use, which
// XGETBV(1) confirms before the loop), 128 saves an iteration; items/s is saves per second.
// Exits 2 on a CPU without AVX-512, XSAVEC or XGETBV1. (x87 was once left in its init state
// here: XSAVEC's init optimization then skipped it and read about 10% below the suite's
// avx512/inuse, whose x87 is in use, while XSAVE, which has no init optimization, agreed.)
#include <benchmark/benchmark.h>

#include <cpuid.h>
#include <cstdint>
#include <cstdio>

namespace {

constexpr int kSavesPerIteration = 128;
constexpr uint32_t kAvx512Mask = 0xe7; // x87, SSE, AVX, opmask, ZMM_Hi256, Hi16_ZMM

alignas(64) unsigned char buffer[4096];

// x87 ST0-7 loaded, ZMM0-31 and k0-7 non-zero: every component of the mask in use.
void PutAvx512InUse()
{
	alignas(64) static const uint64_t ones[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };

	__asm__ volatile("vmovdqu64 %0, %%zmm0\n\t"
			 ".irp r, 1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31\n\t"
			 "vmovdqa64 %%zmm0, %%zmm\\r\n\t"
			 ".endr\n\t"
			 "mov $0xffff, %%eax\n\t"
			 ".irp r, 0,1,2,3,4,5,6,7\n\t"
			 "kmovw %%eax, %%k\\r\n\t"
			 ".endr\n\t"
			 "fninit\n\t"
			 ".rept 8\n\tfld1\n\t.endr"
			 :
			 : "m"(ones)
			 : "eax", "memory");
}

uint64_t XinUse()
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(1));
	return (uint64_t)hi << 32 | lo;
}

template <bool kCompacted> void Save(benchmark::State &state)
{
	PutAvx512InUse();
	if ((XinUse() & kAvx512Mask) != kAvx512Mask) {
		state.SkipWithError("XINUSE (XGETBV 1) does not show every component of 0xe7 in use");
		return;
	}
	for (auto _ : state) {
		for (int i = 0; i < kSavesPerIteration; i++) {
			if (kCompacted)
				__asm__ volatile("xsavec64 %0" : "=m"(buffer) : "a"(kAvx512Mask), "d"(0) : "memory");
			else
				__asm__ volatile("xsave64 %0" : "=m"(buffer) : "a"(kAvx512Mask), "d"(0) : "memory");
		}
	}
	state.SetItemsProcessed(state.iterations() * kSavesPerIteration);
}

bool Supported()
{
	unsigned a, b, c, d;

	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d) || !(b & (1u << 16))) // AVX512F
		return false;
	if (!__get_cpuid_count(0xd, 1, &a, &b, &c, &d) || (a & 6u) != 6u) // XSAVEC, XGETBV1
		return false;
	__asm__("xgetbv" : "=a"(a), "=d"(d) : "c"(0));
	return (a & kAvx512Mask) == kAvx512Mask;
}

} // namespace

BENCHMARK(Save<false>)->Name("xsave/avx512/inuse");
BENCHMARK(Save<true>)->Name("xsavec/avx512/inuse");

int main(int argc, char **argv)
{
	if (!Supported()) {
		std::fprintf(stderr, "xstate-bench-minimal-loop: needs AVX-512F (CPUID.(EAX=7,ECX=0):EBX[16]) and "
				     "XSAVEC and XGETBV1 (CPUID.(EAX=0DH,ECX=1):EAX[1,2]) enabled in XCR0\n");
		return 2;
	}
	benchmark::Initialize(&argc, argv);
	if (benchmark::ReportUnrecognizedArguments(argc, argv))
		return 2;
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	return 0;
}
