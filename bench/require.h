/*
 * require.h - requirement checks shared by the families. Each returns true when the
 * machine can run the thing, else false with the reason a user can act on: which CPUID
 * bit is clear, which XCR0 bits are missing, which kernel interface refused.
 */
#ifndef XB_BENCH_REQUIRE_H
#define XB_BENCH_REQUIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "../host/machine.h"
#include "../kernels/xsave_bench.h"

/* In a check with parameters @why and @size: writes the reason there and is false. */
#define WHY(...) (snprintf(why, size, __VA_ARGS__), false)

/* The layout decoded (XSAVE present and enabled by the OS). */
bool require_layout(const struct machine *m, char *why, size_t size);

/* The CPU has the instruction (XSAVEOPT, XSAVEC, XSAVES, FXSAVE ...). */
bool require_op(const struct machine *m, enum xsave_op op, char *why, size_t size);

/*
 * Every component of @mask is enabled (XCR0, or XSS when @supervisor_ok), has its CPUID
 * feature bit, and, for dynamic features such as AMX tile data, the CPU has XFD and the
 * kernel offers the feature through arch_prctl(ARCH_GET_XCOMP_SUPP).
 */
bool require_features(const struct machine *m, uint64_t mask, bool supervisor_ok, char *why,
		      size_t size);

/*
 * The CPU tracks which components are in their init state, so a case can hold components
 * in init and check it with XGETBV(1). QEMU's TCG (the lab's VM) does not: its XINUSE reads
 * every component in use, and its XSAVE writes them all in XSTATE_BV.
 */
bool require_init_tracking(const struct machine *m, char *why, size_t size);

/*
 * The `modified` condition can rewrite every component of @mask with an ordinary instruction
 * (kernels/xstate_rewrite.h): none of MPX or supervisor state, and KMOVQ (AVX512BW) for the
 * opmask registers.
 */
bool require_rewrite(const struct machine *m, uint64_t mask, char *why, size_t size);

/* The CPU has XFD (CPUID.(EAX=0DH,ECX=1):EAX[4]) and XCR0 enables a component it can arm. */
bool require_xfd(const struct machine *m, char *why, size_t size);

/* The xstate_bench kernel module answered (else the device it tried and the errno). */
bool require_module(const struct machine *m, char *why, size_t size);

/* What a user does about a reason these checks gave, or NULL when there is nothing to say
 * beyond the reason. */
const char *require_hint(const char *reason);

#endif
