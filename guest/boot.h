/*
 * boot.h - what the entry code (boot.S) and the C side share: segment selectors, the boot
 * protocols, and the structures the loaders hand over (PVH start info, multiboot info).
 */
#ifndef XB_GUEST_BOOT_H
#define XB_GUEST_BOOT_H

#include "../base/pvh.h"

#define GUEST_CS 0x08
#define GUEST_DS 0x10
#define GUEST_TSS 0x18

/* How the payload was entered (boot.S passes one of these to guest_main). */
#define BOOT_DIRECT 1    /* 64-bit entry at e_entry, RSI = PVH start info (this project's VMM) */
#define BOOT_PVH 2       /* 32-bit PVH entry (XEN_ELFNOTE_PHYS32_ENTRY), EBX = start info */
#define BOOT_MULTIBOOT 3 /* 32-bit multiboot entry, EBX = multiboot information */

#define MULTIBOOT_HEADER_MAGIC 0x1badb002
#define MULTIBOOT_BOOTLOADER_MAGIC 0x2badb002
#define MULTIBOOT_AOUT_KLUDGE 0x00010000 /* the header's address fields are valid */

#ifndef __ASSEMBLER__
#include <stdint.h>

struct multiboot_info {
	uint32_t flags; /* bit 2: cmdline valid */
	uint32_t mem_lower, mem_upper;
	uint32_t boot_device;
	uint32_t cmdline;
};

#define MULTIBOOT_INFO_CMDLINE (1u << 2)

const char *boot_name(int protocol);
#endif

#endif
