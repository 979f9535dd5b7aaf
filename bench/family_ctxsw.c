/*
 * family_ctxsw.c - the kernel's context-switch xstate path, timed from user space with two
 * tasks passing a token through pipes (host/native/pingpong.h), each holding its state:
 *
 *   native/ctxsw/pipe/{none,fp,avx,avx512,amx}       a partner thread on the same PU: every
 *                                                    round trip is two context switches
 *   native/ctxsw/pipe-xcpu/{none,fp,avx,avx512,amx}  the partner thread on another PU
 *   native/xfd/ctxsw/amx/mixed       the partner a process never permitted AMX (its XFD
 *                                    armed: the kernel rewrites IA32_XFD on each switch)
 *   native/xfd/ctxsw/amx/permitted   the partner a permitted process that used tiles once
 *
 * One operation is one switch (half a round trip). "none" is the control: every component
 * in its init state, so the kernel's XSAVES/XRSTORS have the least to do.
 */
#include "families.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../host/native/pingpong.h"
#include "../host/topology.h"
#include "kpath.h"

#define CTXSW_ROUND_TRIPS 64
#define CTXSW_WARMUP 8
#define CTXSW_MAX_ATTEMPTS 8

enum { PIPE_SAME_CPU, PIPE_CROSS_CPU };
enum { XFD_MIXED, XFD_PERMITTED };

struct pp_case {
	struct kpath_holds holds;
	struct pingpong_end self, partner;
	int fds[4]; /* to the partner (read, write), from the partner (read, write) */
	int self_cpu, partner_cpu;
	pid_t partner_tid; /* the partner thread's, once it is ready */
	bool same_cpu;
	uint32_t round_trips;
	pthread_t thread;
	bool have_thread;
	char thread_error[160];
	pid_t child;
};

static int ctxsw_plan(const struct machine *m, struct plan *plan)
{
	static const char *const ops[] = { "pipe", "pipe-xcpu" };
	bool two_pus = !m->topology.known || m->topology.pus >= 2;
	char why[CASE_REASON_MAX];
	int rc = 0;

	snprintf(why, sizeof(why), "the cross-CPU partner needs a second processing unit (hwloc finds %d)",
		 m->topology.pus);
	for (int op = 0; op < 2 && !rc; op++)
		rc = kpath_plan_sets(m, plan, &family_ctxsw, "ctxsw", ops[op], op, op == PIPE_SAME_CPU || two_pus, why);
	return rc;
}

static int xfd_plan(const struct machine *m, struct plan *plan)
{
	/* the partner: never permitted AMX (IA32_XFD rewritten at each switch), or permitted */
	static const enum condition partners[] = { COND_MIXED, COND_PERMITTED };

	for (int op = 0; op < 2; op++) {
		struct bench_id id = { SITE_NATIVE, false, "xfd", "ctxsw", feature_set_name(FS_AMX), partners[op] };
		struct bench_case *c = kpath_plan(m, plan, &family_xfd, &id, true, NULL);

		if (!c)
			return -ENOMEM;
		c->op = op;
	}
	return 0;
}

static void pp_teardown(struct bench_case *c)
{
	struct pp_case *pc = c->state;

	if (!pc)
		return;
	if (pc->have_thread || pc->child > 0)
		pingpong_stop(&pc->self);
	if (pc->have_thread)
		pthread_join(pc->thread, NULL);
	if (pc->child > 0 && kpath_wait(pc->child, "the xfd partner"))
		fprintf(stderr, "xstate-bench: %s: %s\n", c->id, xb_error_message());
	for (int i = 0; i < 4; i++)
		if (pc->fds[i] >= 0)
			close(pc->fds[i]);
	kpath_holds_free(&pc->holds);
	free(pc);
	c->state = NULL;
}

