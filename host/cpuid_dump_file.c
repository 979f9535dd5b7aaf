/*
 * cpuid_dump_file.c - parsing and writing recorded machine dumps.
 */
#include "cpuid_dump_file.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static int parse_u64(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	while (*end == ' ' || *end == '\t' || *end == '\r')
		end++;
	return (errno || end == s || *end) ? -1 : 0;
}

static int parse_cpuid_line(const char *line, struct cpuid_dump *dump)
{
	unsigned int leaf, sub, a, b, c, d;
	int used = 0;
	struct cpuid_regs r;

	if (sscanf(line, " 0x%x 0x%x: eax=0x%x ebx=0x%x ecx=0x%x edx=0x%x %n", &leaf, &sub, &a, &b,
		   &c, &d, &used) != 6 || line[used] != '\0')
		return -1;
	r = (struct cpuid_regs){ a, b, c, d };
	return cpuid_dump_add(dump, leaf, sub, &r) ? 0 : -2;
}

static int parse_kvm_line(const char *key, uint64_t v, struct kvm_info *kvm)
{
	if (!strcmp(key, "kvm.xsave2_size") && v <= INT32_MAX)
		kvm->xsave2_size = (int)v;
	else if (!strcmp(key, "kvm.xcomp_guest_supp"))
		kvm->xcomp_guest_supp_known = true, kvm->xcomp_guest_supp = v;
	else if (!strcmp(key, "kvm.xcomp_guest_perm"))
		kvm->xcomp_guest_perm_known = true, kvm->xcomp_guest_perm = v;
	else if (!strcmp(key, "kvm.supported_xss"))
		kvm->supported_cpuid_known = true, kvm->supported_xss = v;
	else
		return -1;
	kvm->present = true;
	return 0;
}

static int parse_key_line(char *line, struct cpuid_dump *dump, struct kernel_facts *k, struct kvm_info *kvm)
{
	char *value = strpbrk(line, " \t");
	uint64_t v;

	if (!value)
		return -1;
	*value++ = '\0';
	while (*value == ' ' || *value == '\t')
		value++;
	if (!strcmp(line, "kernel.release")) {
		/* as uname -r gives it: printable, no spaces, what struct utsname holds */
		if (!*value || strlen(value) >= sizeof(k->release))
			return -1;
		for (const char *p = value; *p; p++)
			if (!isgraph((unsigned char)*p))
				return -1;
		snprintf(k->release, sizeof(k->release), "%s", value);
		k->known = true;
		return 0;
	}
	if (parse_u64(value, &v))
		return -1;
	if (!strcmp(line, "xcr0"))
		dump->xcr0 = v;
	else if (!strcmp(line, "xinuse"))
		dump->has_xinuse = true, dump->xinuse = v;
	else if (!strcmp(line, "xss"))
		dump->has_xss = true, dump->xss = v;
	else if (!strcmp(line, "kernel.xcomp_supp"))
		k->known = k->xcomp_known = true, k->xcomp_supp = v;
	else if (!strcmp(line, "kernel.xcomp_perm"))
		k->known = true, k->xcomp_perm = v;
	else if (!strcmp(line, "kernel.xcomp_guest_perm"))
		k->known = true, k->xcomp_guest_perm = v;
	else if (!strcmp(line, "kernel.minsigstksz"))
		k->known = true, k->minsigstksz = (unsigned long)v;
	else
		return parse_kvm_line(line, v, kvm);
	return 0;
}

int cpuid_dump_parse(const char *text, const char *name, struct cpuid_dump *dump,
		     struct kernel_facts *kernel, struct kvm_info *kvm)
{
	char *copy = strdup(text), *save = NULL;
	int lineno = 0, rc = 0;

