/*
 * interference.h - evidence that something else ran where a case was measured: the
 * measuring thread's involuntary context switches (getrusage), the time it waited on the
 * run queue (schedstat's run_delay: another task held its PU), and the PU's steal time
 * (/proc/stat: the hypervisor ran someone else). Read around every batch (the switches)
 * and every sample (all of them).
 */
#ifndef XB_HOST_INTERFERENCE_H
#define XB_HOST_INTERFERENCE_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/error.h"

struct interference_probe {
	int pu;               /* the measured PU's OS index */
	int schedstat_fd;     /* /proc/thread-self/schedstat, -1 when the kernel has none */
	int stat_fd;          /* /proc/stat, -1 when unreadable */
	int partner_tid;      /* the task sharing the PU by design, 0: none */
	int partner_fd;       /* its /proc/TID/schedstat, or -1 */
	double user_hz;       /* /proc/stat's tick rate */
};

struct interference_snapshot {
	uint64_t wall_ns;            /* CLOCK_MONOTONIC */
	uint64_t involuntary_switches;
	bool has_run_delay, has_steal, has_partner;
	uint64_t run_delay_ns;       /* this thread's wait on the run queue so far */
	uint64_t steal_ns;           /* the PU's steal time so far */
	uint64_t partner_on_cpu_ns;  /* the partner's time on a CPU so far */
};

/* The sample's deltas, in the units the database stores them in. */
struct interference_delta {
	double wall_ms, steal_ms; /* NAN when the kernel does not say */
	double run_delay_ms;      /* less the partner's time on the PU; NAN when the kernel does not say */
	double involuntary_switches;
};

/* Opens what the calling (measuring) thread, pinned to @pu, reads; what is missing is left
 * out and its delta reads NAN (no evidence is not an error). */
void interference_open(struct interference_probe *p, int pu);
void interference_close(struct interference_probe *p);
/*
 * The task (thread or process id; 0: none) that shares the measured PU by design, a case's
 * ping-pong partner: the measuring thread waits while it runs, and that wait is the case,
 * not interference, so a delta's run_delay leaves out the partner's time on a CPU. Without
 * the partner's schedstat the wait stays whole. Nothing is done when @tid is already set.
 */
void interference_set_partner(struct interference_probe *p, int tid);
void interference_read(const struct interference_probe *p, struct interference_snapshot *out);
void interference_delta(const struct interference_snapshot *before, const struct interference_snapshot *after,
			struct interference_delta *out);
/* The calling thread's involuntary context switches so far (one getrusage, for a batch). */
uint64_t interference_involuntary_switches(void);

#endif
