/*
 * family_ring0.c - the kernels run natively in ring 0 through the xstate_bench kernel
 * module (host/module): native/ring0/save/<insn>/<features>/<condition> for xsave, xsaveopt,
 * xsavec and xsaves, native/ring0/restore/<insn>/<features>/<condition> for xrstor and
 * xrstors (xsaves and xrstors also over `all`, supervisor components included),
 * native/ring0/switch/{pointer-swap,three-buffer}/<features>/{need-load,live} (one
 * enter+exit round trip of kernels/fpu_switch.h with the ring-0 instructions: XSAVES/XRSTORS
 * and the IA32_XFD write where the CPU has them), and native/ring0/msr/wrmsr-xfd/amx. Every
 * case names what it lacks: the CPU's instruction or component first, then the module (the
 * device it tried and the errno).
 */
#include "families.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../host/module/module_client.h"
#include "../kernels/fpu_switch_bench.h"
#include "require.h"

#define RING0_DEFAULT_OPS 128
#define RING0_SWITCH_DEFAULT_OPS 64 /* round trips, as native/switch */
#define RING0_WARMUP_OPS 16
#define IMAGE_SEED 0x5eed

enum ring0_kind { RING0_XSAVE, RING0_SWITCH, RING0_MSR };

struct ring0_op {
	enum ring0_kind kind;
	const char *group, *name;
	uint32_t xb_op;
	enum xsave_op xop; /* the save or restore; XOP_EMPTY for the others */
};

static const struct ring0_op ring0_ops[] = {
	{ RING0_XSAVE, "save", "xsave", XB_OP_XSAVE, XOP_XSAVE },
	{ RING0_XSAVE, "save", "xsaveopt", XB_OP_XSAVEOPT, XOP_XSAVEOPT },
	{ RING0_XSAVE, "save", "xsavec", XB_OP_XSAVEC, XOP_XSAVEC },
	{ RING0_XSAVE, "save", "xsaves", XB_OP_XSAVES, XOP_XSAVES },
	{ RING0_XSAVE, "restore", "xrstor", XB_OP_XRSTOR, XOP_XRSTOR },
	{ RING0_XSAVE, "restore", "xrstors", XB_OP_XRSTORS, XOP_XRSTORS },
	{ RING0_SWITCH, "switch", "pointer-swap", XB_OP_SWITCH_POINTER_SWAP, XOP_EMPTY },
	{ RING0_SWITCH, "switch", "three-buffer", XB_OP_SWITCH_THREE_BUFFER, XOP_EMPTY },
	{ RING0_MSR, "msr", "wrmsr-xfd", XB_OP_WRMSR_XFD, XOP_EMPTY },
};

/* `all` (XCR0 and the enabled XSS) only for the instructions that reach supervisor state. */
static const char *const feature_set_names[] = { "fp", "avx", "avx512", "user", "amx", "all" };
static const uint32_t switch_conds[] = { XB_COND_NEED_LOAD, XB_COND_LIVE };

static const char *switch_cond_name(uint32_t cond)
{
	return fpu_cond_name(cond == XB_COND_LIVE ? FPU_COND_LIVE : FPU_COND_NEED_LOAD);
}

/* The module can run this op on these components here. */
static bool require_module_op(const struct machine *m, const struct ring0_op *op, uint64_t mask,
			      char *why, size_t size)
{
	const struct module_info *mod = &m->module;

	if (!require_module(m, why, size))
		return false;
	if (!(mod->caps.ops & (1ULL << op->xb_op)))
		return WHY("the xstate_bench module cannot run %s on this CPU (XB_IOC_CAPS ops=0x%llx)",
			   op->name, (unsigned long long)mod->caps.ops);
	if (op->kind != RING0_MSR && (mask & ~mod->caps.loadable))
		return WHY("the xstate_bench module knows no safe values to load for components 0x%" PRIx64,
			   mask & ~(uint64_t)mod->caps.loadable);
	return true;
}

static bool require_cpu(const struct machine *m, const struct ring0_op *op, uint64_t mask,
			char *why, size_t size)
{
	switch (op->kind) {
	case RING0_MSR:
		return require_xfd(m, why, size) && require_features(m, mask, false, why, size);
	case RING0_SWITCH:
		return require_features(m, mask, false, why, size);
	case RING0_XSAVE:
		break;
	}
	return require_op(m, op->xop, why, size) &&
	       require_features(m, mask, xsave_op_info(op->xop)->ring0, why, size);
}

