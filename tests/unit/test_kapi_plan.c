/*
 * test_kapi_plan.c - planning the kapi site on recorded machines: on Sapphire Rapids (AMX,
 * XFD) with the module loaded and every kernel function resolved, every case runs, with
 * the masks the module is asked for; a function the kernel does not give the module, or
 * declares with another signature, skips exactly the cases that call it, naming it and
 * the kernel release; a CPU without XFD or AMX names the CPUID bit first; without the
 * module every case names its device and errno; the lab's QEMU TCG plans x87, SSE and AVX
 * (no init tracking is needed).
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

#define NR_KAPI_CASES 29
#define ALL_FNS ((1u << XB_KAPI_FN_COUNT) - 1)
#define TILEDATA XFEATURE_MASK(XFEATURE_XTILEDATA)

/* The module loaded on kernel @release, having resolved @resolved of the kernel's functions. */
static void load_module_on(struct machine *m, uint32_t resolved, uint32_t differs, const char *release)
{
	load_module(m, m->layout.xss);
	m->module.caps.kapi_resolved = resolved;
	m->module.caps.kapi_signature_differs = differs;
	snprintf(m->module.caps.release, sizeof(m->module.caps.release), "%s", release);
}

static void plan_kapi(const struct machine *m, struct plan *p)
{
	assert_int_equal(plan_build(m, SUITE_KAPI, NULL, p), 0);
	assert_int_equal(p->count, NR_KAPI_CASES);
	for (int i = 0; i < p->count; i++)
		assert_int_equal(strncmp(p->cases[i].id, "kapi/fpu/", 9), 0);
}

static void test_sapphirerapids_with_every_function(void **state)
{
	struct machine *m = load("intel-sapphirerapids.dump");
	struct plan p;

	(void)state;
	load_module_on(m, ALL_FNS, 0, "6.1.0-57-amd64");
	plan_kapi(m, &p);
	assert_int_equal(plan_runnable_count(&p), NR_KAPI_CASES);
	assert_int_equal(find(&p, "kapi/fpu/swap-kvm-fpstate/amx/need-load")->features, XFEATURES_AMX);
	assert_int_equal(find(&p, "kapi/fpu/enable-guest-xfd-features/amx")->features, XFEATURES_AMX);
	assert_int_equal(find(&p, "kapi/fpu/copy-uabi-to-guest-fpstate/fp/pre-xsave-guest")->condition,
			 XB_COND_PRE_XSAVE_GUEST);
	assert_int_equal(find(&p, "kapi/fpu/kernel-fpu-begin-end/avx512/live")->condition, XB_COND_LIVE);
	assert_runs(&p, "kapi/fpu/alloc-guest-fpstate/user");
	assert_runs(&p, "kapi/fpu/update-guest-xfd/amx");
	assert_runs(&p, "kapi/fpu/copy-guest-fpstate-to-uabi/amx/inuse");
	plan_free(&p);
	free(m);
}

/* A kernel without KVM (or one exporting to kvm only): the cases that call the function skip. */
static void test_function_not_exported(void **state)
{
	struct machine *m = load("intel-sapphirerapids.dump");
	struct plan p;

	(void)state;
	load_module_on(m, ALL_FNS & ~XB_KAPI_BIT(XB_KAPI_FPU_SWAP_KVM_FPSTATE), 0, "6.1.0-56-amd64");
	plan_kapi(m, &p);
	assert_skip(&p, "kapi/fpu/swap-kvm-fpstate/fp/live",
		    "kernel 6.1.0-56-amd64 does not export fpu_swap_kvm_fpstate() to modules");
	assert_skip(&p, "kapi/fpu/update-guest-xfd/amx", "fpu_swap_kvm_fpstate()"); /* swapped in to update */
	assert_runs(&p, "kapi/fpu/enable-guest-xfd-features/amx");
	assert_runs(&p, "kapi/fpu/kernel-fpu-begin-end/fp/live");
	assert_int_equal(plan_runnable_count(&p), NR_KAPI_CASES - 9);
	plan_free(&p);
	/* the guest realloc: the AMX cases need it, the others do not */
	load_module_on(m, ALL_FNS & ~XB_KAPI_BIT(XB_KAPI_FPU_ENABLE_GUEST_XFD_FEATURES), 0, "6.1.0-56-amd64");
	plan_kapi(m, &p);
	assert_skip(&p, "kapi/fpu/swap-kvm-fpstate/amx/live", "fpu_enable_guest_xfd_features()");
	assert_skip(&p, "kapi/fpu/copy-uabi-to-guest-fpstate/amx/inuse", "fpu_enable_guest_xfd_features()");
	assert_runs(&p, "kapi/fpu/swap-kvm-fpstate/avx512/live");
	assert_runs(&p, "kapi/fpu/kernel-fpu-begin-end/amx/live");
	plan_free(&p);
	free(m);
}

