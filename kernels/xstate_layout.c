/*
 * xstate_layout.c - decoding CPUID leaf 0xD, and the standard and compacted formats.
 * Freestanding.
 */
#include "xstate_layout.h"
#include "../base/kstring.h"

const char *xstate_layout_error_str(enum xstate_layout_error e)
{
	switch (e) {
	case XSTATE_LAYOUT_OK:
		return "ok";
	case XSTATE_LAYOUT_NO_LEAF_D:
		return "CPUID leaf 0xD is not implemented (CPUID.0:EAX < 0xD)";
	case XSTATE_LAYOUT_NO_XSAVE:
		return "no XSAVE on this CPU (CPUID.1:ECX[26]=0)";
	case XSTATE_LAYOUT_NO_OSXSAVE:
		return "the OS has not enabled XSAVE (CPUID.1:ECX[27] OSXSAVE=0)";
	case XSTATE_LAYOUT_BAD_LEAF_D:
		return "CPUID leaf 0xD is inconsistent (a component offset or size is out of range)";
	}
	return "unknown layout error";
}

static uint64_t regs_mask(uint32_t lo, uint32_t hi)
{
	return ((uint64_t)hi << 32) | lo;
}

uint32_t xstate_size_standard(const struct xstate_layout *l, uint64_t mask)
{
	uint32_t size = XSTATE_EXTENDED_START;

	for (unsigned int id = 2; id < XSTATE_MAX_COMPONENTS; id++) {
		const struct xstate_component *c = &l->comp[id];

		if (!(mask & (1ULL << id)) || c->supervisor || !c->size)
			continue;
		if (c->offset + c->size > size)
			size = c->offset + c->size;
	}
	return size;
}

static uint32_t align64(uint32_t v)
{
	return (v + 63u) & ~63u;
}

uint32_t xstate_offset_compacted(const struct xstate_layout *l, uint64_t mask, unsigned int id)
{
	uint32_t offset = XSTATE_EXTENDED_START;

	if (id < 2)
		return id == 0 ? 0 : 160; /* legacy area: x87 at 0, XMM registers at 160 */
	if (!(mask & (1ULL << id)))
		return 0;
	for (unsigned int i = 2; i < XSTATE_MAX_COMPONENTS; i++) {
		if (!(mask & (1ULL << i)))
			continue;
		if (l->comp[i].align64)
			offset = align64(offset);
		if (i == id)
			return offset;
		offset += l->comp[i].size;
	}
	return 0;
}

uint32_t xstate_size_compacted(const struct xstate_layout *l, uint64_t mask)
{
	uint32_t size = XSTATE_EXTENDED_START;

	for (unsigned int i = 2; i < XSTATE_MAX_COMPONENTS; i++) {
		if (!(mask & (1ULL << i)))
			continue;
		if (l->comp[i].align64)
			size = align64(size);
		size += l->comp[i].size;
	}
	return size;
}

uint32_t xstate_offset(const struct xstate_layout *l, uint64_t mask, unsigned int id,
		       bool compacted)
{
	if (id < 2)
		return id == 0 ? 0 : 160;
	return compacted ? xstate_offset_compacted(l, mask, id) : l->comp[id].offset;
}

uint64_t xstate_xfd_capable(const struct xstate_layout *l)
{
	uint64_t mask = 0;

	for (unsigned int id = 0; id < XSTATE_MAX_COMPONENTS; id++)
		if (l->comp[id].xfd && l->comp[id].enabled)
			mask |= 1ULL << id;
	return mask;
}

uint64_t xstate_default_features(const struct xstate_layout *l)
{
	return (l->xcr0 | l->xss) & ~xstate_xfd_capable(l);
}

/*
 * User space cannot read IA32_XSS. CPUID.(0DH,1):EBX is the compacted size of
 * XCR0 | IA32_XSS, so the enabled supervisor set is the subset of the supported one whose
 * compacted size matches; it is known only when exactly one subset matches.
 */
