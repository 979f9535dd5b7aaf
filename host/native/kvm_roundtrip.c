/*
 * kvm_roundtrip.c - held KVM_RUN round trips. No vector code.
 */
#include "kvm_roundtrip.h"

#include <sys/syscall.h>

#include "raw_syscall.h"

struct trips_ctx {
	int vcpu_fd;
	const volatile struct kvm_run *run;
	uint16_t port;
	struct kvm_roundtrip_result *out;
};

/* @n round trips; 0 or -errno of the first failed KVM_RUN. */
static long round_trips(void *ctx, uint32_t n)
{
	struct trips_ctx *t = ctx;

	for (uint32_t i = 0; i < n; i++) {
		long rc = raw_syscall3(SYS_ioctl, t->vcpu_fd, KVM_RUN, 0);

		if (rc)
			return rc;
		if (t->run->exit_reason != KVM_EXIT_IO || t->run->io.port != t->port ||
		    t->run->io.direction != KVM_EXIT_IO_OUT) {
			t->out->wrong_exits++;
			t->out->last_reason = t->run->exit_reason;
			t->out->last_port = t->run->io.port;
		}
	}
	return 0;
}

void kvm_roundtrip_batch(int vcpu_fd, const volatile struct kvm_run *run, uint16_t port, uint32_t warmup,
			 uint32_t n, const struct xstate_hold *h, void *caller, uint64_t caller_mask,
			 struct kvm_roundtrip_result *out)
{
	struct trips_ctx t = { vcpu_fd, run, port, out };

	out->wrong_exits = out->last_reason = out->last_port = 0;
	xstate_hold_batch(h, round_trips, &t, warmup, n, caller, caller_mask, &out->batch);
}
