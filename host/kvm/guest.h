/*
 * guest.h - a VM ready to enter: guest permission for the dynamic features KVM offers
 * (arch_prctl(ARCH_REQ_XCOMP_GUEST_PERM), asked before the process's first vCPU exists),
 * memory, one vCPU whose CPUID is KVM's supported CPUID filtered to the launch's XCR0 and
 * XSS (or a CPU's without XSAVE), and XCR0 set with KVM_SET_XCRS; and whether the vCPU kept
 * that CPUID.
 */
#ifndef XB_HOST_KVM_GUEST_H
#define XB_HOST_KVM_GUEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm.h"

struct kvm_guest {
	struct kvm_vm vm;
	struct kvm_vcpu vcpu;
	struct kvm_cpuid2 *cpuid; /* the filtered table given to KVM_SET_CPUID2 */
};

/*
 * Asks for guest permission for every dynamic feature KVM offers guests (AMX tile data:
 * KVM_X86_XCOMP_GUEST_SUPP & XFD-capable), once per process: the kernel locks a process's
 * guest permissions when its first vCPU is created, and a later request fails with EBUSY.
 * kvm_probe() and kvm_guest_create() call it, and so must anything else that creates a vCPU;
 * later calls return the first call's result.
 */
int kvm_guest_perm_request(void) XB_MUST_CHECK;

/* KVM_SET_XCRS with XCR0 = @xcr0. */
int kvm_vcpu_set_xcr0(const struct kvm_vcpu *vcpu, uint64_t xcr0) XB_MUST_CHECK;

/* @xcr0 for a guest whose CPU has no XSAVE at all (kvm_cpuid_without_xsave): its XCR0 is
 * left at KVM's reset value. */
#define KVM_GUEST_NO_XSAVE 0

/* @xcr0 and @xss are what the guest may enable at most: the part KVM does not offer (MPX
 * on AMD, say) is left out of the guest's CPUID, not refused. */
int kvm_guest_create(struct kvm_guest *g, uint64_t mem_bytes, uint64_t xcr0, uint64_t xss) XB_MUST_CHECK;

/* A guest of a few hand-assembled instructions: kvm_guest_create() for @xcr0 with 4 MiB,
 * @code at GUEST_PAYLOAD_MIN_PADDR and the vCPU there in 64-bit mode with CR4.OSFXSR,
 * OSXMMEXCPT and (unless KVM_GUEST_NO_XSAVE) OSXSAVE. */
int kvm_guest_create_code(struct kvm_guest *g, uint64_t xcr0, const uint8_t *code, size_t size) XB_MUST_CHECK;

void kvm_guest_destroy(struct kvm_guest *g);

/* KVM_GET_CPUID2 of @g's vCPU compared with the table it was set (kvm_cpuid_filter_kept):
 * *@kept, and on false @diff names what differs; an error only when the ioctl fails. */
int kvm_guest_cpuid_kept(const struct kvm_guest *g, bool *kept, char *diff, size_t size) XB_MUST_CHECK;

#endif
