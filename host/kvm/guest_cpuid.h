/*
 * guest_cpuid.h - the CPUID a guest sees: KVM_GET_SUPPORTED_CPUID, filtered to the xstate
 * features of one launch (feature bits of vector and state extensions whose components are
 * not allowed are cleared; leaf 0xD's masks, sizes and sub-leaves agree with the filtered
 * XCR0 and XSS), set on a vCPU with KVM_SET_CPUID2, and read back with KVM_GET_CPUID2 to
 * tell whether the KVM kept it (kvm_pvm does not).
 */
#ifndef XB_HOST_KVM_GUEST_CPUID_H
#define XB_HOST_KVM_GUEST_CPUID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm.h"

/* KVM_GET_SUPPORTED_CPUID into a malloc'd table, grown until it fits. */
int kvm_supported_cpuid(int kvm_fd, struct kvm_cpuid2 **out) XB_MUST_CHECK;

/* The entry of leaf @function, sub-leaf @index (ignored for leaves without sub-leaves), or NULL. */
struct kvm_cpuid_entry2 *kvm_cpuid_find(struct kvm_cpuid2 *c, uint32_t function, uint32_t index);

/*
 * Filters @c in place for a guest that may enable user features @xcr0 and supervisor
 * features @xss. Fails (-ENOTSUP) when KVM does not offer one of them, or when @xcr0 lacks
 * x87 (XCR0 bit 0 must be set).
 */
int kvm_cpuid_filter(struct kvm_cpuid2 *c, uint64_t xcr0, uint64_t xss) XB_MUST_CHECK;

/*
 * Makes @c a CPU from before XSAVE (Nehalem, Westmere): x87 and SSE only (@c filtered as for
 * XCR0 = x87|SSE), CPUID.1:ECX[26] XSAVE and [27] OSXSAVE clear, no leaf 0xD. KVM then gives
 * the guest no XCR0 beyond x87 (guest_supported_xcr0 is 0).
 */
int kvm_cpuid_without_xsave(struct kvm_cpuid2 *c) XB_MUST_CHECK;

/* KVM_SET_CPUID2. */
int kvm_vcpu_set_cpuid(const struct kvm_vcpu *vcpu, struct kvm_cpuid2 *c) XB_MUST_CHECK;

/* KVM_GET_CPUID2: the table the vCPU's CPUID answers from, malloc'd. */
int kvm_vcpu_get_cpuid(const struct kvm_vcpu *vcpu, struct kvm_cpuid2 **out) XB_MUST_CHECK;

/*
 * Whether @got (KVM_GET_CPUID2 after KVM_SET_CPUID2 of @set) keeps what kvm_cpuid_filter()
 * or kvm_cpuid_without_xsave() decided in @set: CPUID.(0DH,0):EDX:EAX, CPUID.(0DH,1):EDX:ECX
 * and every gated feature bit it cleared; for a table without leaf 0xD, no leaf 0xD and
 * CPUID.1:ECX[26] XSAVE as set. Fields KVM updates at run time (leaf 0xD's sizes, OSXSAVE) are not compared.
 * On false, @diff names the first field that differs and both values.
 */
bool kvm_cpuid_filter_kept(struct kvm_cpuid2 *set, struct kvm_cpuid2 *got, char *diff, size_t size);

/* The xfeatures KVM can give a guest: CPUID.(0DH,0) EDX:EAX of the supported table. */
uint64_t kvm_cpuid_xcr0_supported(struct kvm_cpuid2 *c);
/* The supervisor xfeatures: CPUID.(0DH,1) EDX:ECX. */
uint64_t kvm_cpuid_xss_supported(struct kvm_cpuid2 *c);

/* KVM_GET_DEVICE_ATTR(KVM_X86_XCOMP_GUEST_SUPP) on /dev/kvm: the xfeatures KVM can give
 * guests, dynamic ones included (unlike the supported CPUID, whatever the permission). */
int kvm_xcomp_guest_supp(int kvm_fd, uint64_t *supp) XB_MUST_CHECK;

/*
 * Attribute 1 of /dev/kvm's group 0, as proposed in "KVM: x86: Add a new system attribute for
 * dynamic XSTATE component" (Chang S. Bae, RFC, August 2022; not in Linux 6.1, which answers
 * ENXIO): KVM_GET_DEVICE_ATTR gives the process's guest permission limited to what KVM
 * supports (xstate_get_guest_group_perm() & kvm_caps.supported_xcr0, the mask
 * KVM_X86_XCOMP_GUEST_SUPP reports); KVM_SET_DEVICE_ATTR, whose address field holds a feature
 * number rather than a pointer, asks for guest permission as ARCH_REQ_XCOMP_GUEST_PERM does
 * (EOPNOTSUPP for a feature KVM does not support). The RFC leaves KVM_HAS_DEVICE_ATTR as it
 * was (ENXIO for this attribute).
 */
#define KVM_X86_XCOMP_GUEST_PERM 1
/* KVM_GET_DEVICE_ATTR of it; -errno on failure (the message names the attribute). */
int kvm_xcomp_guest_perm(int kvm_fd, uint64_t *perm) XB_MUST_CHECK;
/* KVM_HAS_DEVICE_ATTR of it: 0 or -errno, recording nothing. */
int kvm_xcomp_guest_perm_has(int kvm_fd);

#endif
