/*
 * msr_bench.h - the measured MSR write: K back-to-back WRMSRs to one MSR between serialized
 * time stamps, the value toggling between two that differ only in their low 32 bits (the
 * IA32_XFD write of a switch between an AMX-permitted task and one that is not), then a read
 * back that proves the last write landed. Ring 0 only; the caller saves and restores the
 * MSR around the batch. Freestanding.
 */
#ifndef XB_KERNELS_MSR_BENCH_H
#define XB_KERNELS_MSR_BENCH_H

#include <stdbool.h>
#include <stdint.h>

struct msr_bench {
	uint32_t msr;
	uint64_t first, second; /* written alternately, first first; equal high halves */
	uint32_t ops;           /* writes per batch (K) */
	uint32_t warmup_ops;    /* untimed writes before the timed ones */
};

struct msr_sample {
	uint64_t gross_ticks; /* the timed loop as measured, overhead included */
	uint32_t ops;
	bool readback_ok;     /* RDMSR after the loop returned the last value written */
	uint64_t expected, actual;
};

/* Runs one batch; returns false for invalid parameters or a failed read back. */
bool msr_bench_sample(const struct msr_bench *b, struct msr_sample *out);

#endif
