/*
 * xstate_verify.c - one component's layout checked with XSAVE, XSAVEC and XRSTOR, and in
 * ring 0 with XSAVES and XRSTORS. Freestanding.
 */
#include "xstate_verify.h"
#include "../base/kstring.h"
#include "xsave_insn.h"
#include "xstate_image.h"

#define GUARD_BYTES 256u        /* beyond the largest area: a write past its end shows */
#define X87_LOW_END 24u         /* x87: bytes 23:0 and 159:32 */
#define X87_REGS_START 32u
#define SSE_XMM_START 160u      /* SSE: bytes 31:24 (MXCSR, MXCSR_MASK) and 415:160 */
#define SSE_XMM_END 416u
#define MXCSR_BYTES 8u
#define LEGACY_RESERVED_END 464u /* 463:416 reserved; 511:464 never written */
#define HEADER_FIELD_BYTES 8u   /* XSTATE_BV, then XCOMP_BV */
#define SEED_COMPONENT 0xc0de
#define SEED_OTHERS 0x0e15

struct regions {
	uint32_t n;
	struct {
		uint32_t start, end;
	} r[XSTATE_MAX_COMPONENTS + 8];
};

const char *xstate_verify_insn_name(enum xstate_verify_insn insn)
{
	static const char *const names[XV_INSN_COUNT] = { "xsave",	"xsavec", "xrstor", "xrstor_compacted",
							  "xsaves", "xrstors" };

	return insn < XV_INSN_COUNT ? names[insn] : "?";
}

uint32_t xstate_verify_buffer_bytes(const struct xstate_layout *l)
{
	uint32_t standard = xstate_size_standard(l, l->xcr0);
	uint32_t compacted = xstate_size_compacted(l, l->xcr0 | (l->xsaves ? l->xss : 0));
	uint32_t size = standard > compacted ? standard : compacted;

	return ((size + 63u) & ~63u) + GUARD_BYTES;
}

uint64_t xstate_verify_loaded(unsigned int id)
{
	if (id == XFEATURE_XTILEDATA)
		return XFEATURES_AMX_TILES;
	return 1ULL << id;
}

uint64_t xstate_verify_compacted_rfbm(const struct xstate_layout *l, uint64_t user_mask, uint64_t supervisor_mask,
				      unsigned int id)
{
	uint64_t upto = id >= 63 ? ~0ULL : (2ULL << id) - 1;

	return ((l->xcr0 & user_mask) | (l->xss & supervisor_mask)) & upto;
}

/* The components the checks may load: the user ones permitted, the supervisor ones in ring 0. */
static uint64_t loadable(const struct xstate_verify *v)
{
	return ((v->layout->xcr0 & v->user_mask) | (v->ring0 ? v->layout->xss & v->supervisor_mask : 0)) &
	       xstate_pattern_capable();
}

/* A byte no instruction writes by chance: never zero, different at every nearby offset. */
static uint8_t sentinel(uint32_t at)
{
	return (uint8_t)((0xa5u ^ (at * 0x9du) ^ (at >> 8)) | 0x01u);
}

static void fill_sentinel(uint8_t *area, uint32_t bytes)
{
	for (uint32_t at = 0; at < bytes; at++)
		area[at] = sentinel(at);
}

static void add_region(struct regions *rs, uint32_t start, uint32_t len)
{
	if (rs->n < sizeof(rs->r) / sizeof(rs->r[0]))
		rs->r[rs->n++] = (typeof(rs->r[0])){ start, start + len };
}

/* What the legacy area may take: x87 for @x87, the XMM registers for @xmm, MXCSR for @mxcsr,
 * and the reserved bytes 463:416. */
static void legacy_regions(struct regions *rs, bool x87, bool xmm, bool mxcsr)
{
	if (x87) {
		add_region(rs, 0, X87_LOW_END);
		add_region(rs, X87_REGS_START, SSE_XMM_START - X87_REGS_START);
	}
	if (xmm)
		add_region(rs, SSE_XMM_START, SSE_XMM_END - SSE_XMM_START);
	if (mxcsr)
		add_region(rs, X87_LOW_END, MXCSR_BYTES);
	add_region(rs, SSE_XMM_END, LEGACY_RESERVED_END - SSE_XMM_END);
}

/* The extended components of @written at their offsets in the format of @compacted
 * (compacted: in an area of @rfbm). */
