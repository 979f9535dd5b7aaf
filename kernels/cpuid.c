/*
 * cpuid.c - the live and the recorded CPUID providers, and recording a dump. Freestanding.
 */
#include "cpuid.h"
#include "xsave_insn.h"

static void live_cpuid(const struct cpuid_provider *p, uint32_t leaf, uint32_t subleaf,
		       struct cpuid_regs *out)
{
	(void)p;
	__asm__ volatile("cpuid"
			 : "=a"(out->eax), "=b"(out->ebx), "=c"(out->ecx), "=d"(out->edx)
			 : "a"(leaf), "c"(subleaf));
}

/* XGETBV is only legal when CR4.OSXSAVE is set (CPUID.1:ECX[27]); index 1 needs XGETBV1. */
static bool live_xgetbv(const struct cpuid_provider *p, uint32_t index, uint64_t *value)
{
	struct cpuid_regs r;

	live_cpuid(p, 1, 0, &r);
	if (!((r.ecx >> 27) & 1))
		return false;
	if (index == 1) {
		live_cpuid(p, 0xd, 1, &r);
		if (!((r.eax >> 2) & 1))
			return false;
	} else if (index != 0) {
		return false;
	}
	*value = xgetbv(index);
	return true;
}

const struct cpuid_provider cpuid_live = {
	.cpuid = live_cpuid,
	.xgetbv = live_xgetbv,
	.dump = 0,
};

static void dump_cpuid(const struct cpuid_provider *p, uint32_t leaf, uint32_t subleaf,
		       struct cpuid_regs *out)
{
	const struct cpuid_dump *d = p->dump;

	for (uint32_t i = 0; i < d->nr_entries; i++) {
		if (d->entries[i].leaf == leaf && d->entries[i].subleaf == subleaf) {
			*out = d->entries[i].regs;
			return;
		}
	}
	out->eax = out->ebx = out->ecx = out->edx = 0;
}

static bool dump_xgetbv(const struct cpuid_provider *p, uint32_t index, uint64_t *value)
{
	if (index == 0 && p->dump->xcr0) {
		*value = p->dump->xcr0;
		return true;
	}
	if (index == 1 && p->dump->has_xinuse) {
		*value = p->dump->xinuse;
		return true;
	}
	return false;
}

void cpuid_provider_from_dump(struct cpuid_provider *p, const struct cpuid_dump *dump)
{
	p->cpuid = dump_cpuid;
	p->xgetbv = dump_xgetbv;
	p->dump = dump;
}

bool cpuid_dump_add(struct cpuid_dump *dump, uint32_t leaf, uint32_t subleaf,
		    const struct cpuid_regs *regs)
{
	if (dump->nr_entries >= CPUID_DUMP_MAX_ENTRIES)
		return false;
	dump->entries[dump->nr_entries].leaf = leaf;
	dump->entries[dump->nr_entries].subleaf = subleaf;
	dump->entries[dump->nr_entries].regs = *regs;
	dump->nr_entries++;
	return true;
}

/* How many sub-leaves a leaf has worth recording; 1 for leaves without sub-leaves. */
static uint32_t subleaf_count(uint32_t leaf, const struct cpuid_regs *sub0)
{
	switch (leaf) {
	case 0x4:
	case 0xb:
	case 0x1f:
	case 0x8000001d:
		return 8; /* cache and topology levels; trailing empty ones are dropped */
	case 0x7:
	case 0x14:
	case 0x17:
	case 0x18:
	case 0x1d:
	case 0x24:
		return sub0->eax + 1 > 8 ? 8 : sub0->eax + 1;
	case 0xd:
		return 64;
	case 0xf:
	case 0x10:
	case 0x12:
	case 0x1e:
	case 0x80000020:
		return 4;
	default:
		return 1;
	}
}

static void record_range(struct cpuid_dump *dump, uint32_t first, uint32_t last)
{
	for (uint32_t leaf = first; leaf <= last; leaf++) {
		struct cpuid_regs sub0, r;
		uint32_t n;

		live_cpuid(&cpuid_live, leaf, 0, &sub0);
		cpuid_dump_add(dump, leaf, 0, &sub0);
		n = subleaf_count(leaf, &sub0);
		for (uint32_t sub = 1; sub < n; sub++) {
			live_cpuid(&cpuid_live, leaf, sub, &r);
			if (r.eax | r.ebx | r.ecx | r.edx)
				cpuid_dump_add(dump, leaf, sub, &r);
		}
	}
}

void cpuid_dump_record(struct cpuid_dump *dump)
{
	struct cpuid_regs r;
	uint64_t v;

	dump->nr_entries = 0;
	live_cpuid(&cpuid_live, 0, 0, &r);
	record_range(dump, 0, r.eax > 0x40 ? 0x40 : r.eax);

	live_cpuid(&cpuid_live, 1, 0, &r);
	if ((r.ecx >> 31) & 1) { /* a hypervisor is present: record its leaves */
		live_cpuid(&cpuid_live, 0x40000000, 0, &r);
		if (r.eax >= 0x40000000 && r.eax < 0x40000100)
			record_range(dump, 0x40000000, r.eax);
	}

	live_cpuid(&cpuid_live, 0x80000000, 0, &r);
	if (r.eax >= 0x80000000 && r.eax < 0x80000040)
		record_range(dump, 0x80000000, r.eax);

	dump->xcr0 = live_xgetbv(&cpuid_live, 0, &v) ? v : 0;
	dump->has_xinuse = live_xgetbv(&cpuid_live, 1, &v);
	dump->xinuse = dump->has_xinuse ? v : 0;
}
