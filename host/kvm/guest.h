/*
 * guest.h - a VM ready to enter: guest permission for the dynamic features it may use
 * (arch_prctl(ARCH_REQ_XCOMP_GUEST_PERM), asked before its vCPU exists), memory, one vCPU
 * whose CPUID is KVM's supported CPUID filtered to the launch's XCR0 and XSS, and XCR0 set
 * with KVM_SET_XCRS.
 */
#ifndef XB_HOST_KVM_GUEST_H
#define XB_HOST_KVM_GUEST_H

#include <stdint.h>

#include "vm.h"

struct kvm_guest {
	struct kvm_vm vm;
	struct kvm_vcpu vcpu;
	struct kvm_cpuid2 *cpuid; /* what the vCPU was given */
	uint64_t xcr0, xss;       /* what the guest may enable: the launch's, as far as KVM offers */
};

/* Asks for permission to give guests the dynamic features of @xcr0 (AMX tile data). */
int kvm_request_guest_perm(uint64_t xcr0) XB_MUST_CHECK;

/* KVM_SET_XCRS with XCR0 = @xcr0. */
int kvm_vcpu_set_xcr0(const struct kvm_vcpu *vcpu, uint64_t xcr0) XB_MUST_CHECK;

/* @xcr0 and @xss are what the guest may enable at most: the part KVM does not offer (MPX
 * on AMD, say) is left out of the guest's CPUID, not refused. */
int kvm_guest_create(struct kvm_guest *g, uint64_t mem_bytes, uint64_t xcr0, uint64_t xss) XB_MUST_CHECK;
void kvm_guest_destroy(struct kvm_guest *g);

#endif
