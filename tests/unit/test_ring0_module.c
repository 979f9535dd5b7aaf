/*
 * test_ring0_module.c - the kernel module's freestanding half (host/module/ring0.c) in user
 * space: which requests it refuses and with which errno, the buffers and XFD lift a request
 * needs, the capabilities it reports for recorded machines, and real batches of the
 * instructions user space can execute (XSAVE, XSAVEOPT, XSAVEC, XRSTOR, and both switch
 * strategies on them) on this CPU, with their checks and the empty-batch median.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <cmocka.h>

#include "host/machine.h"
#include "host/module/ring0.h"
#include "host/xstate_buffer.h"
#include "kernels/xstate_image.h"

#define ALL_SPR (0x602e7ULL | XFEATURE_MASK(XFEATURE_CET_USER))
#define ATTEMPTS 8

static struct machine spr, turin;

static int setup(void **state)
{
	(void)state;
	if (machine_from_dump_file(&spr, TEST_CPUID_DIR "/intel-sapphirerapids.dump") ||
	    machine_from_dump_file(&turin, TEST_CPUID_DIR "/amd-turin-bhyve.dump"))
		return -1;
	return spr.layout_error || turin.layout_error;
}

static struct xb_batch request(uint32_t op, uint32_t cond, uint64_t mask)
{
	return (struct xb_batch){ .op = op, .cond = cond, .mask = mask, .ops = 128, .warmup_ops = 16, .seed = 7 };
}

static void test_validate_malformed(void **state)
{
	const struct xstate_layout *l = &spr.layout;
	struct xb_batch b = request(XB_OP_XSAVES, XB_COND_INUSE, ALL_SPR);

	(void)state;
	assert_int_equal(ring0_validate(l, &b), 0);
	b.reserved_in = 1;
	assert_int_equal(ring0_validate(l, &b), -EINVAL);
	b = request(0, XB_COND_INIT, XFEATURES_FP);
	assert_int_equal(ring0_validate(l, &b), -EINVAL);
	b = request(XB_OP_COUNT, XB_COND_INIT, XFEATURES_FP);
	assert_int_equal(ring0_validate(l, &b), -EINVAL);
	b = request(XB_OP_XSAVE, XB_COND_INIT, XFEATURES_FP);
	b.ops = 0;
	assert_int_equal(ring0_validate(l, &b), -EINVAL);
	b.ops = XB_MAX_OPS + 1;
	assert_int_equal(ring0_validate(l, &b), -EINVAL);
	b.ops = XB_MAX_OPS;
	assert_int_equal(ring0_validate(l, &b), 0);
	b.warmup_ops = XB_MAX_WARMUP_OPS + 1;
	assert_int_equal(ring0_validate(l, &b), -EINVAL);
	b = request(XB_OP_XRSTORS, XB_COND_CLEAN, XFEATURES_AVX);
	assert_int_equal(ring0_validate(l, &b), -EINVAL); /* clean is a save's condition */
	b = request(XB_OP_XSAVE, XB_COND_NONE, XFEATURES_AVX);
	assert_int_equal(ring0_validate(l, &b), -EINVAL);
	/* modified: a save's, of registers an ordinary instruction rewrites */
	b = request(XB_OP_XRSTOR, XB_COND_MODIFIED, XFEATURES_AVX);
	assert_int_equal(ring0_validate(l, &b), -EINVAL);
	b = request(XB_OP_XSAVES, XB_COND_MODIFIED, XFEATURES_FP | XFEATURE_MASK(XFEATURE_XTILEDATA));
	assert_int_equal(ring0_validate(l, &b), 0);
	b = request(XB_OP_XSAVES, XB_COND_MODIFIED, XFEATURES_FP | XFEATURE_MASK(XFEATURE_CET_USER));
	assert_int_equal(ring0_validate(l, &b), -EOPNOTSUPP);
	b = request(XB_OP_XSAVE, XB_COND_INUSE, 0);
	assert_int_equal(ring0_validate(l, &b), -EINVAL);
	/* supervisor state only through XSAVES/XRSTORS, and only what IA32_XSS enables */
	b = request(XB_OP_XSAVE, XB_COND_INUSE, ALL_SPR);
	assert_int_equal(ring0_validate(l, &b), -EINVAL);
	b = request(XB_OP_XSAVES, XB_COND_INUSE, XFEATURES_FP | XFEATURE_MASK(XFEATURE_PT));
	assert_int_equal(ring0_validate(l, &b), -EINVAL);
	/* the XFD write toggles XFD-capable components, with no condition */
	b = request(XB_OP_WRMSR_XFD, XB_COND_NONE, XFEATURE_MASK(XFEATURE_XTILEDATA));
	assert_int_equal(ring0_validate(l, &b), 0);
	b.cond = XB_COND_INIT;
	assert_int_equal(ring0_validate(l, &b), -EINVAL);
	b = request(XB_OP_WRMSR_XFD, XB_COND_NONE, XFEATURE_MASK(XFEATURE_XTILECFG));
	assert_int_equal(ring0_validate(l, &b), -EINVAL);
	/* a switch's fpstates hold user state with x87 and SSE, task state need-load or live */
	b = request(XB_OP_SWITCH_POINTER_SWAP, XB_COND_LIVE, 0x602e7);
	assert_int_equal(ring0_validate(l, &b), 0);
	b.cond = XB_COND_INUSE;
	assert_int_equal(ring0_validate(l, &b), -EINVAL);
	b = request(XB_OP_SWITCH_THREE_BUFFER, XB_COND_NEED_LOAD, ALL_SPR);
	assert_int_equal(ring0_validate(l, &b), -EINVAL);
	b.mask = XFEATURE_MASK(XFEATURE_YMM);
	assert_int_equal(ring0_validate(l, &b), -EINVAL);
}

