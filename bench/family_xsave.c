/*
 * family_xsave.c - the native XSAVE-family matrix: native/save/<insn>/<features>/<condition>
 * for xsave, xsaveopt, xsavec and fxsave, and native/restore/<insn>/<features>/<condition>
 * for xrstor and fxrstor, over fp, avx, avx512, user and amx. XSAVES/XRSTORS need ring 0
 * and belong to the guest and module families.
 */
#include "families.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "../host/xstate_buffer.h"
#include "../host/xstate_perm.h"
#include "../kernels/xstate_image.h"
#include "require.h"

#define XSAVE_DEFAULT_OPS 128
#define XSAVE_WARMUP_OPS 16
#define IMAGE_SEED 0x5eed
/* Enough for a busy hypervisor: under host contention on the team's Intel VM, SSE turns up
 * in use at its init values in several batches running (each VM entry, it seems), and 8
 * attempts failed an init case now and then. */
#define XSAVE_MAX_ATTEMPTS 64

static const enum xsave_op native_ops[] = {
	XOP_XSAVE, XOP_XSAVEOPT, XOP_XSAVEC, XOP_FXSAVE, XOP_XRSTOR, XOP_FXRSTOR,
};

static const char *const feature_set_names[] = { "fp", "avx", "avx512", "user", "amx" };

static uint64_t feature_mask(const struct machine *m, const char *name)
{
	uint64_t mask = 0;

	/* "user" is XCR0, so it is defined even when the layout is not */
	feature_set_parse(name, m->layout.xcr0, m->layout.xss, &mask);
	return mask;
}

static int plan_one(const struct machine *m, struct plan *plan, enum xsave_op op,
		    const char *features, enum xstate_cond cond)
{
	const struct xsave_op_info *info = xsave_op_info(op);
	uint64_t mask = feature_mask(m, features);
	char id[CASE_ID_MAX], why[CASE_REASON_MAX];
	struct bench_case *c;
	bool ok;

	snprintf(id, sizeof(id), "native/%s/%s/%s/%s", info->save ? "save" : "restore", info->name,
		 features, xstate_cond_name(cond));
	ok = require_op(m, op, why, sizeof(why)) && require_features(m, mask, false, why, sizeof(why));
	if (ok && cond == XCOND_INIT)
		ok = require_init_tracking(m, why, sizeof(why));
	c = plan_add(plan, &family_xsave, id, ok ? NULL : "%s", why);
	if (!c)
		return -ENOMEM;
	c->op = op;
	c->features = mask;
	c->condition = cond;
	return 0;
}

static int xsave_plan(const struct machine *m, struct plan *plan)
{
	for (size_t o = 0; o < sizeof(native_ops) / sizeof(native_ops[0]); o++) {
		const struct xsave_op_info *info = xsave_op_info(native_ops[o]);

		for (size_t f = 0; f < sizeof(feature_set_names) / sizeof(feature_set_names[0]); f++) {
			/* FXSAVE and FXRSTOR cover only the legacy area: x87 and SSE. */
			if (info->legacy_only && f > 0)
				break;
			for (int cond = 0; cond < XCOND_COUNT; cond++) {
				int rc;

				if (cond == XCOND_CLEAN && !info->save)
					continue; /* "clean" is about the save's modified optimization */
				rc = plan_one(m, plan, native_ops[o], feature_set_names[f], cond);
				if (rc)
					return rc;
			}
		}
	}
	return 0;
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
	case_set_attribute(c, "rfbm", "0x%" PRIx64, b->mask);
	case_set_attribute(c, "buffer_bytes", "%u", b->target_size);
	case_set_attribute(c, "format", "%s", info->legacy_only ? "fxsave" : info->compacted ? "compacted" : "standard");
	if (!l->xgetbv1)
		case_set_attribute(c, "xinuse_check", "unavailable: no XGETBV1 (CPUID.(EAX=0DH,ECX=1):EAX[2]=0)");
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
		case_set_attribute(c, "xinuse_before", "0x%" PRIx64, s.xinuse_before);
	out->metrics[out->nr_metrics++] = (struct gbench_metric){
		.name = "discarded_batches", .kind = GBENCH_PER_BATCH, .value = discarded };
	if (xsave_op_info(b->op)->modified_opt && b->cond != XCOND_INIT)
		out->metrics[out->nr_metrics++] = (struct gbench_metric){
			.name = "modopt_hit_rate", .kind = GBENCH_PER_BATCH, .value = s.modopt_hit };
	return 0;
}

const struct bench_family family_xsave = {
	.name = "xsave",
	.site = "native",
	.plan = xsave_plan,
	.setup = xsave_setup,
	.batch = xsave_batch,
	.teardown = xsave_teardown,
};