/* The holds, the pipes and both ends; a partner thread holds the second hold. */
static int pp_open(struct bench_case *c, const struct run_env *env, int nr_holds, struct pp_case **out)
{
	struct pp_case *pc = calloc(1, sizeof(*pc));
	int rc;

	if (!pc)
		return xb_fail(ENOMEM, "out of memory");
	memset(pc->fds, -1, sizeof(pc->fds));
	c->state = pc;
	*out = pc;
	rc = kpath_holds_init(&pc->holds, c, &env->machine->layout, nr_holds);
	if (rc)
		return rc;
	if (pipe2(pc->fds, O_CLOEXEC) || pipe2(pc->fds + 2, O_CLOEXEC))
		return xb_fail_errno("pipe2");
	/* a partner that died must show as EPIPE on the next write, not end the run */
	signal(SIGPIPE, SIG_IGN);
	pc->self = (struct pingpong_end){ pc->fds[2], pc->fds[1], &pc->holds.hold[0] };
	pc->partner = (struct pingpong_end){ pc->fds[0], pc->fds[3], &pc->holds.hold[nr_holds - 1] };
	pc->self_cpu = sched_getcpu();
	pc->round_trips = env->ops_override ? env->ops_override : CTXSW_ROUND_TRIPS;
	c->ops_per_batch = 2 * pc->round_trips;
	return 0;
}

/* The partner's first byte: 'r' once it is pinned and ready. */
static int await_ready(struct pp_case *pc, const char *who)
{
	char ready = 0;
	ssize_t n = read(pc->self.rfd, &ready, 1);

	if (n != 1 || ready != 'r')
		return xb_fail(EIO, "%s did not start%s%s", who, pc->thread_error[0] ? ": " : "", pc->thread_error);
	return 0;
}

static void *partner_thread(void *arg)
{
	struct pp_case *pc = arg;
	struct pin_result pin;
	char ready = 'r';

	pc->partner_tid = gettid();
	if (topology_pin_thread(pc->partner_cpu, &pin)) {
		snprintf(pc->thread_error, sizeof(pc->thread_error), "%s", xb_error_message());
		ready = 'e';
	}
	if (write(pc->partner.wfd, &ready, 1) == 1 && ready == 'r')
		pingpong_partner(&pc->partner);
	return NULL;
}

static int ctxsw_setup(struct bench_case *c, const struct run_env *env)
{
	struct pp_case *pc;
	int rc = pp_open(c, env, 2, &pc);

	if (rc)
		goto fail;
	pc->same_cpu = c->op == PIPE_SAME_CPU;
	pc->partner_cpu = pc->self_cpu;
	if (!pc->same_cpu && (rc = topology_other_pu(pc->self_cpu, &pc->partner_cpu)))
		goto fail;
	rc = pthread_create(&pc->thread, NULL, partner_thread, pc);
	if (rc) {
		rc = xb_fail(rc, "pthread_create: %s", strerror(rc));
		goto fail;
	}
	pc->have_thread = true;
	rc = await_ready(pc, "the partner thread");
	if (rc)
		goto fail;
	if (pc->same_cpu)
		c->pu_partner = pc->partner_tid;
	case_set_attribute(c, ATTR_PARTNER, "thread on PU %d, this one on PU %d", pc->partner_cpu, pc->self_cpu);
	case_set_attribute(c, ATTR_PER_OP, pc->same_cpu ? "one context switch (a round trip is two)"
						     : "one hand-off to the other PU (a round trip is two)");
	return 0;
fail:
	pp_teardown(c);
	return rc;
}

static int xfd_setup(struct bench_case *c, const struct run_env *env)
{
	struct pp_case *pc;
	char cpu[16];
	const char *args[] = { "partner", c->op == XFD_PERMITTED ? "permitted" : "unpermitted", "3", "4", cpu, NULL };
	int rc = pp_open(c, env, 1, &pc);

	if (rc)
		goto fail;
	pc->same_cpu = true;
	pc->partner_cpu = pc->self_cpu;
	snprintf(cpu, sizeof(cpu), "%d", pc->partner_cpu);
	rc = kpath_spawn_fresh(args, (const int[]){ pc->fds[0], pc->fds[3] }, NULL, &pc->child);
	if (rc)
		goto fail;
	/* the child has its ends: close ours, so its exit shows as end of file */
	close(pc->fds[0]), close(pc->fds[3]);
	pc->fds[0] = pc->fds[3] = -1;
	rc = await_ready(pc, "xstate-bench-fresh partner");
	if (rc)
		goto fail;
	c->pu_partner = pc->child;
	case_set_attribute(c, ATTR_PARTNER, "process %s AMX, AVX-512 in use, on PU %d", args[1], pc->partner_cpu);
	case_set_attribute(c, ATTR_PER_OP, "one context switch (a round trip is two)");
	return 0;
fail:
	pp_teardown(c);
	return rc;
}

