/*
 * xstate_hold.c - loading and checking a thread's extended state. No vector code.
 */
#include "xstate_hold.h"

#include "../../kernels/tsc.h"
#include "../../kernels/xsave_insn.h"
#include "../../kernels/xstate_image.h"

uint64_t xstate_hold_load_mask(const struct xstate_layout *l, uint64_t in_use, uint64_t usable)
{
	return (in_use | XFEATURES_FP | (usable & ~xstate_xfd_capable(l))) & ~XFEATURE_MASK(XFEATURE_PKRU) & l->xcr0;
}

uint32_t xstate_hold_bytes(const struct xstate_layout *l, uint64_t load_mask)
{
	return 2 * ((xstate_size_standard(l, load_mask) + 63) & ~63u);
}

bool xstate_hold_init(struct xstate_hold *h, const struct xstate_layout *l, uint64_t in_use,
		      uint64_t load_mask, uint32_t seed, void *mem)
{
	uint32_t size = (xstate_size_standard(l, load_mask) + 63) & ~63u;

	h->layout = l;
	h->in_use = in_use;
	h->load_mask = load_mask;
	h->size = size;
	h->seed = in_use ? seed : 0;
	h->image = mem;
	h->readback = (uint8_t *)mem + size;
	/* a standard-format image of in_use in a buffer sized for load_mask: the rest is init */
	if (in_use & ~h->load_mask)
		return false;
	if (!in_use)
		return xstate_image_build(l, h->image, size, h->load_mask, false, false, 0);
	return xstate_image_build(l, h->image, size, in_use, false, true, seed);
}

void xstate_hold_load(const struct xstate_hold *h)
{
	xrstor(h->image, h->load_mask);
}

/* x87 and SSE where the hold keeps them in init: they may show in use after a kernel path. */
static uint64_t may_show_init(const struct xstate_hold *h)
{
	return XFEATURES_FP & h->load_mask & ~h->in_use;
}

/* The hold's components in @buf (standard format) against the image; @init_ok of them may be
 * in use holding their init values. */
static struct hold_result compare(const struct xstate_hold *h, const void *buf, uint64_t init_ok, uint64_t xinuse)
{
	uint64_t bv = xstate_header_of((void *)buf)->xstate_bv & h->load_mask;
	uint64_t init_in_use = bv & init_ok;
	int diff;

	if ((bv & ~init_ok) != h->in_use)
		return (struct hold_result){ HOLD_XSTATE_BV, h->in_use, bv, xinuse, init_in_use };
	if (!xstate_legacy_holds_init(buf, init_in_use))
		return (struct hold_result){ HOLD_CONTENT, init_in_use, bv, xinuse, init_in_use };
	diff = xstate_image_diff(h->layout, buf, false, h->image, false, h->load_mask & ~init_in_use);
	if (diff >= 0)
		return (struct hold_result){ HOLD_CONTENT, 1ULL << diff, bv, xinuse, init_in_use };
	return (struct hold_result){ HOLD_OK, 0, 0, xinuse, init_in_use };
}

/* Reads XINUSE, saves the registers into the readback buffer and compares. */
static struct hold_result check(const struct xstate_hold *h, uint64_t init_ok)
{
	uint64_t xinuse = h->layout->xgetbv1 ? xgetbv(1) : 0;

	if (h->layout->xgetbv1 && (xinuse & h->load_mask & ~init_ok) != h->in_use)
		return (struct hold_result){ HOLD_XINUSE, h->in_use, xinuse & h->load_mask, xinuse, 0 };
	xstate_header_of(h->readback)->xstate_bv = 0;
	xsave(h->readback, h->load_mask);
	return compare(h, h->readback, init_ok, xinuse);
}

struct hold_result xstate_hold_check(const struct xstate_hold *h)
{
	return check(h, 0);
}

struct hold_result xstate_hold_check_after_path(const struct xstate_hold *h)
{
	return check(h, may_show_init(h));
}

struct hold_result xstate_hold_compare(const struct xstate_hold *h, const void *buf)
{
	return compare(h, buf, may_show_init(h), 0);
}

struct hold_result xstate_hold_check_values(const struct xstate_hold *h)
{
	uint64_t xinuse = h->layout->xgetbv1 ? xgetbv(1) : 0;
	int diff;

	xstate_header_of(h->readback)->xstate_bv = 0;
	xsave(h->readback, h->load_mask);
	diff = xstate_image_diff(h->layout, h->readback, false, h->image, false, h->in_use);
	if (diff >= 0)
		return (struct hold_result){ HOLD_CONTENT, 1ULL << diff, xstate_header_of(h->readback)->xstate_bv,
					     xinuse, 0 };
	return (struct hold_result){ HOLD_OK, 0, 0, xinuse, 0 };
}

const char *xstate_hold_check_str(enum hold_check c)
{
	switch (c) {
	case HOLD_OK:
		return "ok";
	case HOLD_XINUSE:
		return "XINUSE does not show the held components (and only them) in use";
	case HOLD_XSTATE_BV:
		return "XSTATE_BV does not show the held components (and only them) in use";
	case HOLD_CONTENT:
		return "a held component's value changed";
	}
	return "unknown hold check";
}

bool xstate_hold_disturbed(const struct hold_result *r)
{
	return r->check == HOLD_XINUSE || r->check == HOLD_XSTATE_BV;
}

void xstate_hold_batch(const struct xstate_hold *h, long (*trips)(void *ctx, uint32_t n), void *ctx,
		       uint32_t warmup, uint32_t n, void *caller, uint64_t caller_mask, struct held_batch *out)
{
	uint64_t t0, t1;

	*out = (struct held_batch){ 0 };
	xsave(caller, caller_mask);
	xstate_hold_load(h);
	out->before = xstate_hold_check(h);
	if (out->before.check != HOLD_OK)
		goto out;
	out->error = trips(ctx, warmup);
	t0 = tsc_begin();
	if (!out->error)
		out->error = trips(ctx, n);
	t1 = tsc_end();
	out->gross_ticks = t1 - t0;
	out->after = xstate_hold_check_after_path(h);
out:
	xrstor(caller, caller_mask);
}
