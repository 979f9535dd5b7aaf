/*
 * test_ids.c - the one vocabulary (base/ids.h): the id builder and parser and their round
 * trip, the feature-set and condition tables, the names of sets made of components, the case
 * matrices every site shares (kernels/case_matrix.h) and their rules, the CPU's reasons
 * (kernels/xstate_require.h) and the launchers' names.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "base/ids.h"
#include "host/guest_launcher.h"
#include "kernels/case_matrix.h"
#include "kernels/xstate_require.h"

static void test_id_format_and_parse(void **state)
{
	struct bench_id id = { SITE_NATIVE, true, GROUP_SAVE, "xsavec", "avx512", COND_INUSE };
	struct bench_id_parts p;
	char text[BENCH_ID_MAX], op[BENCH_ID_MAX];

	(void)state;
	assert_true(bench_id_format(&id, text, sizeof(text)));
	assert_string_equal(text, "native/ring0/save/xsavec/avx512/inuse");
	assert_true(bench_id_parse(text, &p));
	assert_int_equal(p.site, SITE_NATIVE);
	assert_true(p.ring0);
	assert_string_equal(p.group, "save");
	assert_string_equal(p.op, "xsavec");
	assert_string_equal(p.features, "avx512");
	assert_int_equal(p.cond, COND_INUSE);
	bench_id_operation(&p, op, sizeof(op));
	assert_string_equal(op, "native/ring0/save/xsavec");

	/* no condition */
	id = (struct bench_id){ SITE_GUEST, false, "exit", "xsetbv", "user", COND_NONE };
	assert_true(bench_id_format(&id, text, sizeof(text)));
	assert_string_equal(text, "guest/exit/xsetbv/user");
	assert_true(bench_id_parse(text, &p));
	assert_false(p.ring0);
	assert_int_equal(p.cond, COND_NONE);
	assert_string_equal(p.condition, "");

	/* too small a buffer: false, still terminated */
	assert_false(bench_id_format(&id, text, 8));
	assert_int_equal(strlen(text), 7);
	/* an id needs its site, group, op and feature set */
	id.op = NULL;
	assert_false(bench_id_format(&id, text, sizeof(text)));
}

static void test_parse_foreign_and_malformed(void **state)
{
	struct bench_id_parts p;

	(void)state;
	/* an imported benchmark keeps its words; an unknown condition word is COND_COUNT */
	assert_true(bench_id_parse("BM_copy/1/2/3/4", &p));
	assert_int_equal(p.site, SITE_COUNT);
	assert_string_equal(p.features, "3");
	assert_int_equal(p.cond, COND_COUNT);
	/* "ring0" is a place only under native */
	assert_true(bench_id_parse("kvm/ring0/a/b", &p));
	assert_false(p.ring0);
	assert_string_equal(p.group, "ring0");
	assert_false(bench_id_parse("native/save/xsave", &p));     /* too few parts */
	assert_false(bench_id_parse("native/a/b/c/d/e", &p));      /* too many */
	assert_false(bench_id_parse("native//xsave/fp/init", &p)); /* an empty part */
	assert_false(bench_id_parse("native/ring0/save/xsave", &p));
	assert_false(bench_id_parse("", &p));
}

/* Every row's name parses back to its set, names are unique, and the order is DESIGN.md's. */
static void test_feature_set_table(void **state)
{
	static const char *const order[] = { "none", "fp", "avx", "avx512", "user", "amx", "all" };
	const uint64_t xcr0 = 0x602e7, xss = 0x1800;

	(void)state;
	assert_int_equal(FS_COUNT, sizeof(order) / sizeof(order[0]));
	for (unsigned int fs = 0; fs < FS_COUNT; fs++) {
		uint64_t mask;

		assert_string_equal(feature_set_name(fs), order[fs]);
		assert_true(feature_set_parse(feature_set_name(fs), xcr0, xss, &mask));
		assert_int_equal(mask, feature_set_mask(fs, xcr0, xss));
		for (unsigned int other = 0; other < fs; other++)
			assert_string_not_equal(feature_set_name(fs), feature_set_name(other));
	}
	assert_int_equal(feature_set_mask(FS_NONE, xcr0, xss), 0);
	assert_int_equal(feature_set_mask(FS_USER, xcr0, xss), xcr0);
	assert_int_equal(feature_set_mask(FS_ALL, xcr0, xss), xcr0 | xss);
	assert_true(feature_set_supervisor(FS_ALL));
	assert_false(feature_set_supervisor(FS_USER));
	assert_false(feature_set_supervisor(FS_AMX));
	assert_null(feature_set_name(FS_COUNT));
}

