/*
 * test_module_ioctl.c - the loaded xstate_bench module through its device: the capability
 * query (with the kernel functions it resolved), one batch of each kind this CPU can run,
 * kapi batches on the kernel's own functions (a guest fpstate allocated and described,
 * seed 001's image given to a guest without XSAVE), the layout checked in ring 0 for every
 * component the module loads with every instruction this CPU has (supervisor components
 * with XSAVES/XRSTORS only), and every refusal the uAPI promises
 * (EINVAL for a malformed request, EOPNOTSUPP for what this CPU cannot run, ENOTTY for an
 * unknown ioctl, EFAULT for a bad pointer). Every test skips where the module is not loaded
 * (this machine cannot load modules); the lab runs them on a real kernel
 * (tests/lab/test_lab_ring0.py).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <cmocka.h>

#include "host/module/xstate_bench_uapi.h"
#include "base/xfeature.h"
#include "kernels/xstate_verify.h"

static int fd = -1;
static struct xb_caps caps;

static int setup(void **state)
{
	(void)state;
	fd = open(XB_DEVICE_PATH, O_RDWR | O_CLOEXEC);
	if (fd >= 0 && ioctl(fd, XB_IOC_CAPS, &caps))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (fd >= 0)
		close(fd);
	return 0;
}

static void need_module(void)
{
	if (fd < 0)
		skip();
}

static struct xb_batch request(uint32_t op, uint32_t cond, uint64_t mask)
{
	return (struct xb_batch){ .op = op, .cond = cond, .mask = mask, .ops = 32, .warmup_ops = 4, .seed = 3 };
}

/* The errno of one batch ioctl, 0 when it succeeded. */
static int batch_errno(struct xb_batch *b)
{
	return ioctl(fd, XB_IOC_BATCH, b) ? errno : 0;
}

/* The instruction's CPUID bit, as the module reports it. */
static bool verify_insn_on_cpu(uint32_t insn)
{
	if (insn == XB_VERIFY_XSAVEC || insn == XB_VERIFY_XRSTOR_COMPACTED)
		return caps.flags & XB_CAP_XSAVEC;
	if (insn == XB_VERIFY_XSAVES || insn == XB_VERIFY_XRSTORS)
		return caps.flags & XB_CAP_XSAVES;
	return true;
}

/* Whether "COMPONENT/INSN" is in $XB_VERIFY_EXPECTED_FINDINGS (comma-separated): a known
 * deviation of the CPU under test from the SDM (the lab's emulator), which must then be found. */
