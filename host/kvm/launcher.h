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

#endif
