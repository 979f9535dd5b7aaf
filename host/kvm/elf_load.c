/*
 * elf_load.c - the payload's PT_LOAD segments into guest memory.
 */
#include "elf_load.h"

#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../guest_launcher.h"

static int check_header(const Elf64_Ehdr *eh, size_t size)
{
	if (size < sizeof(*eh) || memcmp(eh->e_ident, ELFMAG, SELFMAG))
		return xb_fail(ENOEXEC, "not an ELF file");
	if (eh->e_ident[EI_CLASS] != ELFCLASS64 || eh->e_ident[EI_DATA] != ELFDATA2LSB ||
	    eh->e_machine != EM_X86_64)
		return xb_fail(ENOEXEC, "not a little-endian ELF64 x86-64 file (class %u, machine %u)",
			       eh->e_ident[EI_CLASS], eh->e_machine);
	if (eh->e_type != ET_EXEC)
		return xb_fail(ENOEXEC, "ELF type %u is not an executable (ET_EXEC)", eh->e_type);
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || !eh->e_phnum ||
	    eh->e_phoff > size || (size - eh->e_phoff) / sizeof(Elf64_Phdr) < eh->e_phnum)
		return xb_fail(ENOEXEC, "ELF program headers (%u at offset %" PRIu64 ") lie outside the file",
			       eh->e_phnum, (uint64_t)eh->e_phoff);
	return 0;
}

int elf_load(const void *file, size_t size, uint8_t *mem, uint64_t mem_size, uint64_t *entry)
{
	const Elf64_Ehdr *eh = file;
	const Elf64_Phdr *ph;
	int loaded = 0, rc;

	rc = check_header(eh, size);
	if (rc)
		return rc;
	ph = (const Elf64_Phdr *)((const uint8_t *)file + eh->e_phoff);
	for (int i = 0; i < eh->e_phnum; i++, ph++) {
		if (ph->p_type != PT_LOAD || !ph->p_memsz)
			continue;
		if (ph->p_filesz > ph->p_memsz || ph->p_offset > size || size - ph->p_offset < ph->p_filesz)
			return xb_fail(ENOEXEC, "segment %d: file bytes %" PRIu64 "+%" PRIu64
				       " lie outside the file or exceed its memory size", i,
				       (uint64_t)ph->p_offset, (uint64_t)ph->p_filesz);
		if (ph->p_paddr < GUEST_PAYLOAD_MIN_PADDR || ph->p_paddr > mem_size ||
		    mem_size - ph->p_paddr < ph->p_memsz)
			return xb_fail(ERANGE, "segment %d at guest-physical 0x%" PRIx64 "+0x%" PRIx64
				       " lies outside the payload's memory 0x%x..0x%" PRIx64, i,
				       (uint64_t)ph->p_paddr, (uint64_t)ph->p_memsz, GUEST_PAYLOAD_MIN_PADDR, mem_size);
		memcpy(mem + ph->p_paddr, (const uint8_t *)file + ph->p_offset, ph->p_filesz);
		memset(mem + ph->p_paddr + ph->p_filesz, 0, ph->p_memsz - ph->p_filesz);
		loaded++;
	}
	if (!loaded)
		return xb_fail(ENOEXEC, "no PT_LOAD segment");
	*entry = eh->e_entry;
	return 0;
}

int elf_load_file(const char *path, uint8_t *mem, uint64_t mem_size, uint64_t *entry)
{
	struct stat st;
	void *file;
	ssize_t n;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return xb_fail_errno("open %s", path);
	if (fstat(fd, &st)) {
		rc = xb_fail_errno("fstat %s", path);
		close(fd);
		return rc;
	}
	file = malloc(st.st_size ? (size_t)st.st_size : 1);
	if (!file) {
		close(fd);
		return xb_fail(ENOMEM, "out of memory reading %s", path);
	}
	n = read(fd, file, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size)
		rc = n < 0 ? xb_fail_errno("read %s", path) : xb_fail(EIO, "read %s: short read", path);
	else
		rc = elf_load(file, (size_t)n, mem, mem_size, entry);
	if (rc && n == st.st_size)
		rc = xb_fail(-rc, "%s: %s", path, xb_error_message());
	free(file);
	return rc;
}