static void test_validate_unsafe(void **state)
{
	struct xstate_layout lbr;
	struct xb_batch b = request(XB_OP_XSAVES, XB_COND_INIT, XFEATURES_FP);

	(void)state;
	/* instructions the CPU lacks */
	assert_int_equal(ring0_validate(&turin.layout, &b), -EOPNOTSUPP);
	b.op = XB_OP_XRSTORS;
	assert_int_equal(ring0_validate(&turin.layout, &b), -EOPNOTSUPP);
	b = request(XB_OP_WRMSR_XFD, XB_COND_NONE, XFEATURE_MASK(XFEATURE_XTILEDATA));
	assert_int_equal(ring0_validate(&turin.layout, &b), -EOPNOTSUPP);
	b = request(XB_OP_XSAVEC, XB_COND_INUSE, XFEATURES_AVX512);
	assert_int_equal(ring0_validate(&turin.layout, &b), 0);
	/* a supervisor component the kernel enabled but whose values the module does not know */
	assert_int_equal(xstate_layout_decode(&lbr, &spr.cpuid, 0x8800), XSTATE_LAYOUT_OK);
	b = request(XB_OP_XSAVES, XB_COND_INIT, XFEATURES_FP | XFEATURE_MASK(XFEATURE_LBR));
	assert_int_equal(ring0_validate(&lbr, &b), -EOPNOTSUPP);
	b.mask = ALL_SPR;
	assert_int_equal(ring0_validate(&lbr, &b), 0);
}

