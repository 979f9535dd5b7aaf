/*
 * test_component_plan.c - planning the component list (`--suite components`) on recorded
 * machines: this team's Intel machine with AMX, Sapphire Rapids with the module loaded (AMX,
 * XFD, PKRU, supervisor states through XSAVES/XRSTORS), AMD, Cascade Lake's MPX, and a CPU
 * without XSAVEC. The ids it plans and their feature sets, `modified` on saves only, the
 * skips with the CPUID bit or the component named, the default suites without any of it, and
 * the datasheet's selection by --filter.
 */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "module_plan.h"

/* The datasheet's selection (issue 18), with the avx row that x87+SSE+YMM is. */
#define DATASHEET_FILTER \
	"^native/(ring0/)?(save|restore)/[^/]+/(fp|avx|fp\\+[a-z0-9_]+)/(inuse|init|clean|modified)$"

static void plan_components(const struct machine *m, unsigned int suites, const char *filter, struct plan *p)
{
	assert_int_equal(plan_build(m, suites, filter, p), 0);
}

static int count_ids(const struct plan *p, const char *pattern)
{
	regex_t re;
	int n = 0;

	assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	for (int i = 0; i < p->count; i++)
		n += !regexec(&re, p->cases[i].id, 0, NULL, 0);
	regfree(&re);
	return n;
}

/* Every id of the list parses back to its parts, names a set of x87+SSE and at most one more
 * component that the case's features hold (or a larger set of the save/restore matrix in
 * modified), and takes modified and clean only on a save. */
static void assert_well_formed(const struct machine *m, const struct plan *p)
{
	for (int i = 0; i < p->count; i++) {
		const struct bench_case *c = &p->cases[i];
		struct bench_id_parts parts;
		uint64_t mask;

		assert_true(bench_id_parse(c->id, &parts));
		assert_true(feature_set_parse(parts.features, m->layout.xcr0, m->layout.xss, &mask));
		assert_int_equal(mask, c->features);
		assert_int_equal(mask & XFEATURES_FP, XFEATURES_FP);
		assert_true(__builtin_popcountll(mask & ~XFEATURES_FP) <= 1 || c->condition == COND_MODIFIED);
		assert_int_equal(parts.cond, c->condition);
		if (!strcmp(parts.group, GROUP_RESTORE))
			assert_true(c->condition == COND_INIT || c->condition == COND_INUSE);
		assert_null(strstr(c->id, "fxsave"));
		assert_null(strstr(c->id, "fxrstor"));
		if (c->skip_reason[0])
			assert_true(strlen(c->skip_reason) > 10);
	}
}

/* The team's Intel machine (XCR0 0x600e7: AVX-512, AMX tile config and data, no PKRU). */
static void test_this_intel_machine(void **state)
{
	struct machine *m = load("intel-xeon-amx-kvm.dump");
	struct plan p;

	(void)state;
	plan_components(m, SUITE_COMPONENTS, "^native/(save|restore)/", &p);
	/* 7 sets (fp, and fp with ymm, opmask, zmm_hi256, hi16_zmm, xtilecfg, xtiledata):
	 * xsave, xsaveopt, xsavec at init, inuse, clean, modified; xrstor at init, inuse; and
	 * avx512, user, amx modified for each save */
	assert_int_equal(p.count, 7 * (3 * 4 + 2) + 3 * 3);
	assert_int_equal(plan_runnable_count(&p), p.count);
	assert_well_formed(m, &p);
	assert_int_equal(count_ids(&p, "/modified$"), 7 * 3 + 3 * 3);
	assert_runs(&p, "native/save/xsavec/avx512/modified");
	assert_int_equal(count_ids(&p, "/avx512/(init|inuse|clean)$"), 0);
	assert_runs(&p, "native/save/xsavec/fp+zmm_hi256/inuse");
	assert_runs(&p, "native/save/xsave/fp/modified");
	assert_runs(&p, "native/save/xsaveopt/fp+xtiledata/clean");
	assert_runs(&p, "native/save/xsavec/fp+xtiledata/modified");
	assert_runs(&p, "native/restore/xrstor/fp+opmask/init");
	assert_runs(&p, "native/save/xsave/avx/modified"); /* x87+SSE+YMM is the avx row */
	assert_int_equal(find(&p, "native/save/xsavec/fp+hi16_zmm/modified")->features,
			 XFEATURES_FP | XFEATURE_MASK(XFEATURE_HI16_ZMM));
	assert_int_equal(find(&p, "native/save/xsave/fp+xtilecfg/init")->condition, COND_INIT);
	plan_free(&p);

	/* the datasheet's selection is the list but the larger sets, its ring-0 column with it */
	plan_components(m, SUITE_COMPONENTS, NULL, &p);
	assert_int_equal(count_ids(&p, DATASHEET_FILTER), p.count - count_ids(&p, "/(avx512|user|amx|all)/modified$"));
	/* xsaves and xrstors too; all is user here (no IA32_XSS) */
	assert_int_equal(count_ids(&p, "^native/ring0/"), 7 * (4 * 4 + 2 * 2) + 3 * 3 + 4);
	assert_skip(&p, "native/ring0/save/xsaves/fp+zmm_hi256/modified", "a recorded machine's module cannot be asked");
	plan_free(&p);
	free(m);
}

/* Neither the default suite nor `all` plans any of it; asked beside native, the baseline
 * rows the two lists share are planned once. */
