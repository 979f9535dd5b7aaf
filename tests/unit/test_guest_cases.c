/*
 * test_guest_cases.c - what the payload and the host share: the work-list parser (words,
 * numbers, patterns, errors, the multiboot image name), pattern matching, the case table
 * (ids as DESIGN.md writes them) and the requirement checks against recorded machines.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <fnmatch.h>

#include "guest/cases.h"
#include "guest/worklist.h"
#include "host/machine.h"

static struct worklist w;

static void test_worklist_defaults_and_words(void **state)
{
	char err[128];

	(void)state;
	assert_true(worklist_parse(&w, "", false, err, sizeof(err)));
	assert_int_equal(w.reps, 5);
	assert_int_equal(w.ops, 128);
	assert_int_equal(w.min_ticks, 0);
	assert_int_equal(w.nr_patterns, 0);
	assert_true(w.xcr0_limit == ~(uint64_t)0);
	assert_true(worklist_parse(&w, "xcr0=0x7 case=guest/save/*", false, err, sizeof(err)));
	assert_int_equal(w.xcr0_limit, 0x7);
	assert_false(worklist_parse(&w, "xcr0=0", false, err, sizeof(err)));
	assert_false(worklist_parse(&w, "xcr0=avx", false, err, sizeof(err)));
	assert_true(worklist_parse(&w, "  reps=30 ops=0x40 min_ticks=41920000 max_batches=7 nocheck "
				   "case=guest/save/*,guest/exit/cpuid-0xd/user case=guest/xfd/* selftest=hang ",
				   false, err, sizeof(err)));
	assert_int_equal(w.reps, 30);
	assert_int_equal(w.ops, 64);
	assert_int_equal(w.min_ticks, 41920000);
	assert_int_equal(w.max_batches, 7);
	assert_true(w.nocheck);
	assert_false(w.probe);
	assert_false(w.exit_counter);
	assert_int_equal(w.selftest, SELFTEST_HANG);
	assert_int_equal(w.nr_patterns, 3);
	assert_string_equal(w.patterns[0], "guest/save/*");
	assert_string_equal(w.patterns[1], "guest/exit/cpuid-0xd/user");
	assert_string_equal(w.patterns[2], "guest/xfd/*");
	assert_true(worklist_parse(&w, "case=guest/exit/* exit_counter", false, err, sizeof(err)));
	assert_true(w.exit_counter);
	assert_false(worklist_parse(&w, "exit_counter=1", false, err, sizeof(err)));
}

static void test_worklist_multiboot_image_name(void **state)
{
	char err[128];

	(void)state;
	/* QEMU's multiboot loader puts the image's file name before the -append text */
	assert_true(worklist_parse(&w, "/build/xstate-guest.elf probe", true, err, sizeof(err)));
	assert_true(w.probe);
	assert_false(worklist_parse(&w, "/build/xstate-guest.elf probe", false, err, sizeof(err)));
	assert_non_null(strstr(err, "unknown word: '/build/xstate-guest.elf'"));
}

static void test_worklist_errors(void **state)
{
	static const struct {
		const char *text, *words;
	} bad[] = {
		{ "reps=0", "bad number: 'reps=0'" },
		{ "reps=1001", "bad number" },
		{ "ops=12x", "bad number" },
		{ "ops=", "bad number" },
		{ "min_ticks=99999999999999999999", "bad number" },
		{ "case=a,,b", "empty case pattern" },
		{ "case=", "empty case pattern" },
		{ "selftest=reboot", "unknown self test" },
		{ "probe=1", "unknown word" },
		{ "bogus", "unknown word: 'bogus'" },
	};
	char err[128], *huge;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (worklist_parse(&w, bad[i].text, false, err, sizeof(err)))
			fail_msg("accepted '%s'", bad[i].text);
		if (!strstr(err, bad[i].words))
			fail_msg("'%s': '%s' lacks '%s'", bad[i].text, err, bad[i].words);
	}
	huge = malloc(WORKLIST_MAX_BYTES + 10);
	assert_non_null(huge);
	memset(huge, 'a', WORKLIST_MAX_BYTES + 9);
	huge[WORKLIST_MAX_BYTES + 9] = '\0';
	assert_false(worklist_parse(&w, huge, false, err, sizeof(err)));
	assert_non_null(strstr(err, "longer than"));
	free(huge);
}

static void test_match(void **state)
{
	(void)state;
	assert_true(worklist_match("guest/exit/cpuid-0xd/user", "guest/exit/cpuid-0xd/user"));
	assert_false(worklist_match("guest/exit/cpuid-0xd", "guest/exit/cpuid-0xd/user"));
	assert_true(worklist_match("guest/*", "guest/save/xsave/fp/init"));
	assert_true(worklist_match("*/fp/*", "guest/save/xsave/fp/init"));
	assert_true(worklist_match("guest/save/*/fp/init", "guest/save/xsaveopt/fp/init"));
	assert_false(worklist_match("guest/save/*/fp/init", "guest/save/xsaveopt/fp/inuse"));
	assert_true(worklist_match("*", ""));
	assert_true(worklist_match("**x*", "abx"));
	assert_false(worklist_match("", "a"));
}

