/*
 * calibration.c - the core clock as TSC ticks per cycle (floating point: host only).
 */
#include "calibration.h"

double calibration_ticks_per_cycle(const struct calibration *c)
{
	return (double)calibration_chain_ticks(c) / CALIBRATION_CHAIN_CYCLES;
}
