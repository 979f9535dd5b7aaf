/*
 * xsave_insn.h - one inline wrapper per XSAVE-family instruction, plus XGETBV/XSETBV,
 * RDMSR/WRMSR (ring 0 only) and the 64-bit FXSAVE/FXRSTOR forms. Freestanding.
 *
 * Every wrapper takes the requested-feature bitmap (RFBM) as a 64-bit mask and a buffer
 * that must be 64-byte aligned (16 for FXSAVE). The 64-bit (REX.W) forms are used, as the
 * kernel does, so the x87 instruction and operand pointers are saved as 64-bit values.
 */
#ifndef XB_KERNELS_XSAVE_INSN_H
#define XB_KERNELS_XSAVE_INSN_H

#include <stdint.h>

#define XSAVE_INSN(name, mnemonic)                                                        \
	static inline void name(void *buf, uint64_t rfbm)                                 \
	{                                                                                 \
		__asm__ volatile(mnemonic " (%0)"                                         \
				 : : "r"(buf), "a"((uint32_t)rfbm), "d"((uint32_t)(rfbm >> 32)) \
				 : "memory");                                             \
	}

XSAVE_INSN(xsave, "xsave64")
XSAVE_INSN(xsaveopt, "xsaveopt64")
XSAVE_INSN(xsavec, "xsavec64")
XSAVE_INSN(xsaves, "xsaves64")
XSAVE_INSN(xrstor, "xrstor64")
XSAVE_INSN(xrstors, "xrstors64")
#undef XSAVE_INSN

static inline void fxsave(void *buf)
{
	__asm__ volatile("fxsave64 (%0)" : : "r"(buf) : "memory");
}

static inline void fxrstor(const void *buf)
{
	__asm__ volatile("fxrstor64 (%0)" : : "r"(buf) : "memory");
}

static inline uint64_t xgetbv(uint32_t index)
{
	uint32_t lo, hi;

	__asm__ volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(index));
	return ((uint64_t)hi << 32) | lo;
}

/* Ring 0 only. */
static inline void xsetbv(uint32_t index, uint64_t value)
{
	__asm__ volatile("xsetbv" : : "c"(index), "a"((uint32_t)value), "d"((uint32_t)(value >> 32)));
}

/* Ring 0 only. */
static inline uint64_t rdmsr(uint32_t msr)
{
	uint32_t lo, hi;

	__asm__ volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
	return ((uint64_t)hi << 32) | lo;
}

/* Ring 0 only. */
static inline void wrmsr(uint32_t msr, uint64_t value)
{
	__asm__ volatile("wrmsr" : : "c"(msr), "a"((uint32_t)value), "d"((uint32_t)(value >> 32))
			 : "memory");
}

#define MSR_IA32_XSS 0x00000da0
#define MSR_IA32_XFD 0x000001c4
#define MSR_IA32_XFD_ERR 0x000001c5

#endif
