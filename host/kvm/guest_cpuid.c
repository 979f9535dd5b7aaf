/*
 * guest_cpuid.c - supported CPUID, filtered per launch, and whether a vCPU kept the filter.
 */
#include "guest_cpuid.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "../../kernels/xfeature.h"

#define CPUID_MAX_ENTRIES 4096

/* A CPUID table from @request on @fd into a malloc'd table, grown until it fits. */
static int get_table(int fd, unsigned long request, const char *name, struct kvm_cpuid2 **out)
{
	for (uint32_t n = 128; n <= CPUID_MAX_ENTRIES; n *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + n * sizeof(c->entries[0]));

		if (!c)
			return xb_fail(ENOMEM, "out of memory for %u CPUID entries", n);
		c->nent = n;
		if (!ioctl(fd, request, c)) {
			*out = c;
			return 0;
		}
		free(c);
		if (errno != E2BIG)
			return xb_fail_errno("%s", name);
	}
	return xb_fail(E2BIG, "%s: more than %d entries", name, CPUID_MAX_ENTRIES);
}

int kvm_supported_cpuid(int kvm_fd, struct kvm_cpuid2 **out)
{
	return get_table(kvm_fd, KVM_GET_SUPPORTED_CPUID, "KVM_GET_SUPPORTED_CPUID", out);
}

int kvm_vcpu_get_cpuid(const struct kvm_vcpu *vcpu, struct kvm_cpuid2 **out)
{
	return get_table(vcpu->fd, KVM_GET_CPUID2, "KVM_GET_CPUID2", out);
}

struct kvm_cpuid_entry2 *kvm_cpuid_find(struct kvm_cpuid2 *c, uint32_t function, uint32_t index)
{
	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == function &&
		    (e->index == index || !(e->flags & KVM_CPUID_FLAG_SIGNIFCANT_INDEX)))
			return e;
	}
	return NULL;
}

uint64_t kvm_cpuid_xcr0_supported(struct kvm_cpuid2 *c)
{
	struct kvm_cpuid_entry2 *e = kvm_cpuid_find(c, 0xd, 0);

	return e ? (uint64_t)e->edx << 32 | e->eax : 0;
}

uint64_t kvm_cpuid_xss_supported(struct kvm_cpuid2 *c)
{
	struct kvm_cpuid_entry2 *e = kvm_cpuid_find(c, 0xd, 1);

	return e ? (uint64_t)e->edx << 32 | e->ecx : 0;
}

/* KVM_GET_DEVICE_ATTR of attribute @id of /dev/kvm's group 0 into @value. */
static int system_attr(int kvm_fd, uint64_t id, const char *name, uint64_t *value)
{
	struct kvm_device_attr attr = { .group = 0, .attr = id, .addr = (uint64_t)(uintptr_t)value };

	if (ioctl(kvm_fd, KVM_GET_DEVICE_ATTR, &attr))
		return xb_fail_errno("KVM_GET_DEVICE_ATTR(group 0, attribute %" PRIu64 " %s)", id, name);
	return 0;
}

int kvm_xcomp_guest_supp(int kvm_fd, uint64_t *supp)
{
	return system_attr(kvm_fd, KVM_X86_XCOMP_GUEST_SUPP, "KVM_X86_XCOMP_GUEST_SUPP", supp);
}

int kvm_xcomp_guest_perm(int kvm_fd, uint64_t *perm)
{
	return system_attr(kvm_fd, KVM_X86_XCOMP_GUEST_PERM, "KVM_X86_XCOMP_GUEST_PERM", perm);
}

int kvm_xcomp_guest_perm_has(int kvm_fd)
{
	struct kvm_device_attr attr = { .group = 0, .attr = KVM_X86_XCOMP_GUEST_PERM };

	return ioctl(kvm_fd, KVM_HAS_DEVICE_ATTR, &attr) ? -errno : 0;
}

#define M(f) XFEATURE_MASK(XFEATURE_##f)
#define MPX (M(BNDREGS) | M(BNDCSR))
#define AVX512 (M(OPMASK) | M(ZMM_HI256) | M(HI16_ZMM))

