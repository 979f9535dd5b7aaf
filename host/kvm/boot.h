/*
 * boot.h - entering the payload in 64-bit mode as host/guest_launcher.h specifies: identity
 * paging of the first 4 GiB with 2 MiB pages, a flat GDT, a PVH start-info block with the
 * command line, all below 1 MiB; then the segment, control and general registers.
 */
#ifndef XB_HOST_KVM_BOOT_H
#define XB_HOST_KVM_BOOT_H

#include <stdint.h>

#include "../../base/cr.h"
#include "../../base/pvh.h"
#include "vm.h"

/* Where the boot structures live in guest-physical memory (all below 1 MiB). */
#define BOOT_PML4 0x1000u
#define BOOT_PDPT 0x2000u
#define BOOT_PD 0x3000u /* four page directories: 0x3000 .. 0x6fff */
#define BOOT_GDT 0x7000u
#define BOOT_START_INFO 0x8000u
#define BOOT_MEMMAP 0x8100u
#define BOOT_CMDLINE 0x9000u
#define BOOT_CMDLINE_MAX (0x80000u - BOOT_CMDLINE) /* up to 512 KiB, NUL included */
#define BOOT_IDENTITY_MAPPED (4ull << 30)

#define BOOT_CODE_SELECTOR 0x08
#define BOOT_DATA_SELECTOR 0x10

/*
 * Writes the page tables, GDT, start-info block, memory map and @cmdline into guest
 * memory @mem. Fails when the memory is smaller than 2 MiB or the command line too long.
 */
int boot_write_tables(uint8_t *mem, uint64_t mem_size, const char *cmdline) XB_MUST_CHECK;

/* Fills @s for 64-bit mode on those tables: CR0/CR3/CR4/EFER, GDT, flat segments, with
 * @cr4_extra or'ed into CR4 (0 for the payload contract). */
void boot_long_mode_sregs(struct kvm_sregs *s, uint64_t cr4_extra);

/* KVM_GET_SREGS, then KVM_SET_SREGS and KVM_SET_REGS: 64-bit mode at @entry, RFLAGS 0x2,
 * RSP 0, RSI the start-info block. */
int boot_enter_long_mode(const struct kvm_vcpu *vcpu, uint64_t entry, uint64_t cr4_extra) XB_MUST_CHECK;

#endif
