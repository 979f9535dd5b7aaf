/*
 * xstate_require.h - whether a CPU can run an XSAVE-family case, the one check that every
 * site's planner turns into its skip reason: natively (bench/require.c, against this CPU or
 * a recorded one), and in the guest (guest/cases.c, inside the payload on the live CPU and on
 * the host against the leaves the payload reported). Each check is true, or false with the
 * reason a user can act on, naming the CPUID bit and where it is clear ("on this CPU", "in
 * the guest"). What enables the components differs by site (the kernel, the payload) and is
 * checked there. Freestanding.
 */
#ifndef XB_KERNELS_XSTATE_REQUIRE_H
#define XB_KERNELS_XSTATE_REQUIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xsave_bench.h"
#include "xstate_layout.h"

/* What a CPU offers the cases, as the checks need it. */
struct xstate_cpu {
	const struct xstate_layout *layout;
	bool avx;      /* CPUID.1:ECX[28] */
	bool avx512f;  /* CPUID.(EAX=7,ECX=0):EBX[16] */
	bool pku;      /* CPUID.(EAX=7,ECX=0):ECX[3] */
	bool amx_tile; /* CPUID.(EAX=7,ECX=0):EDX[24] */
	const char *where; /* in reasons: "on this CPU", "in the guest" */
};

/* The CPU has the instruction: XSAVEOPT, XSAVEC, XSAVES/XRSTORS, FXSAVE/FXRSTOR. */
bool xstate_require_op(const struct xstate_cpu *cpu, enum xsave_op op, char *why, size_t size);

/* Every component of @mask has the CPUID bit that advertises its instructions (AVX,
 * AVX-512, protection keys, AMX), checked in component order. */
bool xstate_require_cpuid(const struct xstate_cpu *cpu, uint64_t mask, char *why, size_t size);

/* The kernels know safe non-init values for every component of @mask (xstate_pattern_capable()). */
bool xstate_require_pattern(uint64_t mask, char *why, size_t size);

/* "<before>0x<mask><after>" into @why; false, for a return. */
bool xstate_why_mask(char *why, size_t size, const char *before, uint64_t mask, const char *after);

#endif
