/*
 * test_feature_set.c - feature-set names in benchmark ids, and the kernel's component names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/ids.h"

static void test_parse(void **state)
{
	uint64_t m;

	(void)state;
	assert_true(feature_set_parse("fp", 0x2ff, 0, &m));
	assert_int_equal(m, 0x3);
	assert_true(feature_set_parse("avx512", 0x2ff, 0, &m));
	assert_int_equal(m, 0xe7);
	assert_true(feature_set_parse("amx", 0, 0, &m));
	assert_int_equal(m, 0x600e7);
	assert_true(feature_set_parse("user", 0x2ff, 0x800, &m));
	assert_int_equal(m, 0x2ff);
	assert_true(feature_set_parse("all", 0x2ff, 0x800, &m));
	assert_int_equal(m, 0xaff);
	assert_true(feature_set_parse("sse+ymm+pkru", 0, 0, &m));
	assert_int_equal(m, 0x206);
	assert_true(feature_set_parse("avx+xtiledata", 0, 0, &m));
	assert_int_equal(m, 0x40007);
	assert_false(feature_set_parse("", 0x2ff, 0, &m));
	assert_false(feature_set_parse("avx1024", 0x2ff, 0, &m));
	assert_false(feature_set_parse("sse+", 0x2ff, 0, &m));
	assert_false(feature_set_parse("+sse", 0x2ff, 0, &m));
	assert_false(feature_set_parse("ss", 0x2ff, 0, &m));
}

static void test_format(void **state)
{
	char buf[128];

	(void)state;
	feature_set_format(0xe7, 0x2ff, 0, buf, sizeof(buf));
	assert_string_equal(buf, "avx512");
	feature_set_format(0x2ff, 0x2ff, 0, buf, sizeof(buf));
	assert_string_equal(buf, "user");
	feature_set_format(0xaff, 0x2ff, 0x800, buf, sizeof(buf));
	assert_string_equal(buf, "all");
	feature_set_format(0x206, 0x2ff, 0, buf, sizeof(buf));
	assert_string_equal(buf, "sse+ymm+pkru");
	feature_set_format(0x206, 0x2ff, 0, buf, 8); /* truncated, still terminated */
	assert_string_equal(buf, "sse+ymm");
}

static void test_kernel_names(void **state)
{
	(void)state;
	assert_string_equal(xfeature_name(XFEATURE_X87), "x87 floating point registers");
	assert_string_equal(xfeature_name(XFEATURE_ZMM_HI256), "AVX-512 Hi256");
	assert_string_equal(xfeature_name(XFEATURE_HI16_ZMM), "AVX-512 ZMM_Hi256");
	assert_string_equal(xfeature_name(XFEATURE_XTILEDATA), "AMX Tile data");
	assert_string_equal(xfeature_name(63), "unknown xstate feature");
	assert_string_equal(xfeature_short_name(XFEATURE_HI16_ZMM), "hi16_zmm");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_kernel_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
