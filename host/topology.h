/*
 * topology.h - the machine's topology through hwloc: a summary for the probe, and pinning
 * the measuring thread to one processing unit.
 */
#ifndef XB_HOST_TOPOLOGY_H
#define XB_HOST_TOPOLOGY_H

#include "machine.h"

void topology_probe(struct topology_info *out);

struct pin_result {
	int os_index;     /* the PU's OS index (as in taskset and /proc/cpuinfo) */
	int core_index;   /* logical index of its core */
	int package_index;
};

/*
 * A PU other than the one with OS index @os_index, on another core when there is one:
 * where a cross-CPU partner runs. Fails when the machine has a single PU.
 */
int topology_other_pu(int os_index, int *other) XB_MUST_CHECK;

/* Pins the calling thread to the PU with OS index @os_index, or the last PU when < 0. */
int topology_pin_thread(int os_index, struct pin_result *out) XB_MUST_CHECK;

#endif
