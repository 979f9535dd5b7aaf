/*
 * family_loop.c - native/loop/empty/none: the bare timed loop measured like any case, with
 * the calibrated overhead subtracted. It should read close to zero; how close says how
 * much to trust differences of a tick or two elsewhere.
 */
#include "families.h"

#include "../kernels/xsave_bench.h"

#define LOOP_DEFAULT_OPS 128

static int loop_plan(const struct machine *m, struct plan *plan)
{
	(void)m;
	return plan_add(plan, &family_loop, ID_EMPTY_LOOP, NULL) ? 0 : -1;
}

static int loop_setup(struct bench_case *c, const struct run_env *env)
{
	c->ops_per_batch = env->ops_override ? env->ops_override : LOOP_DEFAULT_OPS;
	return 0;
}

static int loop_batch(struct bench_case *c, struct batch_result *out)
{
	out->gross_ticks = xsave_bench_empty_batch(c->ops_per_batch);
	out->ops = c->ops_per_batch;
	return 0;
}

static void loop_teardown(struct bench_case *c)
{
	(void)c;
}

const struct bench_family family_loop = {
	.name = "loop",
	.site = SITE_NATIVE,
	/* its timed region is a few dozen ticks, the calibration beside each batch far more:
	 * filling --min-time with such batches would take most of a run */
	.batches_per_sample = 256,
	.plan = loop_plan,
	.setup = loop_setup,
	.batch = loop_batch,
	.teardown = loop_teardown,
};
