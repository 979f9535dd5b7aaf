/*
 * calibration.c - the core clock as TSC ticks per cycle (floating point: host only).
 */
#include "calibration.h"

double calibration_ticks_per_cycle(uint64_t chain_ticks)
{
	return (double)chain_ticks / CALIBRATION_CHAIN_CYCLES;
}