static int plan_one(const struct machine *m, struct plan *plan, const struct ring0_op *op,
		    const char *features, uint64_t mask, int cond)
{
	char id[CASE_ID_MAX], why[CASE_REASON_MAX];
	struct bench_case *c;
	bool ok;

	if (op->kind == RING0_MSR)
		snprintf(id, sizeof(id), "native/ring0/%s/%s/%s", op->group, op->name, features);
	else
		snprintf(id, sizeof(id), "native/ring0/%s/%s/%s/%s", op->group, op->name, features,
			 op->kind == RING0_SWITCH ? switch_cond_name(cond) : xstate_cond_name(cond));
	ok = require_cpu(m, op, mask, why, sizeof(why)) && require_module_op(m, op, mask, why, sizeof(why));
	if (ok && op->kind == RING0_XSAVE && cond == XCOND_INIT)
		ok = require_init_tracking(m, why, sizeof(why));
	c = plan_add(plan, &family_ring0, id, ok ? NULL : "%s", why);
	if (!c)
		return -ENOMEM;
	c->op = (int)(op - ring0_ops);
	c->features = mask;
	c->condition = cond;
	return 0;
}

/* The conditions of an op: a save's three, a restore's two, a switch's two. */
static int plan_conditions(const struct machine *m, struct plan *plan, const struct ring0_op *op,
			   const char *features, uint64_t mask)
{
	int rc = 0;

	if (op->kind == RING0_SWITCH) {
		for (size_t i = 0; i < sizeof(switch_conds) / sizeof(switch_conds[0]) && !rc; i++)
			rc = plan_one(m, plan, op, features, mask, (int)switch_conds[i]);
		return rc;
	}
	for (int cond = 0; cond < XCOND_COUNT && !rc; cond++) {
		if (cond == XCOND_CLEAN && !xsave_op_info(op->xop)->save)
			continue; /* "clean" is about the save's modified optimization */
		rc = plan_one(m, plan, op, features, mask, cond);
	}
	return rc;
}

static int plan_feature_sets(const struct machine *m, struct plan *plan, const struct ring0_op *op)
{
	/* supervisor state only through XSAVES/XRSTORS: the switches' fpstates hold user state */
	bool supervisor = op->kind == RING0_XSAVE && xsave_op_info(op->xop)->ring0;

	for (size_t f = 0; f < sizeof(feature_set_names) / sizeof(feature_set_names[0]); f++) {
		uint64_t mask = 0;
		int rc;

		if (!supervisor && !strcmp(feature_set_names[f], "all"))
			continue;
		feature_set_parse(feature_set_names[f], m->layout.xcr0, m->layout.xss, &mask);
		rc = plan_conditions(m, plan, op, feature_set_names[f], mask);
		if (rc)
			return rc;
	}
	return 0;
}

static int ring0_plan(const struct machine *m, struct plan *plan)
{
	for (size_t o = 0; o < sizeof(ring0_ops) / sizeof(ring0_ops[0]); o++) {
		const struct ring0_op *op = &ring0_ops[o];
		int rc;

		if (op->kind == RING0_MSR) /* the XFD bit of AMX tile data */
			rc = plan_one(m, plan, op, "amx", XFEATURE_MASK(XFEATURE_XTILEDATA), XB_COND_NONE);
		else
			rc = plan_feature_sets(m, plan, op);
		if (rc)
			return rc;
	}
	return 0;
}

struct ring0_state {
	int fd;
	const char *device;
	struct xb_batch request;
};

static void ring0_teardown(struct bench_case *c)
{
	struct ring0_state *st = c->state;

	if (!st)
		return;
	if (st->fd >= 0)
		close(st->fd);
	free(st);
	c->state = NULL;
}

