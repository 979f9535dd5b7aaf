/*
 * calibration.h - the host's view of the per-case calibration (kernels/calibration.h, shared
 * with the guest payload): the core clock as a ratio, for the runner's cycle estimates.
 */
#ifndef XB_BENCH_CALIBRATION_H
#define XB_BENCH_CALIBRATION_H

#include "../kernels/calibration.h"

/* TSC ticks per core cycle. */
double calibration_ticks_per_cycle(const struct calibration *c);

#endif
