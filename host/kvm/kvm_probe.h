/*
 * kvm_probe.h - what /dev/kvm offers, for the probe: module, API version, the KVM_CAP_XSAVE2
 * buffer size, the guest-supported xfeatures, the proposed XCOMP_GUEST_PERM attribute, and
 * the supervisor states and CET of KVM's supported CPUID. It asks for the guests' dynamic features
 * first (kvm_guest_perm_request) and creates no vCPU; whether guests run on hardware
 * virtualization is kvm_guest_mode() (launcher.h), asked when needed.
 */
#ifndef XB_HOST_KVM_PROBE_H
#define XB_HOST_KVM_PROBE_H

#include "../machine.h"

void kvm_probe(struct kvm_info *out);

#endif
