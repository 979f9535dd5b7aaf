/*
 * family_ptrace.c - native/ptrace/{xstate-get,xstate-set}/{none,fp,avx,avx512,amx}: a stopped
 * child holding the named components in use, and PTRACE_GETREGSET / PTRACE_SETREGSET of
 * NT_X86_XSTATE on it (the kernel's copy between the task's fpstate and the standard-format
 * UABI buffer). One operation is one ptrace call. Every GET result is checked (header and
 * contents against what the child holds); SET batches alternate between two different
 * states and read the child back, so each batch proves its SETs landed.
 */
#include "families.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../host/native/tracee.h"
#include "../host/xstate_buffer.h"
#include "../kernels/xstate_image.h"
#include "kpath.h"

#define PTRACE_CALLS 32
#define PTRACE_WARMUP 4

struct ptrace_case {
	struct kpath_holds holds; /* [0] what the child loads, [1] a second state for SET */
	const struct xstate_layout *layout;
	pid_t child;
	void *buf;        /* GET target, the regset's full size */
	void *set_buf[2]; /* the two states SET writes, alternately */
	size_t size, len; /* buffer size; bytes the kernel's regset holds */
	uint32_t calls;
	unsigned int batches;
};

/* Yama's ptrace_scope 3 forbids every attach, PTRACE_TRACEME included (live machines only). */
static bool ptrace_allowed(const struct machine *m)
{
	FILE *f = m->from_dump ? NULL : fopen("/proc/sys/kernel/yama/ptrace_scope", "r");
	int scope = 0;

	if (f) {
		if (fscanf(f, "%d", &scope) != 1)
			scope = 0;
		fclose(f);
	}
	return scope < 3;
}

static int ptrace_plan(const struct machine *m, struct plan *plan)
{
	static const char *const ops[] = { "xstate-get", "xstate-set" };
	bool allowed = ptrace_allowed(m);
	int rc = 0;

	for (int op = REGSET_GET; op <= REGSET_SET && !rc; op++)
		rc = kpath_plan_sets(m, plan, &family_ptrace, "ptrace", ops[op], op, allowed,
				     "ptrace is disabled on this kernel (kernel.yama.ptrace_scope=3)");
	return rc;
}

static void ptrace_teardown(struct bench_case *c)
{
	struct ptrace_case *pc = c->state;

	if (!pc)
		return;
	if (pc->child > 0) {
		kill(pc->child, SIGKILL);
		waitpid(pc->child, NULL, 0);
	}
	xstate_buffer_free(pc->buf);
	xstate_buffer_free(pc->set_buf[0]);
	xstate_buffer_free(pc->set_buf[1]);
	kpath_holds_free(&pc->holds);
	free(pc);
	c->state = NULL;
}

/* The regset buffer must show the held components in use and hold @h's values (x87 and SSE the
 * hold keeps in init may show in use at their init values: xstate_hold_compare). */
static int check_regset(const struct ptrace_case *pc, const void *buf, const struct xstate_hold *h,
			char *err, size_t size)
{
	const struct xstate_header *hdr = xstate_header_of((void *)buf);
	struct hold_result r;

	if (pc->len < xstate_size_standard(pc->layout, h->load_mask) || hdr->xcomp_bv)
		return snprintf(err, size, "NT_X86_XSTATE: %zu bytes, XCOMP_BV 0x%" PRIx64 ": not a standard-format "
				"image of 0x%" PRIx64 ": no number reported", pc->len, hdr->xcomp_bv, h->load_mask), -1;
	r = xstate_hold_compare(h, buf);
	if (r.check != HOLD_OK)
		return kpath_hold_error(err, size, "NT_X86_XSTATE", r), -1;
	return 0;
}

static int get_once(struct ptrace_case *pc, char *err, size_t size)
{
	struct regset_result r;

	tracee_time_regset(pc->child, REGSET_GET, pc->buf, pc->size, 0, 1, &r);
	pc->len = r.len;
	if (r.error)
		return snprintf(err, size, "PTRACE_GETREGSET(NT_X86_XSTATE): %s", strerror((int)-r.error)), -1;
	return 0;
}

