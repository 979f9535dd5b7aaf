/*
 * family_kapi.c - the kapi site: the running kernel's own exported fpu functions that KVM
 * calls, called on real kernel objects and timed in ring 0 by the xstate_bench module
 * (XB_IOC_KAPI, host/module/kapi_kernel.c):
 *   kapi/fpu/{alloc,free}-guest-fpstate/user              a vCPU's guest fpstate
 *   kapi/fpu/swap-kvm-fpstate/<set>/{need-load,live}      one enter+exit round trip
 *   kapi/fpu/enable-guest-xfd-features/amx                 the guest realloc (vzalloc)
 *   kapi/fpu/update-guest-xfd/amx                          arming and disarming, guest swapped in
 *   kapi/fpu/copy-guest-fpstate-to-uabi/<set>/inuse        KVM_GET_XSAVE2's copy
 *   kapi/fpu/copy-uabi-to-guest-fpstate/<set>/inuse        KVM_SET_XSAVE's copy
 *   kapi/fpu/copy-uabi-to-guest-fpstate/fp/pre-xsave-guest x87+SSE for a guest without XSAVE
 *   kapi/fpu/kernel-fpu-begin-end/<set>/{need-load,live}   kernel_fpu_begin() and _end()
 * with <set> fp, avx, avx512 or amx. The swap and kernel_fpu cases hold the set in this
 * task's registers across the ioctl (the state those functions save and switch) and check
 * it came back. A case skips naming what it lacks: the CPUID bit, the module, or the
 * kernel function and the kernel release that does not give it to modules.
 */
#include "families.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../host/module/module_client.h"
#include "../host/native/held_ioctl.h"
#include "../host/xstate_perm.h"
#include "../kernels/fpu_switch_bench.h"
#include "kpath.h"
#include "require.h"

#define KAPI_DEFAULT_OPS 64
#define KAPI_SLEEPING_OPS 16 /* a vzalloc() or vfree() per call */
#define KAPI_WARMUP_OPS 4
#define KAPI_GUEST_SEED 0x6e57
#define KAPI_MAX_ATTEMPTS 8

struct kapi_op {
	const char *name; /* the id's op */
	uint32_t op;      /* enum xb_kapi_op */
	const char *what; /* one operation, in the kernel's words */
	bool holds;       /* the task's registers hold the set across the ioctl */
	bool sleeps;      /* its function may sleep: preemption stays on */
};

