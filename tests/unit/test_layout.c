/*
 * test_layout.c - the xstate layout decoded from recorded CPUID dumps, against sizes and
 * offsets worked out by hand from the SDM and the APM (see each dump's header).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "host/machine.h"

static struct machine *load(const char *name)
{
	static struct machine m;
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", TEST_CPUID_DIR, name);
	assert_int_equal(machine_from_dump_file(&m, path), 0);
	return &m;
}

/* Intel SPR-like: x87 SSE AVX opmask ZMM_Hi256 Hi16_ZMM PKRU XTILECFG XTILEDATA, XSS CET_U. */
static void test_sapphirerapids(void **state)
{
	struct machine *m = load("intel-sapphirerapids.dump");
	const struct xstate_layout *l = &m->layout;

	(void)state;
	assert_int_equal(m->layout_error, XSTATE_LAYOUT_OK);
	assert_true(l->xsaveopt && l->xsavec && l->xgetbv1 && l->xsaves && l->xfd);
	assert_int_equal(l->xcr0, 0x602e7);
	assert_int_equal(l->xss, 0x800);
	assert_int_equal(l->xss_supported, 0x19d00);
	/* standard offsets straight from CPUID */
	assert_int_equal(l->comp[XFEATURE_OPMASK].offset, 1088);
	assert_int_equal(l->comp[XFEATURE_PKRU].offset, 2688);
	assert_int_equal(l->comp[XFEATURE_XTILEDATA].offset, 2816);
	assert_true(l->comp[XFEATURE_XTILEDATA].align64 && l->comp[XFEATURE_XTILEDATA].xfd);
	assert_true(l->comp[XFEATURE_XTILECFG].align64 && !l->comp[XFEATURE_XTILECFG].xfd);
	assert_true(l->comp[XFEATURE_CET_USER].supervisor && l->comp[XFEATURE_CET_USER].enabled);
	assert_false(l->comp[XFEATURE_CET_KERNEL].enabled);
	/* standard: XTILEDATA ends the buffer, 2816 + 8192 */
	assert_int_equal(xstate_size_standard(l, 0x602e7), 11008);
	assert_int_equal(xstate_size_standard(l, XFEATURES_AVX512), 2688); /* 1664 + 1024 */
	assert_int_equal(xstate_size_standard(l, XFEATURES_FP), 576);
	/* compacted: 576 +256 (AVX) +64 +512 +1024 = 2432; +8 PKRU = 2440;
	 * XTILECFG aligned to 2496, +64 = 2560; XTILEDATA at 2560, +8192 = 10752 */
	assert_int_equal(xstate_size_compacted(l, XFEATURES_AVX512), 2432);
	assert_int_equal(xstate_offset_compacted(l, 0x602e7, XFEATURE_PKRU), 2432);
	assert_int_equal(xstate_offset_compacted(l, 0x602e7, XFEATURE_XTILECFG), 2496);
	assert_int_equal(xstate_offset_compacted(l, 0x602e7, XFEATURE_XTILEDATA), 2560);
	assert_int_equal(xstate_size_compacted(l, 0x602e7), 10752);
	/* amx without PKRU: 2432 is already aligned, XTILECFG 2432..2496, XTILEDATA 2496 + 8192 */
	assert_int_equal(xstate_size_compacted(l, XFEATURES_AMX), 10688);
	/* with CET_U (16 bytes at 2440) the alignment before XTILECFG absorbs it */
	assert_int_equal(xstate_offset_compacted(l, 0x60ae7, XFEATURE_CET_USER), 2440);
	assert_int_equal(xstate_size_compacted(l, l->xcr0 | l->xss), l->size_enabled_compacted);
	assert_int_equal(xstate_xfd_capable(l), XFEATURE_MASK(XFEATURE_XTILEDATA));
	assert_int_equal(xstate_offset_compacted(l, XFEATURES_AVX512, XFEATURE_XTILEDATA), 0);
}

/* AMD Zen 4: no MPX hole; XSS not recorded, inferred from EBX. */
static void test_zen4(void **state)
{
	struct machine *m = load("amd-zen4.dump");
	const struct xstate_layout *l = &m->layout;

	(void)state;
	assert_string_equal(m->cpu.vendor, "AuthenticAMD");
	assert_int_equal(m->cpu.family, 25);
	assert_int_equal(m->cpu.model, 17);
	assert_int_equal(m->layout_error, XSTATE_LAYOUT_OK);
	assert_false(l->xfd);
	assert_int_equal(l->comp[XFEATURE_OPMASK].offset, 832);
	assert_int_equal(l->comp[XFEATURE_HI16_ZMM].offset, 1408);
	assert_int_equal(xstate_size_standard(l, XFEATURES_AVX512), 2432); /* 1408 + 1024 */
	assert_int_equal(xstate_size_compacted(l, XFEATURES_AVX512), 2432);
	/* EBX = 2448 = 2432 + 16: exactly the CET_U subset of {CET_U, CET_S} */
	assert_true(l->xss_known);
	assert_int_equal(l->xss, 0x800);
	assert_true(l->comp[XFEATURE_CET_USER].enabled);
	assert_false(l->comp[XFEATURE_PKRU].enabled); /* supported, but XCR0 = 0xe7 */
	assert_int_equal(xstate_size_compacted(l, l->xcr0 | l->xss), 2448);
}

