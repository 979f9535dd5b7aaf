/*
 * test_ring0_verify.c - the module's layout check in ring 0 (host/module/ring0_verify.c) in
 * user space: which requests it refuses and with which errno on recorded machines (Sapphire
 * Rapids with XSAVES and a supervisor component, Turin without XSAVES, Sandy Bridge without
 * XSAVEC), the components it loads and the mask and offset a compacted check of a supervisor
 * component runs with, its buffers, and real checks of the instructions user space can
 * execute (XSAVE, XSAVEC, XRSTOR) on this CPU through the same code the module runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <cmocka.h>

#include "host/machine.h"
#include "host/module/ring0.h"
#include "host/module/ring0_verify.h"
#include "host/xstate_buffer.h"
#include "kernels/xstate_verify.h"

static struct machine spr, turin, sandybridge, live;

static int setup(void **state)
{
	(void)state;
	if (machine_from_dump_file(&spr, TEST_CPUID_DIR "/intel-sapphirerapids.dump") ||
	    machine_from_dump_file(&turin, TEST_CPUID_DIR "/amd-turin-bhyve.dump") ||
	    machine_from_dump_file(&sandybridge, TEST_CPUID_DIR "/intel-sandybridge.dump") || machine_probe(&live))
		return -1;
	return spr.layout_error || turin.layout_error || sandybridge.layout_error || live.layout_error;
}

static void test_validate(void **state)
{
	struct xb_verify r = { .component = XFEATURE_CET_USER, .insn = XB_VERIFY_XSAVES };

	(void)state;
	assert_int_equal(ring0_verify_validate(&spr.layout, &r), 0);
	r.insn = XB_VERIFY_XRSTORS;
	assert_int_equal(ring0_verify_validate(&spr.layout, &r), 0);
	assert_int_equal(ring0_verify_validate(&turin.layout, &r), -EOPNOTSUPP); /* no XSAVES */
	r.insn = XB_VERIFY_XSAVEC;
	assert_int_equal(ring0_verify_validate(&turin.layout, &r), 0);
	assert_int_equal(ring0_verify_validate(&sandybridge.layout, &r), -EOPNOTSUPP); /* no XSAVEC */
	r.insn = XB_VERIFY_XRSTOR_COMPACTED;
	assert_int_equal(ring0_verify_validate(&sandybridge.layout, &r), -EOPNOTSUPP);
	r.insn = XB_VERIFY_INSN_COUNT;
	assert_int_equal(ring0_verify_validate(&spr.layout, &r), -EINVAL);
	r = (struct xb_verify){ .component = 64, .insn = XB_VERIFY_XSAVE };
	assert_int_equal(ring0_verify_validate(&spr.layout, &r), -EINVAL);
	r = (struct xb_verify){ .component = 1, .insn = XB_VERIFY_XSAVE, .reserved_in = 1 };
	assert_int_equal(ring0_verify_validate(&spr.layout, &r), -EINVAL);
}

static void test_supervisor_masks_and_offsets(void **state)
{
	const struct xstate_layout *l = &spr.layout;
	uint64_t loadable = ring0_loadable(l), rfbm;

	(void)state;
	/* Sapphire Rapids: XCR0 0x602e7, IA32_XSS 0x800 (CET_U), every one with a safe value */
	assert_int_equal(loadable, 0x602e7ULL | XFEATURE_MASK(XFEATURE_CET_USER));
	assert_int_equal(ring0_loadable(&turin.layout), 0xe7);
	/* XSAVES of CET_U runs over the components up to it, supervisor included; hand-worked
	 * compacted offsets as tests/cli/test_datasheet.py's */
	rfbm = xstate_verify_compacted_rfbm(l, loadable, loadable, XFEATURE_CET_USER);
	assert_int_equal(rfbm, 0xae7);
	assert_int_equal(xstate_offset(l, rfbm, XFEATURE_CET_USER, true), 2440);
	rfbm = xstate_verify_compacted_rfbm(l, loadable, loadable, XFEATURE_XTILEDATA);
	assert_int_equal(rfbm, 0x60ae7);
	assert_int_equal(xstate_offset(l, rfbm, XFEATURE_XTILEDATA, true), 2560);
	/* user space's XSAVEC checks see no supervisor component */
	assert_int_equal(xstate_verify_compacted_rfbm(l, loadable, 0, XFEATURE_XTILEDATA), 0x602e7);
	/* each buffer holds the standard area of XCR0 and the compacted one of XCR0 | IA32_XSS */
	assert_true(ring0_verify_buffer_bytes(l) >= xstate_size_standard(l, l->xcr0));
	assert_true(ring0_verify_buffer_bytes(l) >= xstate_size_compacted(l, l->xcr0 | l->xss));
	assert_int_equal(ring0_verify_buffer_bytes(l) % 64, 0);
}

/* The ring-0 code on this CPU, without XSAVES (user space cannot execute it): the caller's
 * state is kept with XSAVE, the checks are the module's. */
static void test_run_live(void **state)
{
	struct xstate_layout l = live.layout;
	uint32_t bytes;
	void *bufs[RING0_VERIFY_BUFFERS];
	int checked = 0;

	(void)state;
	l.xsaves = false;
	l.xss = 0;
	l.xcr0 &= ~xstate_xfd_capable(&l); /* not permitted to this process without arch_prctl */
	bytes = ring0_verify_buffer_bytes(&l);
	for (int i = 0; i < RING0_VERIFY_BUFFERS; i++)
		assert_non_null(bufs[i] = xstate_buffer_alloc(bytes));
	for (unsigned int id = 0; id < XSTATE_MAX_COMPONENTS; id++) {
		for (uint32_t insn = XB_VERIFY_XSAVE; insn <= XB_VERIFY_XRSTOR_COMPACTED; insn++) {
			struct xb_verify r = { .component = id, .insn = insn };

			if (!(ring0_loadable(&l) & (1ULL << id)) || ring0_verify_validate(&l, &r))
				continue;
			for (int attempt = 0; attempt < 16; attempt++) {
				ring0_verify_run(&l, &r, bufs);
				if (r.outcome != XV_DISTURBED)
					break;
			}
			if (r.outcome != XV_OK)
				fail_msg("component %u insn %u: outcome %u (rfbm 0x%llx)", id, insn, r.outcome,
					 (unsigned long long)r.rfbm);
			checked++;
		}
	}
	assert_true(checked >= 4); /* x87 and SSE with XSAVE and XRSTOR at least */
	/* XSAVES on a layout without it is refused by the check itself, not executed */
	{
		struct xb_verify r = { .component = XFEATURE_SSE, .insn = XB_VERIFY_XSAVES };

		ring0_verify_run(&l, &r, bufs);
		assert_int_equal(r.outcome, XV_BAD_ARGS);
	}
	for (int i = 0; i < RING0_VERIFY_BUFFERS; i++)
		xstate_buffer_free(bufs[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_validate),
		cmocka_unit_test(test_supervisor_masks_and_offsets),
		cmocka_unit_test(test_run_live),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