static void test_caps(void **state)
{
	struct xb_caps caps;

	(void)state;
	ring0_caps(&spr.layout, &caps);
	assert_int_equal(caps.version, XB_UAPI_VERSION);
	assert_int_equal(caps.ops, (1ULL << XB_OP_COUNT) - 2); /* every op, bit 0 unused */
	assert_int_equal(caps.xcr0, 0x602e7);
	assert_int_equal(caps.xss, 0x800);
	assert_int_equal(caps.loadable, ALL_SPR);
	assert_int_equal(caps.flags, XB_CAP_XSAVEOPT | XB_CAP_XSAVEC | XB_CAP_XGETBV1 | XB_CAP_XSAVES | XB_CAP_XFD);
	assert_int_equal(caps.size_all_compacted, xstate_size_compacted(&spr.layout, ALL_SPR));
	assert_int_equal(caps.max_ops, XB_MAX_OPS);

	ring0_caps(&turin.layout, &caps);
	assert_int_equal(caps.ops, (1ULL << XB_OP_XSAVE) | (1ULL << XB_OP_XSAVEOPT) | (1ULL << XB_OP_XSAVEC) |
					   (1ULL << XB_OP_XRSTOR) | (1ULL << XB_OP_SWITCH_POINTER_SWAP) |
					   (1ULL << XB_OP_SWITCH_THREE_BUFFER));
	assert_int_equal(caps.xss, 0);
	assert_int_equal(caps.size_all_compacted, 0);
	assert_int_equal(caps.loadable, 0xe7);
}

static void test_sizes_and_xfd_lift(void **state)
{
	const struct xstate_layout *l = &spr.layout;
	struct xb_batch b = request(XB_OP_XSAVES, XB_COND_INUSE, ALL_SPR);
	struct ring0_buffers bufs;

	(void)state;
	ring0_buffer_sizes(l, &b, &bufs);
	assert_int_equal(bufs.target_bytes, (xstate_size_compacted(l, ALL_SPR) + 63) & ~63u);
	assert_int_equal(bufs.image_bytes, bufs.target_bytes);
	assert_int_equal(bufs.scratch_bytes, bufs.target_bytes);
	assert_int_equal(bufs.caller_bytes, bufs.target_bytes); /* kept with XSAVES */
	assert_int_equal(ring0_xfd_lift(l, &b), XFEATURE_MASK(XFEATURE_XTILEDATA));

	b = request(XB_OP_XRSTOR, XB_COND_INIT, XFEATURES_AVX512);
	ring0_buffer_sizes(l, &b, &bufs);
	assert_int_equal(bufs.target_bytes, 2688); /* Hi16_ZMM ends at 1664 + 1024 */
	assert_int_equal(bufs.caller_bytes, (xstate_size_compacted(l, XFEATURES_AVX512) + 63) & ~63u);
	assert_int_equal(ring0_xfd_lift(l, &b), 0);

	b = request(XB_OP_WRMSR_XFD, XB_COND_NONE, XFEATURE_MASK(XFEATURE_XTILEDATA));
	ring0_buffer_sizes(l, &b, &bufs);
	assert_int_equal(bufs.target_bytes | bufs.image_bytes | bufs.scratch_bytes | bufs.caller_bytes |
			 bufs.block_bytes, 0);
	assert_int_equal(ring0_xfd_lift(l, &b), 0); /* the batch itself writes IA32_XFD */

	/* a switch: one block for seven fpstate containers and the buffers around them */
	b = request(XB_OP_SWITCH_POINTER_SWAP, XB_COND_LIVE, 0x602e7);
	ring0_buffer_sizes(l, &b, &bufs);
	assert_int_equal(bufs.target_bytes | bufs.caller_bytes, 0);
	assert_true(bufs.block_bytes > 7 * xstate_size_compacted(l, 0x602e7));
	assert_true(bufs.block_bytes < 10 * xstate_size_compacted(l, 0x602e7) + 4096);
	assert_int_equal(ring0_xfd_lift(l, &b), XFEATURE_MASK(XFEATURE_XTILEDATA));

	/* without XSAVES the caller's state is kept in the standard format */
	b = request(XB_OP_XSAVEC, XB_COND_INUSE, XFEATURES_AVX512);
	ring0_buffer_sizes(&turin.layout, &b, &bufs);
	assert_int_equal(bufs.target_bytes, (xstate_size_compacted(&turin.layout, XFEATURES_AVX512) + 63) & ~63u);
	assert_int_equal(bufs.caller_bytes, (xstate_size_standard(&turin.layout, XFEATURES_AVX512) + 63) & ~63u);
}