/* This machine, recorded: Cascade Lake under KVM, MPX and PKRU in XCR0, no supervisor states. */
static void test_cascadelake(void **state)
{
	struct machine *m = load("intel-cascadelake-kvm.dump");
	const struct xstate_layout *l = &m->layout;

	(void)state;
	assert_int_equal(m->cpu.family, 6);
	assert_int_equal(m->cpu.model, 85);
	assert_int_equal(l->xcr0, 0x2ff);
	assert_true(l->xss_known);
	assert_int_equal(l->xss, 0);
	assert_int_equal(l->comp[XFEATURE_BNDREGS].offset, 960);
	assert_int_equal(xstate_size_standard(l, 0x2ff), 2696);   /* PKRU 2688 + 8 */
	/* 576 +256 +64 (BNDREGS) +64 (BNDCSR) +64 +512 +1024 +8 = 2568 */
	assert_int_equal(xstate_size_compacted(l, 0x2ff), 2568);
	assert_int_equal(xstate_offset_compacted(l, 0x2ff, XFEATURE_OPMASK), 960);
	assert_int_equal(l->size_enabled_compacted, 2568);
	assert_int_equal(xstate_size_standard(l, XFEATURES_AVX512), 2688);
}

/* This development machine, recorded: AMD family 26 under bhyve, XCR0 0xe7, no XSAVES/XSS. */
static void test_turin(void **state)
{
	struct machine *m = load("amd-turin-bhyve.dump");
	const struct xstate_layout *l = &m->layout;

	(void)state;
	assert_string_equal(m->cpu.vendor, "AuthenticAMD");
	assert_int_equal(m->cpu.family, 26);
	assert_int_equal(m->cpu.model, 2);
	assert_int_equal(m->layout_error, XSTATE_LAYOUT_OK);
	assert_true(l->xsaveopt && l->xsavec && l->xgetbv1);
	assert_false(l->xsaves || l->xfd);
	assert_int_equal(l->xcr0, 0xe7);
	assert_int_equal(l->xss_supported, 0);
	assert_true(l->xss_known);
	assert_int_equal(l->xss, 0);
	/* AMD standard format: no MPX hole, opmask right after AVX */
	assert_int_equal(l->comp[XFEATURE_YMM].offset, 576);
	assert_int_equal(l->comp[XFEATURE_OPMASK].offset, 832);
	assert_int_equal(l->comp[XFEATURE_ZMM_HI256].offset, 896);
	assert_int_equal(l->comp[XFEATURE_HI16_ZMM].offset, 1408);
	assert_false(l->comp[XFEATURE_PKRU].supported);
	/* with no hole the two formats coincide: 576 +256 +64 +512 +1024 = 2432 */
	assert_int_equal(xstate_size_standard(l, XFEATURES_AVX512), 2432);
	assert_int_equal(xstate_size_compacted(l, XFEATURES_AVX512), 2432);
	assert_int_equal(xstate_size_standard(l, XFEATURES_AVX), 832);
	/* fp + opmask: standard keeps the AVX gap (832 + 64), compacted closes it (576 + 64) */
	assert_int_equal(xstate_size_standard(l, XFEATURES_FP | XFEATURE_MASK(XFEATURE_OPMASK)), 896);
	assert_int_equal(xstate_size_compacted(l, XFEATURES_FP | XFEATURE_MASK(XFEATURE_OPMASK)), 640);
	assert_int_equal(l->size_enabled_compacted, 2432);
	assert_int_equal(xstate_xfd_capable(l), 0);
	assert_true(m->kernel.xcomp_known);
	assert_int_equal(m->kernel.xcomp_supp, 0xe7);
	assert_int_equal(m->kernel.minsigstksz, 3376);
}

/* The team's Intel machine, recorded: AVX-512 and AMX with XFD under KVM, no PKRU or MPX,
 * XSAVES without supervisor states. */