static void extended_regions(struct regions *rs, const struct xstate_layout *l, uint64_t written, uint64_t rfbm,
			     bool compacted)
{
	for (unsigned int id = 2; id < XSTATE_MAX_COMPONENTS; id++)
		if (written & (1ULL << id))
			add_region(rs, xstate_offset(l, rfbm, id, compacted), l->comp[id].size);
}

static bool allowed(const struct regions *rs, uint32_t at)
{
	for (uint32_t i = 0; i < rs->n; i++)
		if (at >= rs->r[i].start && at < rs->r[i].end)
			return true;
	return false;
}

/* Bytes changed outside @rs: the first in out->stray_offset, how many in out->stray_bytes. */
static bool stray_writes(const uint8_t *area, uint32_t bytes, const struct regions *rs,
			 struct xstate_verify_result *out)
{
	for (uint32_t at = 0; at < bytes; at++) {
		if (area[at] == sentinel(at) || allowed(rs, at))
			continue;
		if (!out->stray_bytes++)
			out->stray_offset = at;
	}
	return out->stray_bytes > 0;
}

static uint64_t read64(const uint8_t *p)
{
	uint64_t v;

	kmem_copy(&v, p, sizeof(v));
	return v;
}

static uint64_t xinuse_now(const struct xstate_verify *v, uint64_t loaded)
{
	return v->layout->xgetbv1 ? xgetbv(1) : loaded;
}

static enum xstate_verify_outcome result(struct xstate_verify_result *out, enum xstate_verify_outcome o,
					 uint64_t expected, uint64_t actual)
{
	out->outcome = o;
	out->expected = expected;
	out->actual = actual;
	return o;
}

/* The component alone in use (its companions with it), every other component of the
 * process in its init state; false when no image of it can be built. */
static bool load_alone(const struct xstate_verify *v, unsigned int id)
{
	if (!xstate_image_build(v->layout, v->image, v->bytes, xstate_verify_loaded(id), false, true, SEED_COMPONENT))
		return false;
	xrstor(v->image, v->user_mask);
	return true;
}

/* The header and the component's bytes after a save into the sentinel-filled area. */
static enum xstate_verify_outcome check_saved(const struct xstate_verify *v, unsigned int id, bool compacted,
					      bool image_compacted, uint64_t want_bv, const struct regions *rs,
					      struct xstate_verify_result *out)
{
	const uint8_t *area = v->area;
	uint64_t bv = read64(area + XSTATE_LEGACY_SIZE), xcomp = read64(area + XSTATE_LEGACY_SIZE + HEADER_FIELD_BYTES);
	int diff;

	if (compacted && xcomp != (XCOMP_BV_COMPACTED | out->rfbm))
		return result(out, XV_XCOMP_BV, XCOMP_BV_COMPACTED | out->rfbm, xcomp);
	if (bv != want_bv)
		return result(out, XV_XSTATE_BV, want_bv, bv);
	if (stray_writes(area, v->bytes, rs, out))
		return result(out, XV_STRAY_WRITE, 0, 0);
	diff = xstate_image_diff(v->layout, v->area, compacted, v->image, image_compacted, 1ULL << id);
	if (diff >= 0) {
		out->content_component = diff;
		return result(out, XV_CONTENT, 0, 0);
	}
	return result(out, XV_OK, 0, 0);
}

/* XSAVE (standard format) of the component alone. */
static enum xstate_verify_outcome verify_xsave(const struct xstate_verify *v, unsigned int id,
					       struct xstate_verify_result *out)
{
	struct regions rs = { 0 };
	uint64_t bit = 1ULL << id, bv_before, after;
	bool mxcsr;

	out->rfbm = bit;
	out->offset = xstate_offset(v->layout, bit, id, false);
	fill_sentinel(v->area, v->bytes);
	bv_before = read64((uint8_t *)v->area + XSTATE_LEGACY_SIZE);
	if (!load_alone(v, id))
		return result(out, XV_BAD_ARGS, 0, 0);
	out->xinuse = xinuse_now(v, xstate_verify_loaded(id));
	xsave(v->area, bit);
	after = xinuse_now(v, xstate_verify_loaded(id));
	if (!(out->xinuse & bit))
		return result(out, XV_NOT_IN_USE, bit, out->xinuse);
	if (after != out->xinuse)
		return result(out, XV_DISTURBED, out->xinuse, after);
	mxcsr = id == XFEATURE_SSE || id == XFEATURE_YMM;
	legacy_regions(&rs, id == XFEATURE_X87, id == XFEATURE_SSE, mxcsr);
	extended_regions(&rs, v->layout, bit, bit, false);
	add_region(&rs, XSTATE_LEGACY_SIZE, HEADER_FIELD_BYTES);
	if (check_saved(v, id, false, false, (bv_before & ~bit) | (out->xinuse & bit), &rs, out) != XV_OK)
		return out->outcome;
	/* MXCSR belongs to SSE, yet XSAVE writes it for RFBM[1] or RFBM[2]: it must be there */
	if (mxcsr && !kmem_equal((uint8_t *)v->area + X87_LOW_END, (uint8_t *)v->image + X87_LOW_END, 4)) {
		out->content_component = XFEATURE_SSE;
		return result(out, XV_CONTENT, 0, 0);
	}
	return XV_OK;
}