static bool expected_finding(uint32_t id, uint32_t insn)
{
	const char *list = getenv("XB_VERIFY_EXPECTED_FINDINGS");
	char item[32];
	size_t n;

	if (!list)
		return false;
	n = (size_t)snprintf(item, sizeof(item), "%u/%u", id, insn);
	for (const char *p = strstr(list, item); p; p = strstr(p + 1, item))
		if ((p == list || p[-1] == ',') && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

static void test_verify(void **state)
{
	int checked = 0, supervisor_checked = 0, wrong = 0;

	(void)state;
	need_module();
	for (uint32_t id = 0; id < 64; id++) {
		bool supervisor = caps.xss & (1ULL << id);

		if (!(caps.loadable & (1ULL << id)))
			continue;
		for (uint32_t insn = 0; insn < XB_VERIFY_INSN_COUNT; insn++) {
			bool by_xsaves = insn == XB_VERIFY_XSAVES || insn == XB_VERIFY_XRSTORS, expected;
			struct xb_verify r = { .component = id, .insn = insn };

			if (!verify_insn_on_cpu(insn)) {
				assert_int_equal(ioctl(fd, XB_IOC_VERIFY, &r), -1);
				assert_int_equal(errno, EOPNOTSUPP);
				continue;
			}
			for (int attempt = 0; attempt < 8; attempt++) {
				assert_int_equal(ioctl(fd, XB_IOC_VERIFY, &r), 0);
				if (r.outcome != XV_DISTURBED)
					break;
			}
			if (supervisor && !by_xsaves) { /* only XSAVES/XRSTORS reach it */
				assert_int_equal(r.outcome, XV_BAD_ARGS);
				continue;
			}
			expected = expected_finding(id, insn);
			print_message("ring-0 check: component %u, instruction %u: outcome %u%s, rfbm 0x%llx, offset %u, "
				      "stray %u bytes at %u, content %d, expected 0x%llx, actual 0x%llx\n", id, insn,
				      r.outcome, expected ? " (a finding expected)" : "", (unsigned long long)r.rfbm,
				      r.offset, r.stray_bytes, r.stray_offset, r.content_component,
				      (unsigned long long)r.expected, (unsigned long long)r.actual);
			if (expected ? r.outcome == XV_OK || r.outcome == XV_BAD_ARGS || r.outcome == XV_DISTURBED
				     : r.outcome != XV_OK) {
				wrong++;
				continue;
			}
			checked++;
			supervisor_checked += supervisor;
		}
	}
	print_message("ring-0 layout checks passed: %d (%d of supervisor components)\n", checked, supervisor_checked);
	assert_int_equal(wrong, 0);
	assert_true(checked >= 4); /* x87 and SSE with XSAVE and XRSTOR at least */
	{
		struct xb_verify bad = { .component = 64, .insn = XB_VERIFY_XSAVE };

		assert_int_equal(ioctl(fd, XB_IOC_VERIFY, &bad), -1);
		assert_int_equal(errno, EINVAL);
		bad = (struct xb_verify){ .component = 0, .insn = XB_VERIFY_INSN_COUNT };
		assert_int_equal(ioctl(fd, XB_IOC_VERIFY, &bad), -1);
		assert_int_equal(errno, EINVAL);
	}
}

static void test_caps(void **state)
{
	(void)state;
	need_module();
	assert_int_equal(caps.version, XB_UAPI_VERSION);
	assert_int_equal(caps.max_ops, XB_MAX_OPS);
	assert_true(caps.xcr0 & XFEATURES_FP);
	assert_true(caps.ops & (1ULL << XB_OP_XSAVE));
	assert_true(caps.ops & (1ULL << XB_OP_XRSTOR));
	assert_int_equal(caps.loadable & ~(caps.xcr0 | caps.xss), 0);
	assert_int_equal(!!(caps.ops & (1ULL << XB_OP_XSAVES)), !!(caps.flags & XB_CAP_XSAVES));
	assert_true(caps.release[0]);
	/* exported by every kernel since 5.16 whatever its configuration */
	assert_int_equal(caps.kapi_resolved & XB_KAPI_TASK_STATE, XB_KAPI_TASK_STATE);
	assert_int_equal(caps.kapi_resolved & caps.kapi_signature_differs, 0);
	assert_int_equal(caps.kapi_resolved >> XB_KAPI_FN_COUNT, 0);
}

static struct xb_kapi_batch kapi_request(uint32_t op, uint32_t cond, uint64_t mask, uint64_t load_mask)
{
	return (struct xb_kapi_batch){ .op = op, .cond = cond, .mask = mask, .load_mask = load_mask, .ops = 8,
				       .warmup_ops = 2, .seed = 3 };
}

static int kapi_errno(struct xb_kapi_batch *b)
{
	return ioctl(fd, XB_IOC_KAPI, b) ? errno : 0;
}

/* The kernel's own functions, where it gives them to modules (a kernel with KVM does). */
static void test_kapi_batches(void **state)
{
	struct xb_kapi_batch b;

	(void)state;
	need_module();
	if ((caps.kapi_resolved & XB_KAPI_GUEST_FPSTATE) != XB_KAPI_GUEST_FPSTATE)
		skip();
	b = kapi_request(XB_KAPI_OP_ALLOC_GUEST_FPSTATE, XB_COND_NONE, 0, 0);
	assert_int_equal(kapi_errno(&b), 0);
	if (b.check)
		fail_msg("alloc: %s", b.check_message);
	assert_int_equal(b.ret, 1); /* true */
	assert_true(b.flags & XB_KAPI_PREEMPTIBLE);
	assert_true(b.gross_ticks > 0 && b.empty_ticks > 0);
	assert_true(b.guest_before.size >= 576 && b.guest_before.user_size >= 576);
	assert_int_equal(b.guest_before.xfeatures & XFEATURES_FP, XFEATURES_FP);
	assert_int_equal(b.guest_before.flags & (XB_KAPI_FPSTATE_VALLOC | XB_KAPI_FPSTATE_GUEST | XB_KAPI_FPSTATE_IN_USE),
			 XB_KAPI_FPSTATE_VALLOC | XB_KAPI_FPSTATE_GUEST);
	assert_memory_equal(&b.guest_before, &b.guest_after, sizeof(b.guest_before));
	assert_true(b.task_fpstate_size >= 576);
	if (!(caps.kapi_resolved & XB_KAPI_BIT(XB_KAPI_FPU_COPY_UABI_TO_GUEST_FPSTATE)))
		return;
	/* seed 001: x87 and SSE for a guest whose xcr0 is 0: accepted or refused, the same every call */
	b = kapi_request(XB_KAPI_OP_COPY_UABI_TO_GUEST_FPSTATE, XB_COND_PRE_XSAVE_GUEST, XFEATURES_FP, XFEATURES_FP);
	assert_int_equal(kapi_errno(&b), 0);
	if (b.check)
		fail_msg("pre-xsave-guest: %s", b.check_message);
	assert_true(b.ret == 0 || b.ret == -EINVAL);
	assert_false(b.flags & XB_KAPI_PREEMPTIBLE);
}

static void test_kapi_refusals(void **state)
{
	struct xb_kapi_batch b;

	(void)state;
	need_module();
	b = kapi_request(XB_KAPI_OP_ALLOC_GUEST_FPSTATE, XB_COND_NONE, 0, 0);
	b.reserved_in = 1;
	assert_int_equal(kapi_errno(&b), EINVAL);
	b = kapi_request(XB_KAPI_OP_COUNT, XB_COND_NONE, 0, 0);
	assert_int_equal(kapi_errno(&b), EINVAL);
	b = kapi_request(XB_KAPI_OP_SWAP_KVM_FPSTATE, XB_COND_INUSE, XFEATURES_FP, XFEATURES_FP);
	assert_int_equal(kapi_errno(&b), EINVAL);
	b = kapi_request(XB_KAPI_OP_KERNEL_FPU_BEGIN_END, XB_COND_LIVE, XFEATURES_FP, XFEATURES_FP | (1ULL << 62));
	assert_int_equal(kapi_errno(&b), EINVAL);
	b = kapi_request(XB_KAPI_OP_ALLOC_GUEST_FPSTATE, XB_COND_NONE, 0, 0);
	b.ops = XB_MAX_OPS + 1;
	assert_int_equal(kapi_errno(&b), EINVAL);
	if (!(caps.flags & XB_CAP_XFD)) {
		b = kapi_request(XB_KAPI_OP_UPDATE_GUEST_XFD, XB_COND_NONE, XFEATURE_MASK(XFEATURE_XTILEDATA), 0);
		assert_int_equal(kapi_errno(&b), (caps.xcr0 & XFEATURE_MASK(XFEATURE_XTILEDATA)) ? EOPNOTSUPP : EINVAL);
	}
	assert_int_equal(ioctl(fd, XB_IOC_KAPI, (void *)16), -1);
	assert_int_equal(errno, EFAULT);
}

/* A save, a restore and a switch of x87 and SSE in use: numbers, and every check passed. */
static void test_batches(void **state)
{
	static const struct { uint32_t op, cond; } kinds[] = {
		{ XB_OP_XSAVE, XB_COND_INUSE },
		{ XB_OP_XRSTOR, XB_COND_INUSE },
		{ XB_OP_SWITCH_POINTER_SWAP, XB_COND_LIVE },
		{ XB_OP_SWITCH_THREE_BUFFER, XB_COND_NEED_LOAD },
	};

	(void)state;
	need_module();
	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		struct xb_batch b = request(kinds[i].op, kinds[i].cond, XFEATURES_FP);

		assert_int_equal(batch_errno(&b), 0);
		if (b.check)
			fail_msg("op %u: %s", kinds[i].op, b.check_message);
		assert_true(b.gross_ticks > 0);
		assert_true(b.empty_ticks > 0);
		assert_int_equal(b.ops, 32);
		assert_true(b.buffer_bytes >= 576);
		assert_true(b.insns[0]);
		if (caps.flags & XB_CAP_XGETBV1) {
			assert_true(b.flags & XB_BATCH_XINUSE_CHECKED);
			assert_int_equal(b.xinuse_before & XFEATURES_FP, XFEATURES_FP);
		}
	}
}

static void test_malformed_requests(void **state)
{
	struct xb_batch b;

	(void)state;
	need_module();
	b = request(XB_OP_XSAVE, XB_COND_INUSE, XFEATURES_FP);
	b.ops = 0;
	assert_int_equal(batch_errno(&b), EINVAL);
	b.ops = XB_MAX_OPS + 1;
	assert_int_equal(batch_errno(&b), EINVAL);
	b = request(XB_OP_XSAVE, XB_COND_INUSE, XFEATURES_FP);
	b.reserved_in = 1;
	assert_int_equal(batch_errno(&b), EINVAL);
	b = request(XB_OP_COUNT, XB_COND_INUSE, XFEATURES_FP);
	assert_int_equal(batch_errno(&b), EINVAL);
	b = request(XB_OP_XRSTOR, XB_COND_CLEAN, XFEATURES_FP);
	assert_int_equal(batch_errno(&b), EINVAL);
	b = request(XB_OP_XSAVE, XB_COND_INUSE, 1ULL << 62); /* never in XCR0 */
	assert_int_equal(batch_errno(&b), EINVAL);
	assert_int_equal(ioctl(fd, _IOWR(XB_IOC_MAGIC, 99, struct xb_batch), &b), -1);
	assert_int_equal(errno, ENOTTY);
	assert_int_equal(ioctl(fd, XB_IOC_BATCH, (void *)16), -1);
	assert_int_equal(errno, EFAULT);
}

/* What this CPU lacks is refused, never executed. */
static void test_unsupported_requests(void **state)
{
	struct xb_batch b;

	(void)state;
	need_module();
	if (!(caps.flags & XB_CAP_XSAVES)) {
		b = request(XB_OP_XSAVES, XB_COND_INUSE, XFEATURES_FP);
		assert_int_equal(batch_errno(&b), EOPNOTSUPP);
		b = request(XB_OP_XRSTORS, XB_COND_INIT, XFEATURES_FP);
		assert_int_equal(batch_errno(&b), EOPNOTSUPP);
	}
	if (!(caps.flags & XB_CAP_XSAVEC)) {
		b = request(XB_OP_XSAVEC, XB_COND_INUSE, XFEATURES_FP);
		assert_int_equal(batch_errno(&b), EOPNOTSUPP);
	}
	if (!(caps.flags & XB_CAP_XFD)) {
		b = request(XB_OP_WRMSR_XFD, XB_COND_NONE, XFEATURE_MASK(XFEATURE_XTILEDATA));
		assert_int_equal(batch_errno(&b), EOPNOTSUPP);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_caps),
		cmocka_unit_test(test_batches),
		cmocka_unit_test(test_malformed_requests),
		cmocka_unit_test(test_unsupported_requests),
		cmocka_unit_test(test_kapi_batches),
		cmocka_unit_test(test_kapi_refusals),
		cmocka_unit_test(test_verify),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
