/*
 * test_kapi_ring0.c - the kapi site's freestanding half (host/module/kapi_ring0.c) in user
 * space: which requests it refuses and with which errno (on the recorded Sapphire Rapids,
 * with every kernel function and with some missing), the functions each op calls, the
 * checks of a guest fpstate's description as 6.1 makes it (fresh and grown by the AMX
 * realloc) catching each fault, the images and the register and buffer comparisons on
 * this CPU, and the timing of calls in one loop or one by one.
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
#include "host/module/kapi_ring0.h"
#include "host/xstate_buffer.h"
#include "kernels/xsave_insn.h"
#include "kernels/xstate_image.h"

#define ALL_FNS ((1u << XB_KAPI_FN_COUNT) - 1)
#define TILEDATA XFEATURE_MASK(XFEATURE_XTILEDATA)
#define PKRU XFEATURE_MASK(XFEATURE_PKRU)
/* Sapphire Rapids, XSAVES, CET_U in IA32_XSS: a fresh guest fpstate of 6.1 */
#define SPR_DEFAULT 0x20ae7ULL    /* XCR0 0x602e7 | CET_U 0x800, without tile data */
#define SPR_DEFAULT_SIZE 2560     /* compacted: 2456, XTILECFG 64-byte aligned at 2496 */
#define SPR_USER_SIZE 2816        /* standard, of 0x202e7: XTILECFG at 2752 + 64 */
#define SPR_GROWN_SIZE 10752      /* compacted 0x60ae7: tile data at 2560 + 8192 */
#define SPR_GROWN_USER_SIZE 11008 /* standard 0x602e7 */

static struct machine spr, live;

static int setup(void **state)
{
	(void)state;
	if (machine_from_dump_file(&spr, TEST_CPUID_DIR "/intel-sapphirerapids.dump") || machine_probe(&live))
		return -1;
	return spr.layout_error || live.layout_error;
}

static struct xb_kapi_batch request(uint32_t op, uint32_t cond, uint64_t mask, uint64_t load_mask)
{
	return (struct xb_kapi_batch){ .op = op, .cond = cond, .mask = mask, .load_mask = load_mask, .ops = 16,
				       .warmup_ops = 2, .seed = 5 };
}