/* A set of single components (the datasheet's ids): named from the largest row it holds and
 * the components' short names, read back by the parser. */
static void test_component_sets(void **state)
{
	const uint64_t xcr0 = 0x2e7;
	static const uint64_t masks[] = {
		XFEATURES_FP | XFEATURE_MASK(XFEATURE_ZMM_HI256),
		XFEATURES_AVX | XFEATURE_MASK(XFEATURE_PKRU),
		XFEATURE_MASK(XFEATURE_PKRU),
		XFEATURES_AVX512 | XFEATURE_MASK(XFEATURE_XTILECFG),
		0,
	};
	static const char *const names[] = { "fp+zmm_hi256", "avx+pkru", "pkru", "avx512+xtilecfg", "none" };

	(void)state;
	for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		char name[64];
		uint64_t back;

		feature_set_format(masks[i], xcr0, 0, name, sizeof(name));
		assert_string_equal(name, names[i]);
		assert_true(feature_set_parse(name, xcr0, 0, &back));
		assert_int_equal(back, masks[i]);
	}
}

static void test_condition_table(void **state)
{
	(void)state;
	assert_string_equal(condition_name(COND_INIT), "init");
	assert_string_equal(condition_name(COND_NEED_LOAD), "need-load");
	assert_null(condition_name(COND_NONE));
	assert_null(condition_name(COND_COUNT));
	for (unsigned int c = 0; c < COND_COUNT; c++)
		for (unsigned int other = 0; other < c; other++)
			if (condition_name(c) && condition_name(other))
				assert_string_not_equal(condition_name(c), condition_name(other));
	/* clean is about the save's modified optimization: saves only */
	assert_true(condition_takes(COND_CLEAN, COND_FOR_SAVE));
	assert_false(condition_takes(COND_CLEAN, COND_FOR_RESTORE));
	assert_true(condition_takes(COND_INIT, COND_FOR_RESTORE));
	assert_true(condition_takes(COND_LIVE, COND_FOR_SWITCH));
	assert_false(condition_takes(COND_LIVE, COND_FOR_SAVE));
	/* modified: saves only, and in the component list only */
	assert_string_equal(condition_name(COND_MODIFIED), "modified");
	assert_true(condition_takes(COND_MODIFIED, COND_FOR_SAVE));
	assert_false(condition_takes(COND_MODIFIED, COND_FOR_RESTORE));
	assert_false(condition_takes(COND_MODIFIED, COND_FOR_SWITCH));
	assert_true(condition_listed(COND_MODIFIED, FS_IN_COMPONENTS));
	assert_false(condition_listed(COND_MODIFIED, FS_IN_SAVES));
	assert_true(condition_listed(COND_INUSE, FS_IN_SAVES | FS_IN_COMPONENTS));
	/* the values the module takes as they are */
	assert_int_equal(COND_INIT, 0);
	assert_int_equal(COND_MODIFIED, 3);
	assert_int_equal(COND_NONE, 4);
	assert_int_equal(COND_PRE_XSAVE_GUEST, 7);
}

static int count_matching(const struct matrix_case *c, int n, enum xsave_op op, enum feature_set_id set)
{
	int k = 0;

	for (int i = 0; i < n; i++)
		k += c[i].op == op && c[i].set == set;
	return k;
}

/* The save/restore matrix of each site and its rules. */
static void test_save_matrix(void **state)
{
	static const enum matrix_site sites[] = { MATRIX_NATIVE, MATRIX_RING0, MATRIX_GUEST };
	static const int expected[] = { 60, 85, 85 };
	struct matrix_case c[MATRIX_CASES_MAX];

	(void)state;
	for (size_t s = 0; s < 3; s++) {
		int n = save_matrix(sites[s], c, MATRIX_CASES_MAX);
		char ids[MATRIX_CASES_MAX][BENCH_ID_MAX];

		assert_int_equal(n, expected[s]);
		assert_int_equal(save_matrix(sites[s], c, 2), n); /* counts past its room */
		n = save_matrix(sites[s], c, MATRIX_CASES_MAX);
		for (int i = 0; i < n; i++) {
			const struct xsave_op_info *info = xsave_op_info(c[i].op);
			struct bench_id id = matrix_case_id(sites[s], &c[i]);
			struct bench_id_parts p;

			assert_false(!info->save && c[i].cond == COND_CLEAN);
			assert_false(c[i].cond == COND_MODIFIED); /* the component list's only */
			assert_int_equal(c[i].added, 0);
			assert_false(feature_set_supervisor(c[i].set) && !info->ring0);
			assert_false(info->legacy_only && c[i].set != FS_FP);
			assert_false(info->ring0 && sites[s] == MATRIX_NATIVE);
			assert_false(info->legacy_only && sites[s] != MATRIX_NATIVE);
			assert_true(bench_id_format(&id, ids[i], sizeof(ids[i])));
			assert_true(bench_id_parse(ids[i], &p));
			assert_int_equal(p.ring0, sites[s] == MATRIX_RING0);
			assert_string_equal(p.op, info->name);
			assert_int_equal(p.cond, c[i].cond);
			for (int j = 0; j < i; j++)
				assert_string_not_equal(ids[i], ids[j]);
		}
	}
	assert_int_equal(count_matching(c, save_matrix(MATRIX_GUEST, c, MATRIX_CASES_MAX), XOP_XSAVES, FS_ALL), 3);
	assert_int_equal(count_matching(c, save_matrix(MATRIX_GUEST, c, MATRIX_CASES_MAX), XOP_XRSTORS, FS_ALL), 2);
}