static void test_xeon_amx(void **state)
{
	struct machine *m = load("intel-xeon-amx-kvm.dump");
	const struct xstate_layout *l = &m->layout;

	(void)state;
	assert_string_equal(m->cpu.vendor, "GenuineIntel");
	assert_int_equal(m->cpu.family, 6);
	assert_int_equal(m->cpu.model, 167);
	assert_int_equal(m->layout_error, XSTATE_LAYOUT_OK);
	assert_true(l->xsaveopt && l->xsavec && l->xgetbv1 && l->xsaves && l->xfd);
	assert_int_equal(l->xcr0, 0x600e7);
	assert_int_equal(l->xss_supported, 0);
	assert_true(l->xss_known);
	assert_int_equal(l->xss, 0);
	/* Intel standard offsets: opmask after the MPX hole, the tiles after PKRU's slot */
	assert_int_equal(l->comp[XFEATURE_OPMASK].offset, 1088);
	assert_int_equal(l->comp[XFEATURE_ZMM_HI256].offset, 1152);
	assert_int_equal(l->comp[XFEATURE_HI16_ZMM].offset, 1664);
	assert_int_equal(l->comp[XFEATURE_XTILECFG].offset, 2752);
	assert_int_equal(l->comp[XFEATURE_XTILEDATA].offset, 2816);
	assert_int_equal(l->comp[XFEATURE_XTILEDATA].size, 8192);
	assert_false(l->comp[XFEATURE_PKRU].supported || l->comp[XFEATURE_BNDREGS].supported);
	assert_true(l->comp[XFEATURE_XTILECFG].align64 && !l->comp[XFEATURE_XTILECFG].xfd);
	assert_true(l->comp[XFEATURE_XTILEDATA].align64 && l->comp[XFEATURE_XTILEDATA].xfd);
	assert_int_equal(xstate_xfd_capable(l), XFEATURE_MASK(XFEATURE_XTILEDATA));
	/* standard: 2816 + 8192 = 11008 (CPUID.(0DH,0):EBX); avx512 ends at 1664 + 1024 */
	assert_int_equal(xstate_size_standard(l, 0x600e7), 11008);
	assert_int_equal(l->size_xcr0_standard, 11008);
	assert_int_equal(xstate_size_standard(l, XFEATURES_AVX512), 2688);
	/* compacted: 576 +256 +64 +512 +1024 = 2432, 64-aligned, so XTILECFG 2432..2496 and
	 * XTILEDATA 2496 + 8192 = 10688 (CPUID.(0DH,1):EBX) */
	assert_int_equal(xstate_size_compacted(l, XFEATURES_AVX512), 2432);
	assert_int_equal(xstate_offset_compacted(l, 0x600e7, XFEATURE_XTILECFG), 2432);
	assert_int_equal(xstate_offset_compacted(l, 0x600e7, XFEATURE_XTILEDATA), 2496);
	assert_int_equal(xstate_size_compacted(l, 0x600e7), 10688);
	assert_int_equal(l->size_enabled_compacted, 10688);
	/* fp + tile data: 576 is 64-aligned, 576 + 8192 */
	assert_int_equal(xstate_size_compacted(l, XFEATURES_FP | XFEATURE_MASK(XFEATURE_XTILEDATA)), 8768);
	/* tile data offered, not granted: the default permission holds XTILECFG only */
	assert_true(m->kernel.xcomp_known);
	assert_int_equal(m->kernel.xcomp_supp, 0x600e7);
	assert_int_equal(m->kernel.xcomp_perm, 0x200e7);
	assert_int_equal(m->kernel.minsigstksz, 11952);
}

/* Sandy Bridge: XSAVEOPT only; sub-leaf 1 EBX is 0 and XSS is known to be empty. */
static void test_sandybridge(void **state)
{
	struct machine *m = load("intel-sandybridge.dump");
	const struct xstate_layout *l = &m->layout;

	(void)state;
	assert_int_equal(m->layout_error, XSTATE_LAYOUT_OK);
	assert_true(l->xsaveopt);
	assert_false(l->xsavec || l->xgetbv1 || l->xsaves || l->xfd);
	assert_true(l->xss_known);
	assert_int_equal(l->xss, 0);
	assert_int_equal(xstate_size_standard(l, XFEATURES_AVX), 832);
	assert_int_equal(l->size_xcr0_standard, 832);
	assert_false(m->kernel.xcomp_known);
}

static void test_westmere(void **state)
{
	struct machine *m = load("intel-westmere.dump");

	(void)state;
	assert_int_equal(m->layout_error, XSTATE_LAYOUT_NO_XSAVE);
}

/* The live CPU agrees with itself: CPUID's own sizes match the computed ones. */
static void test_live(void **state)
{
	static struct machine m;
	const struct xstate_layout *l = &m.layout;

	(void)state;
	assert_int_equal(machine_probe(&m), 0);
	assert_int_equal(m.layout_error, XSTATE_LAYOUT_OK);
	assert_int_equal(xstate_size_standard(l, l->xcr0), l->size_xcr0_standard);
	if (l->xsaves)
		assert_int_equal(xstate_size_compacted(l, l->xcr0 | l->xss), l->size_enabled_compacted);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sapphirerapids), cmocka_unit_test(test_zen4),
		cmocka_unit_test(test_cascadelake),    cmocka_unit_test(test_turin),
		cmocka_unit_test(test_xeon_amx),       cmocka_unit_test(test_sandybridge),
		cmocka_unit_test(test_westmere),       cmocka_unit_test(test_live),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