/*
 * Many stars against an id that does not match: a matcher that tries every split of the id
 * among the stars never finishes this (ctest's timeout fails it); and on random patterns of
 * 'a', 'b' and '*' the matcher agrees with fnmatch(3), whose '*' means the same.
 */
static void test_match_many_stars(void **state)
{
	char pattern[64], id[64];
	unsigned int seed = 1;

	(void)state;
	assert_false(worklist_match("********************************************ab",
				    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
	assert_true(worklist_match("**************a*b", "xxaxxxxxxxxxxxxxxxxxxxxb"));
	for (int t = 0; t < 20000; t++) {
		int np = rand_r(&seed) % 12, ni = rand_r(&seed) % 14;

		for (int i = 0; i < np; i++)
			pattern[i] = "ab**"[rand_r(&seed) % 4];
		pattern[np] = 0;
		for (int i = 0; i < ni; i++)
			id[i] = "ab"[rand_r(&seed) % 2];
		id[ni] = 0;
		assert_int_equal(worklist_match(pattern, id), fnmatch(pattern, id, 0) == 0);
	}
}

static struct guest_case table[GUEST_CASES_MAX];

static const struct guest_case *find(int n, const char *id)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(table[i].id, id))
			return &table[i];
	fail_msg("no case %s", id);
	return NULL;
}

static void test_case_table(void **state)
{
	int n = guest_cases_enumerate(table, GUEST_CASES_MAX);

	(void)state;
	assert_int_equal(n, 119);
	assert_int_equal(guest_cases_enumerate(table, 3), 119); /* counts past the room it has */
	n = guest_cases_enumerate(table, GUEST_CASES_MAX);
	for (int i = 0; i < n; i++) {
		int parts = 1;

		assert_memory_equal(table[i].id, "guest/", 6);
		for (const char *p = table[i].id; *p; p++)
			parts += *p == '/';
		assert_in_range(parts, 4, 5);
		for (int j = 0; j < i; j++)
			assert_string_not_equal(table[i].id, table[j].id);
	}
	assert_int_equal(find(n, "guest/save/xsaves/all/inuse")->op, XOP_XSAVES);
	assert_int_equal(find(n, "guest/restore/xrstors/all/init")->cond, XCOND_INIT);
	assert_int_equal(find(n, "guest/exit/xsetbv/user")->kind, GK_XSETBV);
	assert_int_equal(find(n, "guest/msr/wrmsr-xfd/amx")->kind, GK_WRMSR_XFD);
	assert_int_equal(find(n, "guest/msr/rdmsr-xfd-err/amx")->kind, GK_RDMSR_XFD_ERR);
	assert_int_equal(find(n, "guest/xfd/nm/amx")->kind, GK_XFD_NM);
	assert_int_equal(find(n, "guest/switch/three-buffer/all/need-load")->strategy, FPU_STRATEGY_THREE_BUFFER);
	assert_int_equal(find(n, "guest/switch/pointer-swap/amx/live")->switch_cond, FPU_COND_LIVE);
	/* "all" (supervisor components) only where XSAVES/XRSTORS can hold it; op only for those two kinds */
	for (int i = 0; i < n; i++) {
		if (table[i].kind != GK_SAVE && table[i].kind != GK_RESTORE)
			assert_int_equal(table[i].op, XOP_EMPTY);
		else if (strstr(table[i].id, "/all/"))
			assert_true(xsave_op_info(table[i].op)->ring0);
	}
}

/* Which cases count VM exits, which must see one per operation, and the rule on a sample. */
static void test_exit_claims(void **state)
{
	int n = guest_cases_enumerate(table, GUEST_CASES_MAX);

	(void)state;
	for (int i = 0; i < n; i++) {
		enum guest_exit_claim claim = guest_case_exit_claim(table[i].kind);
		bool exit_or_msr = !strncmp(table[i].id, "guest/exit/", 11) || !strncmp(table[i].id, "guest/msr/", 10);

		/* exactly the exit and MSR cases count */
		assert_int_equal(claim != EXITS_NOT_COUNTED, exit_or_msr);
		/* the IA32_XFD MSRs are passed through by KVM after the first write: counted only */
		if (strstr(table[i].id, "-xfd"))
			assert_int_equal(claim, EXITS_COUNTED);
		else if (exit_or_msr)
			assert_int_equal(claim, EXITS_EVERY_OP);
	}
	/* 128 CPUIDs: 128 exits of no other reason keep the claim (the I/O of the reads does not count) */
	assert_true(guest_exits_keep_claim(EXITS_EVERY_OP, 128, 129, 1));
	assert_true(guest_exits_keep_claim(EXITS_EVERY_OP, 128, 140, 3));
	/* XSETBV that never exits (TCG's SVM): only the counter's own I/O and an interrupt */
	assert_false(guest_exits_keep_claim(EXITS_EVERY_OP, 128, 2, 2));
	assert_false(guest_exits_keep_claim(EXITS_EVERY_OP, 128, 128, 1));
	assert_false(guest_exits_keep_claim(EXITS_EVERY_OP, 128, 1, 2)); /* inconsistent counts */
	/* counted only: any count keeps it */
	assert_true(guest_exits_keep_claim(EXITS_COUNTED, 128, 1, 1));
	assert_true(guest_exits_keep_claim(EXITS_NOT_COUNTED, 128, 0, 0));
}

