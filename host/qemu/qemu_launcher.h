/*
 * qemu_launcher.h - the "qemu" guest launcher: Debian's qemu-system-x86_64 boots the payload
 * with -kernel (its multiboot header), the work list in -append, port 0xE9 as -debugcon and
 * the exit port as isa-debug-exit. KVM acceleration when /dev/kvm opens and the CPU has VMX or
 * SVM, else TCG (functional only: outcome.accelerated is false).
 */
#ifndef XB_HOST_QEMU_LAUNCHER_H
#define XB_HOST_QEMU_LAUNCHER_H

#include "../guest_launcher.h"

extern const struct guest_launcher guest_launcher_qemu;

#endif