static int start_child(struct ptrace_case *pc)
{
	int status;

	pc->child = fork();
	if (pc->child < 0)
		return xb_fail_errno("fork");
	if (!pc->child)
		tracee_run(&pc->holds.hold[0]);
	if (waitpid(pc->child, &status, 0) < 0)
		return xb_fail_errno("waitpid(tracee)");
	if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGSTOP)
		return xb_fail(EPERM, "the child did not stop under ptrace (PTRACE_TRACEME refused? status 0x%x)",
			       status);
	return 0;
}

static int ptrace_setup(struct bench_case *c, const struct run_env *env)
{
	const struct xstate_layout *l = &env->machine->layout;
	struct ptrace_case *pc = calloc(1, sizeof(*pc));
	char err[GBENCH_ERROR_MAX];
	int rc;

	if (!pc)
		return xb_fail(ENOMEM, "out of memory");
	c->state = pc;
	pc->layout = l;
	rc = kpath_holds_init(&pc->holds, c, l, 2);
	if (rc)
		goto fail;
	pc->size = xstate_size_standard(l, l->xcr0);
	pc->buf = xstate_buffer_alloc(pc->size);
	pc->set_buf[0] = xstate_buffer_alloc(pc->size);
	pc->set_buf[1] = xstate_buffer_alloc(pc->size);
	if (!pc->buf || !pc->set_buf[0] || !pc->set_buf[1]) {
		rc = xb_fail(ENOMEM, "out of memory");
		goto fail;
	}
	rc = start_child(pc);
	if (rc)
		goto fail;
	/* the first GET gives the regset's size and the child's software-reserved bytes */
	if (get_once(pc, err, sizeof(err)) || check_regset(pc, pc->buf, &pc->holds.hold[0], err, sizeof(err))) {
		rc = xb_fail(EIO, "%s", err);
		goto fail;
	}
	for (int i = 0; i < 2; i++) /* the holds' images, in buffers of the regset's full size */
		memcpy(pc->set_buf[i], pc->holds.hold[i].image, pc->holds.hold[i].size < pc->size ?
							       pc->holds.hold[i].size : pc->size);
	pc->calls = env->ops_override ? env->ops_override : PTRACE_CALLS;
	c->ops_per_batch = pc->calls;
	case_set_attribute(c, "regset_bytes", "%zu", pc->len);
	return 0;
fail:
	ptrace_teardown(c);
	return rc;
}

static int ptrace_batch(struct bench_case *c, struct batch_result *out)
{
	struct ptrace_case *pc = c->state;
	/* SET writes the two states alternately; GET reads what the child holds */
	const struct xstate_hold *want = &pc->holds.hold[c->op == REGSET_SET ? pc->batches % 2 : 0];
	struct regset_result r;

	if (c->op == REGSET_SET)
		tracee_time_regset(pc->child, REGSET_SET, pc->set_buf[pc->batches % 2], pc->len, PTRACE_WARMUP,
				   pc->calls, &r);
	else
		tracee_time_regset(pc->child, REGSET_GET, pc->buf, pc->size, PTRACE_WARMUP, pc->calls, &r);
	if (r.error)
		return snprintf(out->error, sizeof(out->error), "PTRACE_%sREGSET(NT_X86_XSTATE): %s: no number reported",
				c->op == REGSET_SET ? "SET" : "GET", strerror((int)-r.error)), -1;
	if (c->op == REGSET_SET && get_once(pc, out->error, sizeof(out->error)))
		return -1;
	if (check_regset(pc, pc->buf, want, out->error, sizeof(out->error)))
		return -1;
	pc->batches++;
	out->gross_ticks = r.gross_ticks;
	out->ops = pc->calls;
	return 0;
}

const struct bench_family family_ptrace = {
	.name = "ptrace",
	.site = SITE_NATIVE,
	.plan = ptrace_plan,
	.setup = ptrace_setup,
	.batch = ptrace_batch,
	.teardown = ptrace_teardown,
};
