/*
 * elf_load.h - loading the payload: an ELF64 x86-64 executable whose PT_LOAD segments are
 * copied to their physical addresses (p_paddr, at or above GUEST_PAYLOAD_MIN_PADDR) in
 * guest memory, the rest of each segment (p_memsz beyond p_filesz) zeroed.
 */
#ifndef XB_HOST_KVM_ELF_LOAD_H
#define XB_HOST_KVM_ELF_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "../../base/error.h"

/* Loads the ELF image @file (@size bytes) into @mem (@mem_size bytes of guest memory at
 * guest-physical 0); @entry gets e_entry. Fails with a message naming what is wrong. */
int elf_load(const void *file, size_t size, uint8_t *mem, uint64_t mem_size, uint64_t *entry) XB_MUST_CHECK;

/* The same from a file on disk. */
int elf_load_file(const char *path, uint8_t *mem, uint64_t mem_size, uint64_t *entry) XB_MUST_CHECK;

#endif