static const struct kapi_op kapi_ops[] = {
	{ "alloc-guest-fpstate", XB_KAPI_OP_ALLOC_GUEST_FPSTATE, "fpu_alloc_guest_fpstate() (freed untimed)", false, true },
	{ "free-guest-fpstate", XB_KAPI_OP_FREE_GUEST_FPSTATE, "fpu_free_guest_fpstate() (allocated untimed)", false, true },
	{ "swap-kvm-fpstate", XB_KAPI_OP_SWAP_KVM_FPSTATE, "fpu_swap_kvm_fpstate(guest, true), then (guest, false)",
	  true, false },
	{ "enable-guest-xfd-features", XB_KAPI_OP_ENABLE_GUEST_XFD_FEATURES,
	  "fpu_enable_guest_xfd_features() on a fresh guest fpstate: its realloc", false, true },
	{ "update-guest-xfd", XB_KAPI_OP_UPDATE_GUEST_XFD,
	  "fpu_update_guest_xfd(), the guest swapped in, arming and disarming in turn", false, false },
	{ "copy-guest-fpstate-to-uabi", XB_KAPI_OP_COPY_GUEST_FPSTATE_TO_UABI,
	  "fpu_copy_guest_fpstate_to_uabi() into uabi_size bytes (KVM_GET_XSAVE2)", false, false },
	{ "copy-uabi-to-guest-fpstate", XB_KAPI_OP_COPY_UABI_TO_GUEST_FPSTATE,
	  "fpu_copy_uabi_to_guest_fpstate() (KVM_SET_XSAVE)", false, false },
	{ "kernel-fpu-begin-end", XB_KAPI_OP_KERNEL_FPU_BEGIN_END, "kernel_fpu_begin() (KFPU_MXCSR), kernel_fpu_end()",
	  true, false },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* What the module is asked for a case: the set's components, or the dynamic ones to enable/arm. */
static uint64_t request_mask(const struct machine *m, const struct kapi_op *op, uint64_t features, enum condition cond)
{
	switch (op->op) {
	case XB_KAPI_OP_ALLOC_GUEST_FPSTATE:
	case XB_KAPI_OP_FREE_GUEST_FPSTATE:
		return 0;
	case XB_KAPI_OP_ENABLE_GUEST_XFD_FEATURES:
	case XB_KAPI_OP_UPDATE_GUEST_XFD:
		return features & xstate_xfd_capable(&m->layout);
	default:
		return cond == COND_PRE_XSAVE_GUEST ? XFEATURES_FP : features;
	}
}

/* The module resolved every kernel function the op calls; else which one and why not. */
static bool require_functions(const struct machine *m, const struct kapi_op *op, uint64_t mask, char *why,
			      size_t size)
{
	const struct xb_caps *caps = &m->module.caps;
	uint32_t missing = xb_kapi_op_needs(op->op, mask, xstate_default_features(&m->layout)) & ~caps->kapi_resolved;

	for (uint32_t fn = 0; fn < XB_KAPI_FN_COUNT; fn++) {
		if (!(missing & XB_KAPI_BIT(fn)))
			continue;
		if (caps->kapi_signature_differs & XB_KAPI_BIT(fn))
			return WHY("%s() of kernel %s has another signature than the module calls (6.1's)",
				   xb_kapi_fn_name(fn), caps->release);
		return WHY("kernel %s does not export %s() to modules (no KVM, or exported to kvm only)",
			   caps->release, xb_kapi_fn_name(fn));
	}
	return true;
}

static bool require_case(const struct machine *m, const struct kapi_op *op, enum feature_set_id fs,
			 uint64_t features_mask, uint64_t mask, char *why, size_t size)
{
	bool dynamic_op = op->op == XB_KAPI_OP_ENABLE_GUEST_XFD_FEATURES || op->op == XB_KAPI_OP_UPDATE_GUEST_XFD;

	if (!require_layout(m, why, size))
		return false;
	if (dynamic_op && !require_xfd(m, why, size))
		return false;
	if (fs != FS_USER && !require_features(m, features_mask, false, why, size))
		return false;
	if (!require_module(m, why, size) || !require_functions(m, op, mask, why, size))
		return false;
	if (mask & ~m->module.caps.loadable)
		return WHY("the xstate_bench module knows no safe values to load for components 0x%" PRIx64,
			   mask & ~(uint64_t)m->module.caps.loadable);
	return true;
}

/* kapi/fpu/<op>/<set>[/<condition>]; the condition goes to the module as it is (base/ids.h). */
static int plan_one(const struct machine *m, struct plan *plan, const struct kapi_op *op, enum feature_set_id fs,
		    enum condition cond)
{
	struct bench_id id = { SITE_KAPI, false, "fpu", op->name, feature_set_name(fs), cond };
	char why[CASE_REASON_MAX];
	uint64_t features_mask = feature_set_mask(fs, m->layout.xcr0, m->layout.xss);
	uint64_t mask = request_mask(m, op, features_mask, cond);
	struct bench_case *c;
	bool ok = require_case(m, op, fs, features_mask, mask, why, sizeof(why));

	if (!(c = plan_case(plan, &family_kapi, &id, features_mask, ok ? NULL : why)))
		return -ENOMEM;
	c->op = (int)(op - kapi_ops);
	return 0;
}

/* An op over the kapi site's feature sets (base/ids.h: FS_IN_KAPI) in the conditions that
 * operations of @kind take (COND_FOR_*), or in @only when @kind is 0. */
static int plan_sets(const struct machine *m, struct plan *plan, const struct kapi_op *op, unsigned int kind,
		     enum condition only)
{
	int rc = 0;

	for (unsigned int fs = 0; fs < FS_COUNT && !rc; fs++) {
		if (!(feature_sets[fs].lists & FS_IN_KAPI))
			continue;
		for (unsigned int c = 0; c < COND_COUNT && !rc; c++)
			if (kind ? condition_takes((enum condition)c, kind) : c == only)
				rc = plan_one(m, plan, op, (enum feature_set_id)fs, (enum condition)c);
	}
	return rc;
}

static int kapi_plan(const struct machine *m, struct plan *plan)
{
	int rc = 0;

	for (size_t o = 0; o < N(kapi_ops) && !rc; o++) {
		const struct kapi_op *op = &kapi_ops[o];

		switch (op->op) {
		case XB_KAPI_OP_ALLOC_GUEST_FPSTATE:
		case XB_KAPI_OP_FREE_GUEST_FPSTATE:
			rc = plan_one(m, plan, op, FS_USER, COND_NONE);
			break;
		case XB_KAPI_OP_ENABLE_GUEST_XFD_FEATURES:
		case XB_KAPI_OP_UPDATE_GUEST_XFD:
			rc = plan_one(m, plan, op, FS_AMX, COND_NONE);
			break;
		case XB_KAPI_OP_COPY_GUEST_FPSTATE_TO_UABI:
			rc = plan_sets(m, plan, op, 0, COND_INUSE);
			break;
		case XB_KAPI_OP_COPY_UABI_TO_GUEST_FPSTATE:
			rc = plan_sets(m, plan, op, 0, COND_INUSE);
			if (!rc) /* seed 001: x87 and SSE for a guest without XSAVE */
				rc = plan_one(m, plan, op, FS_FP, COND_PRE_XSAVE_GUEST);
			break;
		default: /* the task's state saved or live, as a switch finds it */
			rc = plan_sets(m, plan, op, COND_FOR_SWITCH, COND_NONE);
			break;
		}
	}
	return rc;
}

struct kapi_state {
	int fd;
	const char *device;
	bool held;                 /* swap and kernel_fpu: the task holds the set */
	struct kpath_holds holds;
	struct xb_kapi_batch request;
};

static void kapi_teardown(struct bench_case *c)
{
	struct kapi_state *st = c->state;

	if (!st)
		return;
	if (st->fd >= 0)
		close(st->fd);
	kpath_holds_free(&st->holds);
	free(st);
	c->state = NULL;
}

/* The task's held state (swap, kernel_fpu), or the guest's image's components (the copies). */
static int set_up_state(struct bench_case *c, struct kapi_state *st, const struct xstate_layout *l)
{
	const struct kapi_op *op = &kapi_ops[c->op];
	uint64_t dynamic = st->request.mask & xstate_xfd_capable(l), usable;
	int rc;

	/* the guest may use the dynamic features only with this process's guest permission */
	if (dynamic && (rc = xstate_request_guest_perm(l, dynamic, &usable)))
		return rc;
	if (op->holds) {
		rc = kpath_holds_init(&st->holds, c, l, 1);
		if (rc)
			return rc;
		st->held = true;
		st->request.load_mask = st->holds.load_mask;
		st->request.seed = st->holds.hold[0].seed;
	} else if (op->op == XB_KAPI_OP_COPY_GUEST_FPSTATE_TO_UABI || op->op == XB_KAPI_OP_COPY_UABI_TO_GUEST_FPSTATE) {
		st->request.load_mask = st->request.cond == XB_COND_PRE_XSAVE_GUEST
						? XFEATURES_FP
						: xstate_hold_load_mask(l, st->request.mask, l->xcr0);
		st->request.seed = KAPI_GUEST_SEED;
	}
	return 0;
}

static int kapi_setup(struct bench_case *c, const struct run_env *env)
{
	const struct module_info *mod = &env->machine->module;
	const struct kapi_op *op = &kapi_ops[c->op];
	struct kapi_state *st = calloc(1, sizeof(*st));
	uint32_t ops = env->ops_override ? env->ops_override : op->sleeps ? KAPI_SLEEPING_OPS : KAPI_DEFAULT_OPS;
	int rc;

	if (!st)
		return xb_fail(ENOMEM, "out of memory");
	st->fd = -1;
	c->state = st;
	if (ops > mod->caps.max_ops) {
		kapi_teardown(c);
		return xb_fail(EINVAL, "--ops %u: the xstate_bench module runs at most %u calls per batch", ops,
			       mod->caps.max_ops);
	}
	st->request = (struct xb_kapi_batch){
		.op = op->op,
		.cond = (uint32_t)c->condition,
		.mask = request_mask(env->machine, op, c->features, (enum condition)c->condition),
		.ops = ops,
		.warmup_ops = KAPI_WARMUP_OPS,
	};
	rc = set_up_state(c, st, &env->machine->layout);
	if (!rc) {
		st->device = mod->device;
		st->fd = module_open(st->device);
		rc = st->fd < 0 ? st->fd : 0;
	}
	if (rc) {
		kapi_teardown(c);
		return rc;
	}
	c->ops_per_batch = ops;
	case_set_attribute(c, ATTR_SITE, "ring 0: the kernel's own function, preemption %s",
			   op->sleeps ? "on (it may sleep)" : "off (fpregs_lock)");
	case_set_attribute(c, "calls", "%s", op->what);
	return 0;
}

/* One ioctl: under the held state, or plainly. */
static int kapi_ioctl(struct kapi_state *st, struct xb_kapi_batch *b, struct batch_result *out)
{
	struct hold_result after;
	long rc;

	if (!st->held) {
		if (module_run_kapi(st->fd, st->device, b)) {
			snprintf(out->error, sizeof(out->error), "%s", xb_error_message());
			return -1;
		}
		return 0;
	}
	rc = held_ioctl(&st->holds.hold[0], st->holds.caller, st->fd, XB_IOC_KAPI, b, &after);
	if (rc < 0 && module_kapi_failed(st->device, rc) < 0) {
		snprintf(out->error, sizeof(out->error), "%s", xb_error_message());
		return -1;
	}
	if (!b->check && after.check != HOLD_OK) {
		kpath_hold_error(out->error, sizeof(out->error), "the task's state after the kernel's calls", after);
		return -1;
	}
	return 0;
}

static void describe_fpstate(struct bench_case *c, const char *name, const struct xb_kapi_fpstate *fs)
{
	case_set_attribute(c, name, "size %u, user_size %u, xfeatures 0x%" PRIx64 ", xfd 0x%" PRIx64 ", uabi_size %u",
			   fs->size, fs->user_size, (uint64_t)fs->xfeatures, (uint64_t)fs->xfd, fs->uabi_size);
}

/* What the batch proved, as the case's attributes. */
static void record(struct bench_case *c, const struct xb_kapi_batch *b)
{
	const char *name = b->ret < 0 ? strerrorname_np((int)-b->ret) : NULL;

	case_set_attribute(c, "ret", "%lld%s%s%s", (long long)b->ret, name ? " (" : "", name ? name : "",
			   name ? ")" : "");
	if (b->guest_before.size)
		describe_fpstate(c, "guest_fpstate", &b->guest_before);
	if (b->op == XB_KAPI_OP_ENABLE_GUEST_XFD_FEATURES)
		describe_fpstate(c, "grown_fpstate", &b->guest_after);
	if (b->op == XB_KAPI_OP_UPDATE_GUEST_XFD)
		case_set_attribute(c, "xfd_after", "0x%" PRIx64 " (IA32_XFD after the last call)", (uint64_t)b->xfd_after);
	case_set_attribute(c, "task_fpstate", "size %u, xfeatures 0x%" PRIx64, b->task_fpstate_size,
			   (uint64_t)b->task_fpstate_xfeatures);
	case_set_attribute(c, "timing", "%s", b->flags & XB_KAPI_PER_CALL ? "each call on its own (set-up between untimed)"
								       : "the calls in one loop");
	if (b->flags & XB_KAPI_XINUSE_CHECKED)
		case_set_attribute(c, ATTR_XINUSE_BEFORE, "0x%" PRIx64, (uint64_t)b->xinuse_before);
}

static int kapi_batch(struct bench_case *c, struct batch_result *out)
{
	struct kapi_state *st = c->state;
	struct xb_kapi_batch b;
	int discarded = 0;

	/* a batch the task was switched out of (its functions may sleep) is run again */
	for (;;) {
		b = st->request;
		if (kapi_ioctl(st, &b, out))
			return -1;
		if (b.check) {
			snprintf(out->error, sizeof(out->error), "%.128s (expected 0x%" PRIx64 ", got 0x%" PRIx64
				 "): no number reported", b.check_message, (uint64_t)b.expected, (uint64_t)b.actual);
			return -1;
		}
		if (!b.sched_switches)
			break;
		if (++discarded == KAPI_MAX_ATTEMPTS) {
			snprintf(out->error, sizeof(out->error), "the task was switched out of %d batches in a row "
				 "(%u switches in the last): no number reported", discarded, b.sched_switches);
			return -1;
		}
	}
	out->gross_ticks = b.gross_ticks;
	out->ops = b.ops;
	out->site_overhead_ticks = b.empty_ticks;
	record(c, &b);
	out->metrics[out->nr_metrics++] = (struct gbench_metric){
		.name = METRIC_DISCARDED_BATCHES, .kind = GBENCH_PER_BATCH, .value = discarded };
	return 0;
}

const struct bench_family family_kapi = {
	.name = "kapi",
	.site = SITE_KAPI,
	.site_overhead = true,
	.plan = kapi_plan,
	.setup = kapi_setup,
	.batch = kapi_batch,
	.teardown = kapi_teardown,
};
