/*
 * xsave_bench.h - the measured save/restore batch: put the state in the asked condition,
 * confirm it with XINUSE, time K back-to-back executions of one XSAVE-family instruction
 * between serialized time stamps, then check the header the instruction produced (or the
 * state it loaded). The same code runs natively (ring 3) and in the guest (ring 0).
 * Freestanding: it never calls out, so nothing can touch the registers mid-batch.
 */
#ifndef XB_KERNELS_XSAVE_BENCH_H
#define XB_KERNELS_XSAVE_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/ids.h"
#include "xstate_layout.h"

enum xsave_op {
	XOP_EMPTY, /* the bare loop: calibration and the empty-loop case */
	XOP_XSAVE,
	XOP_XSAVEOPT,
	XOP_XSAVEC,
	XOP_XSAVES,
	XOP_FXSAVE,
	XOP_XRSTOR,
	XOP_XRSTORS,
	XOP_FXRSTOR,
	XOP_COUNT,
};

/* The conditions of a save or restore: those of base/ids.h, by the same values. */
enum xstate_cond {
	XCOND_INIT = COND_INIT,   /* components in their init state */
	XCOND_INUSE = COND_INUSE, /* in use, last loaded from another buffer: no modified optimization */
	XCOND_CLEAN = COND_CLEAN, /* in use, loaded from the target buffer itself: the optimization may hit */
	/* saves: loaded from the target buffer, then every register of the set rewritten with
	 * other values by ordinary instructions (kernels/xstate_rewrite.h), outside the timed loop */
	XCOND_MODIFIED = COND_MODIFIED,
	XCOND_COUNT,
};

struct xsave_op_info {
	const char *name;    /* as in benchmark ids: "xsave", "xrstor", ... */
	bool save;           /* writes the buffer (a save), else reads it (a restore) */
	bool compacted;      /* buffer in the compacted format */
	bool legacy_only;    /* FXSAVE/FXRSTOR: the 512-byte legacy area, x87 and SSE */
	bool ring0;          /* XSAVES/XRSTORS: #GP outside ring 0 */
	bool modified_opt;   /* may skip unmodified components (XSAVEOPT, XSAVES) */
};

const struct xsave_op_info *xsave_op_info(enum xsave_op op);
/* The condition's word in ids (condition_name()). */
const char *xstate_cond_name(enum xstate_cond cond);

/* Everything one batch needs; buffers are 64-byte aligned and owned by the caller. */
struct xsave_bench {
	const struct xstate_layout *layout;
	enum xsave_op op;
	enum xstate_cond cond;
	uint64_t mask;        /* the feature set: the instruction's RFBM */
	uint64_t caller_mask; /* the caller's state to preserve around the batch, covering
			       * xstate_image_support(mask), which the batch also loads */
	bool caller_supervisor; /* ring 0: keep the caller's state with XSAVES/XRSTORS, so
				 * caller_mask may hold supervisor components */
	uint32_t ops;         /* instructions per batch (K) */
	uint32_t warmup_ops;  /* untimed executions before the timed ones */

	void *target;      /* the buffer saved into or restored from */
	void *image;       /* the condition's image in the target's format */
	uint32_t target_size;
	void *scratch;     /* for checks and the images the batch loads beside the target: at
			    * least target_size and the standard size of xstate_image_support(mask) */
	void *caller;      /* the caller's state: standard format, or compacted with caller_supervisor */
};

enum xsave_check {
	XCHECK_OK,
	XCHECK_XINUSE,     /* XINUSE before the batch did not match the condition */
	XCHECK_XSTATE_BV,  /* the header's XSTATE_BV did not match the condition */
	XCHECK_XCOMP_BV,   /* the header's XCOMP_BV did not match the format */
	XCHECK_FTW,        /* FXSAVE's abridged tag word did not match the condition */
	XCHECK_CONTENT,    /* a restore did not load the image's register contents */
	XCHECK_MODOPT,     /* the modified optimization hit when it must not */
	XCHECK_REWRITE,    /* a save after the rewrite did not write the rewritten values */
	XCHECK_BAD_ARGS,   /* ops == 0 or an op/format mismatch */
};

struct xsave_sample {
	uint64_t gross_ticks;   /* the timed loop as measured, overhead included */
	uint32_t ops;
	bool xinuse_checked;
	uint64_t xinuse_before;
	int modopt_hit;         /* 1 hit, 0 missed, -1 not probed */
	/* XSTATE_BV of the header the saves wrote, or of the state a restore loaded (saved
	 * again to check it); 0 for FXSAVE/FXRSTOR, which write no header */
	uint64_t xstate_bv;
	enum xsave_check check;
	uint64_t expected, actual; /* for a failed check */
};

const char *xsave_check_str(enum xsave_check c);

/* Runs one batch; returns the check result (also in @out->check). */
enum xsave_check xsave_bench_sample(const struct xsave_bench *b, struct xsave_sample *out);

/* Times one empty batch of @ops iterations (the loop skeleton and the time stamps). */
uint64_t xsave_bench_empty_batch(uint32_t ops);


#endif