	if (!copy)
		return xb_fail(ENOMEM, "%s: out of memory", name);
	memset(dump, 0, sizeof(*dump));
	memset(kernel, 0, sizeof(*kernel));
	memset(kvm, 0, sizeof(*kvm));
	for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *p = line;
		size_t len;

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		len = strlen(p);
		while (len && (p[len - 1] == '\r' || p[len - 1] == ' '))
			p[--len] = '\0';
		if (!*p || *p == '#')
			continue;
		if (!strncmp(p, "0x", 2)) {
			int r = parse_cpuid_line(p, dump);

			if (r == -2) {
				rc = xb_fail(E2BIG, "%s:%d: more than %d CPUID entries", name, lineno,
					     CPUID_DUMP_MAX_ENTRIES);
				break;
			}
			if (r) {
				rc = xb_fail(EINVAL, "%s:%d: malformed CPUID line (want \"0xLEAF 0xSUB: "
					     "eax=0x... ebx=0x... ecx=0x... edx=0x...\")", name, lineno);
				break;
			}
		} else if (parse_key_line(p, dump, kernel, kvm)) {
			rc = xb_fail(EINVAL, "%s:%d: unknown key or bad value: \"%s\"", name, lineno, p);
			break;
		}
	}
	free(copy);
	if (!rc && !dump->nr_entries)
		rc = xb_fail(EINVAL, "%s: no CPUID lines", name);
	if (!rc && !dump->xcr0)
		rc = xb_fail(EINVAL, "%s: no \"xcr0\" line (XCR0 cannot be 0: x87 is always set)", name);
	if (kvm->present && !kvm->xcomp_guest_perm_known)
		snprintf(kvm->xcomp_guest_perm_error, sizeof(kvm->xcomp_guest_perm_error), "KVM_GET_DEVICE_ATTR(group 0, "
			 "attribute 1 KVM_X86_XCOMP_GUEST_PERM): No such device or address (errno %d), as recorded", ENXIO);
	return rc;
}

char *cpuid_dump_format(const struct cpuid_dump *dump, const struct kernel_facts *kernel,
			const struct kvm_info *kvm, const char *comment)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	if (!out)
		return NULL;
	fprintf(out, "# xstate-bench cpuid dump\n");
	/* every line of the comment stays a comment (a CPU's brand string may hold any byte) */
	for (const char *c = comment; c && *c; c += strcspn(c, "\n\r"), c += !!*c)
		fprintf(out, "# %.*s\n", (int)strcspn(c, "\n\r"), c);
	fprintf(out, "xcr0 0x%" PRIx64 "\n", dump->xcr0);
	if (dump->has_xinuse)
		fprintf(out, "xinuse 0x%" PRIx64 "\n", dump->xinuse);
	if (dump->has_xss)
		fprintf(out, "xss 0x%" PRIx64 "\n", dump->xss);
	if (kernel && kernel->known) {
		if (kernel->release[0])
			fprintf(out, "kernel.release %s\n", kernel->release);
		if (kernel->xcomp_known) {
			fprintf(out, "kernel.xcomp_supp 0x%" PRIx64 "\n", kernel->xcomp_supp);
			fprintf(out, "kernel.xcomp_perm 0x%" PRIx64 "\n", kernel->xcomp_perm);
			fprintf(out, "kernel.xcomp_guest_perm 0x%" PRIx64 "\n", kernel->xcomp_guest_perm);
		}
		if (kernel->minsigstksz)
			fprintf(out, "kernel.minsigstksz %lu\n", kernel->minsigstksz);
	}
	if (kvm && kvm->present) {
		fprintf(out, "kvm.xsave2_size %d\n", kvm->xsave2_size);
		if (kvm->xcomp_guest_supp_known)
			fprintf(out, "kvm.xcomp_guest_supp 0x%" PRIx64 "\n", kvm->xcomp_guest_supp);
		if (kvm->xcomp_guest_perm_known)
			fprintf(out, "kvm.xcomp_guest_perm 0x%" PRIx64 "\n", kvm->xcomp_guest_perm);
		if (kvm->supported_cpuid_known)
			fprintf(out, "kvm.supported_xss 0x%" PRIx64 "\n", kvm->supported_xss);
	}
	for (uint32_t i = 0; i < dump->nr_entries; i++) {
		const struct cpuid_entry *e = &dump->entries[i];

		fprintf(out, "   0x%08x 0x%02x: eax=0x%08x ebx=0x%08x ecx=0x%08x edx=0x%08x\n", e->leaf,
			e->subleaf, e->regs.eax, e->regs.ebx, e->regs.ecx, e->regs.edx);
	}
	if (fclose(out)) {
		free(text);
		return NULL;
	}
	return text;
}