/* A later kernel's fpu_copy_guest_fpstate_to_uabi() with another argument list. */
static void test_signature_differs(void **state)
{
	struct machine *m = load("intel-sapphirerapids.dump");
	uint32_t to_uabi = XB_KAPI_BIT(XB_KAPI_FPU_COPY_GUEST_FPSTATE_TO_UABI);
	struct plan p;

	(void)state;
	load_module_on(m, ALL_FNS & ~to_uabi, to_uabi, "6.99.0-later");
	plan_kapi(m, &p);
	assert_skip(&p, "kapi/fpu/copy-guest-fpstate-to-uabi/avx/inuse",
		    "fpu_copy_guest_fpstate_to_uabi() of kernel 6.99.0-later has another signature");
	assert_runs(&p, "kapi/fpu/copy-uabi-to-guest-fpstate/avx/inuse");
	assert_int_equal(plan_runnable_count(&p), NR_KAPI_CASES - 4);
	plan_free(&p);
	free(m);
}

/* The CPU's reason comes before the module's. */
static void test_zen4_has_neither_xfd_nor_amx(void **state)
{
	struct machine *m = load("amd-zen4.dump");
	struct plan p;

	(void)state;
	load_module_on(m, ALL_FNS, 0, "6.1.0-57-amd64");
	plan_kapi(m, &p);
	assert_skip(&p, "kapi/fpu/enable-guest-xfd-features/amx", "no XFD on this CPU (CPUID.(EAX=0DH,ECX=1):EAX[4]=0)");
	assert_skip(&p, "kapi/fpu/update-guest-xfd/amx", "CPUID.(EAX=0DH,ECX=1):EAX[4]=0");
	assert_skip(&p, "kapi/fpu/swap-kvm-fpstate/amx/live", "CPUID.(EAX=7,ECX=0):EDX[24] AMX-TILE=0");
	assert_runs(&p, "kapi/fpu/swap-kvm-fpstate/avx512/need-load");
	assert_int_equal(plan_runnable_count(&p), NR_KAPI_CASES - 2 - 6);
	plan_free(&p);
	free(m);
}

static void test_without_module(void **state)
{
	struct machine *m = load("intel-sapphirerapids.dump");
	struct plan p;

	(void)state;
	missing_module(m, "open /dev/xstate_bench: No such file or directory (errno 2)");
	plan_kapi(m, &p);
	assert_int_equal(plan_runnable_count(&p), 0);
	for (int i = 0; i < p.count; i++)
		assert_non_null(strstr(p.cases[i].skip_reason,
					"needs the xstate_bench kernel module (host/module): open /dev/xstate_bench"));
	plan_free(&p);
	free(m);
}

static void test_lab_tcg(void **state)
{
	struct machine *m = load("qemu-tcg-lab.dump");
	struct plan p;

	(void)state;
	load_module_on(m, ALL_FNS, 0, "6.1.0-57-amd64");
	plan_kapi(m, &p);
	/* XINUSE is not tracked there, and no kapi case needs it */
	assert_runs(&p, "kapi/fpu/swap-kvm-fpstate/avx/need-load");
	assert_runs(&p, "kapi/fpu/kernel-fpu-begin-end/fp/live");
	assert_runs(&p, "kapi/fpu/copy-uabi-to-guest-fpstate/fp/pre-xsave-guest");
	assert_skip(&p, "kapi/fpu/swap-kvm-fpstate/avx512/live", "CPUID.(EAX=7,ECX=0):EBX[16]=0");
	assert_int_equal(plan_runnable_count(&p), 15);
	plan_free(&p);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sapphirerapids_with_every_function),
		cmocka_unit_test(test_function_not_exported),
		cmocka_unit_test(test_signature_differs),
		cmocka_unit_test(test_zen4_has_neither_xfd_nor_amx),
		cmocka_unit_test(test_without_module),
		cmocka_unit_test(test_lab_tcg),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
