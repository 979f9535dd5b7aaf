/*
 * kvm_probe.h - what /dev/kvm offers, for the probe: module, API version, the KVM_CAP_XSAVE2
 * buffer size and the guest-supported xfeatures.
 */
#ifndef XB_HOST_KVM_PROBE_H
#define XB_HOST_KVM_PROBE_H

#include "../machine.h"

void kvm_probe(struct kvm_info *out);

#endif
