/*
 * pingpong.c - the token loop on both sides. No vector code; raw system calls.
 */
#include "pingpong.h"

#include <sys/syscall.h>

#include "../../kernels/tsc.h"
#include "../../kernels/xsave_insn.h"
#include "raw_syscall.h"

static long put(int fd, char c)
{
	long rc = raw_syscall3(SYS_write, fd, (long)&c, 1);

	return rc == 1 ? 0 : rc < 0 ? rc : -5; /* -EIO on a short write */
}

static long get(int fd, char *c)
{
	long rc = raw_syscall3(SYS_read, fd, (long)c, 1);

	return rc == 1 ? 0 : rc < 0 ? rc : -32; /* -EPIPE at end of file */
}

int pingpong_partner(const struct pingpong_end *e)
{
	for (;;) {
		struct hold_result r;
		unsigned int cpu = 0;
		char c;
		long rc = get(e->rfd, &c);

		if (rc)
			return (int)rc;
		switch (c) {
		case 'q':
			return 0;
		case 'l':
			xstate_hold_load(e->hold);
			break;
		case 'c':
			r = xstate_hold_check_after_path(e->hold);
			raw_syscall3(SYS_getcpu, (long)&cpu, 0, 0);
			rc = put(e->wfd, (char)r.check);
			if (!rc)
				rc = put(e->wfd, (char)cpu);
			if (rc)
				return (int)rc;
			continue;
		default:
			break;
		}
		rc = put(e->wfd, c);
		if (rc)
			return (int)rc;
	}
}

static long round_trips(const struct pingpong_end *e, uint32_t n)
{
	long err = 0;
	char c = 'g';

	for (uint32_t i = 0; i < n && !err; i++) {
		err = put(e->wfd, 'g');
		if (!err)
			err = get(e->rfd, &c);
	}
	return err;
}

/* Sends one command and reads its one-byte answer. */
static long command(const struct pingpong_end *e, char cmd, char *answer)
{
	long rc = put(e->wfd, cmd);

	return rc ? rc : get(e->rfd, answer);
}

void pingpong_batch(const struct pingpong_end *e, uint32_t warmup, uint32_t n, void *caller,
		    uint64_t caller_mask, struct pingpong_result *out)
{
	uint64_t t0, t1;
	char answer = 0, cpu = 0;

	*out = (struct pingpong_result){ .partner_cpu = -1 };
	xsave(caller, caller_mask);
	out->error = command(e, 'l', &answer);
	xstate_hold_load(e->hold);
	out->before = xstate_hold_check(e->hold);
	if (out->error || out->before.check != HOLD_OK)
		goto out;
	out->error = round_trips(e, warmup);
	t0 = tsc_begin();
	if (!out->error)
		out->error = round_trips(e, n);
	t1 = tsc_end();
	out->gross_ticks = t1 - t0;
	out->self = xstate_hold_check_after_path(e->hold);
	if (!out->error)
		out->error = command(e, 'c', &answer);
	if (!out->error)
		out->error = get(e->rfd, &cpu);
	out->partner = (struct hold_result){ .check = (enum hold_check)answer };
	out->partner_cpu = (unsigned char)cpu;
out:
	xrstor(caller, caller_mask);
}

void pingpong_stop(const struct pingpong_end *e)
{
	put(e->wfd, 'q');
}
