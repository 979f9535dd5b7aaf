/*
 * kvm_roundtrip.h - KVM_RUN round trips made while the calling thread holds an xstate
 * (xstate_hold.h), so that the VMM's registers are in one known state at every entry into
 * the guest and on the way back: KVM saves them when it swaps in the guest's fpstate
 * (fpu_swap_kvm_fpstate()), and they must come back bit for bit. Raw ioctl system calls, no
 * vector code; the caller's own state is saved and restored around the batch.
 */
#ifndef XB_HOST_NATIVE_KVM_ROUNDTRIP_H
#define XB_HOST_NATIVE_KVM_ROUNDTRIP_H

#include <linux/kvm.h>
#include <stdint.h>

#include "xstate_hold.h"

struct kvm_roundtrip_result {
	struct held_batch batch;         /* error: -errno of a failed KVM_RUN */
	uint32_t wrong_exits;            /* exits that were not an OUT to the port */
	uint32_t last_reason, last_port; /* the last such exit's */
};

/*
 * One batch on @vcpu_fd (whose run structure is @run) (xstate_hold_batch): saves the
 * caller's state into @caller (@caller_mask), loads the hold and checks it, makes @warmup
 * round trips, times @n, checks the hold again and restores the caller's state. Each round
 * trip must exit on the guest's OUT to @port.
 */
void kvm_roundtrip_batch(int vcpu_fd, const volatile struct kvm_run *run, uint16_t port, uint32_t warmup,
			 uint32_t n, const struct xstate_hold *h, void *caller, uint64_t caller_mask,
			 struct kvm_roundtrip_result *out);

#endif
