/*
 * ring0_ops.c - the ring-0 timed loops. Freestanding.
 */
#include "ring0_ops.h"

#include "tsc.h"
#include "xsave_insn.h"

uint64_t r0_xsetbv_loop(uint64_t xcr0, uint64_t n)
{
	uint64_t t0 = tsc_begin();

	__asm__ volatile("1:\n\txsetbv\n\tdec %[n]\n\tjnz 1b"
			 : [n] "+r"(n)
			 : "c"(0), "a"((uint32_t)xcr0), "d"((uint32_t)(xcr0 >> 32))
			 : "memory");
	return tsc_end() - t0;
}

uint64_t r0_cpuid_loop(uint32_t leaf, uint32_t subleaf, uint64_t n, uint32_t *ebx)
{
	uint64_t t0 = tsc_begin();
	uint32_t a, b, c, d;

	__asm__ volatile("1:\n\tmov %[leaf], %%eax\n\tmov %[sub], %%ecx\n\tcpuid\n\tdec %[n]\n\tjnz 1b"
			 : [n] "+r"(n), "=&a"(a), "=&b"(b), "=&c"(c), "=&d"(d)
			 : [leaf] "r"(leaf), [sub] "r"(subleaf)
			 : "memory");
	*ebx = b;
	return tsc_end() - t0;
}

uint64_t r0_rdmsr_loop(uint32_t msr, uint64_t n, uint64_t *last)
{
	uint64_t t0 = tsc_begin();
	uint32_t lo, hi;

	__asm__ volatile("1:\n\trdmsr\n\tdec %[n]\n\tjnz 1b"
			 : [n] "+r"(n), "=&a"(lo), "=&d"(hi)
			 : "c"(msr)
			 : "memory");
	*last = (uint64_t)hi << 32 | lo;
	return tsc_end() - t0;
}

uint64_t r0_xfd_nm_loop(uint32_t armed, uint64_t n)
{
	uint64_t t0 = tsc_begin();

	__asm__ volatile("1:\n\tmov %[armed], %%eax\n\twrmsr\n\ttilezero %%tmm0\n\tdec %[n]\n\tjnz 1b"
			 : [n] "+r"(n)
			 : "c"(MSR_IA32_XFD), "d"(0), [armed] "r"(armed)
			 : "eax", "memory");
	return tsc_end() - t0;
}
