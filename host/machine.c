/*
 * machine.c - assembling a struct machine: CPU identity from CPUID, the xstate layout,
 * the kernel's xstate facts, and the recorded-dump round trip.
 */
#include "machine.h"

#include <asm/prctl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "counters.h"
#include "cpuid_dump_file.h"
#include "kvm/kvm_probe.h"
#include "module/module_client.h"
#include "topology.h"
#include "tsc_freq.h"

#ifndef AT_MINSIGSTKSZ
#define AT_MINSIGSTKSZ 51
#endif

static void regs_to_string(char *out, const uint32_t *words, unsigned int n)
{
	memcpy(out, words, 4 * n);
	out[4 * n] = '\0';
}

/* CPUID.0x40000000's vendor string when CPUID.1:ECX[31] says a hypervisor is there, else "". */
static void hypervisor_vendor(const struct cpuid_provider *p, char out[13])
{
	struct cpuid_regs r;

	out[0] = '\0';
	if (!cpuid_bit(p, 1, 0, 'c', 31))
		return;
	cpuid_read(p, 0x40000000, 0, &r);
	regs_to_string(out, (uint32_t[]){ r.ebx, r.ecx, r.edx }, 3);
}

static void decode_ident(const struct cpuid_provider *p, struct cpu_ident *id)
{
	struct cpuid_regs r;
	uint32_t max_ext, base_family, base_model;

	memset(id, 0, sizeof(*id));
	cpuid_read(p, 0, 0, &r);
	regs_to_string(id->vendor, (uint32_t[]){ r.ebx, r.edx, r.ecx }, 3);

	cpuid_read(p, 1, 0, &r);
	base_family = (r.eax >> 8) & 0xf;
	base_model = (r.eax >> 4) & 0xf;
	id->stepping = r.eax & 0xf;
	id->family = base_family == 0xf ? base_family + ((r.eax >> 20) & 0xff) : base_family;
	id->model = (base_family == 0x6 || base_family == 0xf) ? base_model | (((r.eax >> 16) & 0xf) << 4)
							       : base_model;
	id->hypervisor = (r.ecx >> 31) & 1;

	id->avx512f = cpuid_bit(p, 7, 0, 'b', 16);
	id->avx512bw = cpuid_bit(p, 7, 0, 'b', 30);
	id->pku = cpuid_bit(p, 7, 0, 'c', 3);
	id->amx_tile = cpuid_bit(p, 7, 0, 'd', 24);
	hypervisor_vendor(p, id->hypervisor_vendor);
	cpuid_read(p, 0x80000000, 0, &r);
	max_ext = r.eax;
	if (max_ext >= 0x80000001)
		id->rdtscp = cpuid_bit(p, 0x80000001, 0, 'd', 27);
	if (max_ext >= 0x80000007)
		id->invariant_tsc = cpuid_bit(p, 0x80000007, 0, 'd', 8);
	if (max_ext >= 0x80000004) {
		uint32_t w[12];

		for (unsigned int i = 0; i < 3; i++) {
			cpuid_read(p, 0x80000002 + i, 0, &r);
			w[4 * i] = r.eax, w[4 * i + 1] = r.ebx, w[4 * i + 2] = r.ecx, w[4 * i + 3] = r.edx;
		}
		regs_to_string(id->brand, w, 12);
		/* trim the padding some CPUs put around the brand string */
		char *s = id->brand;
		while (*s == ' ')
			s++;
		memmove(id->brand, s, strlen(s) + 1);
		for (size_t n = strlen(id->brand); n && id->brand[n - 1] == ' ';)
			id->brand[--n] = '\0';
	}
}

static void read_microcode(char *out, size_t size)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[256];

	out[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *colon;

		if (strncmp(line, "microcode", 9) || !(colon = strchr(line, ':')))
			continue;
		colon++;
		while (*colon == ' ')
			colon++;
		colon[strcspn(colon, "\n")] = '\0';
		snprintf(out, size, "%s", colon);
		break;
	}
	fclose(f);
}

static void probe_kernel(struct kernel_facts *k)
{
	struct utsname u;
	unsigned long long v;

	memset(k, 0, sizeof(*k));
	k->known = true;
	if (!uname(&u))
		snprintf(k->release, sizeof(k->release), "%s", u.release);
	if (!syscall(SYS_arch_prctl, ARCH_GET_XCOMP_SUPP, &v)) {
		k->xcomp_known = true;
		k->xcomp_supp = v;
		if (!syscall(SYS_arch_prctl, ARCH_GET_XCOMP_PERM, &v))
			k->xcomp_perm = v;
		if (!syscall(SYS_arch_prctl, ARCH_GET_XCOMP_GUEST_PERM, &v))
			k->xcomp_guest_perm = v;
	}
	k->minsigstksz = getauxval(AT_MINSIGSTKSZ);
}

