/*
 * qemu_launcher.h - the "qemu" guest launcher: Debian's qemu-system-x86_64 boots the payload
 * with -kernel (its multiboot header), the work list in -append, port 0xE9 as -debugcon and
 * the exit port as isa-debug-exit. KVM acceleration when /dev/kvm opens and the CPU has VMX or
 * SVM, else TCG. outcome.accelerated is false under TCG and on a host that itself runs under
 * TCG (its KVM is emulated too), as for the kvm launcher: functional only.
 */
#ifndef XB_HOST_QEMU_LAUNCHER_H
#define XB_HOST_QEMU_LAUNCHER_H

#include "../guest_launcher.h"

extern const struct guest_launcher guest_launcher_qemu;

#endif