static void test_validate_malformed(void **state)
{
	const struct xstate_layout *l = &spr.layout;
	const uint64_t avx512 = XFEATURES_AVX512;
	struct xb_kapi_batch b = request(XB_KAPI_OP_SWAP_KVM_FPSTATE, XB_COND_LIVE, avx512, avx512);

	(void)state;
	assert_int_equal(kapi_validate(l, ALL_FNS, &b), 0);
	b.reserved_in = 1;
	assert_int_equal(kapi_validate(l, ALL_FNS, &b), -EINVAL);
	b = request(0, XB_COND_NONE, 0, 0);
	assert_int_equal(kapi_validate(l, ALL_FNS, &b), -EINVAL);
	b = request(XB_KAPI_OP_COUNT, XB_COND_NONE, 0, 0);
	assert_int_equal(kapi_validate(l, ALL_FNS, &b), -EINVAL);
	/* each op's conditions */
	b = request(XB_KAPI_OP_SWAP_KVM_FPSTATE, XB_COND_INUSE, avx512, avx512);
	assert_int_equal(kapi_validate(l, ALL_FNS, &b), -EINVAL);
	b = request(XB_KAPI_OP_COPY_GUEST_FPSTATE_TO_UABI, XB_COND_PRE_XSAVE_GUEST, XFEATURES_FP, XFEATURES_FP);
	assert_int_equal(kapi_validate(l, ALL_FNS, &b), -EINVAL);
	b = request(XB_KAPI_OP_ALLOC_GUEST_FPSTATE, XB_COND_LIVE, 0, 0);
	assert_int_equal(kapi_validate(l, ALL_FNS, &b), -EINVAL);
	/* the batch's bounds */
	b = request(XB_KAPI_OP_KERNEL_FPU_BEGIN_END, XB_COND_NEED_LOAD, XFEATURES_FP, XFEATURES_FP);
	b.ops = 0;
	assert_int_equal(kapi_validate(l, ALL_FNS, &b), -EINVAL);
	b.ops = XB_MAX_OPS + 1;
	assert_int_equal(kapi_validate(l, ALL_FNS, &b), -EINVAL);
	b.ops = XB_MAX_OPS;
	b.warmup_ops = XB_MAX_WARMUP_OPS + 1;
	assert_int_equal(kapi_validate(l, ALL_FNS, &b), -EINVAL);
	/* the state: x87 and SSE, within the registers' load mask, enabled, no PKRU */
	b = request(XB_KAPI_OP_SWAP_KVM_FPSTATE, XB_COND_LIVE, XFEATURE_MASK(XFEATURE_YMM), XFEATURES_AVX);
	assert_int_equal(kapi_validate(l, ALL_FNS, &b), -EINVAL);
	b = request(XB_KAPI_OP_SWAP_KVM_FPSTATE, XB_COND_LIVE, XFEATURES_AVX, XFEATURES_FP);
	assert_int_equal(kapi_validate(l, ALL_FNS, &b), -EINVAL);
	b = request(XB_KAPI_OP_SWAP_KVM_FPSTATE, XB_COND_LIVE, XFEATURES_AVX, XFEATURES_AVX | PKRU);
	assert_int_equal(kapi_validate(l, ALL_FNS, &b), -EINVAL);
	b = request(XB_KAPI_OP_SWAP_KVM_FPSTATE, XB_COND_LIVE, XFEATURES_FP, XFEATURES_FP | (1ULL << 62));
	assert_int_equal(kapi_validate(l, ALL_FNS, &b), -EINVAL);
	/* seed 001's image: x87 and SSE only */
	b = request(XB_KAPI_OP_COPY_UABI_TO_GUEST_FPSTATE, XB_COND_PRE_XSAVE_GUEST, XFEATURES_FP, XFEATURES_FP);
	assert_int_equal(kapi_validate(l, ALL_FNS, &b), 0);
	b.load_mask = XFEATURES_AVX;
	assert_int_equal(kapi_validate(l, ALL_FNS, &b), -EINVAL);
	/* alloc and free take no mask; enable and update a dynamic one and no load mask */
	b = request(XB_KAPI_OP_ALLOC_GUEST_FPSTATE, XB_COND_NONE, 0, 0);
	assert_int_equal(kapi_validate(l, ALL_FNS, &b), 0);
	b.mask = XFEATURES_FP;
	assert_int_equal(kapi_validate(l, ALL_FNS, &b), -EINVAL);
	b = request(XB_KAPI_OP_ENABLE_GUEST_XFD_FEATURES, XB_COND_NONE, TILEDATA, 0);
	assert_int_equal(kapi_validate(l, ALL_FNS, &b), 0);
	b.mask = XFEATURE_MASK(XFEATURE_YMM); /* XFD cannot arm AVX */
	assert_int_equal(kapi_validate(l, ALL_FNS, &b), -EINVAL);
	b = request(XB_KAPI_OP_UPDATE_GUEST_XFD, XB_COND_NONE, TILEDATA, TILEDATA);
	assert_int_equal(kapi_validate(l, ALL_FNS, &b), -EINVAL);
}

static void test_validate_what_the_machine_lacks(void **state)
{
	struct xstate_layout no_xfd = spr.layout;
	const uint64_t amx = XFEATURES_AMX;
	struct xb_kapi_batch b;

	(void)state;
	/* every function the op calls must have resolved */
	b = request(XB_KAPI_OP_SWAP_KVM_FPSTATE, XB_COND_NEED_LOAD, XFEATURES_AVX512, XFEATURES_AVX512);
	assert_int_equal(kapi_validate(&spr.layout, ALL_FNS & ~XB_KAPI_BIT(XB_KAPI_FPU_SWAP_KVM_FPSTATE), &b),
			 -EOPNOTSUPP);
	assert_int_equal(kapi_validate(&spr.layout, ALL_FNS & ~XB_KAPI_BIT(XB_KAPI_FPU_ENABLE_GUEST_XFD_FEATURES), &b),
			 0);
	/* tile data in use: the guest's fpstate must be grown first */
	b = request(XB_KAPI_OP_SWAP_KVM_FPSTATE, XB_COND_NEED_LOAD, amx, amx);
	assert_int_equal(kapi_validate(&spr.layout, ALL_FNS, &b), 0);
	assert_int_equal(kapi_validate(&spr.layout, ALL_FNS & ~XB_KAPI_BIT(XB_KAPI_FPU_ENABLE_GUEST_XFD_FEATURES), &b),
			 -EOPNOTSUPP);
	/* no XFD: no dynamic feature for a guest */
	no_xfd.xfd = false;
	assert_int_equal(kapi_validate(&no_xfd, ALL_FNS, &b), -EOPNOTSUPP);
	b = request(XB_KAPI_OP_UPDATE_GUEST_XFD, XB_COND_NONE, TILEDATA, 0);
	assert_int_equal(kapi_validate(&no_xfd, ALL_FNS, &b), -EOPNOTSUPP);
	assert_int_equal(kapi_validate(&spr.layout, ALL_FNS & ~XB_KAPI_BIT(XB_KAPI_FPU_UPDATE_GUEST_XFD), &b),
			 -EOPNOTSUPP);
}

