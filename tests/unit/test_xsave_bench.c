/*
 * test_xsave_bench.c - the measured batch on the live CPU: every native instruction and
 * condition passes its own checks (header, XINUSE, restored content, the rewritten values
 * of modified), also on the component list's sets of one component, the modified
 * optimization never hits on state loaded from another buffer or rewritten since, a wrong
 * condition is caught, and the caller's control state survives a batch.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "host/machine.h"
#include "host/xstate_buffer.h"
#include "kernels/clock_ref.h"
#include "kernels/xsave_bench.h"
#include "kernels/xstate_image.h"
#include "kernels/xstate_rewrite.h"

#define ATTEMPTS 8

static struct machine m;

static int setup(void **state)
{
	(void)state;
	return machine_probe(&m);
}


static void bench_init(struct xsave_bench *b, enum xsave_op op, enum xstate_cond cond, uint64_t mask,
		       bool image_matches_condition)
{
	const struct xstate_layout *l = &m.layout;
	const struct xsave_op_info *info = xsave_op_info(op);

	memset(b, 0, sizeof(*b));
	b->layout = l;
	b->op = op;
	b->cond = cond;
	b->mask = mask;
	b->caller_mask = l->xcr0 & ~xstate_xfd_capable(l);
	b->ops = 16;
	b->warmup_ops = 2;
	b->target_size = info->legacy_only ? XSTATE_LEGACY_SIZE
			 : info->compacted ? xstate_size_compacted(l, mask)
					   : xstate_size_standard(l, mask);
	b->target = xstate_buffer_alloc(b->target_size);
	b->image = xstate_buffer_alloc(b->target_size);
	b->scratch = xstate_buffer_alloc(xstate_size_standard(l, l->xcr0));
	b->caller = xstate_buffer_alloc(xstate_size_standard(l, l->xcr0));
	assert_non_null(b->target);
	assert_non_null(b->image);
	bool pattern = (cond != XCOND_INIT) == image_matches_condition;
	if (info->legacy_only)
		fxsave_image_build(b->image, pattern, 9);
	else
		assert_true(xstate_image_build(l, b->image, b->target_size, mask, info->compacted, pattern, 9));
}

static void bench_free(struct xsave_bench *b)
{
	xstate_buffer_free(b->target);
	xstate_buffer_free(b->image);
	xstate_buffer_free(b->scratch);
	xstate_buffer_free(b->caller);
}

/* A context switch may legitimately break the condition of one batch: try a few times. */
static enum xsave_check sample_with_retries(struct xsave_bench *b, struct xsave_sample *s)
{
	enum xsave_check c = XCHECK_OK;

	for (int i = 0; i < ATTEMPTS; i++) {
		c = xsave_bench_sample(b, s);
		if (c != XCHECK_XINUSE && c != XCHECK_XSTATE_BV && c != XCHECK_FTW)
			break;
	}
	return c;
}

static bool cpu_has(enum xsave_op op)
{
	const struct xstate_layout *l = &m.layout;

	return op == XOP_XSAVEOPT ? l->xsaveopt : op == XOP_XSAVEC ? l->xsavec : true;
}

/* The modified condition's rewrite can write every register of @mask here (bench/require.c). */
static bool rewritable(enum xsave_op op, uint64_t mask)
{
	return !xsave_op_info(op)->legacy_only && !(mask & ~xstate_rewritable()) &&
	       (m.cpu.avx512bw || !(mask & XFEATURE_MASK(XFEATURE_OPMASK)));
}

