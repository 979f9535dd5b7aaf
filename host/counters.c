/*
 * counters.c - libpfm4 event encoding and perf_event_open counting.
 */
#include "counters.h"

#include <errno.h>
#include <linux/perf_event.h>
#include <perfmon/pfmlib_perf_event.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int pfm_started = -1; /* libpfm4 initialization result, once per process */

static int pfm_start(void)
{
	if (pfm_started < 0)
		pfm_started = pfm_initialize();
	return pfm_started;
}

/* Encodes @name for perf_event_open at privilege levels @plm; false with the reason. */
static bool encode_event(const char *name, int plm, struct perf_event_attr *attr, char *reason, size_t reason_size)
{
	pfm_perf_encode_arg_t arg;
	int ret;

	memset(attr, 0, sizeof(*attr));
	memset(&arg, 0, sizeof(arg));
	arg.attr = attr;
	arg.size = sizeof(arg);
	ret = pfm_get_os_event_encoding(name, plm, PFM_OS_PERF_EVENT_EXT, &arg);
	if (ret != PFM_SUCCESS) {
		snprintf(reason, reason_size, "libpfm4 does not know this event here: %s", pfm_strerror(ret));
		return false;
	}
	return true;
}

/* Encodes and opens one event, disabled, on this thread (user and kernel when allowed). */
static int open_event(const char *name, char *reason, size_t reason_size)
{
	struct perf_event_attr attr;
	int fd = -1;

	for (int plm = PFM_PLM0 | PFM_PLM3; plm; plm = plm == (PFM_PLM0 | PFM_PLM3) ? PFM_PLM3 : 0) {
		if (!encode_event(name, plm, &attr, reason, reason_size))
			return -1;
		attr.size = sizeof(attr);
		attr.disabled = 1;
		attr.read_format = 0;
		fd = (int)syscall(SYS_perf_event_open, &attr, 0, -1, -1, PERF_FLAG_FD_CLOEXEC);
		if (fd >= 0)
			return fd;
		if (errno != EACCES && errno != EPERM)
			break;
	}
	snprintf(reason, reason_size, "perf_event_open: %s (errno %d)%s", strerror(errno), errno,
		 errno == ENOENT || errno == EOPNOTSUPP ? ": no PMU here counts this event" : "");
	return -1;
}

void counters_probe(struct pmu_info *out)
{
	char reason[192];
	int fd;

	memset(out, 0, sizeof(*out));
	if (pfm_start() != PFM_SUCCESS) {
		snprintf(out->libpfm_error, sizeof(out->libpfm_error), "pfm_initialize: %s",
			 pfm_strerror(pfm_started));
		return;
	}
	out->libpfm_ok = true;
	fd = open_event("perf::PERF_COUNT_HW_CPU_CYCLES", reason, sizeof(reason));
	out->hardware = fd >= 0;
	if (fd >= 0)
		close(fd);
	else
		snprintf(out->hardware_error, sizeof(out->hardware_error), "%s", reason);
	fd = open_event("perf::PERF_COUNT_SW_TASK_CLOCK", reason, sizeof(reason));
	out->software = fd >= 0;
	if (fd >= 0)
		close(fd);
}

int counters_check_list(const char *list)
{
	const char *p = list;
	int n = 0;

	if (pfm_start() != PFM_SUCCESS)
		return xb_fail(EIO, "pfm_initialize: %s", pfm_strerror(pfm_started));
	do {
		size_t len = strcspn(p, ",");
		char name[sizeof(((struct counter *)0)->name)], reason[192];
		struct perf_event_attr attr;

		if (!len)
			return xb_fail(EINVAL, "an empty event name in '%s'", list);
		if (len >= sizeof(name))
			return xb_fail(EINVAL, "an event name too long: %.*s", (int)len, p);
		if (++n > COUNTERS_MAX)
			return xb_fail(E2BIG, "at most %d events", COUNTERS_MAX);
		snprintf(name, sizeof(name), "%.*s", (int)len, p);
		if (!encode_event(name, PFM_PLM3, &attr, reason, sizeof(reason)))
			return xb_fail(EINVAL, "%s: %s", name, reason);
		p += len;
	} while (*p++);
	return 0;
}

int counters_open(const char *list, struct counter_set *set)
{
	char copy[COUNTERS_MAX * sizeof(set->c[0].name)], *save = NULL;
	int rc = counters_check_list(list);

	memset(set, 0, sizeof(*set));
	if (rc)
		return rc;
	snprintf(copy, sizeof(copy), "%s", list);
	for (char *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		struct counter *c = &set->c[set->count++];

		snprintf(c->name, sizeof(c->name), "%s", name);
		c->fd = open_event(name, c->reason, sizeof(c->reason));
		c->available = c->fd >= 0;
	}
	return 0;
}

void counters_close(struct counter_set *set)
{
	for (int i = 0; i < set->count; i++)
		if (set->c[i].available)
			close(set->c[i].fd);
	set->count = 0;
}

/* One prctl enables every counter this task opened, so a batch costs two system calls. */
void counters_start(const struct counter_set *set)
{
	if (set->count)
		prctl(PR_TASK_PERF_EVENTS_ENABLE);
}

void counters_stop(const struct counter_set *set)
{
	if (set->count)
		prctl(PR_TASK_PERF_EVENTS_DISABLE);
}

int counters_read_delta(struct counter_set *set, uint64_t delta[COUNTERS_MAX])
{
	for (int i = 0; i < set->count; i++) {
		struct counter *c = &set->c[i];
		uint64_t value;

		delta[i] = 0;
		if (!c->available)
			continue;
		if (read(c->fd, &value, sizeof(value)) != (ssize_t)sizeof(value))
			return xb_fail_errno("read(perf event %s)", c->name);
		delta[i] = value - c->last;
		c->last = value;
	}
	return 0;
}
