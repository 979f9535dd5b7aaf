/*
 * calibration.h - the host's view of the per-case calibration (kernels/calibration.h, shared
 * with the guest payload): the core clock as a ratio, for the runner's cycle estimates.
 */
#ifndef XB_BENCH_CALIBRATION_H
#define XB_BENCH_CALIBRATION_H

#include "../kernels/calibration.h"

/* TSC ticks per core cycle, from the ticks of CALIBRATION_CHAIN_CYCLES cycles (a calibration's
 * calibration_chain_ticks(), or the guest payload's). */
double calibration_ticks_per_cycle(uint64_t chain_ticks);

#endif
