/*
 * test_xstate_verify.c - the layout checked on the live CPU (kernels/xstate_verify.h through
 * bench/datasheet_layout.h): every enabled user component passes XSAVE, XSAVEC and XRSTOR
 * against CPUID's layout; a layout with a planted wrong standard offset, or a planted size
 * that moves the compacted offsets above it, is reported as a finding, in words; a component
 * that is not the process's is refused, not checked, and so are XSAVES and XRSTORS outside
 * ring 0 (never executed: they would fault).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "bench/datasheet_layout.h"
#include "kernels/xstate_image.h"

static struct machine m;

static int setup(void **state)
{
	(void)state;
	return machine_probe(&m);
}

/* A component of this CPU the checks can load (enabled, user, a known safe value). */
static bool checkable(const struct layout_verifier *lv, unsigned int id)
{
	const struct xstate_component *c = &m.layout.comp[id];

	return c->enabled && !c->supervisor && !(xstate_verify_loaded(id) & ~lv->v.user_mask) &&
	       !(xstate_verify_loaded(id) & ~xstate_pattern_capable());
}

static void test_live_layout_has_no_finding(void **state)
{
	struct layout_verifier lv;
	int checked = 0;

	(void)state;
	assert_int_equal(layout_verifier_init(&lv, &m, &m.layout), 0);
	for (unsigned int id = 0; id < XSTATE_MAX_COMPONENTS; id++) {
		if (!checkable(&lv, id))
			continue;
		for (int insn = 0; insn < XV_INSN_COUNT; insn++) {
			struct xstate_verify_result r;
			char text[320];

			if ((insn == XV_XSAVEC || insn == XV_XRSTOR_COMPACTED) && !m.layout.xsavec)
				continue;
			if ((insn == XV_XSAVES || insn == XV_XRSTORS) && !(m.module.present && m.layout.xsaves))
				continue; /* ring 0: the module's (tests/lab/test_lab_ring0.py) */
			assert_int_equal(layout_verify(&lv, id, (enum xstate_verify_insn)insn, &r), 0);
			layout_describe(id, (enum xstate_verify_insn)insn, &r, text, sizeof(text));
			if (r.outcome != XV_OK)
				fail_msg("component %u: %s", id, text);
			checked++;
		}
	}
	/* x87 and SSE at least, with all four checks where XSAVEC exists */
	assert_true(checked >= (m.layout.xsavec ? 8 : 4));
	layout_verifier_free(&lv);
}

/* Runs one check of @id against @claimed; returns its outcome and its words. */
static enum xstate_verify_outcome check_claimed(const struct xstate_layout *claimed, unsigned int id,
						enum xstate_verify_insn insn, char *text, size_t size)
{
	struct layout_verifier lv;
	struct xstate_verify_result r;

	assert_int_equal(layout_verifier_init(&lv, &m, claimed), 0);
	if (!checkable(&lv, id)) {
		layout_verifier_free(&lv);
		return XV_BAD_ARGS;
	}
	assert_int_equal(layout_verify(&lv, id, insn, &r), 0);
	layout_describe(id, insn, &r, text, size);
	layout_verifier_free(&lv);
	return r.outcome;
}

static void test_planted_standard_offset_is_a_finding(void **state)
{
	struct xstate_layout planted = m.layout;
	enum xstate_verify_outcome o;
	char text[320];

	(void)state;
	if (!(m.layout.xcr0 & XFEATURE_MASK(XFEATURE_YMM)))
		skip();
	/* the control: the true layout passes */
	assert_int_equal(check_claimed(&m.layout, XFEATURE_YMM, XV_XSAVE, text, sizeof(text)), XV_OK);
	planted.comp[XFEATURE_YMM].offset += 64;
	o = check_claimed(&planted, XFEATURE_YMM, XV_XSAVE, text, sizeof(text));
	assert_true(layout_outcome_is_finding(o));
	assert_non_null(strstr(text, "XSAVE (RFBM 0x4)"));
	/* the CPU wrote at CPUID's offset, which the planted layout does not allow */
	assert_int_equal(o, XV_STRAY_WRITE);
	assert_non_null(strstr(text, "the layout puts component 2 at 640"));
	/* XRSTOR from the planted offset loads other bytes: the content differs */
	assert_true(layout_outcome_is_finding(check_claimed(&planted, XFEATURE_YMM, XV_XRSTOR, text, sizeof(text))));
}

static void test_planted_size_moves_compacted_offsets(void **state)
{
	struct xstate_layout planted = m.layout;
	unsigned int above = XFEATURE_YMM + 1;
	char text[320];

	(void)state;
	while (above < XSTATE_MAX_COMPONENTS && !(m.layout.xcr0 & (1ULL << above)))
		above++;
	if (!m.layout.xsavec || !(m.layout.xcr0 & XFEATURE_MASK(XFEATURE_YMM)) || above == XSTATE_MAX_COMPONENTS)
		skip();
	assert_int_equal(check_claimed(&m.layout, above, XV_XSAVEC, text, sizeof(text)), XV_OK);
	planted.comp[XFEATURE_YMM].size += 64; /* every compacted offset above YMM moves by 64 */
	assert_true(layout_outcome_is_finding(check_claimed(&planted, above, XV_XSAVEC, text, sizeof(text))));
	assert_non_null(strstr(text, "XSAVEC"));
	/* the compacted XRSTOR reads it from the planted offset: other values */
	assert_int_equal(check_claimed(&m.layout, above, XV_XRSTOR_COMPACTED, text, sizeof(text)), XV_OK);
	assert_int_equal(check_claimed(&planted, above, XV_XRSTOR_COMPACTED, text, sizeof(text)), XV_CONTENT);
	assert_non_null(strstr(text, "XRSTOR (compacted)"));
}

static void test_refuses_what_it_cannot_load(void **state)
{
	struct layout_verifier lv;
	struct xstate_verify_result r;

	(void)state;
	assert_int_equal(layout_verifier_init(&lv, &m, &m.layout), 0);
	assert_int_equal(xstate_verify_run(&lv.v, 63, XV_XSAVE, &r), XV_BAD_ARGS);
	assert_int_equal(xstate_verify_run(&lv.v, XFEATURE_X87, XV_INSN_COUNT, &r), XV_BAD_ARGS);
	/* user space: XSAVES and XRSTORS are refused before anything runs (they would #GP) */
	assert_false(lv.v.ring0);
	assert_int_equal(xstate_verify_run(&lv.v, XFEATURE_SSE, XV_XSAVES, &r), XV_BAD_ARGS);
	assert_int_equal(xstate_verify_run(&lv.v, XFEATURE_SSE, XV_XRSTORS, &r), XV_BAD_ARGS);
	assert_false(layout_outcome_is_finding(XV_BAD_ARGS));
	assert_false(layout_outcome_is_finding(XV_DISTURBED));
	layout_verifier_free(&lv);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live_layout_has_no_finding),
		cmocka_unit_test(test_planted_standard_offset_is_a_finding),
		cmocka_unit_test(test_planted_size_moves_compacted_offsets),
		cmocka_unit_test(test_refuses_what_it_cannot_load),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
