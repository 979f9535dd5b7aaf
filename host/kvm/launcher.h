/*
 * launcher.h - this project's VMM as the "kvm" guest launcher (host/guest_launcher.h), and
 * what it can tell about the KVM it runs on.
 */
#ifndef XB_HOST_KVM_LAUNCHER_H
#define XB_HOST_KVM_LAUNCHER_H

#include <stdbool.h>
#include <stddef.h>

#include "../guest_launcher.h"

extern const struct guest_launcher kvm_launcher;

enum kvm_guest_mode {
	KVM_GUEST_HARDWARE,  /* VMX or SVM: guest ring-0 code runs */
	KVM_GUEST_CLASSIC,   /* the KVM can only emulate a classic guest (XGETBV fails to emulate) */
	KVM_GUEST_UNKNOWN,   /* no /dev/kvm, or the test guest did something else; @why says */
};

/*
 * Runs a tiny guest that executes XGETBV and reports how far it got: a KVM without VMX or
 * SVM (kvm_pvm) ends it with KVM_EXIT_INTERNAL_ERROR, emulation failure, on XGETBV. The guest
 * runs once per process, the first time this is called; later calls give the same answer.
 * *@why is set to a sentence for the probe and for skip reasons.
 */
enum kvm_guest_mode kvm_guest_mode(const char **why);

enum kvm_guest_cpuid {
	KVM_GUEST_CPUID_KEPT,     /* a guest's CPUID answers from the table the VMM set */
	KVM_GUEST_CPUID_REPLACED, /* KVM replaces its xstate part (kvm_pvm): no filtered guest */
	KVM_GUEST_CPUID_UNKNOWN,  /* no /dev/kvm, or the vCPU could not be set up; @why says */
};

/*
 * Sets a vCPU's CPUID filtered to x87 and SSE (kvm_guest_create) and reads it back with
 * KVM_GET_CPUID2: a guest's CPUID instruction answers from that table (it always exits to,
 * or is emulated by, KVM). kvm_pvm gives back its own CPUID.(0DH,0) and feature bits, so
 * no guest of a launch sees the launch's features. Once per process, like kvm_guest_mode();
 * *@why is a sentence for the probe and for skip reasons.
 */
enum kvm_guest_cpuid kvm_guest_cpuid(const char **why);

#endif