/* The functions each op calls: timed, or to set up and prove its case. */
static void test_functions_each_op_calls(void **state)
{
	const uint32_t guest = XB_KAPI_GUEST_FPSTATE | XB_KAPI_BIT(XB_KAPI_FPU_COPY_UABI_TO_GUEST_FPSTATE);
	const uint32_t enable = XB_KAPI_BIT(XB_KAPI_FPU_ENABLE_GUEST_XFD_FEATURES);
	const uint32_t swap = XB_KAPI_BIT(XB_KAPI_FPU_SWAP_KVM_FPSTATE);
	static const struct { uint32_t op; uint64_t mask; uint32_t fns; } rows[] = {
		{ XB_KAPI_OP_ALLOC_GUEST_FPSTATE, 0, XB_KAPI_GUEST_FPSTATE },
		{ XB_KAPI_OP_FREE_GUEST_FPSTATE, 0, XB_KAPI_GUEST_FPSTATE },
		{ XB_KAPI_OP_KERNEL_FPU_BEGIN_END, XFEATURES_AVX, XB_KAPI_TASK_STATE },
		{ XB_KAPI_OP_COPY_UABI_TO_GUEST_FPSTATE, XFEATURES_AVX,
		  XB_KAPI_GUEST_FPSTATE | XB_KAPI_BIT(XB_KAPI_FPU_COPY_UABI_TO_GUEST_FPSTATE) },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++)
		assert_int_equal(xb_kapi_op_needs(rows[i].op, rows[i].mask, SPR_DEFAULT), rows[i].fns);
	assert_int_equal(xb_kapi_op_needs(XB_KAPI_OP_SWAP_KVM_FPSTATE, XFEATURES_AVX512, SPR_DEFAULT),
			 guest | swap | XB_KAPI_TASK_STATE);
	assert_int_equal(xb_kapi_op_needs(XB_KAPI_OP_SWAP_KVM_FPSTATE, XFEATURES_AMX, SPR_DEFAULT),
			 guest | enable | swap | XB_KAPI_TASK_STATE);
	assert_int_equal(xb_kapi_op_needs(XB_KAPI_OP_COPY_GUEST_FPSTATE_TO_UABI, XFEATURES_AMX, SPR_DEFAULT),
			 guest | enable | XB_KAPI_BIT(XB_KAPI_FPU_COPY_GUEST_FPSTATE_TO_UABI));
	assert_int_equal(xb_kapi_op_needs(XB_KAPI_OP_ENABLE_GUEST_XFD_FEATURES, TILEDATA, SPR_DEFAULT),
			 XB_KAPI_GUEST_FPSTATE | enable);
	assert_int_equal(xb_kapi_op_needs(XB_KAPI_OP_UPDATE_GUEST_XFD, TILEDATA, SPR_DEFAULT),
			 XB_KAPI_GUEST_FPSTATE | enable | swap | XB_KAPI_BIT(XB_KAPI_FPU_UPDATE_GUEST_XFD));
	assert_int_equal(xb_kapi_op_needs(XB_KAPI_OP_COUNT, 0, SPR_DEFAULT), 0);
	assert_string_equal(xb_kapi_fn_name(XB_KAPI_FPU_SWAP_KVM_FPSTATE), "fpu_swap_kvm_fpstate");
	assert_string_equal(xb_kapi_fn_name(XB_KAPI_FN_COUNT), "?");
	assert_int_equal(xstate_default_features(&spr.layout), SPR_DEFAULT);
	assert_int_equal(kapi_dynamic(&spr.layout, XFEATURES_AMX), TILEDATA);
}

