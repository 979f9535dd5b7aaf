/*
 * elf_builder.h - small ELF64 executables for the VMM tests: one PT_LOAD of some code at a
 * physical address, built in memory.
 */
#ifndef XB_TESTS_ELF_BUILDER_H
#define XB_TESTS_ELF_BUILDER_H

#include <elf.h>
#include <stdint.h>
#include <string.h>

struct test_elf {
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	uint8_t code[256];
};

/* Fills @e: @n bytes of @code loaded at @paddr, @memsz bytes in memory (0: @n); returns
 * the file's size. */
static inline size_t test_elf_build(struct test_elf *e, uint64_t paddr, uint64_t memsz, const uint8_t *code,
				    size_t n)
{
	memset(e, 0, sizeof(*e));
	memcpy(e->eh.e_ident, ELFMAG, SELFMAG);
	e->eh.e_ident[EI_CLASS] = ELFCLASS64;
	e->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	e->eh.e_ident[EI_VERSION] = EV_CURRENT;
	e->eh.e_type = ET_EXEC;
	e->eh.e_machine = EM_X86_64;
	e->eh.e_version = EV_CURRENT;
	e->eh.e_entry = paddr;
	e->eh.e_phoff = offsetof(struct test_elf, ph);
	e->eh.e_ehsize = sizeof(Elf64_Ehdr);
	e->eh.e_phentsize = sizeof(Elf64_Phdr);
	e->eh.e_phnum = 1;
	e->ph.p_type = PT_LOAD;
	e->ph.p_flags = PF_R | PF_X;
	e->ph.p_offset = offsetof(struct test_elf, code);
	e->ph.p_vaddr = paddr;
	e->ph.p_paddr = paddr;
	e->ph.p_filesz = n;
	e->ph.p_memsz = memsz ? memsz : n;
	memcpy(e->code, code, n);
	return offsetof(struct test_elf, code) + n;
}

#endif
