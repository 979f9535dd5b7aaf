/*
 * test_kvm_boot.c - what the VMM writes and loads without a KVM: the payload's PT_LOAD
 * segments at their physical addresses (and every way an ELF file can be refused), the
 * identity page tables, GDT, PVH start-info block and command line of the 64-bit entry,
 * and the segment and control registers it sets.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "host/guest_launcher.h"
#include "host/kvm/boot.h"
#include "host/kvm/elf_load.h"
#include "elf_builder.h"

#define MEM (16u << 20)

static const uint8_t code[] = { 0x90, 0x90, 0xf4 };

static void test_elf_segments(void **state)
{
	uint8_t *mem = calloc(1, MEM);
	struct test_elf e;
	uint64_t entry = 0;
	size_t size = test_elf_build(&e, 0x200000, 64, code, sizeof(code));

	(void)state;
	memset(mem + 0x200000, 0xaa, 128);
	assert_int_equal(elf_load(&e, size, mem, MEM, &entry), 0);
	assert_int_equal(entry, 0x200000);
	assert_memory_equal(mem + 0x200000, code, sizeof(code));
	for (int i = sizeof(code); i < 64; i++)
		assert_int_equal(mem[0x200000 + i], 0); /* p_memsz beyond p_filesz is zeroed */
	assert_int_equal(mem[0x200000 + 64], 0xaa); /* nothing past p_memsz is touched */
	free(mem);
}

static void test_elf_refused(void **state)
{
	uint8_t *mem = calloc(1, MEM);
	struct test_elf e;
	uint64_t entry;
	size_t size;

	(void)state;
	assert_int_equal(elf_load("#!/bin/sh\n", 10, mem, MEM, &entry), -ENOEXEC);
	assert_string_equal(xb_error_message(), "not an ELF file");

	size = test_elf_build(&e, 0x100000, 0, code, sizeof(code));
	e.eh.e_ident[EI_CLASS] = ELFCLASS32;
	assert_int_equal(elf_load(&e, size, mem, MEM, &entry), -ENOEXEC);
	assert_non_null(strstr(xb_error_message(), "not a little-endian ELF64 x86-64"));

	test_elf_build(&e, 0x100000, 0, code, sizeof(code));
	e.eh.e_type = ET_DYN;
	assert_int_equal(elf_load(&e, size, mem, MEM, &entry), -ENOEXEC);
	assert_non_null(strstr(xb_error_message(), "not an executable"));

	test_elf_build(&e, 0x100000, 0, code, sizeof(code));
	e.eh.e_phoff = 1 << 20;
	assert_int_equal(elf_load(&e, size, mem, MEM, &entry), -ENOEXEC);
	assert_non_null(strstr(xb_error_message(), "program headers"));

	test_elf_build(&e, 0x100000, 0, code, sizeof(code));
	e.ph.p_filesz = 4096; /* more than the file holds */
	e.ph.p_memsz = 4096;
	assert_int_equal(elf_load(&e, size, mem, MEM, &entry), -ENOEXEC);
	assert_non_null(strstr(xb_error_message(), "outside the file"));

	test_elf_build(&e, 0x100000, 0, code, sizeof(code));
	e.ph.p_type = PT_NOTE;
	assert_int_equal(elf_load(&e, size, mem, MEM, &entry), -ENOEXEC);
	assert_string_equal(xb_error_message(), "no PT_LOAD segment");

	size = test_elf_build(&e, MEM - 2, 0, code, sizeof(code)); /* straddles the end */
	assert_int_equal(elf_load(&e, size, mem, MEM, &entry), -ERANGE);
	assert_non_null(strstr(xb_error_message(), "outside the payload's memory"));

	size = test_elf_build(&e, 0x9000, 0, code, sizeof(code)); /* over the boot structures */
	assert_int_equal(elf_load(&e, size, mem, MEM, &entry), -ERANGE);

	size = test_elf_build(&e, UINT64_MAX - 1, 0, code, sizeof(code)); /* wraps around */
	assert_int_equal(elf_load(&e, size, mem, MEM, &entry), -ERANGE);
	free(mem);
}

