/*
 * clock_ref.h - the core clock measured without a PMU: a chain of dependent ADDs costs one
 * core cycle per ADD on every x86 core since the P6, so timing two chain lengths with the
 * TSC gives TSC ticks per core cycle, free of the time-stamp overhead. Freestanding.
 */
#ifndef XB_KERNELS_CLOCK_REF_H
#define XB_KERNELS_CLOCK_REF_H

#include <stdint.h>

#define CLOCK_REF_ADDS_PER_ITERATION 50

/* TSC ticks for a dependent chain of @iterations * CLOCK_REF_ADDS_PER_ITERATION ADDs. */
uint64_t clock_ref_chain_ticks(uint32_t iterations);

#endif
