/*
 * tsc.h - serialized time stamps. LFENCE before RDTSC waits for every earlier
 * instruction to complete; LFENCE after the opening RDTSC keeps later ones from
 * starting early. (On AMD, Linux makes LFENCE dispatch-serializing: X86_FEATURE_LFENCE_RDTSC.)
 * Freestanding.
 */
#ifndef XB_KERNELS_TSC_H
#define XB_KERNELS_TSC_H

#include <stdint.h>

static inline uint64_t tsc_begin(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence\n\trdtsc\n\tlfence" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline uint64_t tsc_end(void)
{
	uint32_t lo, hi;

	__asm__ volatile("lfence\n\trdtsc" : "=a"(lo), "=d"(hi) : : "memory");
	return ((uint64_t)hi << 32) | lo;
}

#endif
