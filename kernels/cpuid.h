/*
 * cpuid.h - the one source of CPUID and XGETBV values: the live CPU, or a recorded dump.
 *
 * Everything that decodes the machine reads through a struct cpuid_provider, so tests
 * and `probe --cpuid-dump` can replace the CPU with a recorded dump. Freestanding.
 */
#ifndef XB_KERNELS_CPUID_H
#define XB_KERNELS_CPUID_H

#include <stdbool.h>
#include <stdint.h>

struct cpuid_regs {
	uint32_t eax, ebx, ecx, edx;
};

/* One recorded CPUID result. */
struct cpuid_entry {
	uint32_t leaf, subleaf;
	struct cpuid_regs regs;
};

#define CPUID_DUMP_MAX_ENTRIES 512

/* A recorded machine: CPUID results plus the XCRs user space could read. */
struct cpuid_dump {
	uint32_t nr_entries;
	struct cpuid_entry entries[CPUID_DUMP_MAX_ENTRIES];
	uint64_t xcr0;
	bool has_xinuse;
	uint64_t xinuse;
	bool has_xss; /* the enabled IA32_XSS, when whoever made the dump could read it */
	uint64_t xss;
};

struct cpuid_provider {
	void (*cpuid)(const struct cpuid_provider *p, uint32_t leaf, uint32_t subleaf,
		      struct cpuid_regs *out);
	/* XGETBV(index); returns false when the value is not available. */
	bool (*xgetbv)(const struct cpuid_provider *p, uint32_t index, uint64_t *value);
	const struct cpuid_dump *dump; /* NULL for the live CPU */
};

/* The CPU this code runs on (executes CPUID and XGETBV). */
extern const struct cpuid_provider cpuid_live;

/* A provider answering from @dump; leaves absent from the dump read as zero. */
void cpuid_provider_from_dump(struct cpuid_provider *p, const struct cpuid_dump *dump);

/* Appends an entry; returns false when the dump is full. */
bool cpuid_dump_add(struct cpuid_dump *dump, uint32_t leaf, uint32_t subleaf,
		    const struct cpuid_regs *regs);

/* Records the live CPU's CPUID leaves (basic, hypervisor and extended) into @dump. */
void cpuid_dump_record(struct cpuid_dump *dump);

static inline void cpuid_read(const struct cpuid_provider *p, uint32_t leaf, uint32_t subleaf,
			      struct cpuid_regs *out)
{
	p->cpuid(p, leaf, subleaf, out);
}

static inline bool cpuid_bit(const struct cpuid_provider *p, uint32_t leaf, uint32_t subleaf,
			     char reg, unsigned int bit)
{
	struct cpuid_regs r;
	uint32_t v;

	cpuid_read(p, leaf, subleaf, &r);
	v = reg == 'a' ? r.eax : reg == 'b' ? r.ebx : reg == 'c' ? r.ecx : r.edx;
	return (v >> bit) & 1;
}

#endif
