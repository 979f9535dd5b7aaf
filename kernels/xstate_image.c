/*
 * xstate_image.c - init and pattern images, and comparing buffers. Freestanding.
 */
#include "xstate_image.h"
#include "../base/kstring.h"

#define AMX_PALETTE1_TILES 8
#define AMX_PALETTE1_ROWS 16
#define AMX_PALETTE1_COLSB 64

uint64_t xstate_pattern_capable(void)
{
	return XFEATURE_MASK(XFEATURE_X87) | XFEATURE_MASK(XFEATURE_SSE) |
	       XFEATURE_MASK(XFEATURE_YMM) | XFEATURE_MASK(XFEATURE_BNDREGS) |
	       XFEATURE_MASK(XFEATURE_BNDCSR) | XFEATURE_MASK(XFEATURE_OPMASK) |
	       XFEATURE_MASK(XFEATURE_ZMM_HI256) | XFEATURE_MASK(XFEATURE_HI16_ZMM) |
	       XFEATURE_MASK(XFEATURE_PKRU) | XFEATURE_MASK(XFEATURE_PASID) |
	       XFEATURE_MASK(XFEATURE_CET_USER) | XFEATURE_MASK(XFEATURE_CET_KERNEL) |
	       XFEATURES_AMX_TILES | XFEATURE_MASK(XFEATURE_APX);
}

/* A cheap, well-mixed byte stream: distinct per component, register and seed. */
static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static void fill_bytes(uint8_t *dst, uint32_t len, uint64_t key)
{
	for (uint32_t i = 0; i < len; i += 8) {
		uint64_t v = mix(key + i) | 1; /* never all zero */

		for (uint32_t b = 0; b < 8 && i + b < len; b++)
			dst[i + b] = (uint8_t)(v >> (8 * b));
	}
}

static void put64(uint8_t *dst, uint64_t v)
{
	kmem_copy(dst, &v, sizeof(v));
}

static void put32(uint8_t *dst, uint32_t v)
{
	kmem_copy(dst, &v, sizeof(v));
}

/* A canonical, 8-byte aligned user-half address derived from @key (shadow stack pointers). */
static uint64_t canonical_pointer(uint64_t key)
{
	return (mix(key) & 0x00007ffffffff000ULL) | 0x1000;
}

static void legacy_build(uint8_t *buf, bool pattern, uint32_t seed, uint64_t mask)
{
	uint16_t fcw = FCW_DEFAULT;

	kmem_copy(buf + FXSAVE_FCW_OFFSET, &fcw, sizeof(fcw));
	put32(buf + FXSAVE_MXCSR_OFFSET, MXCSR_DEFAULT);
	put32(buf + FXSAVE_MXCSR_OFFSET + 4, 0xffff); /* MXCSR_MASK: ignored by restores */
	if (!pattern)
		return;
	if (mask & XFEATURE_MASK(XFEATURE_X87)) {
		buf[FXSAVE_FTW_OFFSET] = 0xff; /* abridged tag word: all eight registers valid */
		for (unsigned int r = 0; r < 8; r++)
			fill_bytes(buf + FXSAVE_ST_OFFSET + 16 * r, 10, ((uint64_t)seed << 32) | (0x100 + r));
	}
	if (mask & XFEATURE_MASK(XFEATURE_SSE))
		fill_bytes(buf + FXSAVE_XMM_OFFSET, 256, ((uint64_t)seed << 32) | 0x200);
}

static void component_build(unsigned int id, uint8_t *dst, uint32_t size, uint32_t seed)
{
	uint64_t key = ((uint64_t)seed << 32) | ((uint64_t)id << 20);

	switch (id) {
	case XFEATURE_BNDCSR:
		put64(dst, 0);              /* BNDCFGU: MPX stays disabled */
		put64(dst + 8, mix(key) | 1); /* BNDSTATUS */
		break;
	case XFEATURE_PKRU: {
		/* Access to key 0 (all of our memory) must stay allowed: bits 1:0 clear. */
		uint32_t pkru = (0x55555554u ^ ((uint32_t)mix(key) & 0xaaaaaaa8u)) & ~3u;

		put32(dst, pkru ? pkru : 0x4);
		break;
	}
	case XFEATURE_PASID:
		put64(dst, (1ULL << 31) | ((mix(key) & 0xfffff) | 1)); /* valid bit + 20-bit PASID */
		break;
	case XFEATURE_CET_USER:
		put64(dst, 0);                       /* U_CET: no enables */
		put64(dst + 8, canonical_pointer(key)); /* PL3_SSP */
		break;
	case XFEATURE_CET_KERNEL:
		for (unsigned int i = 0; i < 3; i++)
			put64(dst + 8 * i, canonical_pointer(key + i)); /* PL0..PL2_SSP */
		break;
	case XFEATURE_XTILECFG:
		dst[0] = 1; /* palette 1 */
		for (unsigned int t = 0; t < AMX_PALETTE1_TILES; t++) {
			uint16_t colsb = AMX_PALETTE1_COLSB;

			kmem_copy(dst + 16 + 2 * t, &colsb, sizeof(colsb));
			dst[48 + t] = AMX_PALETTE1_ROWS;
		}
		break;
	default:
		fill_bytes(dst, size, key);
		break;
	}
}