static long thread_switches(void)
{
	struct rusage ru;

	return getrusage(RUSAGE_THREAD, &ru) ? -1 : ru.ru_nvcsw + ru.ru_nivcsw;
}

static int pp_check(const struct pp_case *pc, const struct pingpong_result *r, long switches,
		    struct batch_result *out)
{
	if (r->error)
		return snprintf(out->error, sizeof(out->error), "ping-pong pipe: %s: no number reported",
				strerror((int)-r->error)), -1;
	if (r->self.check != HOLD_OK)
		return kpath_hold_error(out->error, sizeof(out->error), "this task's state", r->self), -1;
	if (r->partner.check != HOLD_OK)
		return kpath_hold_error(out->error, sizeof(out->error), "the partner's state", r->partner), -1;
	if ((r->partner_cpu == pc->self_cpu) != pc->same_cpu)
		return snprintf(out->error, sizeof(out->error), "the partner ran on CPU %d, this task on %d: "
				"no number reported", r->partner_cpu, pc->self_cpu), -1;
	/* on one CPU the partner can only answer after this task switched away */
	if (pc->same_cpu && switches < (long)(pc->round_trips + CTXSW_WARMUP))
		return snprintf(out->error, sizeof(out->error), "%ld context switches for %u round trips: "
				"no number reported", switches, pc->round_trips + CTXSW_WARMUP), -1;
	return 0;
}

static int pp_batch(struct bench_case *c, struct batch_result *out)
{
	struct pp_case *pc = c->state;
	struct pingpong_result r;
	long before, after;
	int discarded = 0;

	for (;;) {
		before = thread_switches();
		pingpong_batch(&pc->self, CTXSW_WARMUP, pc->round_trips, pc->holds.caller, pc->holds.load_mask, &r);
		after = thread_switches();
		/* the state did not hold even before the timing started: run the batch again */
		if (r.error || !xstate_hold_disturbed(&r.before) || ++discarded == CTXSW_MAX_ATTEMPTS)
			break;
	}
	if (!r.error && r.before.check != HOLD_OK)
		return kpath_hold_error(out->error, sizeof(out->error), "this task's state before the batch", r.before), -1;
	if (pp_check(pc, &r, after - before, out))
		return -1;
	if (pc->holds.hold[0].layout->xgetbv1) {
		case_set_attribute(c, ATTR_XINUSE_BEFORE, "0x%" PRIx64, r.before.xinuse);
		case_set_attribute(c, ATTR_XINUSE_AFTER, "0x%" PRIx64, r.self.xinuse);
	}
	out->gross_ticks = r.gross_ticks;
	out->ops = 2ULL * pc->round_trips;
	out->metrics[out->nr_metrics++] = (struct gbench_metric){
		.name = METRIC_DISCARDED_BATCHES, .kind = GBENCH_PER_BATCH, .value = discarded };
	out->metrics[out->nr_metrics++] = (struct gbench_metric){
		.name = "switches_per_round_trip", .kind = GBENCH_PER_BATCH,
		.value = (double)(after - before) / (pc->round_trips + CTXSW_WARMUP + 2) };
	return 0;
}

const struct bench_family family_ctxsw = {
	.name = "ctxsw",
	.site = SITE_NATIVE,
	.plan = ctxsw_plan,
	.setup = ctxsw_setup,
	.batch = pp_batch,
	.teardown = pp_teardown,
};

const struct bench_family family_xfd = {
	.name = "xfd",
	.site = SITE_NATIVE,
	.plan = xfd_plan,
	.setup = xfd_setup,
	.batch = pp_batch,
	.teardown = pp_teardown,
};
