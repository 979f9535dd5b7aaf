/*
 * ring0_ops.h - the timed loops of the ring-0 cases that are not saves, restores or MSR
 * writes (msr_bench.h): K executions of one instruction between serialized time stamps, in
 * an asm loop whose skeleton (DEC + JNZ) is the one the empty-loop calibration measures.
 * Each returns the gross ticks of the loop. Freestanding, ring 0 only (XSETBV, RDMSR and
 * WRMSR fault elsewhere): compiled into the guest payload.
 */
#ifndef XB_KERNELS_RING0_OPS_H
#define XB_KERNELS_RING0_OPS_H

#include <stdint.h>

/* XSETBV(0, @xcr0), @n times. */
uint64_t r0_xsetbv_loop(uint64_t xcr0, uint64_t n);
/* CPUID(@leaf, @subleaf), @n times (plus the two MOVs that reload EAX and ECX); @ebx the last EBX. */
uint64_t r0_cpuid_loop(uint32_t leaf, uint32_t subleaf, uint64_t n, uint32_t *ebx);
/* RDMSR(@msr), @n times; @last is the last value read. */
uint64_t r0_rdmsr_loop(uint32_t msr, uint64_t n, uint64_t *last);
/*
 * The XFD #NM round trip, @n times: WRMSR IA32_XFD = @armed, then TILEZERO tmm0, which
 * raises #NM; the caller's #NM handler (the payload's guest/trap.c) disarms XFD and TILEZERO
 * runs again. Tiles must be configured (LDTILECFG) and the handler armed with @armed.
 */
uint64_t r0_xfd_nm_loop(uint32_t armed, uint64_t n);

#endif