/* A CPUID feature bit, its name, and the components its instructions or state need. */
static const struct gated_bit {
	uint32_t function, index;
	char reg;
	uint8_t bit;
	uint64_t needs;
	const char *name;
} gated_bits[] = {
	{ 1, 0, 'c', 12, M(YMM), "FMA" },
	{ 1, 0, 'c', 28, M(YMM), "AVX" },
	{ 1, 0, 'c', 29, M(YMM), "F16C" },
	{ 7, 0, 'b', 5, M(YMM), "AVX2" },
	{ 7, 0, 'b', 14, MPX, "MPX" },
	{ 7, 0, 'b', 16, AVX512, "AVX512F" },
	{ 7, 0, 'b', 17, AVX512, "AVX512DQ" },
	{ 7, 0, 'b', 21, AVX512, "AVX512_IFMA" },
	{ 7, 0, 'b', 26, AVX512, "AVX512PF" },
	{ 7, 0, 'b', 27, AVX512, "AVX512ER" },
	{ 7, 0, 'b', 28, AVX512, "AVX512CD" },
	{ 7, 0, 'b', 30, AVX512, "AVX512BW" },
	{ 7, 0, 'b', 31, AVX512, "AVX512VL" },
	{ 7, 0, 'c', 1, AVX512, "AVX512_VBMI" },
	{ 7, 0, 'c', 3, M(PKRU), "PKU" },
	{ 7, 0, 'c', 6, AVX512, "AVX512_VBMI2" },
	{ 7, 0, 'c', 7, M(CET_USER), "CET_SS" },
	{ 7, 0, 'c', 9, M(YMM), "VAES" },
	{ 7, 0, 'c', 10, M(YMM), "VPCLMULQDQ" },
	{ 7, 0, 'c', 11, AVX512, "AVX512_VNNI" },
	{ 7, 0, 'c', 12, AVX512, "AVX512_BITALG" },
	{ 7, 0, 'c', 14, AVX512, "AVX512_VPOPCNTDQ" },
	{ 7, 0, 'd', 2, AVX512, "AVX512_4VNNIW" },
	{ 7, 0, 'd', 3, AVX512, "AVX512_4FMAPS" },
	{ 7, 0, 'd', 8, AVX512, "AVX512_VP2INTERSECT" },
	{ 7, 0, 'd', 20, M(CET_USER), "IBT" },
	{ 7, 0, 'd', 22, XFEATURES_AMX_TILES, "AMX-BF16" },
	{ 7, 0, 'd', 23, AVX512, "AVX512_FP16" },
	{ 7, 0, 'd', 24, XFEATURES_AMX_TILES, "AMX-TILE" },
	{ 7, 0, 'd', 25, XFEATURES_AMX_TILES, "AMX-INT8" },
	{ 7, 1, 'a', 4, M(YMM), "AVX-VNNI" },
	{ 7, 1, 'a', 5, AVX512, "AVX512_BF16" },
	{ 7, 1, 'a', 21, XFEATURES_AMX_TILES, "AMX-FP16" },
	{ 7, 1, 'a', 23, M(YMM), "AVX-IFMA" },
};

static uint32_t *reg_of(struct kvm_cpuid_entry2 *e, char reg)
{
	return reg == 'a' ? &e->eax : reg == 'b' ? &e->ebx : reg == 'c' ? &e->ecx : &e->edx;
}

/* Removes the entries of leaf 0xD for components outside @allowed. */
static void drop_components(struct kvm_cpuid2 *c, uint64_t allowed)
{
	uint32_t kept = 0;

	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];

		if (e->function == 0xd && e->index >= 2 && e->index < 64 && !((allowed >> e->index) & 1))
			continue;
		c->entries[kept++] = *e;
	}
	c->nent = kept;
}

/* The standard-format size of the user components of @mask: max(offset + size), >= 576. */
static uint32_t standard_size(struct kvm_cpuid2 *c, uint64_t mask)
{
	uint32_t size = 576;

	for (uint32_t id = 2; id < 64; id++) {
		struct kvm_cpuid_entry2 *e = (mask >> id) & 1 ? kvm_cpuid_find(c, 0xd, id) : NULL;

		if (e && e->ebx + e->eax > size)
			size = e->ebx + e->eax;
	}
	return size;
}

int kvm_cpuid_filter(struct kvm_cpuid2 *c, uint64_t xcr0, uint64_t xss)
{
	struct kvm_cpuid_entry2 *d0 = kvm_cpuid_find(c, 0xd, 0), *d1 = kvm_cpuid_find(c, 0xd, 1);
	uint64_t xcr0_supported = kvm_cpuid_xcr0_supported(c);
	uint64_t xss_supported = kvm_cpuid_xss_supported(c);
	uint64_t allowed = xcr0 | xss;

	if (!(xcr0 & M(X87)))
		return xb_fail(EINVAL, "XCR0 0x%" PRIx64 " lacks x87 (bit 0 must be set)", xcr0);
	if (!d0 || xcr0 & ~xcr0_supported)
		return xb_fail(ENOTSUP, "KVM_GET_SUPPORTED_CPUID offers XCR0 features 0x%" PRIx64
			       ", not 0x%" PRIx64, xcr0_supported, xcr0 & ~xcr0_supported);
	if (xss & ~xss_supported)
		return xb_fail(ENOTSUP, "KVM_GET_SUPPORTED_CPUID offers XSS features 0x%" PRIx64
			       ", not 0x%" PRIx64, xss_supported, xss & ~xss_supported);
	for (size_t i = 0; i < sizeof(gated_bits) / sizeof(gated_bits[0]); i++) {
		const struct gated_bit *g = &gated_bits[i];
		struct kvm_cpuid_entry2 *e = kvm_cpuid_find(c, g->function, g->index);

		if (e && (allowed & g->needs) != g->needs)
			*reg_of(e, g->reg) &= ~(1u << g->bit);
	}
	drop_components(c, allowed);
	d0 = kvm_cpuid_find(c, 0xd, 0);
	d1 = kvm_cpuid_find(c, 0xd, 1);
	d0->eax = (uint32_t)xcr0;
	d0->edx = (uint32_t)(xcr0 >> 32);
	d0->ecx = standard_size(c, xcr0);
	d0->ebx = d0->ecx; /* KVM recomputes EBX whenever the guest's XCR0 changes */
	if (d1) {
		d1->ecx = (uint32_t)xss;
		d1->edx = (uint32_t)(xss >> 32);
	}
	return 0;
}

