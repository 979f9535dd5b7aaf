/*
 * kvm_roundtrip.c - held KVM_RUN round trips. No vector code.
 */
#include "kvm_roundtrip.h"

#include <sys/syscall.h>

#include "../../kernels/tsc.h"
#include "../../kernels/xsave_insn.h"
#include "raw_syscall.h"

/* @n round trips; 0 or -errno of the first failed KVM_RUN. */
static long round_trips(int vcpu_fd, const volatile struct kvm_run *run, uint16_t port, uint32_t n,
			struct kvm_roundtrip_result *out)
{
	for (uint32_t i = 0; i < n; i++) {
		long rc = raw_syscall3(SYS_ioctl, vcpu_fd, KVM_RUN, 0);

		if (rc)
			return rc;
		if (run->exit_reason != KVM_EXIT_IO || run->io.port != port || run->io.direction != KVM_EXIT_IO_OUT) {
			out->wrong_exits++;
			out->last_reason = run->exit_reason;
			out->last_port = run->io.port;
		}
	}
	return 0;
}

void kvm_roundtrip_batch(int vcpu_fd, const volatile struct kvm_run *run, uint16_t port, uint32_t warmup,
			 uint32_t n, const struct xstate_hold *h, void *caller, uint64_t caller_mask,
			 struct kvm_roundtrip_result *out)
{
	uint64_t t0, t1;

	*out = (struct kvm_roundtrip_result){ 0 };
	xsave(caller, caller_mask);
	xstate_hold_load(h);
	out->before = xstate_hold_check(h);
	if (out->before.check != HOLD_OK)
		goto out;
	out->error = round_trips(vcpu_fd, run, port, warmup, out);
	t0 = tsc_begin();
	if (!out->error)
		out->error = round_trips(vcpu_fd, run, port, n, out);
	t1 = tsc_end();
	out->gross_ticks = t1 - t0;
	out->after = xstate_hold_check(h);
out:
	xrstor(caller, caller_mask);
}