static void test_only_when_asked(void **state)
{
	struct machine *m = load("intel-xeon-amx-kvm.dump");
	struct plan native, both, components;

	(void)state;
	plan_components(m, SUITE_ALL, NULL, &native);
	assert_int_equal(count_ids(&native, "/modified$"), 0);
	assert_int_equal(count_ids(&native, "/fp\\+"), 0);
	plan_free(&native);
	plan_components(m, SUITE_NATIVE, NULL, &native);
	plan_components(m, SUITE_COMPONENTS, NULL, &components);
	plan_components(m, SUITE_NATIVE | SUITE_COMPONENTS, NULL, &both);
	for (int i = 0; i < both.count; i++)
		for (int j = 0; j < i; j++)
			assert_string_not_equal(both.cases[i].id, both.cases[j].id);
	/* shared: fp and avx (x87+SSE+YMM) at init, inuse, clean of each save, init and inuse
	 * of each restore, natively and in ring 0 */
	assert_int_equal(both.count, native.count + components.count -
					     count_ids(&components, "/(fp|avx)/(init|inuse|clean)$"));
	plan_free(&native);
	plan_free(&components);
	plan_free(&both);
	free(m);
}

/* Sapphire Rapids with the module loaded and CET_U in IA32_XSS: XSAVES and XRSTORS take the
 * supervisor component, which no instruction but XRSTORS rewrites. */
static void test_sapphirerapids_with_module(void **state)
{
	struct machine *m = load("intel-sapphirerapids.dump");
	struct plan p;

	(void)state;
	load_module(m, XFEATURE_MASK(XFEATURE_CET_USER));
	plan_components(m, SUITE_COMPONENTS, NULL, &p);
	assert_well_formed(m, &p);
	assert_runs(&p, "native/save/xsave/fp+pkru/modified");
	assert_runs(&p, "native/ring0/save/xsaves/fp+xtiledata/modified");
	assert_runs(&p, "native/ring0/save/xsaves/fp+cet_user/inuse");
	assert_runs(&p, "native/ring0/restore/xrstors/fp+cet_user/init");
	assert_skip(&p, "native/ring0/save/xsaves/fp+cet_user/modified", "0x800");
	assert_int_equal(count_ids(&p, "^native/ring0/save/xsave/fp\\+cet_user/"), 0);
	assert_int_equal(count_ids(&p, "^native/save/xsaves/"), 0);
	plan_free(&p);
	free(m);
}

/* AMD (XCR0 0xe7): no AMX cases; KMOVQ is there (AVX512BW). Without XSAVES, ring 0's
 * XSAVES cases name the bit before the missing module. */
static void test_amd(void **state)
{
	struct machine *m = load("amd-turin-bhyve.dump");
	struct plan p;

	(void)state;
	missing_module(m, "open /dev/xstate_bench: No such file or directory (errno 2)");
	plan_components(m, SUITE_COMPONENTS, NULL, &p);
	assert_well_formed(m, &p);
	assert_int_equal(count_ids(&p, "xtile"), 0);
	assert_runs(&p, "native/save/xsavec/fp+opmask/modified");
	assert_skip(&p, "native/ring0/save/xsaves/fp+hi16_zmm/inuse", "CPUID.(EAX=0DH,ECX=1):EAX[3]=0");
	assert_skip(&p, "native/ring0/save/xsavec/fp+hi16_zmm/modified", "(errno 2)");
	plan_free(&p);
	free(m);
}

/* Cascade Lake's MPX: saved and restored, but only XRSTOR writes it, so no modified case. */
static void test_mpx_is_not_rewritten(void **state)
{
	struct machine *m = load("intel-cascadelake-kvm.dump");
	struct plan p;

	(void)state;
	plan_components(m, SUITE_COMPONENTS, "^native/(save|restore)/", &p);
	assert_runs(&p, "native/save/xsave/fp+bndregs/inuse");
	assert_skip(&p, "native/save/xsave/fp+bndregs/modified", "no instruction but XRSTOR writes components 0x8");
	assert_skip(&p, "native/save/xsaveopt/fp+bndcsr/modified", "0x10");
	assert_runs(&p, "native/save/xsaveopt/fp+pkru/modified");
	plan_free(&p);
	free(m);
}

/* Sandy Bridge: no XSAVEC, so its cases skip with the bit; XSAVE and XSAVEOPT run. */
static void test_without_xsavec(void **state)
{
	struct machine *m = load("intel-sandybridge.dump");
	struct plan p;

	(void)state;
	plan_components(m, SUITE_COMPONENTS, "^native/(save|restore)/", &p);
	/* fp and avx; avx512 and amx modified skip (user is avx here) */
	assert_int_equal(p.count, 2 * (3 * 4 + 2) + 3 * 2);
	assert_skip(&p, "native/save/xsave/avx512/modified", "CPUID.(EAX=7,ECX=0):EBX[16]=0");
	assert_skip(&p, "native/save/xsavec/fp/inuse", "no XSAVEC on this CPU (CPUID.(EAX=0DH,ECX=1):EAX[1]=0)");
	assert_skip(&p, "native/save/xsavec/avx/modified", "CPUID.(EAX=0DH,ECX=1):EAX[1]=0");
	assert_runs(&p, "native/save/xsaveopt/avx/modified");
	assert_runs(&p, "native/restore/xrstor/avx/init");
	plan_free(&p);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_this_intel_machine),
		cmocka_unit_test(test_only_when_asked),
		cmocka_unit_test(test_sapphirerapids_with_module),
		cmocka_unit_test(test_amd),
		cmocka_unit_test(test_mpx_is_not_rewritten),
		cmocka_unit_test(test_without_xsavec),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