bool xstate_image_build(const struct xstate_layout *l, void *buf, uint32_t size, uint64_t mask,
			bool compacted, bool pattern, uint32_t seed)
{
	uint32_t need = compacted ? xstate_size_compacted(l, mask) : xstate_size_standard(l, mask);
	struct xstate_header *hdr = xstate_header_of(buf);
	uint8_t *base = buf;

	if (size < need || (pattern && (mask & ~xstate_pattern_capable())))
		return false;
	kmem_set(buf, 0, size);
	legacy_build(base, pattern, seed, mask);
	hdr->xcomp_bv = compacted ? (XCOMP_BV_COMPACTED | mask) : 0;
	if (!pattern)
		return true;
	hdr->xstate_bv = mask;
	for (unsigned int id = 2; id < XSTATE_MAX_COMPONENTS; id++) {
		if (!(mask & (1ULL << id)))
			continue;
		component_build(id, base + xstate_offset(l, mask, id, compacted), l->comp[id].size, seed);
	}
	return true;
}

uint64_t xstate_image_support(uint64_t mask)
{
	uint64_t tiledata = XFEATURE_MASK(XFEATURE_XTILEDATA), tilecfg = XFEATURE_MASK(XFEATURE_XTILECFG);

	return (mask & tiledata) && !(mask & tilecfg) ? tilecfg : 0;
}

void fxsave_image_build(void *buf, bool pattern, uint32_t seed)
{
	kmem_set(buf, 0, XSTATE_LEGACY_SIZE);
	legacy_build(buf, pattern, seed, XFEATURES_FP);
}

static bool x87_equal(const uint8_t *a, const uint8_t *b)
{
	/* FCW, FSW, abridged FTW; then ST0-7 (80 bits each). FOP, FIP and FDP are ignored. */
	if (!kmem_equal(a, b, 5))
		return false;
	for (unsigned int r = 0; r < 8; r++)
		if (!kmem_equal(a + FXSAVE_ST_OFFSET + 16 * r, b + FXSAVE_ST_OFFSET + 16 * r, 10))
			return false;
	return true;
}

/* MXCSR and XMM0-15 (MXCSR_MASK is read-only and ignored). */
static bool sse_equal(const uint8_t *a, const uint8_t *b)
{
	return kmem_equal(a + FXSAVE_MXCSR_OFFSET, b + FXSAVE_MXCSR_OFFSET, 4) &&
	       kmem_equal(a + FXSAVE_XMM_OFFSET, b + FXSAVE_XMM_OFFSET, 256);
}

bool xstate_legacy_holds_init(const void *buf, uint64_t mask)
{
	uint8_t init[XSTATE_LEGACY_SIZE];

	fxsave_image_build(init, false, 0);
	if ((mask & XFEATURE_MASK(XFEATURE_X87)) && !x87_equal(buf, init))
		return false;
	return !(mask & XFEATURE_MASK(XFEATURE_SSE)) || sse_equal(buf, init);
}

/* The bytes of component @id that hold its registers: BNDCSR's 64 bytes hold BNDCFGU and
 * BNDSTATUS in 15:0 (SDM vol. 1, 13.5.4), the rest is not architected (QEMU leaves it
 * unwritten); every other component's registers fill it. */
static uint32_t register_bytes(unsigned int id, uint32_t size)
{
	return id == XFEATURE_BNDCSR && size > 16 ? 16 : size;
}

int xstate_image_diff(const struct xstate_layout *l, const void *a, bool a_compacted,
		      const void *b, bool b_compacted, uint64_t mask)
{
	const struct xstate_header *ha = xstate_header_of((void *)a);
	const struct xstate_header *hb = xstate_header_of((void *)b);
	uint64_t amask = a_compacted ? ha->xcomp_bv & ~XCOMP_BV_COMPACTED : mask;
	uint64_t bmask = b_compacted ? hb->xcomp_bv & ~XCOMP_BV_COMPACTED : mask;
	const uint8_t *pa = a, *pb = b;

	for (unsigned int id = 0; id < XSTATE_MAX_COMPONENTS; id++) {
		uint64_t bit = 1ULL << id;

		if (!(mask & bit))
			continue;
		if ((ha->xstate_bv & bit) != (hb->xstate_bv & bit))
			return (int)id;
		if (!(ha->xstate_bv & bit))
			continue;
		if (id == XFEATURE_X87) {
			if (!x87_equal(pa, pb))
				return (int)id;
		} else if (id == XFEATURE_SSE) {
			if (!sse_equal(pa, pb))
				return (int)id;
		} else if (!kmem_equal(pa + xstate_offset(l, amask, id, a_compacted),
				       pb + xstate_offset(l, bmask, id, b_compacted),
				       register_bytes(id, l->comp[id].size))) {
			return (int)id;
		}
	}
	return -1;
}