/* A fresh SPR guest fpstate, as 6.1's fpu_alloc_guest_fpstate() describes it. */
static struct xb_kapi_fpstate fresh(void)
{
	return (struct xb_kapi_fpstate){
		.xfeatures = SPR_DEFAULT,
		.user_xfeatures = SPR_DEFAULT & 0x602e7,
		.guest_xfeatures = SPR_DEFAULT,
		.guest_perm = SPR_DEFAULT,
		.size = SPR_DEFAULT_SIZE,
		.user_size = SPR_USER_SIZE,
		.uabi_size = 4096,
		.flags = XB_KAPI_FPSTATE_VALLOC | XB_KAPI_FPSTATE_GUEST | XB_KAPI_FPSTATE_COMPACTED,
	};
}

static void expect_fresh_fault(struct xb_kapi_fpstate fs, const char *words)
{
	struct xb_kapi_batch b = { 0 };

	assert_false(kapi_check_fresh(&spr.layout, &fs, &b));
	assert_int_equal(b.check, KAPI_FPSTATE);
	if (!strstr(b.check_message, words))
		fail_msg("'%s' does not say '%s'", b.check_message, words);
}

static void test_fresh_guest_fpstate(void **state)
{
	struct xb_kapi_fpstate fs = fresh();
	struct xb_kapi_batch b = { 0 };

	(void)state;
	assert_true(kapi_check_fresh(&spr.layout, &fs, &b));
	assert_int_equal(b.check, KAPI_OK);
	fs.flags |= XB_KAPI_FPSTATE_IN_USE;
	expect_fresh_fault(fs, "not in_use");
	fs = fresh();
	fs.xfeatures |= TILEDATA;
	expect_fresh_fault(fs, "none dynamic");
	fs = fresh();
	fs.size -= 64;
	expect_fresh_fault(fs, "size of its xfeatures");
	fs = fresh();
	fs.flags &= ~XB_KAPI_FPSTATE_COMPACTED; /* a standard buffer is 2816 bytes here */
	expect_fresh_fault(fs, "size of its xfeatures");
	fs = fresh();
	fs.user_size = SPR_DEFAULT_SIZE;
	expect_fresh_fault(fs, "user_size");
	fs = fresh();
	fs.guest_xfeatures |= TILEDATA;
	expect_fresh_fault(fs, "fpu_guest xfeatures");
	fs = fresh();
	fs.uabi_size = SPR_USER_SIZE;
	expect_fresh_fault(fs, "struct kvm_xsave");
	fs = fresh();
	fs.xfd = TILEDATA;
	expect_fresh_fault(fs, "xfd 0");
}

static void test_grown_guest_fpstate(void **state)
{
	struct xb_kapi_fpstate before = fresh(), after;
	struct xb_kapi_batch b = { 0 };

	(void)state;
	after = before;
	after.xfeatures |= TILEDATA;
	after.user_xfeatures |= TILEDATA;
	after.guest_xfeatures |= TILEDATA;
	after.size = SPR_GROWN_SIZE;
	after.user_size = after.uabi_size = SPR_GROWN_USER_SIZE;
	assert_true(kapi_check_grown(&spr.layout, &before, &after, TILEDATA, &b));
	/* each fault is caught */
	struct xb_kapi_fpstate bad = after;

	bad.size = before.size;
	assert_false(kapi_check_grown(&spr.layout, &before, &bad, TILEDATA, &b));
	assert_int_equal(b.check, KAPI_FPSTATE);
	assert_non_null(strstr(b.check_message, "larger"));
	bad = after, b = (struct xb_kapi_batch){ 0 };
	bad.xfd = TILEDATA;
	assert_false(kapi_check_grown(&spr.layout, &before, &bad, TILEDATA, &b));
	assert_non_null(strstr(b.check_message, "xfd"));
	bad = after, b = (struct xb_kapi_batch){ 0 };
	bad.uabi_size = 4096;
	assert_false(kapi_check_grown(&spr.layout, &before, &bad, TILEDATA, &b));
	assert_non_null(strstr(b.check_message, "uabi_size"));
	bad = after, b = (struct xb_kapi_batch){ 0 };
	bad.xfeatures = before.xfeatures;
	assert_false(kapi_check_grown(&spr.layout, &before, &bad, TILEDATA, &b));
	assert_non_null(strstr(b.check_message, "xfeatures"));
	/* the first failure is the one reported */
	kapi_fail(&b, KAPI_CONTENT, "later", 1, 2);
	assert_int_equal(b.check, KAPI_FPSTATE);
}

