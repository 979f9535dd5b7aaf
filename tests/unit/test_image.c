/*
 * test_image.c - init and pattern images in both formats, and buffer comparison, on the
 * recorded Sapphire Rapids-like layout (pure data: nothing is executed).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "host/machine.h"
#include "kernels/xstate_image.h"

#define BUF 12288

static struct machine m;
static uint8_t std_img[BUF] __attribute__((aligned(64)));
static uint8_t cmp_img[BUF] __attribute__((aligned(64)));

static int setup(void **state)
{
	(void)state;
	return machine_from_dump_file(&m, TEST_CPUID_DIR "/intel-sapphirerapids.dump");
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void test_init_image(void **state)
{
	struct xstate_header *h = xstate_header_of(cmp_img);
	uint32_t mxcsr;

	(void)state;
	assert_true(xstate_image_build(&m.layout, cmp_img, BUF, XFEATURES_AMX, true, false, 1));
	assert_int_equal(h->xstate_bv, 0);
	assert_int_equal(h->xcomp_bv, XCOMP_BV_COMPACTED | XFEATURES_AMX);
	memcpy(&mxcsr, cmp_img + FXSAVE_MXCSR_OFFSET, 4);
	assert_int_equal(mxcsr, MXCSR_DEFAULT);
	assert_true(all_zero(cmp_img + XSTATE_EXTENDED_START, xstate_size_compacted(&m.layout, XFEATURES_AMX) - XSTATE_EXTENDED_START));
}

static void test_pattern_image(void **state)
{
	const struct xstate_layout *l = &m.layout;
	uint64_t mask = 0x602e7;
	uint32_t pkru;

	(void)state;
	assert_true(xstate_image_build(l, std_img, BUF, mask, false, true, 7));
	assert_true(xstate_image_build(l, cmp_img, BUF, mask, true, true, 7));
	assert_int_equal(xstate_header_of(std_img)->xstate_bv, mask);
	assert_int_equal(xstate_header_of(std_img)->xcomp_bv, 0);
	assert_int_equal(xstate_header_of(cmp_img)->xcomp_bv, XCOMP_BV_COMPACTED | mask);
	/* the same registers, laid out two ways */
	assert_int_equal(xstate_image_diff(l, std_img, false, cmp_img, true, mask), -1);
	assert_memory_equal(std_img + 2816, cmp_img + 2560, 8192); /* XTILEDATA */
	assert_memory_equal(std_img + 2688, cmp_img + 2432, 8);    /* PKRU */
	/* x87 registers marked valid, XMM filled */
	assert_int_equal(std_img[FXSAVE_FTW_OFFSET], 0xff);
	assert_false(all_zero(std_img + FXSAVE_XMM_OFFSET, 256));
	/* PKRU keeps access to key 0 (bits 1:0 clear) and is not its init value */
	memcpy(&pkru, std_img + 2688, 4);
	assert_int_equal(pkru & 3, 0);
	assert_int_not_equal(pkru, 0);
	/* a valid palette-1 tile configuration */
	assert_int_equal(std_img[2752], 1);
	assert_int_equal(std_img[2752 + 48], 16);
}

static void test_diff_finds_component(void **state)
{
	const struct xstate_layout *l = &m.layout;
	uint64_t mask = XFEATURES_AVX512;

	(void)state;
	assert_true(xstate_image_build(l, std_img, BUF, mask, false, true, 3));
	memcpy(cmp_img, std_img, BUF);
	assert_int_equal(xstate_image_diff(l, std_img, false, cmp_img, false, mask), -1);
	cmp_img[1664 + 100] ^= 1; /* Hi16_ZMM */
	assert_int_equal(xstate_image_diff(l, std_img, false, cmp_img, false, mask), XFEATURE_HI16_ZMM);
	memcpy(cmp_img, std_img, BUF);
	cmp_img[8] ^= 0xff; /* the x87 instruction pointer is not register content */
	assert_int_equal(xstate_image_diff(l, std_img, false, cmp_img, false, mask), -1);
	xstate_header_of(cmp_img)->xstate_bv &= ~XFEATURE_MASK(XFEATURE_OPMASK);
	assert_int_equal(xstate_image_diff(l, std_img, false, cmp_img, false, mask), XFEATURE_OPMASK);
	/* different seeds differ */
	assert_true(xstate_image_build(l, cmp_img, BUF, mask, false, true, 4));
	assert_int_not_equal(xstate_image_diff(l, std_img, false, cmp_img, false, mask), -1);
}

static void test_refusals(void **state)
{
	(void)state;
	/* too small for the mask */
	assert_false(xstate_image_build(&m.layout, std_img, 2000, XFEATURES_AVX512, false, true, 1));
	/* arch LBR has no safe pattern */
	assert_false(xstate_image_build(&m.layout, cmp_img, BUF, XFEATURE_MASK(XFEATURE_LBR) | 3, true, true, 1));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_image),
		cmocka_unit_test(test_pattern_image),
		cmocka_unit_test(test_diff_finds_component),
		cmocka_unit_test(test_refusals),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