/* Walks the tables the way the MMU does for a 2 MiB page. */
static uint64_t translate(const uint8_t *mem, uint64_t cr3, uint64_t va)
{
	uint64_t pml4e = ((const uint64_t *)(mem + cr3))[(va >> 39) & 511];
	uint64_t pdpte, pde;

	assert_true(pml4e & 1);
	pdpte = ((const uint64_t *)(mem + (pml4e & ~0xfffull)))[(va >> 30) & 511];
	assert_true(pdpte & 1);
	pde = ((const uint64_t *)(mem + (pdpte & ~0xfffull)))[(va >> 21) & 511];
	assert_int_equal(pde & 0x83, 0x83); /* present, writable, 2 MiB page */
	return (pde & ~0x1fffffull) | (va & 0x1fffff);
}

static void test_tables(void **state)
{
	uint8_t *mem = calloc(1, MEM);
	const struct hvm_start_info *si = (const void *)(mem + BOOT_START_INFO);
	const struct hvm_memmap_entry *map;
	const uint64_t *gdt = (const void *)(mem + BOOT_GDT);

	(void)state;
	assert_int_equal(boot_write_tables(mem, MEM, "case=native/save work=list"), 0);
	for (uint64_t va = 0; va < BOOT_IDENTITY_MAPPED; va += 0x1234567)
		assert_int_equal(translate(mem, BOOT_PML4, va), va);
	assert_int_equal(translate(mem, BOOT_PML4, BOOT_IDENTITY_MAPPED - 1), BOOT_IDENTITY_MAPPED - 1);
	assert_int_equal(((const uint64_t *)(mem + BOOT_PML4))[1], 0); /* nothing above 512 GiB */
	assert_int_equal(si->magic, 0x336ec578);
	assert_int_equal(si->version, 1);
	assert_string_equal((const char *)mem + si->cmdline_paddr, "case=native/save work=list");
	assert_true(si->cmdline_paddr < GUEST_PAYLOAD_MIN_PADDR);
	map = (const void *)(mem + si->memmap_paddr);
	assert_int_equal(si->memmap_entries, 1);
	assert_int_equal(map[0].addr, 0);
	assert_int_equal(map[0].size, MEM);
	assert_int_equal(map[0].type, HVM_MEMMAP_TYPE_RAM);
	assert_int_equal(gdt[0], 0);
	assert_int_equal((gdt[BOOT_CODE_SELECTOR / 8] >> 53) & 1, 1); /* L: 64-bit code */
	assert_int_equal((gdt[BOOT_CODE_SELECTOR / 8] >> 47) & 1, 1); /* present */
	assert_int_equal((gdt[BOOT_DATA_SELECTOR / 8] >> 41) & 1, 1); /* writable data */
	free(mem);
}

static void test_tables_refused(void **state)
{
	uint8_t *mem = calloc(1, MEM);
	char *long_line = malloc(BOOT_CMDLINE_MAX + 1);

	(void)state;
	memset(long_line, 'x', BOOT_CMDLINE_MAX);
	long_line[BOOT_CMDLINE_MAX] = '\0';
	assert_int_equal(boot_write_tables(mem, MEM, long_line), -E2BIG);
	long_line[BOOT_CMDLINE_MAX - 1] = '\0'; /* exactly fits with its NUL */
	assert_int_equal(boot_write_tables(mem, MEM, long_line), 0);
	assert_int_equal(boot_write_tables(mem, 1 << 20, ""), -EINVAL);
	free(long_line);
	free(mem);
}

static void test_sregs(void **state)
{
	struct kvm_sregs s;

	(void)state;
	memset(&s, 0, sizeof(s));
	boot_long_mode_sregs(&s, 0);
	assert_int_equal(s.cr0, CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG);
	assert_int_equal(s.cr4, CR4_PAE);
	assert_int_equal(s.efer, EFER_LME | EFER_LMA);
	assert_int_equal(s.cr3, BOOT_PML4);
	assert_int_equal(s.gdt.base, BOOT_GDT);
	assert_int_equal(s.gdt.limit, 23);
	assert_int_equal(s.cs.selector, BOOT_CODE_SELECTOR);
	assert_true(s.cs.l && !s.cs.db && s.cs.present && s.cs.s);
	assert_int_equal(s.ss.selector, BOOT_DATA_SELECTOR);
	assert_true(s.ds.present && s.es.present && s.fs.present && s.gs.present);
	assert_int_equal(s.tr.type, 11);
	assert_true(s.ldt.unusable);
	boot_long_mode_sregs(&s, CR4_OSXSAVE);
	assert_int_equal(s.cr4, CR4_PAE | CR4_OSXSAVE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_elf_segments),
		cmocka_unit_test(test_elf_refused),
		cmocka_unit_test(test_tables),
		cmocka_unit_test(test_tables_refused),
		cmocka_unit_test(test_sregs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