static void test_every_native_case_passes_its_checks(void **state)
{
	static const enum xsave_op ops[] = { XOP_XSAVE, XOP_XSAVEOPT, XOP_XSAVEC, XOP_FXSAVE,
					     XOP_XRSTOR, XOP_FXRSTOR };
	const uint64_t sets[] = { XFEATURES_FP, XFEATURES_AVX, XFEATURES_AVX512,
				  m.layout.xcr0 & ~xstate_xfd_capable(&m.layout) };
	int ran = 0;

	(void)state;
	for (size_t o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
		const struct xsave_op_info *info = xsave_op_info(ops[o]);

		if (!cpu_has(ops[o]))
			continue;
		for (size_t f = 0; f < 4; f++) {
			if ((sets[f] & ~m.layout.xcr0) || (info->legacy_only && sets[f] != XFEATURES_FP))
				continue;
			for (int cond = 0; cond < XCOND_COUNT; cond++) {
				struct xsave_bench b;
				struct xsave_sample s;
				enum xsave_check c;

				if ((cond == XCOND_CLEAN || cond == XCOND_MODIFIED) && !info->save)
					continue;
				if (cond == XCOND_MODIFIED && !rewritable(ops[o], sets[f]))
					continue;
				bench_init(&b, ops[o], cond, sets[f], true);
				c = sample_with_retries(&b, &s);
				if (c != XCHECK_OK)
					fail_msg("%s mask 0x%llx %s: %s (expected 0x%llx got 0x%llx)", info->name,
						 (unsigned long long)sets[f], xstate_cond_name(cond),
						 xsave_check_str(c), (unsigned long long)s.expected,
						 (unsigned long long)s.actual);
				assert_true(s.gross_ticks > 0);
				assert_int_equal(s.ops, 16);
				assert_int_equal(s.xinuse_checked, m.layout.xgetbv1);
				if (info->modified_opt && (cond == XCOND_INUSE || cond == XCOND_MODIFIED))
					assert_int_equal(s.modopt_hit, 0);
				if (!info->legacy_only)
					assert_int_equal(s.xstate_bv & sets[f], cond == XCOND_INIT ? 0 : sets[f]);
				if (info->modified_opt && cond == XCOND_CLEAN)
					assert_true(s.modopt_hit == 0 || s.modopt_hit == 1);
				if (!info->modified_opt || cond == XCOND_INIT)
					assert_int_equal(s.modopt_hit, -1);
				bench_free(&b);
				ran++;
			}
		}
	}
	assert_true(ran >= 20);
}

/*
 * The component list's sets (x87 and SSE with one more component of XCR0, tile data left
 * out: this process has no permission) in every save condition: modified leaves every
 * component in use, the saves write the rewritten values (the batch's own check), and
 * XSAVEOPT's modified optimization never hits after the rewrite.
 */
static void test_single_components_in_every_condition(void **state)
{
	static const enum xsave_op ops[] = { XOP_XSAVE, XOP_XSAVEOPT, XOP_XSAVEC, XOP_XRSTOR };
	uint64_t reach = m.layout.xcr0 & ~xstate_xfd_capable(&m.layout) & ~XFEATURES_FP;
	int ran = 0;

	(void)state;
	for (unsigned int id = 2; id < 64; id++) {
		uint64_t mask = XFEATURES_FP | (1ULL << id);

		if (!(reach & (1ULL << id)))
			continue;
		for (size_t o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
			const struct xsave_op_info *info = xsave_op_info(ops[o]);

			for (int cond = 0; cond < XCOND_COUNT && cpu_has(ops[o]); cond++) {
				struct xsave_bench b;
				struct xsave_sample s;
				enum xsave_check c;

				if ((cond == XCOND_CLEAN || cond == XCOND_MODIFIED) && !info->save)
					continue;
				if (cond == XCOND_MODIFIED && !rewritable(ops[o], mask))
					continue;
				bench_init(&b, ops[o], cond, mask, true);
				c = sample_with_retries(&b, &s);
				if (c != XCHECK_OK)
					fail_msg("%s mask 0x%llx %s: %s (expected 0x%llx got 0x%llx)", info->name,
						 (unsigned long long)mask, xstate_cond_name(cond), xsave_check_str(c),
						 (unsigned long long)s.expected, (unsigned long long)s.actual);
				assert_int_equal(s.xstate_bv & mask, cond == XCOND_INIT ? 0 : mask);
				if (m.layout.xgetbv1)
					assert_int_equal(s.xinuse_before & mask, cond == XCOND_INIT ? 0 : mask);
				if (info->modified_opt && cond == XCOND_MODIFIED)
					assert_int_equal(s.modopt_hit, 0);
				bench_free(&b);
				ran++;
			}
		}
	}
	if (!ran)
		skip(); /* XCR0 holds x87 and SSE only */
}

