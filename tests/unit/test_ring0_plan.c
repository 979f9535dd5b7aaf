/*
 * test_ring0_plan.c - planning the native/ring0 family on recorded machines: without the
 * module every case names the device it tried and the errno, unless the CPU already rules
 * it out (then the CPUID bit is named); with the module loaded (its capabilities as
 * host/module/ring0.c reports them for that CPU) the Sapphire Rapids cases run, `all`
 * takes in the supervisor components IA32_XSS enables, and what the module cannot load or
 * the kernel disabled is named.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "kernels/xstate_image.h"
#include "module_plan.h"

#define NR_RING0_CASES 106

static void plan_ring0(const struct machine *m, struct plan *p)
{
	assert_int_equal(plan_build(m, SUITE_NATIVE, "^native/ring0/", p), 0);
	assert_int_equal(p->count, NR_RING0_CASES);
}

static void test_without_module(void **state)
{
	struct machine *m = load("intel-sapphirerapids.dump");
	struct plan p;

	(void)state;
	missing_module(m, "open /dev/xstate_bench: No such file or directory (errno 2)");
	plan_ring0(m, &p);
	assert_int_equal(plan_runnable_count(&p), 0);
	for (int i = 0; i < p.count; i++) {
		assert_non_null(strstr(p.cases[i].skip_reason, "xstate_bench kernel module"));
		assert_non_null(strstr(p.cases[i].skip_reason, "open /dev/xstate_bench"));
		assert_non_null(strstr(p.cases[i].skip_reason, "(errno 2)"));
	}
	plan_free(&p);
	free(m);
}

static void test_recorded_machine(void **state)
{
	struct machine *m = load("intel-sapphirerapids.dump");
	struct plan p;

	(void)state;
	plan_ring0(m, &p); /* as `list --cpuid-dump` plans it */
	assert_skip(&p, "native/ring0/save/xsaves/all/inuse", "a recorded machine's module cannot be asked");
	plan_free(&p);
	free(m);
}

static void test_cpu_reason_comes_first(void **state)
{
	struct machine *m = load("amd-turin-bhyve.dump");
	struct plan p;

	(void)state;
	missing_module(m, "open /dev/xstate_bench: Permission denied (errno 13)");
	plan_ring0(m, &p);
	assert_skip(&p, "native/ring0/save/xsaves/avx512/inuse", "CPUID.(EAX=0DH,ECX=1):EAX[3]=0");
	assert_skip(&p, "native/ring0/restore/xrstors/all/init", "CPUID.(EAX=0DH,ECX=1):EAX[3]=0");
	assert_skip(&p, "native/ring0/msr/wrmsr-xfd/amx", "no XFD on this CPU (CPUID.(EAX=0DH,ECX=1):EAX[4]=0)");
	assert_skip(&p, "native/ring0/save/xsave/amx/init", "CPUID.(EAX=7,ECX=0):EDX[24]");
	assert_skip(&p, "native/ring0/save/xsavec/avx512/clean", "(errno 13)");
	plan_free(&p);
	free(m);
}

static void test_sapphirerapids_with_module(void **state)
{
	struct machine *m = load("intel-sapphirerapids.dump");
	const struct bench_case *c;
	struct plan p;

	(void)state;
	load_module(m, XFEATURE_MASK(XFEATURE_CET_USER));
	plan_ring0(m, &p);
	assert_int_equal(plan_runnable_count(&p), NR_RING0_CASES);
	c = find(&p, "native/ring0/save/xsaves/all/inuse");
	assert_int_equal(c->features, 0x602e7 | XFEATURE_MASK(XFEATURE_CET_USER));
	assert_int_equal(find(&p, "native/ring0/restore/xrstors/user/inuse")->features, 0x602e7);
	assert_int_equal(find(&p, "native/ring0/msr/wrmsr-xfd/amx")->features, XFEATURE_MASK(XFEATURE_XTILEDATA));
	assert_runs(&p, "native/ring0/restore/xrstors/avx512/init");
	assert_runs(&p, "native/ring0/save/xsaveopt/amx/clean");
	assert_runs(&p, "native/ring0/switch/pointer-swap/amx/live");
	assert_int_equal(find(&p, "native/ring0/switch/three-buffer/avx512/need-load")->features, XFEATURES_AVX512);
	plan_free(&p);
	free(m);
}

/* Arch LBR in IA32_XSS: the module knows no values it may load into it, so `all` skips. */
static void test_supervisor_state_without_safe_values(void **state)
{
	struct machine *m = load("intel-sapphirerapids.dump");
	struct plan p;

	(void)state;
	load_module(m, XFEATURE_MASK(XFEATURE_CET_USER) | XFEATURE_MASK(XFEATURE_LBR));
	plan_ring0(m, &p);
	assert_skip(&p, "native/ring0/save/xsaves/all/init", "0x8000");
	assert_skip(&p, "native/ring0/restore/xrstors/all/inuse", "0x8000");
	assert_runs(&p, "native/ring0/save/xsaves/user/inuse");
	plan_free(&p);
	free(m);
}

/* The kernel disabled XSAVES (the module keeps only what the kernel found usable). */
static void test_instruction_the_kernel_disabled(void **state)
{
	struct machine *m = load("intel-sapphirerapids.dump");
	struct plan p;

	(void)state;
	load_module(m, 0);
	m->module.caps.ops &= ~((1ULL << XB_OP_XSAVES) | (1ULL << XB_OP_XRSTORS));
	plan_ring0(m, &p);
	assert_skip(&p, "native/ring0/save/xsaves/avx/inuse", "the xstate_bench module cannot run xsaves");
	assert_skip(&p, "native/ring0/restore/xrstors/fp/init", "the xstate_bench module cannot run xrstors");
	assert_runs(&p, "native/ring0/save/xsavec/avx/inuse");
	plan_free(&p);
	free(m);
}

static void test_sandybridge_with_module(void **state)
{
	struct machine *m = load("intel-sandybridge.dump");
	struct plan p;

	(void)state;
	load_module(m, 0);
	plan_ring0(m, &p);
	assert_skip(&p, "native/ring0/save/xsavec/fp/init", "CPUID.(EAX=0DH,ECX=1):EAX[1]=0");
	assert_skip(&p, "native/ring0/save/xsave/avx512/inuse", "CPUID.(EAX=7,ECX=0):EBX[16]=0");
	assert_runs(&p, "native/ring0/save/xsaveopt/avx/clean");
	assert_runs(&p, "native/ring0/restore/xrstor/avx/inuse");
	plan_free(&p);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_without_module),
		cmocka_unit_test(test_recorded_machine),
		cmocka_unit_test(test_cpu_reason_comes_first),
		cmocka_unit_test(test_sapphirerapids_with_module),
		cmocka_unit_test(test_supervisor_state_without_safe_values),
		cmocka_unit_test(test_instruction_the_kernel_disabled),
		cmocka_unit_test(test_sandybridge_with_module),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
