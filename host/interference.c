/*
 * interference.c - reading the thread's switches and run-queue wait and the PU's steal time.
 */
#include "interference.h"

#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

void interference_open(struct interference_probe *p, int pu)
{
	long hz = sysconf(_SC_CLK_TCK);

	p->pu = pu;
	p->schedstat_fd = open("/proc/thread-self/schedstat", O_RDONLY | O_CLOEXEC);
	p->stat_fd = open("/proc/stat", O_RDONLY | O_CLOEXEC);
	p->partner_fd = -1;
	p->partner_tid = 0;
	p->user_hz = hz > 0 ? (double)hz : 100;
}

void interference_close(struct interference_probe *p)
{
	if (p->schedstat_fd >= 0)
		close(p->schedstat_fd);
	if (p->stat_fd >= 0)
		close(p->stat_fd);
	interference_set_partner(p, 0);
	p->schedstat_fd = p->stat_fd = -1;
}

void interference_set_partner(struct interference_probe *p, int tid)
{
	char path[48];

	if (tid == p->partner_tid && (tid <= 0 || p->partner_fd >= 0))
		return;
	p->partner_tid = tid;
	if (p->partner_fd >= 0)
		close(p->partner_fd);
	p->partner_fd = -1;
	if (tid > 0 && snprintf(path, sizeof(path), "/proc/%d/schedstat", tid) < (int)sizeof(path))
		p->partner_fd = open(path, O_RDONLY | O_CLOEXEC);
}

uint64_t interference_involuntary_switches(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_THREAD, &ru) ? 0 : (uint64_t)ru.ru_nivcsw;
}

/* schedstat: "<on-cpu ns> <run-queue wait ns> <timeslices>"; @field 0 or 1 */
static bool read_schedstat(int fd, int field, uint64_t *ns)
{
	char buf[128];
	ssize_t n = fd < 0 ? -1 : pread(fd, buf, sizeof(buf) - 1, 0);
	unsigned long long on_cpu, wait;

	if (n <= 0)
		return false;
	buf[n] = 0;
	if (sscanf(buf, "%llu %llu", &on_cpu, &wait) != 2)
		return false;
	*ns = field ? wait : on_cpu;
	return true;
}

/* /proc/stat's "cpuN user nice system idle iowait irq softirq steal ...": the 8th field. */
static bool read_steal(const struct interference_probe *p, uint64_t *ns)
{
	char buf[16384], key[24];
	ssize_t n = p->stat_fd < 0 ? -1 : pread(p->stat_fd, buf, sizeof(buf) - 1, 0);
	unsigned long long f[8];
	const char *line;

	if (n <= 0)
		return false;
	buf[n] = 0;
	snprintf(key, sizeof(key), "\ncpu%d ", p->pu);
	if (!(line = strstr(buf, key)))
		return false;
	if (sscanf(line + strlen(key), "%llu %llu %llu %llu %llu %llu %llu %llu", &f[0], &f[1], &f[2], &f[3],
		   &f[4], &f[5], &f[6], &f[7]) != 8)
		return false;
	*ns = (uint64_t)((double)f[7] / p->user_hz * 1e9);
	return true;
}

void interference_read(const struct interference_probe *p, struct interference_snapshot *out)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	out->wall_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	out->involuntary_switches = interference_involuntary_switches();
	out->has_run_delay = read_schedstat(p->schedstat_fd, 1, &out->run_delay_ns);
	out->has_partner = read_schedstat(p->partner_fd, 0, &out->partner_on_cpu_ns);
	out->has_steal = read_steal(p, &out->steal_ns);
}

void interference_delta(const struct interference_snapshot *before, const struct interference_snapshot *after,
			struct interference_delta *out)
{
	out->wall_ms = (double)(after->wall_ns - before->wall_ns) / 1e6;
	out->involuntary_switches = (double)(after->involuntary_switches - before->involuntary_switches);
	out->run_delay_ms = before->has_run_delay && after->has_run_delay
				    ? (double)(after->run_delay_ns - before->run_delay_ns) / 1e6 : NAN;
	if (before->has_partner && after->has_partner)
		out->run_delay_ms = fmax(0, out->run_delay_ms -
					    (double)(after->partner_on_cpu_ns - before->partner_on_cpu_ns) / 1e6);
	out->steal_ms = before->has_steal && after->has_steal ? (double)(after->steal_ns - before->steal_ns) / 1e6
							      : NAN;
}