static void test_wrong_condition_is_caught(void **state)
{
	struct xsave_bench b;
	struct xsave_sample s;

	(void)state;
	if (!m.layout.xgetbv1)
		skip();
	/* an init image while claiming "in use": XINUSE says otherwise before the batch */
	bench_init(&b, XOP_XSAVE, XCOND_INUSE, XFEATURES_AVX, false);
	assert_int_equal(xsave_bench_sample(&b, &s), XCHECK_XINUSE);
	assert_int_equal(s.expected, XFEATURES_AVX);
	assert_int_equal(s.gross_ticks, 0); /* refused before timing anything */
	bench_free(&b);
}

static void test_bad_arguments(void **state)
{
	struct xsave_bench b;
	struct xsave_sample s;

	(void)state;
	bench_init(&b, XOP_XSAVE, XCOND_INIT, XFEATURES_FP, true);
	b.ops = 0;
	assert_int_equal(xsave_bench_sample(&b, &s), XCHECK_BAD_ARGS);
	b.ops = 4;
	b.target_size = 100; /* smaller than the format needs */
	assert_int_equal(xsave_bench_sample(&b, &s), XCHECK_BAD_ARGS);
	b.target_size = 576;
	b.op = XOP_FXSAVE;
	b.mask = XFEATURES_AVX; /* FXSAVE cannot hold AVX */
	assert_int_equal(xsave_bench_sample(&b, &s), XCHECK_BAD_ARGS);
	b.op = XOP_XRSTOR;
	b.mask = XFEATURES_FP;
	b.cond = XCOND_MODIFIED; /* saves only */
	assert_int_equal(xsave_bench_sample(&b, &s), XCHECK_BAD_ARGS);
	b.op = XOP_XSAVE;
	b.mask = XFEATURES_FP | XFEATURE_MASK(XFEATURE_BNDREGS); /* no instruction but XRSTOR writes MPX */
	assert_int_equal(xsave_bench_sample(&b, &s), XCHECK_BAD_ARGS);
	bench_free(&b);
}

static uint32_t read_mxcsr(void)
{
	uint32_t v;

	__asm__ volatile("stmxcsr %0" : "=m"(v));
	return v;
}

static void test_caller_control_state_survives(void **state)
{
	struct xsave_bench b;
	struct xsave_sample s;
	uint32_t mxcsr = read_mxcsr(), pkru_before = 0, pkru_after = 0;
	bool pku = m.cpu.pku && (m.layout.xcr0 & XFEATURE_MASK(XFEATURE_PKRU));

	(void)state;
	if (pku)
		__asm__ volatile("rdpkru" : "=a"(pkru_before) : "c"(0) : "rdx");
	bench_init(&b, XOP_XRSTOR, XCOND_INUSE, m.layout.xcr0 & ~xstate_xfd_capable(&m.layout), true);
	assert_int_equal(sample_with_retries(&b, &s), XCHECK_OK);
	if (pku)
		__asm__ volatile("rdpkru" : "=a"(pkru_after) : "c"(0) : "rdx");
	assert_int_equal(read_mxcsr(), mxcsr);
	assert_int_equal(pkru_after, pkru_before);
	bench_free(&b);
}

static void test_empty_batch(void **state)
{
	(void)state;
	/* the bare loop takes time, and more iterations never take less than none */
	assert_true(xsave_bench_empty_batch(1) > 0);
	assert_true(xsave_bench_empty_batch(100000) > xsave_bench_empty_batch(1));
}

static void test_clock_reference_chain(void **state)
{
	(void)state;
	/* a longer dependent chain never takes less time than a much shorter one */
	assert_true(clock_ref_chain_ticks(1) > 0);
	assert_true(clock_ref_chain_ticks(20000) > clock_ref_chain_ticks(1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_native_case_passes_its_checks),
		cmocka_unit_test(test_single_components_in_every_condition),
		cmocka_unit_test(test_wrong_condition_is_caught),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_caller_control_state_survives),
		cmocka_unit_test(test_empty_batch),
		cmocka_unit_test(test_clock_reference_chain),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