/* XSAVEC of the enabled components up to this one, only it (and its companions) in use. */
static enum xstate_verify_outcome verify_xsavec(const struct xstate_verify *v, unsigned int id,
						struct xstate_verify_result *out)
{
	struct regions rs = { 0 };
	uint64_t rfbm = xstate_verify_compacted_rfbm(v->layout, v->user_mask, 0, id), written, after;

	if (!v->layout->xsavec)
		return result(out, XV_BAD_ARGS, 0, 0);
	out->rfbm = rfbm;
	out->offset = xstate_offset(v->layout, rfbm, id, true);
	fill_sentinel(v->area, v->bytes);
	if (!load_alone(v, id))
		return result(out, XV_BAD_ARGS, 0, 0);
	out->xinuse = xinuse_now(v, xstate_verify_loaded(id));
	xsavec(v->area, rfbm);
	after = xinuse_now(v, xstate_verify_loaded(id));
	if (!(out->xinuse & (1ULL << id)))
		return result(out, XV_NOT_IN_USE, 1ULL << id, out->xinuse);
	if (after != out->xinuse)
		return result(out, XV_DISTURBED, out->xinuse, after);
	written = rfbm & out->xinuse;
	legacy_regions(&rs, written & XFEATURE_MASK(XFEATURE_X87), written & XFEATURE_MASK(XFEATURE_SSE),
		       rfbm & XFEATURE_MASK(XFEATURE_SSE));
	extended_regions(&rs, v->layout, written, rfbm, true);
	add_region(&rs, XSTATE_LEGACY_SIZE, 2 * HEADER_FIELD_BYTES);
	return check_saved(v, id, true, false, written, &rs, out);
}

/* The component alone (its companions with it) loaded by XRSTORS from a compacted image, every
 * other component the checks may load, supervisor ones included, initialized. */
static bool load_alone_by_xrstors(const struct xstate_verify *v, unsigned int id)
{
	if (!xstate_image_build(v->layout, v->image, v->bytes, xstate_verify_loaded(id), true, true, SEED_COMPONENT))
		return false;
	xrstors(v->image, loadable(v));
	return true;
}

/* XSAVES of the components up to this one, user and supervisor, only it (and its companions)
 * loaded. */
static enum xstate_verify_outcome verify_xsaves(const struct xstate_verify *v, unsigned int id,
						struct xstate_verify_result *out)
{
	const struct xstate_layout *l = v->layout;
	uint64_t rfbm = xstate_verify_compacted_rfbm(l, loadable(v), loadable(v), id), bit = 1ULL << id;
	uint64_t user = rfbm & l->xcr0, supervisor = rfbm & l->xss, loaded = xstate_verify_loaded(id);
	uint64_t bv, after, written;
	struct regions rs = { 0 };

	out->rfbm = rfbm;
	out->offset = xstate_offset(l, rfbm, id, true);
	fill_sentinel(v->area, v->bytes);
	if (!load_alone_by_xrstors(v, id))
		return result(out, XV_BAD_ARGS, 0, 0);
	out->xinuse = xinuse_now(v, loaded & l->xcr0);
	xsaves(v->area, rfbm);
	after = xinuse_now(v, loaded & l->xcr0);
	if (!(supervisor & bit) && !(out->xinuse & bit))
		return result(out, XV_NOT_IN_USE, bit, out->xinuse);
	if (after != out->xinuse)
		return result(out, XV_DISTURBED, out->xinuse, after);
	/* XGETBV(1) shows XINUSE for XCR0's components only: a supervisor component the XRSTORS
	 * initialized may be written or not, the one loaded must be */
	bv = read64((uint8_t *)v->area + XSTATE_LEGACY_SIZE);
	written = (user & out->xinuse) | (supervisor & (bv | loaded));
	legacy_regions(&rs, written & XFEATURE_MASK(XFEATURE_X87), written & XFEATURE_MASK(XFEATURE_SSE),
		       rfbm & XFEATURE_MASK(XFEATURE_SSE));
	extended_regions(&rs, l, written, rfbm, true);
	add_region(&rs, XSTATE_LEGACY_SIZE, 2 * HEADER_FIELD_BYTES);
	return check_saved(v, id, true, true, written, &rs, out);
}

