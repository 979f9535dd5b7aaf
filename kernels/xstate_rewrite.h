/*
 * xstate_rewrite.h - rewriting the registers of a feature set with ordinary instructions
 * (FXRSTOR, VINSERTF128, VINSERTI64X4, VMOVDQU64, KMOVQ, WRPKRU, LDTILECFG, TILELOADD), never
 * XRSTOR/XRSTORS, from an XSAVE buffer's values: after it the processor tracks every
 * component of the set as modified since the last XRSTOR (SDM Vol. 1, 13.6 "Processor
 * Tracking of XSAVE-Managed State"), as a task's registers are when the kernel saves them at
 * a context switch. The `modified` condition (kernels/xsave_bench.h). Freestanding.
 */
#ifndef XB_KERNELS_XSTATE_REWRITE_H
#define XB_KERNELS_XSTATE_REWRITE_H

#include <stdbool.h>
#include <stdint.h>

#include "xstate_layout.h"

/* The components an ordinary instruction rewrites here: x87, SSE, AVX, AVX-512 (KMOVQ needs
 * AVX512BW), PKRU, AMX tile config and data. None of MPX (its instructions are NOPs while
 * BNDCFGU disables it) and no supervisor component. */
uint64_t xstate_rewritable(void);

/*
 * Writes every component of @mask into the registers from @buf (standard format, or compacted
 * for @mask, as @compacted says), each with the instruction that writes only it and the
 * registers it shares: x87 and SSE both by FXRSTOR64 of the legacy area, AVX before the
 * AVX-512 upper halves (VEX writes zero bits 511:256). Tile data needs the tiles configured:
 * by XTILECFG in @mask (written first) or beforehand. @mask must be within
 * xstate_rewritable(); the caller's state around it is the caller's to keep.
 */
void xstate_rewrite(const struct xstate_layout *l, const void *buf, bool compacted, uint64_t mask);

#endif