/* The guest of a recorded machine, as the host plans it: what the payload would enable. */
static void guest_of(const char *dump, struct guest_cpu *g)
{
	static struct machine m;
	struct cpuid_provider p;
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", TEST_CPUID_DIR, dump);
	assert_int_equal(machine_from_dump_file(&m, path), 0);
	m.dump.xcr0 = guest_xcr0_wanted(&m.cpuid);
	cpuid_provider_from_dump(&p, &m.dump);
	guest_cpu_decode(g, &p, guest_xss_wanted(&m.cpuid));
}

static bool runnable(const struct guest_cpu *g, const char *id, char *why)
{
	int n = guest_cases_enumerate(table, GUEST_CASES_MAX);
	uint64_t mask;

	return guest_case_check(g, find(n, id), &mask, why, 200);
}

static void expect_skip(const struct guest_cpu *g, const char *id, const char *words)
{
	char why[200];

	if (runnable(g, id, why))
		fail_msg("%s is runnable", id);
	if (!strstr(why, words))
		fail_msg("%s: '%s' lacks '%s'", id, why, words);
}

static void test_checks_on_recorded_machines(void **state)
{
	static struct guest_cpu g;
	int n = guest_cases_enumerate(table, GUEST_CASES_MAX);
	char why[200];
	uint64_t mask;

	(void)state;
	guest_of("intel-sapphirerapids.dump", &g);
	assert_int_equal(g.layout.xss, XFEATURE_MASK(XFEATURE_PASID) | XFEATURE_MASK(XFEATURE_CET_USER) |
				       XFEATURE_MASK(XFEATURE_CET_KERNEL));
	for (int i = 0; i < n; i++)
		if (!guest_case_check(&g, &table[i], &mask, why, sizeof(why)))
			fail_msg("%s: %s", table[i].id, why);
	assert_true(guest_case_check(&g, find(n, "guest/save/xsaves/all/inuse"), &mask, why, sizeof(why)));
	assert_int_equal(mask, g.layout.xcr0 | g.layout.xss);
	g.init_untracked = 0x3;
	expect_skip(&g, "guest/restore/xrstor/fp/init", "does not track the init state");
	assert_true(runnable(&g, "guest/restore/xrstor/fp/inuse", why));

	guest_of("amd-turin-bhyve.dump", &g);
	assert_true(runnable(&g, "guest/save/xsavec/avx512/clean", why));
	expect_skip(&g, "guest/save/xsaves/fp/init", "CPUID.(EAX=0DH,ECX=1):EAX[3]=0");
	/* without XSAVES the ring-0 switch falls back to XSAVEOPT/XRSTOR, as the kernel does */
	assert_true(runnable(&g, "guest/switch/pointer-swap/avx512/live", why));
	expect_skip(&g, "guest/msr/wrmsr-xss/all", "CPUID.(EAX=0DH,ECX=1):EAX[3]=0");
	expect_skip(&g, "guest/xfd/nm/amx", "CPUID.(EAX=0DH,ECX=1):EAX[4]=0");
	expect_skip(&g, "guest/save/xsave/amx/inuse", "CPUID.(EAX=7,ECX=0):EDX[24]");

	guest_of("intel-sandybridge.dump", &g);
	expect_skip(&g, "guest/save/xsavec/fp/inuse", "CPUID.(EAX=0DH,ECX=1):EAX[1]=0");
	expect_skip(&g, "guest/exit/xsetbv/avx512", "CPUID.(EAX=7,ECX=0):EBX[16]=0");
	assert_true(runnable(&g, "guest/exit/xsetbv/avx", why));
	expect_skip(&g, "guest/switch/three-buffer/avx512/need-load", "CPUID.(EAX=7,ECX=0):EBX[16]=0");
	assert_true(runnable(&g, "guest/switch/three-buffer/avx/need-load", why));

	guest_of("intel-westmere.dump", &g);
	expect_skip(&g, "guest/exit/cpuid-0xd/user", "CPUID.1:ECX[26]=0");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_worklist_defaults_and_words),
		cmocka_unit_test(test_match_many_stars),
		cmocka_unit_test(test_worklist_multiboot_image_name),
		cmocka_unit_test(test_worklist_errors),
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_case_table),
		cmocka_unit_test(test_exit_claims),
		cmocka_unit_test(test_checks_on_recorded_machines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
