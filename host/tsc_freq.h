/*
 * tsc_freq.h - the TSC frequency and where it came from: CPUID leaf 0x15, the hypervisor
 * timing leaf 0x40000010, or a calibration against CLOCK_MONOTONIC_RAW.
 */
#ifndef XB_HOST_TSC_FREQ_H
#define XB_HOST_TSC_FREQ_H

#include "machine.h"

void tsc_freq_probe(const struct cpuid_provider *p, struct tsc_info *out);

#endif