/* A component list's case by its id; its feature set named as plan_matrix() names it. */
static void component_case_id(enum matrix_site site, const struct matrix_case *c, uint64_t xcr0, uint64_t xss,
			      char *out, size_t size)
{
	struct bench_id id = matrix_case_id(site, c);
	char features[BENCH_ID_MAX];
	uint64_t mask = feature_set_mask(c->set, xcr0, xss) | (c->added ? XFEATURE_MASK(c->added) : 0);

	feature_set_format(mask, xcr0, xss, features, sizeof(features));
	id.features = features;
	assert_true(bench_id_format(&id, out, size));
}

/*
 * The component list on this team's Intel machine's XCR0 (x87, SSE, AVX, AVX-512, AMX) and,
 * in ring 0, on Sapphire Rapids' with its supervisor states: the baseline fp and fp with
 * each component, each XSAVE-family instruction of the site, the save conditions with
 * modified and the restore's without, and the matrix's larger sets in modified; every id
 * parses back to its parts and its set.
 */
static void test_component_matrix(void **state)
{
	static const struct {
		enum matrix_site site;
		uint64_t xcr0, xss;
		int sets, user_sets; /* sets: XSAVES/XRSTORS's, with supervisor */
		int matrix_sets;     /* modified of the save/restore matrix's sets, over every save */
	} machines[] = {
		/* avx512, user and amx for xsave, xsaveopt, xsavec */
		{ MATRIX_NATIVE, 0x600e7, 0, 7, 7, 3 * 3 },
		/* the same in ring 0, and avx512, user, amx and all for xsaves */
		{ MATRIX_RING0, 0x602e7, 0x19d00, 14, 8, 3 * 3 + 4 },
	};
	struct matrix_case c[COMPONENT_CASES_MAX];

	(void)state;
	for (size_t k = 0; k < sizeof(machines) / sizeof(machines[0]); k++) {
		int n = component_matrix(machines[k].site, machines[k].xcr0, machines[k].xss, c, COMPONENT_CASES_MAX);
		/* xsave, xsaveopt, xsavec at 4 conditions over the user sets, xsaves over every set;
		 * xrstor at 2 over the user sets, xrstors over every set */
		int ring0 = machines[k].site == MATRIX_RING0;
		int want = 4 * (3 * machines[k].user_sets + ring0 * machines[k].sets) +
			   2 * (machines[k].user_sets + ring0 * machines[k].sets) + machines[k].matrix_sets;

		assert_int_equal(n, want);
		assert_int_equal(component_matrix(machines[k].site, machines[k].xcr0, machines[k].xss, c, 2), n);
		for (int i = 0; i < n; i++) {
			const struct xsave_op_info *info = xsave_op_info(c[i].op);
			char text[BENCH_ID_MAX];
			struct bench_id_parts p;
			uint64_t mask, want_mask = XFEATURES_FP | (c[i].added ? XFEATURE_MASK(c[i].added) : 0);

			assert_false(info->legacy_only);
			if (c[i].set != FS_FP) { /* a matrix set, in modified only */
				assert_int_equal(c[i].cond, COND_MODIFIED);
				assert_int_equal(c[i].added, 0);
				want_mask = feature_set_mask(c[i].set, machines[k].xcr0, machines[k].xss);
			}
			assert_true(condition_takes(c[i].cond, info->save ? COND_FOR_SAVE : COND_FOR_RESTORE));
			assert_false(c[i].added && (XFEATURE_MASK(c[i].added) & XFEATURES_SUPERVISOR) && !info->ring0);
			component_case_id(machines[k].site, &c[i], machines[k].xcr0, machines[k].xss, text, sizeof(text));
			assert_true(bench_id_parse(text, &p));
			assert_int_equal(p.ring0, machines[k].site == MATRIX_RING0);
			assert_string_equal(p.op, info->name);
			assert_int_equal(p.cond, c[i].cond);
			assert_true(feature_set_parse(p.features, machines[k].xcr0, machines[k].xss, &mask));
			assert_int_equal(mask, want_mask);
		}
	}
	/* the names the datasheet reads: x87+SSE+YMM is the avx row itself */
	{
		char text[BENCH_ID_MAX];
		struct matrix_case one = { XOP_XSAVEC, FPU_STRATEGY_POINTER_SWAP, FS_FP, COND_MODIFIED,
					   XFEATURE_ZMM_HI256 };

		component_case_id(MATRIX_NATIVE, &one, 0x600e7, 0, text, sizeof(text));
		assert_string_equal(text, "native/save/xsavec/fp+zmm_hi256/modified");
		one = (struct matrix_case){ XOP_XRSTOR, FPU_STRATEGY_POINTER_SWAP, FS_FP, COND_INIT, XFEATURE_YMM };
		component_case_id(MATRIX_NATIVE, &one, 0x600e7, 0, text, sizeof(text));
		assert_string_equal(text, "native/restore/xrstor/avx/init");
	}
}