struct live_batch {
	struct xb_batch b;
	struct ring0_buffers bufs;
};

static void live_prepare(const struct xstate_layout *l, struct live_batch *lb, uint32_t op, uint32_t cond,
			 uint64_t mask)
{
	lb->b = request(op, cond, mask);
	lb->b.ops = 32;
	assert_int_equal(ring0_validate(l, &lb->b), 0);
	ring0_buffer_sizes(l, &lb->b, &lb->bufs);
	lb->bufs.target = xstate_buffer_alloc(lb->bufs.target_bytes);
	lb->bufs.image = xstate_buffer_alloc(lb->bufs.image_bytes);
	lb->bufs.scratch = xstate_buffer_alloc(lb->bufs.scratch_bytes);
	lb->bufs.caller = xstate_buffer_alloc(lb->bufs.caller_bytes);
	lb->bufs.block = xstate_buffer_alloc(lb->bufs.block_bytes);
	if (lb->bufs.block_bytes)
		assert_non_null(lb->bufs.block);
	else
		assert_true(lb->bufs.target && lb->bufs.image && lb->bufs.scratch && lb->bufs.caller);
	assert_int_equal(ring0_prepare(l, &lb->b, &lb->bufs), 0);
}

static void live_free(struct live_batch *lb)
{
	xstate_buffer_free(lb->bufs.target);
	xstate_buffer_free(lb->bufs.image);
	xstate_buffer_free(lb->bufs.scratch);
	xstate_buffer_free(lb->bufs.caller);
	xstate_buffer_free(lb->bufs.block);
}

/* In user space a context switch may break a batch's condition: try a few times. */
static void live_run(const struct xstate_layout *l, struct live_batch *lb)
{
	struct xb_batch request = lb->b;

	for (int i = 0; i < ATTEMPTS; i++) {
		lb->b = request;
		ring0_run(l, &lb->b, &lb->bufs, 0);
		if (!lb->b.check)
			return;
	}
}

/* The user-space instructions, through the module's code path, on this CPU. */
static void test_run_live(void **state)
{
	/* as a kernel without XSAVES would leave it: the caller's state kept with XSAVE */
	const struct xstate_layout *l = ring0_layout_live(0, XB_CAP_XSAVEOPT | XB_CAP_XSAVEC | XB_CAP_XGETBV1);
	static const uint32_t ops[] = { XB_OP_XSAVE, XB_OP_XSAVEOPT, XB_OP_XSAVEC, XB_OP_XRSTOR };
	static const uint64_t sets[] = { XFEATURES_FP, XFEATURES_AVX, XFEATURES_AVX512 };
	int ran = 0;

	(void)state;
	assert_non_null(l);
	for (size_t o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
		struct xb_batch probe = request(ops[o], XB_COND_INIT, XFEATURES_FP);

		if (ring0_validate(l, &probe) == -EOPNOTSUPP)
			continue; /* not on this CPU */
		for (size_t f = 0; f < sizeof(sets) / sizeof(sets[0]); f++) {
			if ((sets[f] & l->xcr0) != sets[f])
				continue;
			for (uint32_t cond = XB_COND_INIT; cond <= XB_COND_MODIFIED; cond++) {
				struct live_batch lb;

				if ((cond == XB_COND_CLEAN || cond == XB_COND_MODIFIED) && ops[o] == XB_OP_XRSTOR)
					continue;
				/* KMOVQ rewrites the opmask registers */
				if (cond == XB_COND_MODIFIED && (sets[f] & XFEATURE_MASK(XFEATURE_OPMASK)) &&
				    !__builtin_cpu_supports("avx512bw"))
					continue;
				live_prepare(l, &lb, ops[o], cond, sets[f]);
				live_run(l, &lb);
				assert_int_equal(lb.b.check, 0);
				assert_string_equal(lb.b.check_message, "");
				assert_true(lb.b.gross_ticks > 0);
				assert_true(lb.b.empty_ticks > 0);
				assert_int_equal(lb.b.buffer_bytes, lb.bufs.target_bytes);
				if (l->xgetbv1) {
					assert_true(lb.b.flags & XB_BATCH_XINUSE_CHECKED);
					assert_int_equal(lb.b.xinuse_before & sets[f], cond == XB_COND_INIT ? 0 : sets[f]);
				}
				assert_int_equal(lb.b.xstate_bv & sets[f], cond == XB_COND_INIT ? 0 : sets[f]);
				if (ops[o] != XB_OP_XSAVEOPT || cond == XB_COND_INIT)
					assert_int_equal(lb.b.modopt_hit, -1);
				else if (cond == XB_COND_INUSE || cond == XB_COND_MODIFIED)
					assert_int_equal(lb.b.modopt_hit, 0);
				live_free(&lb);
				ran++;
			}
		}
	}
	assert_true(ran >= 8); /* XSAVE and XRSTOR over fp at least */
}

