/*
 * family_xsave.c - the native column of the XSAVE-family matrix (kernels/case_matrix.h):
 * native/save/<insn>/<features>/<condition> for xsave, xsaveopt, xsavec and fxsave, and
 * native/restore/<insn>/<features>/<condition> for xrstor and fxrstor, and (`--suite
 * components`) the native column of the component list. XSAVES/XRSTORS need ring 0 and belong
 * to the guest and module families.
 */
#include "families.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "../host/xstate_buffer.h"
#include "../host/xstate_perm.h"
#include "../kernels/xstate_image.h"
#include "plan.h"
#include "require.h"

#define XSAVE_DEFAULT_OPS 128
#define XSAVE_WARMUP_OPS 16
#define IMAGE_SEED 0x5eed
/* Enough for a busy hypervisor: under host contention on the team's Intel VM, SSE turns up
 * in use at its init values in several batches running (each VM entry, it seems), and 8
 * attempts failed an init case now and then. */
#define XSAVE_MAX_ATTEMPTS 64

/* The instruction, the components, for init the CPU tracking XINUSE, and for modified an
 * instruction that rewrites each component. */
static bool xsave_require(const struct machine *m, const struct matrix_case *c, uint64_t mask, char *why, size_t size)
{
	return require_op(m, c->op, why, size) && require_features(m, mask, false, why, size) &&
	       (c->cond != COND_INIT || require_init_tracking(m, why, size)) &&
	       (c->cond != COND_MODIFIED || require_rewrite(m, mask, why, size));
}

static int xsave_op_of(const struct matrix_case *c)
{
	return c->op;
}

/* The native column of the save/restore matrix (kernels/case_matrix.h). */
static int xsave_plan(const struct machine *m, struct plan *plan)
{
	return plan_matrix(m, plan, &family_xsave, MATRIX_NATIVE, MATRIX_SAVES, xsave_require, xsave_op_of);
}

/* The native column of the component list. */
static int xsave_plan_components(const struct machine *m, struct plan *plan)
{
	return plan_matrix(m, plan, &family_xsave, MATRIX_NATIVE, MATRIX_COMPONENTS, xsave_require, xsave_op_of);
}

static void xsave_teardown(struct bench_case *c)
{
	struct xsave_bench *b = c->state;

	if (!b)
		return;
	xstate_buffer_free(b->target);
	xstate_buffer_free(b->image);
	xstate_buffer_free(b->scratch);
	xstate_buffer_free(b->caller);
	free(b);
	c->state = NULL;
}

static int xsave_setup(struct bench_case *c, const struct run_env *env)
{
	const struct machine *m = env->machine;
	const struct xstate_layout *l = &m->layout;
	const struct xsave_op_info *info = xsave_op_info(c->op);
	struct xsave_bench *b = calloc(1, sizeof(*b));
	uint32_t scratch_size;
	int rc;

	if (!b)
		return xb_fail(ENOMEM, "out of memory");
	c->state = b;
	b->layout = l;
	b->op = c->op;
	b->cond = c->condition;
	b->mask = c->features;
	/* AMX tile data is a dynamic feature: the process must ask for it before touching it. */
	rc = xstate_request_perm(l, b->mask, &b->caller_mask);
	if (rc)
		goto fail;
	b->ops = env->ops_override ? env->ops_override : XSAVE_DEFAULT_OPS;
	b->warmup_ops = XSAVE_WARMUP_OPS;
	b->target_size = info->legacy_only ? XSTATE_LEGACY_SIZE
			 : info->compacted ? xstate_size_compacted(l, b->mask)
					   : xstate_size_standard(l, b->mask);
	scratch_size = xstate_size_standard(l, l->xcr0);
	b->target = xstate_buffer_alloc(b->target_size);
	b->image = xstate_buffer_alloc(b->target_size);
	b->scratch = xstate_buffer_alloc(scratch_size);
	b->caller = xstate_buffer_alloc(xstate_size_standard(l, b->caller_mask));
	if (!b->target || !b->image || !b->scratch || !b->caller) {
		rc = xb_fail(ENOMEM, "out of memory for XSAVE buffers");
		goto fail;
	}
	if (info->legacy_only)
		fxsave_image_build(b->image, b->cond != XCOND_INIT, IMAGE_SEED);
	else if (!xstate_image_build(l, b->image, b->target_size, b->mask, info->compacted,
				     b->cond != XCOND_INIT, IMAGE_SEED)) {
		rc = xb_fail(EINVAL, "cannot build an image of mask 0x%" PRIx64, b->mask);
		goto fail;
	}
	c->ops_per_batch = b->ops;
	case_set_attribute(c, ATTR_RFBM, "0x%" PRIx64, b->mask);
	case_set_attribute(c, ATTR_BUFFER_BYTES, "%u", b->target_size);
	case_set_attribute(c, ATTR_FORMAT, "%s", info->legacy_only ? "fxsave" : info->compacted ? "compacted" : "standard");
	if (!l->xgetbv1)
		case_set_attribute(c, ATTR_XINUSE_CHECK, "unavailable: no XGETBV1 (CPUID.(EAX=0DH,ECX=1):EAX[2]=0)");
	return 0;
fail:
	xsave_teardown(c);
	return rc;
}

/*
 * The kernel can change the state under a batch: a context switch back to this task
 * rewrites PKRU with WRPKRU, which marks it in use even when it is 0; a hypervisor can mark
 * SSE in use at its init values. Such a batch did not run in its condition; it is discarded
 * and run again, and the discards are counted.
 */
static bool condition_broken(enum xsave_check check)
{
	return check == XCHECK_XINUSE || check == XCHECK_XSTATE_BV || check == XCHECK_FTW;
}

static int xsave_batch(struct bench_case *c, struct batch_result *out)
{
	struct xsave_bench *b = c->state;
	struct xsave_sample s;
	int discarded = 0;

	while (xsave_bench_sample(b, &s) != XCHECK_OK) {
		if (!condition_broken(s.check) || ++discarded == XSAVE_MAX_ATTEMPTS) {
			snprintf(out->error, sizeof(out->error), "%s (expected 0x%" PRIx64 ", got 0x%" PRIx64
				 ")%s: no number reported", xsave_check_str(s.check), s.expected, s.actual,
				 discarded ? ", in every attempt" : "");
			return -1;
		}
	}
	out->gross_ticks = s.gross_ticks;
	out->ops = s.ops;
	if (s.xinuse_checked)
		case_set_attribute(c, ATTR_XINUSE_BEFORE, "0x%" PRIx64, s.xinuse_before);
	if (!xsave_op_info(b->op)->legacy_only)
		case_set_attribute(c, ATTR_XSTATE_BV, "0x%" PRIx64, s.xstate_bv);
	out->metrics[out->nr_metrics++] = (struct gbench_metric){
		.name = METRIC_DISCARDED_BATCHES, .kind = GBENCH_PER_BATCH, .value = discarded };
	if (xsave_op_info(b->op)->modified_opt && b->cond != XCOND_INIT)
		out->metrics[out->nr_metrics++] = (struct gbench_metric){
			.name = METRIC_MODOPT_HIT_RATE, .kind = GBENCH_PER_BATCH, .value = s.modopt_hit };
	return 0;
}

const struct bench_family family_xsave = {
	.name = "xsave",
	.site = SITE_NATIVE,
	.plan = xsave_plan,
	.plan_components = xsave_plan_components,
	.setup = xsave_setup,
	.batch = xsave_batch,
	.teardown = xsave_teardown,
};
