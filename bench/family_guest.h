/*
 * family_guest.h - the guest family's run-wide choice: which launcher (`--vmm`) boots the
 * payload. The default is "kvm", this project's VMM.
 */
#ifndef XB_BENCH_FAMILY_GUEST_H
#define XB_BENCH_FAMILY_GUEST_H

#include <stdbool.h>
#include <stddef.h>

/* The launchers' names, NULL-terminated. */
extern const char *const guest_vmm_names[];
/* The guest payload the launchers boot: $XSTATE_BENCH_GUEST, else xstate-guest.elf beside the
 * program or in its libexec directory (companion.h), else the one of the build tree it was
 * built in. */
void guest_payload_path(char *out, size_t size);
/* Selects the launcher by name ("kvm", "qemu"); false for a name no launcher has. */
bool guest_family_select_vmm(const char *name);

#endif