static void infer_xss(struct xstate_layout *l)
{
	uint64_t bits[XSTATE_MAX_COMPONENTS];
	unsigned int n = 0, matches = 0;
	uint64_t found = 0;

	if (!l->xss_supported) { /* nothing to enable: CPUs without XSAVES report EBX = 0 */
		l->xss = 0;
		l->xss_known = true;
		return;
	}
	for (unsigned int id = 0; id < XSTATE_MAX_COMPONENTS; id++)
		if (l->xss_supported & (1ULL << id))
			bits[n++] = 1ULL << id;
	if (n > 12) { /* more supervisor states than any CPU has: do not search */
		l->xss = 0;
		l->xss_known = false;
		return;
	}
	for (uint32_t subset = 0; subset < (1u << n); subset++) {
		uint64_t xss = 0;

		for (unsigned int i = 0; i < n; i++)
			if (subset & (1u << i))
				xss |= bits[i];
		if (xstate_size_compacted(l, l->xcr0 | xss) == l->size_enabled_compacted) {
			matches++;
			found = xss;
		}
	}
	l->xss = matches ? found : 0;
	l->xss_known = matches == 1;
}

enum xstate_layout_error xstate_layout_decode(struct xstate_layout *l,
					      const struct cpuid_provider *p, int64_t xss)
{
	struct cpuid_regs r;

	kmem_set(l, 0, sizeof(*l));

	cpuid_read(p, 1, 0, &r);
	l->xsave = (r.ecx >> 26) & 1;
	l->osxsave = (r.ecx >> 27) & 1;
	l->fxsr = (r.edx >> 24) & 1;

	if (!l->xsave)
		return XSTATE_LAYOUT_NO_XSAVE;
	cpuid_read(p, 0, 0, &r);
	if (r.eax < 0xd)
		return XSTATE_LAYOUT_NO_LEAF_D;
	if (!l->osxsave || !p->xgetbv(p, 0, &l->xcr0))
		return XSTATE_LAYOUT_NO_OSXSAVE;

	cpuid_read(p, 0xd, 0, &r);
	l->xcr0_supported = regs_mask(r.eax, r.edx);
	l->size_xcr0_standard = r.ebx;
	l->size_max_standard = r.ecx;

	cpuid_read(p, 0xd, 1, &r);
	l->xsaveopt = r.eax & 1;
	l->xsavec = (r.eax >> 1) & 1;
	l->xgetbv1 = (r.eax >> 2) & 1;
	l->xsaves = (r.eax >> 3) & 1;
	l->xfd = (r.eax >> 4) & 1;
	l->size_enabled_compacted = r.ebx;
	l->xss_supported = regs_mask(r.ecx, r.edx);

	/* x87 and SSE live in the legacy area; CPUID describes components 2 and up. */
	l->comp[XFEATURE_X87] = (struct xstate_component){ .supported = true, .size = 160 };
	l->comp[XFEATURE_SSE] = (struct xstate_component){ .supported = true, .offset = 160, .size = 256 };
	for (unsigned int id = 2; id < XSTATE_MAX_COMPONENTS; id++) {
		struct xstate_component *c = &l->comp[id];
		uint64_t bit = 1ULL << id;

		if (!((l->xcr0_supported | l->xss_supported) & bit))
			continue;
		cpuid_read(p, 0xd, id, &r);
		c->supported = true;
		c->size = r.eax;
		c->offset = r.ebx;
		c->supervisor = r.ecx & 1;
		c->align64 = (r.ecx >> 1) & 1;
		c->xfd = (r.ecx >> 2) & 1;
		if (!c->size || (!c->supervisor && c->offset < XSTATE_EXTENDED_START))
			return XSTATE_LAYOUT_BAD_LEAF_D;
	}

	if (xss >= 0) {
		l->xss = (uint64_t)xss;
		l->xss_known = true;
	} else {
		infer_xss(l);
	}
	for (unsigned int id = 0; id < XSTATE_MAX_COMPONENTS; id++)
		l->comp[id].enabled = ((l->xcr0 | l->xss) >> id) & 1;
	return XSTATE_LAYOUT_OK;
}
