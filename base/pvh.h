/*
 * pvh.h - the PVH boot protocol as the payload and this project's VMM share it: the ELF note
 * that names the 32-bit entry, and the start-info block (version 1) with its memory map.
 * Freestanding; the constants are usable from assembly.
 */
#ifndef XB_BASE_PVH_H
#define XB_BASE_PVH_H

#define XEN_ELFNOTE_PHYS32_ENTRY 18
#define HVM_START_MAGIC 0x336ec578
#define HVM_MEMMAP_TYPE_RAM 1

#ifndef __ASSEMBLER__
#include <stdint.h>

struct hvm_start_info {
	uint32_t magic;
	uint32_t version;
	uint32_t flags;
	uint32_t nr_modules;
	uint64_t modlist_paddr;
	uint64_t cmdline_paddr;
	uint64_t rsdp_paddr;
	uint64_t memmap_paddr;
	uint32_t memmap_entries;
	uint32_t reserved;
};

struct hvm_memmap_entry {
	uint64_t addr;
	uint64_t size;
	uint32_t type;
	uint32_t reserved;
};
#endif

#endif
