/*
 * family_guest.h - where the guest suite's payload is, for the launchers and for probe.
 */
#ifndef XB_BENCH_FAMILY_GUEST_H
#define XB_BENCH_FAMILY_GUEST_H

#include <stddef.h>

/* The guest payload the launchers boot: $XSTATE_BENCH_GUEST, else xstate-guest.elf beside the
 * program or in its libexec directory (companion.h), else the one of the build tree it was
 * built in. */
void guest_payload_path(char *out, size_t size);

#endif
