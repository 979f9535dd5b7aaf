/*
 * xsave_bench.c - the measured save/restore batch and its calibration. Freestanding.
 */
#include "xsave_bench.h"
#include "../base/kstring.h"
#include "tsc.h"
#include "xsave_insn.h"
#include "xstate_image.h"
#include "xstate_rewrite.h"

/* The rewrite's values: another pattern than the caller's image, so that what a save wrote
 * shows which of the two the registers held. */
#define REWRITE_SEED 0x3e3e17u

static const struct xsave_op_info op_table[XOP_COUNT] = {
	[XOP_EMPTY] = { "empty", false, false, false, false, false },
	[XOP_XSAVE] = { "xsave", true, false, false, false, false },
	[XOP_XSAVEOPT] = { "xsaveopt", true, false, false, false, true },
	[XOP_XSAVEC] = { "xsavec", true, true, false, false, false },
	[XOP_XSAVES] = { "xsaves", true, true, false, true, true },
	[XOP_FXSAVE] = { "fxsave", true, false, true, false, false },
	[XOP_XRSTOR] = { "xrstor", false, false, false, false, false },
	[XOP_XRSTORS] = { "xrstors", false, true, false, true, false },
	[XOP_FXRSTOR] = { "fxrstor", false, false, true, false, false },
};

const struct xsave_op_info *xsave_op_info(enum xsave_op op)
{
	return op < XOP_COUNT ? &op_table[op] : &op_table[XOP_EMPTY];
}

const char *xstate_cond_name(enum xstate_cond cond)
{
	return cond < XCOND_COUNT ? condition_name((enum condition)cond) : "?";
}

const char *xsave_check_str(enum xsave_check c)
{
	switch (c) {
	case XCHECK_OK:
		return "ok";
	case XCHECK_XINUSE:
		return "XINUSE (XGETBV 1) before the batch does not match the condition";
	case XCHECK_XSTATE_BV:
		return "XSTATE_BV in the saved header does not match the condition";
	case XCHECK_XCOMP_BV:
		return "XCOMP_BV in the saved header does not match the format";
	case XCHECK_FTW:
		return "FXSAVE's abridged tag word does not match the condition";
	case XCHECK_CONTENT:
		return "the restore did not load the image's register contents";
	case XCHECK_MODOPT:
		return "the modified optimization hit on state loaded from another buffer or modified since";
	case XCHECK_REWRITE:
		return "the save did not write the values the registers were rewritten with";
	case XCHECK_BAD_ARGS:
		return "invalid batch parameters";
	}
	return "unknown check";
}

/*
 * One loop per instruction, written in asm so the skeleton (DEC + JNZ) is the same as the
 * empty loop that calibrates it. @n must be at least 1.
 */
#define TIMED_LOOP(insn, buf, rfbm, n)                                                    \
	__asm__ volatile("1:\n\t" insn " (%[b])\n\tdec %[c]\n\tjnz 1b"                          \
			 : [c] "+r"(n)                                                    \
			 : [b] "r"(buf), "a"((uint32_t)(rfbm)), "d"((uint32_t)((rfbm) >> 32))    \
			 : "memory")

static void run_loop(enum xsave_op op, void *buf, uint64_t rfbm, uint64_t n)
{
	switch (op) {
	case XOP_EMPTY:
		__asm__ volatile("1:\n\tdec %[c]\n\tjnz 1b" : [c] "+r"(n) : : "memory");
		break;
	case XOP_XSAVE:
		TIMED_LOOP("xsave64", buf, rfbm, n);
		break;
	case XOP_XSAVEOPT:
		TIMED_LOOP("xsaveopt64", buf, rfbm, n);
		break;
	case XOP_XSAVEC:
		TIMED_LOOP("xsavec64", buf, rfbm, n);
		break;
	case XOP_XSAVES:
		TIMED_LOOP("xsaves64", buf, rfbm, n);
		break;
	case XOP_FXSAVE:
		TIMED_LOOP("fxsave64", buf, rfbm, n);
		break;
	case XOP_XRSTOR:
		TIMED_LOOP("xrstor64", buf, rfbm, n);
		break;
	case XOP_XRSTORS:
		TIMED_LOOP("xrstors64", buf, rfbm, n);
		break;
	case XOP_FXRSTOR:
		TIMED_LOOP("fxrstor64", buf, rfbm, n);
		break;
	case XOP_COUNT:
		break;
	}
}

uint64_t xsave_bench_empty_batch(uint32_t ops)
{
	uint64_t t0, t1;

	t0 = tsc_begin();
	run_loop(XOP_EMPTY, 0, 0, ops);
	t1 = tsc_end();
	return t1 - t0;
}

/* Loads a buffer into the registers with the restore that matches its format. */
static void load_state(const struct xsave_bench *b, void *buf)
{
	if (xsave_op_info(b->op)->ring0)
		xrstors(buf, b->mask);
	else
		xrstor(buf, b->mask);
}