int kvm_cpuid_without_xsave(struct kvm_cpuid2 *c)
{
	struct kvm_cpuid_entry2 *leaf1;
	uint32_t kept = 0;
	int rc = kvm_cpuid_filter(c, XFEATURES_FP, 0); /* moves entries: leaf 1 is found after it */

	if (rc)
		return rc;
	leaf1 = kvm_cpuid_find(c, 1, 0);
	if (!leaf1)
		return xb_fail(ENOTSUP, "KVM_GET_SUPPORTED_CPUID has no leaf 1");
	leaf1->ecx &= ~(1u << 26 | 1u << 27); /* XSAVE, OSXSAVE */
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function != 0xd)
			c->entries[kept++] = c->entries[i];
	c->nent = kept;
	return 0;
}

bool kvm_cpuid_filter_kept(struct kvm_cpuid2 *set, struct kvm_cpuid2 *got, char *diff, size_t size)
{
	uint64_t allowed = kvm_cpuid_xcr0_supported(set) | kvm_cpuid_xss_supported(set);
	struct kvm_cpuid_entry2 *set1 = kvm_cpuid_find(set, 1, 0), *got1 = kvm_cpuid_find(got, 1, 0);
	unsigned int set_xsave = set1 ? set1->ecx >> 26 & 1 : 0, got_xsave = got1 ? got1->ecx >> 26 & 1 : 0;
	static const struct {
		uint32_t index;
		const char *what;
		uint64_t (*mask)(struct kvm_cpuid2 *c);
	} masks[] = {
		{ 0, "CPUID.(0DH,0):EDX:EAX", kvm_cpuid_xcr0_supported },
		{ 1, "CPUID.(0DH,1):EDX:ECX", kvm_cpuid_xss_supported },
	};

	/* a table without leaf 0xD (kvm_cpuid_without_xsave) must stay without it, and its XSAVE bit
	 * as set */
	if (!kvm_cpuid_find(set, 0xd, 0) && (kvm_cpuid_find(got, 0xd, 0) || got_xsave != set_xsave)) {
		snprintf(diff, size, "KVM_GET_CPUID2 after KVM_SET_CPUID2 gives CPUID.(EAX=1H,ECX=0):ECX[26] XSAVE = %u "
			 "and leaf 0xD %s, not the XSAVE = %u and no leaf 0xD set", got_xsave,
			 kvm_cpuid_find(got, 0xd, 0) ? "present" : "absent", set_xsave);
		return false;
	}
	for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		uint64_t want = masks[i].mask(set), have = masks[i].mask(got);

		if (kvm_cpuid_find(set, 0xd, masks[i].index) && want != have) {
			snprintf(diff, size, "KVM_GET_CPUID2 after KVM_SET_CPUID2 gives %s 0x%" PRIx64 ", not the 0x%"
				 PRIx64 " set", masks[i].what, have, want);
			return false;
		}
	}
	for (size_t i = 0; i < sizeof(gated_bits) / sizeof(gated_bits[0]); i++) {
		const struct gated_bit *g = &gated_bits[i];
		struct kvm_cpuid_entry2 *e = kvm_cpuid_find(got, g->function, g->index);

		if ((allowed & g->needs) != g->needs && e && (*reg_of(e, g->reg) >> g->bit) & 1) {
			snprintf(diff, size, "KVM_GET_CPUID2 after KVM_SET_CPUID2 gives CPUID.(EAX=%XH,ECX=%u):E%cX[%u] "
				 "%s = 1, cleared in the table set (xfeatures 0x%" PRIx64 " not allowed)", g->function,
				 g->index, g->reg - 'a' + 'A', g->bit, g->name, g->needs & ~allowed);
			return false;
		}
	}
	diff[0] = '\0';
	return true;
}

int kvm_vcpu_set_cpuid(const struct kvm_vcpu *vcpu, struct kvm_cpuid2 *c)
{
	int rc = KVM_IOCTL(vcpu->fd, KVM_SET_CPUID2, c);

	return rc < 0 ? rc : 0;
}
