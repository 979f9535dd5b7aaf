/*
 * fpstate.c - making, copying and checking fpstate containers. Freestanding.
 */
#include "fpstate.h"
#include "../base/kstring.h"
#include "xstate_image.h"

#define FPSTATE_HEADER_BYTES ((uint32_t)offsetof(struct fpstate, regs))

static uint32_t buffer_bytes(const struct xstate_layout *l, uint64_t xfeatures, bool compacted)
{
	uint32_t size = compacted ? xstate_size_compacted(l, xfeatures) : xstate_size_standard(l, xfeatures);

	return (size + 63) & ~63u;
}

uint32_t fpstate_container_bytes(const struct xstate_layout *l, uint64_t xfeatures, bool compacted)
{
	return FPSTATE_HEADER_BYTES + buffer_bytes(l, xfeatures, compacted);
}

uint64_t fpstate_default_xfd(const struct xstate_layout *l, uint64_t xfeatures)
{
	return l->xfd ? xstate_xfd_capable(l) & ~xfeatures : 0;
}

/* Describes a container in zeroed memory and writes the init image's few non-zero fields. */
static struct fpstate *describe(void *mem, uint32_t bytes, const struct xstate_layout *l,
				uint64_t xfeatures, bool compacted, bool is_guest)
{
	struct fpstate *fps = mem;
	uint16_t fcw = FCW_DEFAULT;
	uint32_t mxcsr = MXCSR_DEFAULT;

	fps->size = bytes - FPSTATE_HEADER_BYTES;
	fps->xfeatures = xfeatures;
	fps->user_xfeatures = xfeatures & l->xcr0;
	fps->user_size = xstate_size_standard(l, fps->user_xfeatures);
	fps->xfd = is_guest ? 0 : fpstate_default_xfd(l, xfeatures);
	fps->container_bytes = bytes;
	fps->room = fps->size;
	fps->compacted = compacted;
	fps->is_guest = is_guest;
	kmem_copy(fps->regs + FXSAVE_FCW_OFFSET, &fcw, sizeof(fcw));
	kmem_copy(fps->regs + FXSAVE_MXCSR_OFFSET, &mxcsr, sizeof(mxcsr));
	xstate_header_of(fps->regs)->xcomp_bv = compacted ? XCOMP_BV_COMPACTED | xfeatures : 0;
	return fps;
}

static bool features_valid(const struct xstate_layout *l, uint64_t xfeatures)
{
	return !(xfeatures & ~(l->xcr0 | l->xss)) && (xfeatures & XFEATURES_FP) == XFEATURES_FP;
}

struct fpstate *fpstate_init(void *mem, uint32_t mem_bytes, const struct xstate_layout *l,
			     uint64_t xfeatures, bool compacted, bool is_guest)
{
	uint32_t need = fpstate_container_bytes(l, xfeatures, compacted);

	struct fpstate *fps;

	if (!mem || ((uintptr_t)mem & 63) || mem_bytes < need || !features_valid(l, xfeatures))
		return NULL;
	kmem_set(mem, 0, mem_bytes);
	fps = describe(mem, need, l, xfeatures, compacted, is_guest);
	fps->room = (mem_bytes - FPSTATE_HEADER_BYTES) & ~63u;
	return fps;
}

struct fpstate *fpstate_alloc(const struct fpstate_allocator *a, const struct xstate_layout *l,
			      uint64_t xfeatures, bool compacted, bool is_guest)
{
	uint32_t bytes = fpstate_container_bytes(l, xfeatures, compacted);
	struct fpstate *fps;
	void *mem;

	if (!features_valid(l, xfeatures))
		return NULL;
	mem = a->alloc(a->ctx, bytes);
	if (!mem)
		return NULL;
	if ((uintptr_t)mem & 63) {
		a->free(a->ctx, mem, bytes);
		return NULL;
	}
	/* The allocator's memory is zeroed, as vzalloc's: only the non-zero fields are written. */
	fps = describe(mem, bytes, l, xfeatures, compacted, is_guest);
	fps->allocated = true;
	return fps;
}

void fpstate_free(const struct fpstate_allocator *a, struct fpstate *fps)
{
	if (fps && fps->allocated)
		a->free(a->ctx, fps, fps->container_bytes);
}

bool fpstate_copy_regs(struct fpstate *dst, const struct fpstate *src, uint32_t bytes)
{
	void *d = dst->regs;
	const void *s = src->regs;
	size_t n = bytes;

	if (bytes > dst->room || bytes > src->room || dst->compacted != src->compacted)
		return false;
	__asm__ volatile("rep movsb" : "+D"(d), "+S"(s), "+c"(n) : : "memory");
	return true;
}

static enum fpstate_check header_fail(enum fpstate_check c, uint64_t want, uint64_t got,
				      uint64_t *expected, uint64_t *actual)
{
	*expected = want;
	*actual = got;
	return c;
}

enum fpstate_check fpstate_check_header(const struct xstate_layout *l, const struct fpstate *fps,
					uint64_t *expected, uint64_t *actual)
{
	const struct xstate_header *hdr = xstate_header_of((void *)fps->regs);
	uint64_t want_xcomp = fps->compacted ? XCOMP_BV_COMPACTED | fps->xfeatures : 0;
	uint32_t want_size = buffer_bytes(l, fps->xfeatures, fps->compacted);

	if (fps->size != want_size)
		return header_fail(FPSTATE_SIZE, want_size, fps->size, expected, actual);
	if (fps->user_size != xstate_size_standard(l, fps->user_xfeatures))
		return header_fail(FPSTATE_SIZE, xstate_size_standard(l, fps->user_xfeatures),
				   fps->user_size, expected, actual);
	if (hdr->xstate_bv & ~fps->xfeatures)
		return header_fail(FPSTATE_XSTATE_BV, fps->xfeatures, hdr->xstate_bv, expected, actual);
	if (hdr->xcomp_bv != want_xcomp)
		return header_fail(FPSTATE_XCOMP_BV, want_xcomp, hdr->xcomp_bv, expected, actual);
	for (unsigned int i = 0; i < 6; i++)
		if (hdr->reserved[i])
			return header_fail(FPSTATE_RESERVED, 0, hdr->reserved[i], expected, actual);
	return FPSTATE_OK;
}