static uint64_t expected_in_use(const struct xsave_bench *b)
{
	return b->cond == XCOND_INIT ? 0 : b->mask;
}

static void save_caller(const struct xsave_bench *b)
{
	if (b->caller_supervisor)
		xsaves(b->caller, b->caller_mask);
	else
		xsave(b->caller, b->caller_mask);
}

static void restore_caller(const struct xsave_bench *b)
{
	if (b->caller_supervisor)
		xrstors(b->caller, b->caller_mask);
	else
		xrstor(b->caller, b->caller_mask);
}

/* The highest component of the mask: the one whose data the modified-optimization probe watches. */
static unsigned int probe_component(uint64_t mask)
{
	unsigned int id = 63;

	while (id > 1 && !(mask & (1ULL << id)))
		id--;
	return id;
}

/*
 * After XRSTOR from the target, an XSAVEOPT/XSAVES that finds a component unmodified may
 * skip writing it. Plant a sentinel in that component's slot and see whether it survives.
 */
static int probe_modified_opt(const struct xsave_bench *b)
{
	const struct xstate_layout *l = b->layout;
	unsigned int id = probe_component(b->mask);
	uint8_t *slot = (uint8_t *)b->target +
			xstate_offset(l, b->mask, id, xsave_op_info(b->op)->compacted) +
			(id == XFEATURE_X87 ? FXSAVE_ST_OFFSET : 0);
	static const uint8_t sentinel[8] = { 0x5e, 0x17, 0x1e, 0x15, 0xa5, 0xa5, 0x5a, 0x5a };
	uint64_t one = 1;

	kmem_copy(slot, sentinel, sizeof(sentinel));
	run_loop(b->op, b->target, b->mask, one);
	return kmem_equal(slot, sentinel, sizeof(sentinel));
}

static enum xsave_check fail(struct xsave_sample *out, enum xsave_check c, uint64_t expected,
			     uint64_t actual)
{
	out->check = c;
	out->expected = expected;
	out->actual = actual;
	return c;
}

static enum xsave_check check_save_header(const struct xsave_bench *b, struct xsave_sample *out)
{
	const struct xsave_op_info *info = xsave_op_info(b->op);
	const struct xstate_layout *l = b->layout;
	struct xstate_header *hdr;
	uint64_t want;

	if (info->legacy_only) {
		uint8_t ftw = ((uint8_t *)b->target)[FXSAVE_FTW_OFFSET];

		want = b->cond == XCOND_INIT ? 0 : 0xff;
		return ftw == want ? XCHECK_OK : fail(out, XCHECK_FTW, want, ftw);
	}
	hdr = xstate_header_of(b->target);
	out->xstate_bv = hdr->xstate_bv;
	if ((hdr->xstate_bv & b->mask) != expected_in_use(b))
		return fail(out, XCHECK_XSTATE_BV, expected_in_use(b), hdr->xstate_bv & b->mask);
	if (info->compacted)
		want = XCOMP_BV_COMPACTED | (b->mask & (info->ring0 ? l->xcr0 | l->xss : l->xcr0));
	else
		want = 0;
	if (hdr->xcomp_bv != want)
		return fail(out, XCHECK_XCOMP_BV, want, hdr->xcomp_bv);
	if (b->cond == XCOND_MODIFIED) {
		/* scratch holds the rewrite's values (xsave_bench_sample) */
		int diff = xstate_image_diff(l, b->target, info->compacted, b->scratch, info->compacted, b->mask);

		if (diff >= 0)
			return fail(out, XCHECK_REWRITE, 1ULL << diff, 0);
	}
	return XCHECK_OK;
}

/* A restore is checked by saving what it loaded and comparing it with the image. */
static enum xsave_check check_restored_state(const struct xsave_bench *b, struct xsave_sample *out)
{
	const struct xsave_op_info *info = xsave_op_info(b->op);
	struct xstate_header *hdr;

	if (info->legacy_only) {
		uint8_t want = ((uint8_t *)b->image)[FXSAVE_FTW_OFFSET];
		uint8_t got;

		fxsave(b->scratch);
		got = ((uint8_t *)b->scratch)[FXSAVE_FTW_OFFSET];
		if (got != want)
			return fail(out, XCHECK_FTW, want, got);
		return kmem_equal((uint8_t *)b->scratch + FXSAVE_XMM_OFFSET,
				  (uint8_t *)b->image + FXSAVE_XMM_OFFSET, 256)
			       ? XCHECK_OK
			       : fail(out, XCHECK_CONTENT, 1, 1);
	}
	hdr = xstate_header_of(b->scratch);
	hdr->xstate_bv = 0;
	if (info->ring0)
		xsaves(b->scratch, b->mask);
	else
		xsave(b->scratch, b->mask);
	out->xstate_bv = hdr->xstate_bv;
	if ((hdr->xstate_bv & b->mask) != expected_in_use(b))
		return fail(out, XCHECK_XSTATE_BV, expected_in_use(b), hdr->xstate_bv & b->mask);
	if (b->cond != XCOND_INIT) {
		int diff = xstate_image_diff(b->layout, b->scratch, info->ring0, b->image,
					     info->compacted, b->mask);
		if (diff >= 0)
			return fail(out, XCHECK_CONTENT, 1ULL << diff, 0);
	}
	return XCHECK_OK;
}