/* Every component in use with one pattern, then XRSTOR of this one alone from another image:
 * standard, or compacted holding every enabled component up to it (each with its values);
 * @by_xrstors: every component the checks may load, supervisor ones included, loaded,
 * restored and saved again with XRSTORS and XSAVES. */
static enum xstate_verify_outcome verify_xrstor(const struct xstate_verify *v, unsigned int id, bool compacted,
						bool by_xrstors, struct xstate_verify_result *out)
{
	const struct xstate_layout *l = v->layout;
	uint64_t bit = 1ULL << id, others = loadable(v) & (by_xrstors ? ~0ULL : l->xcr0);
	uint64_t area = compacted ? xstate_verify_compacted_rfbm(l, others, others, id) : xstate_verify_loaded(id);
	int diff;

	if (compacted && !by_xrstors && !l->xsavec)
		return result(out, XV_BAD_ARGS, 0, 0);
	out->rfbm = bit;
	out->offset = xstate_offset(l, area, id, compacted);
	if (!xstate_image_build(l, v->other, v->bytes, others, by_xrstors, true, SEED_OTHERS) ||
	    !xstate_image_build(l, v->image, v->bytes, area, compacted, true, SEED_COMPONENT))
		return result(out, XV_BAD_ARGS, 0, 0);
	kmem_set(v->area, 0, v->bytes);
	if (by_xrstors) {
		xrstors(v->other, others);
		xrstors(v->image, bit);
		out->xinuse = xinuse_now(v, others & l->xcr0);
		xsaves(v->area, others);
	} else {
		xrstor(v->other, v->user_mask);
		xrstor(v->image, bit);
		out->xinuse = xinuse_now(v, others);
		xsave(v->area, v->user_mask);
	}
	diff = xstate_image_diff(l, v->area, by_xrstors, v->image, compacted, bit);
	if (diff < 0)
		diff = xstate_image_diff(l, v->area, by_xrstors, v->other, by_xrstors, others & ~bit);
	if (diff >= 0) {
		out->content_component = diff;
		return result(out, XV_CONTENT, 0, 0);
	}
	return result(out, XV_OK, 0, 0);
}

enum xstate_verify_outcome xstate_verify_run(const struct xstate_verify *v, unsigned int id,
					     enum xstate_verify_insn insn, struct xstate_verify_result *out)
{
	struct xstate_header *caller_header = xstate_header_of(v->caller);
	enum xstate_verify_outcome o;

	bool by_xsaves = v->ring0 && v->layout->xsaves, supervisor_insn = insn == XV_XSAVES || insn == XV_XRSTORS;
	uint64_t caller_mask = v->caller_mask | (by_xsaves ? loadable(v) & v->layout->xss : 0);

	kmem_set(out, 0, sizeof(*out));
	out->content_component = -1;
	if (id >= XSTATE_MAX_COMPONENTS || !(loadable(v) & (1ULL << id)) || (xstate_verify_loaded(id) & ~loadable(v)) ||
	    (supervisor_insn && !by_xsaves) || (!supervisor_insn && (v->layout->xss & (1ULL << id))) ||
	    insn >= XV_INSN_COUNT)
		return result(out, XV_BAD_ARGS, 0, 0);
	kmem_set(caller_header, 0, XSTATE_HEADER_SIZE);
	if (by_xsaves)
		xsaves(v->caller, caller_mask);
	else
		xsave(v->caller, caller_mask);
	if (insn == XV_XSAVE)
		o = verify_xsave(v, id, out);
	else if (insn == XV_XSAVEC)
		o = verify_xsavec(v, id, out);
	else if (insn == XV_XSAVES)
		o = verify_xsaves(v, id, out);
	else
		o = verify_xrstor(v, id, insn != XV_XRSTOR, insn == XV_XRSTORS, out);
	if (by_xsaves)
		xrstors(v->caller, caller_mask);
	else
		xrstor(v->caller, caller_mask);
	return o;
}
