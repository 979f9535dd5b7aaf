/*
 * tsc_freq.c - finding the TSC frequency.
 */
#include "tsc_freq.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../kernels/tsc.h"

#define CALIBRATION_ROUNDS 5
#define CALIBRATION_NS 20000000LL

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double calibrate(void)
{
	double hz[CALIBRATION_ROUNDS];

	for (int i = 0; i < CALIBRATION_ROUNDS; i++) {
		long long t0 = now_ns(), t1;
		uint64_t c0 = tsc_begin(), c1;

		do {
			t1 = now_ns();
		} while (t1 - t0 < CALIBRATION_NS);
		c1 = tsc_end();
		hz[i] = (double)(c1 - c0) * 1e9 / (double)(t1 - t0);
	}
	qsort(hz, CALIBRATION_ROUNDS, sizeof(hz[0]), cmp_double);
	return hz[CALIBRATION_ROUNDS / 2];
}

void tsc_freq_probe(const struct cpuid_provider *p, struct tsc_info *out)
{
	struct cpuid_regs r;

	cpuid_read(p, 0, 0, &r);
	if (r.eax >= 0x15) {
		cpuid_read(p, 0x15, 0, &r);
		if (r.eax && r.ebx && r.ecx) {
			out->hz = (double)r.ecx * r.ebx / r.eax;
			snprintf(out->source, sizeof(out->source),
				 "CPUID.15H: crystal %u Hz x %u/%u", r.ecx, r.ebx, r.eax);
			return;
		}
	}
	if (cpuid_bit(p, 1, 0, 'c', 31)) {
		cpuid_read(p, 0x40000000, 0, &r);
		if (r.eax >= 0x40000010) {
			cpuid_read(p, 0x40000010, 0, &r);
			if (r.eax) {
				out->hz = (double)r.eax * 1000.0;
				snprintf(out->source, sizeof(out->source),
					 "hypervisor timing leaf CPUID.40000010H:EAX (kHz)");
				return;
			}
		}
	}
	out->hz = calibrate();
	snprintf(out->source, sizeof(out->source),
		 "calibrated against CLOCK_MONOTONIC_RAW (median of %d x %lld ms); CPUID.15H and "
		 "40000010H give none", CALIBRATION_ROUNDS, CALIBRATION_NS / 1000000);
}