static bool args_valid(const struct xsave_bench *b)
{
	const struct xsave_op_info *info = xsave_op_info(b->op);

	if (!b->ops || b->op == XOP_EMPTY || b->op >= XOP_COUNT || b->cond >= XCOND_COUNT)
		return false;
	/* modified: a save, of registers an ordinary instruction writes */
	if (b->cond == XCOND_MODIFIED && (!info->save || info->legacy_only || (b->mask & ~xstate_rewritable())))
		return false;
	if (info->legacy_only)
		return (b->mask & ~XFEATURES_FP) == 0;
	return b->target_size >= (info->compacted ? xstate_size_compacted(b->layout, b->mask)
						   : xstate_size_standard(b->layout, b->mask));
}

/* Puts the registers in the condition; the timed loop then runs on exactly this state. */
static void set_condition(const struct xsave_bench *b)
{
	const struct xsave_op_info *info = xsave_op_info(b->op);

	kmem_copy(b->target, b->image, b->target_size);
	if (info->legacy_only) {
		/* The x87/SSE condition is set through XRSTOR of a standard-format image built in
		 * scratch, which also clears XINUSE[1:0] for init; FXRSTOR alone may not. */
		xrstor(b->scratch, XFEATURES_FP);
		return;
	}
	if (info->save && (b->cond == XCOND_CLEAN || b->cond == XCOND_MODIFIED))
		load_state(b, b->target); /* XRSTOR from the very buffer the saves will write */
	else
		load_state(b, b->image);  /* from another buffer: the optimization cannot apply */
	if (b->cond == XCOND_MODIFIED) /* then the registers written as a task writes them */
		xstate_rewrite(b->layout, b->scratch, info->compacted, b->mask);
}

/*
 * What the condition needs in scratch and beside the target, before set_condition(): the
 * support the set's components need to be in use (the tile configuration for tile data
 * alone), loaded now; for modified, the rewrite's values, in the target's format.
 */
static void prepare_condition(const struct xsave_bench *b)
{
	const struct xsave_op_info *info = xsave_op_info(b->op);
	uint64_t support = xstate_image_support(b->mask);

	if (b->cond == XCOND_INIT || info->legacy_only)
		return;
	if (support) {
		xstate_image_build(b->layout, b->scratch, xstate_size_standard(b->layout, support), support, false,
				   true, REWRITE_SEED);
		xrstor(b->scratch, support);
	}
	if (b->cond == XCOND_MODIFIED)
		xstate_image_build(b->layout, b->scratch, b->target_size, b->mask, info->compacted, true,
				   REWRITE_SEED);
}

enum xsave_check xsave_bench_sample(const struct xsave_bench *b, struct xsave_sample *out)
{
	const struct xsave_op_info *info = xsave_op_info(b->op);
	uint64_t n, t0, t1;

	kmem_set(out, 0, sizeof(*out));
	out->modopt_hit = -1;
	out->ops = b->ops;
	if (!args_valid(b))
		return fail(out, XCHECK_BAD_ARGS, 0, 0);

	save_caller(b);
	if (info->legacy_only)
		xstate_image_build(b->layout, b->scratch, XSTATE_EXTENDED_START, XFEATURES_FP, false,
				   b->cond != XCOND_INIT, 0);
	prepare_condition(b);
	set_condition(b);

	if (b->layout->xgetbv1) {
		/* XGETBV(1) reports XINUSE for the components of XCR0 only, never supervisor ones */
		uint64_t visible = b->mask & b->layout->xcr0;

		out->xinuse_checked = true;
		out->xinuse_before = xgetbv(1);
		if ((out->xinuse_before & visible) != (expected_in_use(b) & visible)) {
			restore_caller(b);
			return fail(out, XCHECK_XINUSE, expected_in_use(b) & visible,
				    out->xinuse_before & visible);
		}
	}

	if (b->warmup_ops) {
		n = b->warmup_ops;
		run_loop(b->op, b->target, b->mask, n);
	}
	n = b->ops;
	t0 = tsc_begin();
	run_loop(b->op, b->target, b->mask, n);
	t1 = tsc_end();
	out->gross_ticks = t1 - t0;

	out->check = info->save ? check_save_header(b, out) : check_restored_state(b, out);
	if (out->check == XCHECK_OK && info->modified_opt && b->cond != XCOND_INIT) {
		out->modopt_hit = probe_modified_opt(b);
		if (b->cond != XCOND_CLEAN && out->modopt_hit)
			fail(out, XCHECK_MODOPT, 0, 1);
	}
	restore_caller(b);
	return out->check;
}
