/*
 * family_ring0.c - the kernels run natively in ring 0 through the xstate_bench kernel
 * module (host/module): native/ring0/save/<insn>/<features>/<condition> for xsave, xsaveopt,
 * xsavec and xsaves, native/ring0/restore/<insn>/<features>/<condition> for xrstor and
 * xrstors (xsaves and xrstors also over `all`, supervisor components included),
 * the ring-0 column of the component list (`--suite components`),
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
#include "plan.h"
#include "require.h"

#define RING0_DEFAULT_OPS 128
#define RING0_SWITCH_DEFAULT_OPS 64 /* round trips, as native/switch */
#define RING0_WARMUP_OPS 16
#define IMAGE_SEED 0x5eed

enum ring0_kind { RING0_XSAVE, RING0_SWITCH, RING0_MSR };

/* The module's operations (its uAPI's XB_OP_*) and what each is here. */
struct ring0_op {
	enum ring0_kind kind;
	uint32_t xb_op;
	enum xsave_op xop;          /* RING0_XSAVE: the save or restore */
	enum fpu_strategy strategy; /* RING0_SWITCH */
};

static const struct ring0_op ring0_ops[] = {
	{ RING0_XSAVE, XB_OP_XSAVE, .xop = XOP_XSAVE },
	{ RING0_XSAVE, XB_OP_XSAVEOPT, .xop = XOP_XSAVEOPT },
	{ RING0_XSAVE, XB_OP_XSAVEC, .xop = XOP_XSAVEC },
	{ RING0_XSAVE, XB_OP_XSAVES, .xop = XOP_XSAVES },
	{ RING0_XSAVE, XB_OP_XRSTOR, .xop = XOP_XRSTOR },
	{ RING0_XSAVE, XB_OP_XRSTORS, .xop = XOP_XRSTORS },
	{ RING0_SWITCH, XB_OP_SWITCH_POINTER_SWAP, .xop = XOP_EMPTY, .strategy = FPU_STRATEGY_POINTER_SWAP },
	{ RING0_SWITCH, XB_OP_SWITCH_THREE_BUFFER, .xop = XOP_EMPTY, .strategy = FPU_STRATEGY_THREE_BUFFER },
	{ RING0_MSR, XB_OP_WRMSR_XFD, .xop = XOP_EMPTY },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define WRMSR_XFD "wrmsr-xfd"

/* The id's op word: the instruction's, the strategy's, or the MSR write's. */
static const char *op_name(const struct ring0_op *op)
{
	switch (op->kind) {
	case RING0_XSAVE:
		return xsave_op_info(op->xop)->name;
	case RING0_SWITCH:
		return fpu_strategy_name(op->strategy);
	case RING0_MSR:
		break;
	}
	return WRMSR_XFD;
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
			   op_name(op), (unsigned long long)mod->caps.ops);
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

/* The module's op of a matrix case: its instruction's or its strategy's; NULL for none. */
static const struct ring0_op *ring0_op_of(const struct matrix_case *c)
{
	for (size_t i = 0; i < N(ring0_ops); i++)
		if (ring0_ops[i].kind == (c->op == XOP_EMPTY ? RING0_SWITCH : RING0_XSAVE) &&
		    ring0_ops[i].xop == c->op && (c->op != XOP_EMPTY || ring0_ops[i].strategy == c->strategy))
			return &ring0_ops[i];
	return NULL;
}

static bool require_case(const struct machine *m, const struct ring0_op *op, enum condition cond, uint64_t mask,
			 char *why, size_t size)
{
	return require_cpu(m, op, mask, why, size) && require_module_op(m, op, mask, why, size) &&
	       (op->kind != RING0_XSAVE || cond != COND_INIT || require_init_tracking(m, why, size)) &&
	       (cond != COND_MODIFIED || require_rewrite(m, mask, why, size));
}

static bool ring0_require(const struct machine *m, const struct matrix_case *c, uint64_t mask, char *why, size_t size)
{
	const struct ring0_op *op = ring0_op_of(c);

	if (!op)
		return WHY("the xstate_bench module has no operation for this case");
	return require_case(m, op, c->cond, mask, why, size);
}

/* The case's op: an index into ring0_ops, -1 for a case that skips (ring0_require). */
static int ring0_op_index(const struct matrix_case *c)
{
	const struct ring0_op *op = ring0_op_of(c);

	return op ? (int)(op - ring0_ops) : -1;
}

/* The ring-0 column of the save/restore and switch matrices (kernels/case_matrix.h), then
 * the IA32_XFD write on the XFD bit of AMX tile data. The conditions go to the module as
 * they are (base/ids.h). */
static int ring0_plan(const struct machine *m, struct plan *plan)
{
	const struct ring0_op *msr = &ring0_ops[N(ring0_ops) - 1];
	struct bench_id id = { SITE_NATIVE, true, "msr", WRMSR_XFD, feature_set_name(FS_AMX), COND_NONE };
	uint64_t tiledata = XFEATURE_MASK(XFEATURE_XTILEDATA);
	char why[CASE_REASON_MAX];
	struct bench_case *c;
	int rc = plan_matrix(m, plan, &family_ring0, MATRIX_RING0, MATRIX_SAVES, ring0_require, ring0_op_index);

	if (!rc)
		rc = plan_matrix(m, plan, &family_ring0, MATRIX_RING0, MATRIX_SWITCHES, ring0_require, ring0_op_index);
	if (rc)
		return rc;
	c = plan_case(plan, &family_ring0, &id, tiledata,
		      require_case(m, msr, COND_NONE, tiledata, why, sizeof(why)) ? NULL : why);
	if (!c)
		return -ENOMEM;
	c->op = (int)(msr - ring0_ops);
	return 0;
}

/* The ring-0 column of the component list (`--suite components`): XSAVES and XRSTORS too. */
static int ring0_plan_components(const struct machine *m, struct plan *plan)
{
	return plan_matrix(m, plan, &family_ring0, MATRIX_RING0, MATRIX_COMPONENTS, ring0_require, ring0_op_index);
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
	case_set_attribute(c, ATTR_SITE, "ring 0: xstate_bench module, kernel_fpu_begin, interrupts off");
	if (op->kind == RING0_MSR)
		case_set_attribute(c, "msr", "IA32_XFD, toggling 0x%" PRIx64, c->features);
	else
		case_set_attribute(c, ATTR_RFBM, "0x%" PRIx64, c->features);
	if (op->kind == RING0_XSAVE)
		case_set_attribute(c, ATTR_FORMAT, "%s", xsave_op_info(op->xop)->compacted ? "compacted" : "standard");
	if (op->kind != RING0_MSR && !(mod->caps.flags & XB_CAP_XGETBV1))
		case_set_attribute(c, ATTR_XINUSE_CHECK, "unavailable: no XGETBV1 (CPUID.(EAX=0DH,ECX=1):EAX[2]=0)");
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
		case_set_attribute(c, ATTR_XINUSE_BEFORE, "0x%llx", (unsigned long long)b.xinuse_before);
	if (b.flags & XB_BATCH_XFD_LIFTED)
		case_set_attribute(c, "xfd_lifted", "IA32_XFD 0x%llx armed the batch's components: cleared for it",
				   (unsigned long long)b.xfd_before);
	if (ring0_ops[c->op].kind != RING0_MSR) /* the module's buffer, as it sized it */
		case_set_attribute(c, ATTR_BUFFER_BYTES, "%u", b.buffer_bytes);
	switch (ring0_ops[c->op].kind) {
	case RING0_SWITCH: /* XSAVES/XRSTORS, or the kernel's fallbacks where the CPU lacks them */
		case_set_attribute(c, ATTR_INSNS, "%.31s", b.insns);
		/* the writes of warm-up and timed round trips alike, per round trip */
		out->metrics[out->nr_metrics++] = (struct gbench_metric){
			.name = "xfd_writes", .kind = GBENCH_PER_OP,
			.value = (double)b.xfd_writes * b.ops / (b.ops + b.warmup_ops) };
		break;
	case RING0_XSAVE:
		case_set_attribute(c, ATTR_XSTATE_BV, "0x%llx", (unsigned long long)b.xstate_bv);
		if (xsave_op_info(ring0_ops[c->op].xop)->modified_opt && c->condition != XCOND_INIT)
			out->metrics[out->nr_metrics++] = (struct gbench_metric){
				.name = METRIC_MODOPT_HIT_RATE, .kind = GBENCH_PER_BATCH, .value = b.modopt_hit };
		break;
	case RING0_MSR:
		break;
	}
	return 0;
}

const struct bench_family family_ring0 = {
	.name = "ring0",
	.site = SITE_NATIVE,
	.site_overhead = true,
	.plan = ring0_plan,
	.plan_components = ring0_plan_components,
	.setup = ring0_setup,
	.batch = ring0_batch,
	.teardown = ring0_teardown,
};