/* Both switch strategies, both conditions, through the module's code path on this CPU. */
static void test_switch_live(void **state)
{
	const struct xstate_layout *l = ring0_layout_live(0, XB_CAP_XSAVEOPT | XB_CAP_XSAVEC | XB_CAP_XGETBV1);
	static const uint32_t ops[] = { XB_OP_SWITCH_POINTER_SWAP, XB_OP_SWITCH_THREE_BUFFER };
	static const uint32_t conds[] = { XB_COND_NEED_LOAD, XB_COND_LIVE };
	uint64_t mask = (l->xcr0 & XFEATURES_AVX512) == XFEATURES_AVX512 ? XFEATURES_AVX512 : XFEATURES_FP;

	(void)state;
	for (size_t o = 0; o < 2; o++) {
		for (size_t c = 0; c < 2; c++) {
			struct live_batch lb;

			live_prepare(l, &lb, ops[o], conds[c], mask);
			live_run(l, &lb);
			if (lb.b.check)
				fail_msg("%s", lb.b.check_message);
			assert_true(lb.b.gross_ticks > 0);
			assert_true(lb.b.empty_ticks > 0);
			assert_int_equal(lb.b.xfd_writes, 0); /* no XFD step without XFD */
			assert_string_equal(lb.b.insns, l->xsavec ? "xsavec/xrstor" : l->xsaveopt ? "xsaveopt/xrstor"
												: "xsave/xrstor");
			assert_int_equal(lb.b.buffer_bytes, l->xsavec ? xstate_size_compacted(l, mask)
								      : xstate_size_standard(l, mask));
			live_free(&lb);
		}
	}
}

/* A batch whose state is not what its request says reports the failed check, with its words. */
static void test_run_reports_a_failed_check(void **state)
{
	const struct xstate_layout *l = ring0_layout_live(0, XB_CAP_XGETBV1);
	struct live_batch lb;

	(void)state;
	assert_non_null(l);
	live_prepare(l, &lb, XB_OP_XSAVE, XB_COND_INUSE, XFEATURES_AVX & l->xcr0);
	lb.b.cond = XB_COND_INIT; /* the image puts the components in use */
	ring0_run(l, &lb.b, &lb.bufs, 0);
	assert_int_not_equal(lb.b.check, 0);
	assert_true(strstr(lb.b.check_message, "XINUSE") || strstr(lb.b.check_message, "XSTATE_BV"));
	assert_int_equal(lb.b.actual, XFEATURES_AVX & l->xcr0);
	live_free(&lb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate_malformed),
		cmocka_unit_test(test_validate_unsafe),
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_sizes_and_xfd_lift),
		cmocka_unit_test(test_run_live),
		cmocka_unit_test(test_switch_live),
		cmocka_unit_test(test_run_reports_a_failed_check),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