/* Identity, layout: shared by the live probe and dump loading. */
static void decode_cpu(struct machine *m)
{
	decode_ident(&m->cpuid, &m->cpu);
	m->layout_error = xstate_layout_decode(&m->layout, &m->cpuid,
					       m->dump.has_xss ? (int64_t)m->dump.xss : -1);
}

int machine_probe(struct machine *m)
{
	memset(m, 0, sizeof(*m));
	cpuid_dump_record(&m->dump);
	m->cpuid = cpuid_live;
	module_probe(&m->module);
	if (m->module.present) { /* read in ring 0: nothing to infer */
		m->dump.has_xss = true;
		m->dump.xss = m->module.caps.xss;
	}
	decode_cpu(m);
	read_microcode(m->cpu.microcode, sizeof(m->cpu.microcode));
	probe_kernel(&m->kernel);
	if (gethostname(m->hostname, sizeof(m->hostname) - 1))
		snprintf(m->hostname, sizeof(m->hostname), "unknown");
	tsc_freq_probe(&m->cpuid, &m->tsc);
	topology_probe(&m->topology);
	kvm_probe(&m->kvm);
	counters_probe(&m->pmu);
	return 0;
}

int machine_from_dump_file(struct machine *m, const char *path)
{
	FILE *f = fopen(path, "r");
	char *text = NULL;
	size_t cap = 0;
	ssize_t len;
	int rc;

	memset(m, 0, sizeof(*m));
	if (!f)
		return xb_fail_errno("open %s", path);
	len = getdelim(&text, &cap, '\0', f);
	fclose(f);
	if (len < 0) {
		free(text);
		return xb_fail(EINVAL, "%s: empty or unreadable", path);
	}
	rc = cpuid_dump_parse(text, path, &m->dump, &m->kernel, &m->kvm);
	free(text);
	if (rc)
		return rc;
	m->from_dump = true;
	snprintf(m->dump_path, sizeof(m->dump_path), "%s", path);
	snprintf(m->module.error, sizeof(m->module.error), "a recorded machine's module cannot be asked");
	snprintf(m->hostname, sizeof(m->hostname), "dump");
	cpuid_provider_from_dump(&m->cpuid, &m->dump);
	decode_cpu(m);
	return 0;
}

char *machine_dump_text(const struct machine *m)
{
	char comment[160];

	snprintf(comment, sizeof(comment), "%s: %s (family %u model %u stepping %u)", m->hostname,
		 m->cpu.brand, m->cpu.family, m->cpu.model, m->cpu.stepping);
	return cpuid_dump_format(&m->dump, &m->kernel, &m->kvm, comment);
}

int machine_write_dump(const struct machine *m, const char *path)
{
	char *text = machine_dump_text(m);
	FILE *f;
	int rc = 0;

	if (!text)
		return xb_fail(ENOMEM, "formatting the CPUID dump");
	f = fopen(path, "w");
	if (!f) {
		rc = xb_fail_errno("open %s for writing", path);
	} else {
		if (fputs(text, f) < 0)
			rc = xb_fail_errno("write %s", path);
		if (fclose(f) && !rc)
			rc = xb_fail_errno("close %s", path);
	}
	free(text);
	return rc;
}

/* Fields that differ between the CPUs of one machine (APIC ids) are masked. */
static struct cpuid_regs per_machine_regs(const struct cpuid_entry *e)
{
	struct cpuid_regs r = e->regs;

	if (e->leaf == 1)
		r.ebx &= 0x00ffffff; /* initial APIC id */
	if (e->leaf == 0xb || e->leaf == 0x1f)
		r.edx = 0; /* x2APIC id */
	if (e->leaf == 0x8000001e)
		r.eax = 0, r.ebx &= ~0xffu; /* extended APIC id, core id */
	return r;
}

static uint64_t fnv1a(uint64_t h, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

void machine_fingerprint(const struct machine *m, char out[17])
{
	uint64_t h = 0xcbf29ce484222325ULL;

	h = fnv1a(h, m->hostname, strlen(m->hostname));
	h = fnv1a(h, m->cpu.microcode, strlen(m->cpu.microcode));
	h = fnv1a(h, &m->dump.xcr0, sizeof(m->dump.xcr0));
	for (uint32_t i = 0; i < m->dump.nr_entries; i++) {
		const struct cpuid_entry *e = &m->dump.entries[i];
		struct cpuid_regs r = per_machine_regs(e);

		h = fnv1a(h, &e->leaf, sizeof(e->leaf));
		h = fnv1a(h, &e->subleaf, sizeof(e->subleaf));
		h = fnv1a(h, &r, sizeof(r));
	}
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

bool cpuid_under_tcg(const struct cpuid_provider *p)
{
	char vendor[13];

	hypervisor_vendor(p, vendor);
	return !strcmp(vendor, "TCGTCGTCGTCG");
}

bool machine_under_tcg(const struct machine *m)
{
	return cpuid_under_tcg(&m->cpuid);
}