static int ring0_setup(struct bench_case *c, const struct run_env *env)
{
	const struct module_info *mod = &env->machine->module;
	const struct ring0_op *op = &ring0_ops[c->op];
	struct ring0_state *st = calloc(1, sizeof(*st));
	uint32_t ops = env->ops_override		 ? env->ops_override
		       : op->kind == RING0_SWITCH ? RING0_SWITCH_DEFAULT_OPS
						  : RING0_DEFAULT_OPS;

	if (!st)
		return xb_fail(ENOMEM, "out of memory");
	st->fd = -1;
	c->state = st;
	if (ops > mod->caps.max_ops) {
		ring0_teardown(c);
		return xb_fail(EINVAL, "--ops %u: the xstate_bench module runs at most %u operations per "
			       "batch (a batch runs with interrupts off)", ops, mod->caps.max_ops);
	}
	st->device = mod->device;
	st->fd = module_open(st->device);
	if (st->fd < 0) {
		int rc = st->fd;

		ring0_teardown(c);
		return rc;
	}
	st->request = (struct xb_batch){
		.op = op->xb_op,
		.cond = (uint32_t)c->condition,
		.mask = c->features,
		.ops = ops,
		.warmup_ops = RING0_WARMUP_OPS,
		.seed = IMAGE_SEED,
	};
	c->ops_per_batch = ops;
	case_set_attribute(c, "site", "ring 0: xstate_bench module, kernel_fpu_begin, interrupts off");
	if (op->kind == RING0_MSR)
		case_set_attribute(c, "msr", "IA32_XFD, toggling 0x%" PRIx64, c->features);
	else
		case_set_attribute(c, "rfbm", "0x%" PRIx64, c->features);
	if (op->kind == RING0_XSAVE)
		case_set_attribute(c, "format", "%s", xsave_op_info(op->xop)->compacted ? "compacted" : "standard");
	if (op->kind != RING0_MSR && !(mod->caps.flags & XB_CAP_XGETBV1))
		case_set_attribute(c, "xinuse_check", "unavailable: no XGETBV1 (CPUID.(EAX=0DH,ECX=1):EAX[2]=0)");
	return 0;
}

static int ring0_batch(struct bench_case *c, struct batch_result *out)
{
	struct ring0_state *st = c->state;
	struct xb_batch b = st->request;

	if (module_run_batch(st->fd, st->device, &b)) {
		snprintf(out->error, sizeof(out->error), "%s", xb_error_message());
		return -1;
	}
	if (b.check) {
		snprintf(out->error, sizeof(out->error), "%.128s (expected 0x%llx, got 0x%llx): no number reported",
			 b.check_message, (unsigned long long)b.expected, (unsigned long long)b.actual);
		return -1;
	}
	out->gross_ticks = b.gross_ticks;
	out->ops = b.ops;
	out->site_overhead_ticks = b.empty_ticks;
	if (b.flags & XB_BATCH_XINUSE_CHECKED)
		case_set_attribute(c, "xinuse_before", "0x%llx", (unsigned long long)b.xinuse_before);
	if (b.flags & XB_BATCH_XFD_LIFTED)
		case_set_attribute(c, "xfd_lifted", "IA32_XFD 0x%llx armed the batch's components: cleared for it",
				   (unsigned long long)b.xfd_before);
	if (ring0_ops[c->op].kind != RING0_MSR) /* the module's buffer, as it sized it */
		case_set_attribute(c, "buffer_bytes", "%u", b.buffer_bytes);
	switch (ring0_ops[c->op].kind) {
	case RING0_SWITCH: /* XSAVES/XRSTORS, or the kernel's fallbacks where the CPU lacks them */
		case_set_attribute(c, "insns", "%.31s", b.insns);
		/* the writes of warm-up and timed round trips alike, per round trip */
		out->metrics[out->nr_metrics++] = (struct gbench_metric){
			.name = "xfd_writes", .kind = GBENCH_PER_OP,
			.value = (double)b.xfd_writes * b.ops / (b.ops + b.warmup_ops) };
		break;
	case RING0_XSAVE:
		if (xsave_op_info(ring0_ops[c->op].xop)->modified_opt && c->condition != XCOND_INIT)
			out->metrics[out->nr_metrics++] = (struct gbench_metric){
				.name = "modopt_hit_rate", .kind = GBENCH_PER_BATCH, .value = b.modopt_hit };
		break;
	case RING0_MSR:
		break;
	}
	return 0;
}

const struct bench_family family_ring0 = {
	.name = "ring0",
	.site = "native",
	.site_overhead = true,
	.plan = ring0_plan,
	.setup = ring0_setup,
	.batch = ring0_batch,
	.teardown = ring0_teardown,
};