static void test_switch_matrix(void **state)
{
	struct matrix_case c[MATRIX_CASES_MAX];
	int realloc_sets = 0, n;
	struct bench_id last;
	char id[BENCH_ID_MAX];

	(void)state;
	n = switch_matrix(MATRIX_NATIVE, c, MATRIX_CASES_MAX);
	assert_int_equal(n, 2 * 5 * 2 + 3 * 2);
	for (int i = 0; i < n; i++) {
		assert_int_equal(c[i].op, XOP_EMPTY);
		assert_false(feature_set_supervisor(c[i].set));
		if (c[i].strategy == FPU_STRATEGY_REALLOC)
			realloc_sets |= 1 << c[i].set;
	}
	/* the reallocation needs a smaller set to grow from */
	assert_int_equal(realloc_sets, 1 << FS_AVX | 1 << FS_AVX512 | 1 << FS_AMX);
	assert_int_equal(switch_matrix(MATRIX_RING0, c, MATRIX_CASES_MAX), 2 * 5 * 2);
	/* only the payload switches supervisor state */
	n = switch_matrix(MATRIX_GUEST, c, MATRIX_CASES_MAX);
	assert_int_equal(n, 2 * 6 * 2);
	last = matrix_case_id(MATRIX_GUEST, &c[n - 1]);
	assert_true(bench_id_format(&last, id, sizeof(id)));
	assert_string_equal(id, "guest/switch/three-buffer/all/live");
}

/* The CPU's reasons name the instruction, where it is missing, and the CPUID bit. */
static void test_cpu_reasons(void **state)
{
	struct xstate_layout l = { .xsaveopt = true };
	struct xstate_cpu cpu = { &l, true, false, false, false, "in the guest" };
	char why[160];

	(void)state;
	assert_true(xstate_require_op(&cpu, XOP_XSAVEOPT, why, sizeof(why)));
	assert_false(xstate_require_op(&cpu, XOP_XSAVEC, why, sizeof(why)));
	assert_string_equal(why, "no XSAVEC in the guest (CPUID.(EAX=0DH,ECX=1):EAX[1]=0)");
	cpu.where = "on this CPU";
	assert_true(xstate_require_cpuid(&cpu, XFEATURES_AVX, why, sizeof(why)));
	assert_false(xstate_require_cpuid(&cpu, XFEATURES_AMX, why, sizeof(why)));
	assert_string_equal(why, "no AVX-512 on this CPU (CPUID.(EAX=7,ECX=0):EBX[16]=0)");
}

static void test_launcher_names(void **state)
{
	int n = 0;

	(void)state;
	for (; guest_launchers[n]; n++) {
		assert_string_equal(guest_launcher_names[n], guest_launchers[n]->name);
		assert_ptr_equal(guest_launcher_find(guest_launcher_names[n]), guest_launchers[n]);
	}
	assert_null(guest_launcher_names[n]);
	assert_non_null(guest_launcher_find(GUEST_LAUNCHER_DEFAULT));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_id_format_and_parse),
		cmocka_unit_test(test_parse_foreign_and_malformed),
		cmocka_unit_test(test_feature_set_table),
		cmocka_unit_test(test_component_sets),
		cmocka_unit_test(test_condition_table),
		cmocka_unit_test(test_save_matrix),
		cmocka_unit_test(test_component_matrix),
		cmocka_unit_test(test_switch_matrix),
		cmocka_unit_test(test_cpu_reasons),
		cmocka_unit_test(test_launcher_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