/* Images of this CPU's AVX (or x87/SSE) state in the registers and in a compacted buffer. */
static void test_registers_and_buffers_live(void **state)
{
	const struct xstate_layout *l = &live.layout;
	uint64_t mask = (l->xcr0 & XFEATURES_AVX) == XFEATURES_AVX ? XFEATURES_AVX : XFEATURES_FP;
	struct xb_kapi_batch b = request(XB_KAPI_OP_SWAP_KVM_FPSTATE, XB_COND_LIVE, mask, mask);
	struct kapi_images im;
	uint8_t *mem, *caller, *compacted;
	__u64 xinuse;
	int before, after;

	(void)state;
	im.bytes = kapi_image_bytes(l, &b);
	assert_int_equal(im.bytes, (xstate_size_standard(l, mask) + 63) & ~63u);
	mem = xstate_buffer_alloc(6 * (size_t)im.bytes);
	im.task = mem, im.guest = mem + im.bytes, im.other = mem + 2 * im.bytes, im.readback = mem + 3 * im.bytes;
	caller = mem + 4 * im.bytes;
	compacted = mem + 5 * im.bytes;
	assert_true(kapi_images_build(l, &b, &im));
	assert_int_equal(xstate_header_of(im.task)->xstate_bv, mask);
	xsave(caller, mask);
	kapi_load(im.task, mask);
	before = kapi_registers_diff(l, &im, im.task, mask);
	after = kapi_registers_diff(l, &im, im.guest, mask);
	if (kapi_xinuse(l, &xinuse))
		assert_int_equal(xinuse & mask, mask);
	xrstor(caller, mask);
	assert_int_equal(before, -1);
	assert_true(after >= 0);
	/* a kernel buffer in the compacted format, told apart by its XCOMP_BV */
	if (l->xsavec) {
		assert_true(xstate_image_build(l, compacted, im.bytes, mask, true, true, b.seed + 1));
		assert_true(kapi_buffer_compacted(compacted));
		assert_false(kapi_buffer_compacted(im.guest));
		assert_int_equal(kapi_buffer_diff(l, compacted, im.guest, mask), -1);
		assert_int_equal(kapi_buffer_diff(l, compacted, im.task, mask), 0);
		compacted[XSTATE_LEGACY_SIZE + 64 + 3] ^= 1; /* the first byte after the header: AVX */
		assert_int_equal(kapi_buffer_diff(l, compacted, im.guest, mask), mask == XFEATURES_AVX ? 2 : -1);
	}
	/* seed 001's image: x87 and SSE */
	b = request(XB_KAPI_OP_COPY_UABI_TO_GUEST_FPSTATE, XB_COND_PRE_XSAVE_GUEST, XFEATURES_FP, XFEATURES_FP);
	assert_true(kapi_images_build(l, &b, &im));
	assert_int_equal(xstate_header_of(im.guest)->xstate_bv, XFEATURES_FP);
	xstate_buffer_free(mem);
}

struct counts {
	uint32_t prepared, called, last;
};

static void count_prepare(void *ctx, uint32_t i)
{
	struct counts *c = ctx;

	c->prepared++;
	c->last = i;
}

static void count_call(void *ctx, uint32_t i)
{
	struct counts *c = ctx;

	c->called++;
	if (c->prepared) /* one by one: prepared for this very call */
		assert_int_equal(i, c->last);
}

static void test_timing(void **state)
{
	struct counts c = { 0 };
	struct kapi_timing loop = { NULL, count_call, &c }, one_by_one = { count_prepare, count_call, &c };

	(void)state;
	assert_true(kapi_time(&loop, 0, 10) > 0);
	assert_int_equal(c.called, 10);
	assert_int_equal(c.prepared, 0);
	c = (struct counts){ 0 };
	assert_true(kapi_time(&one_by_one, 4, 6) > 0);
	assert_int_equal(c.called, 6);
	assert_int_equal(c.prepared, 6);
	assert_int_equal(c.last, 9);
	assert_true(kapi_empty_median(false, 64) > 0);
	assert_true(kapi_empty_median(true, 64) > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate_malformed),
		cmocka_unit_test(test_validate_what_the_machine_lacks),
		cmocka_unit_test(test_functions_each_op_calls),
		cmocka_unit_test(test_fresh_guest_fpstate),
		cmocka_unit_test(test_grown_guest_fpstate),
		cmocka_unit_test(test_registers_and_buffers_live),
		cmocka_unit_test(test_timing),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
