/*
 * fpu_switch_bench.h - the measured switch batch: set up a task and a guest with distinct
 * register contents in their fpstate containers, put the task's state in the condition
 * (need-load: saved in its fpstate, the registers holding another task's state; live: in
 * the registers), confirm it with XINUSE, time K enter+exit round trips of one strategy
 * between serialized time stamps (the kernel's exit leaves the task's state live: for
 * need-load, TIF_NEED_FPU_LOAD is set again after each round trip, as a context switch
 * would), then check everything the round trips produced: the saves, restores, copies,
 * bytes copied and reallocations against the strategy's table, every buffer's header, the
 * guest's and the task's contents (PKRU aside: both designs leave it to KVM), the
 * registers after the last exit, the pointers, and for the reallocation path that every
 * round trip really got a larger container. One more, untimed round trip wipes the guest's
 * buffer between enter and exit, so the exit's save of the guest must show even where it
 * is the only save (need-load). A batch whose checks fail reports no number.
 *
 * Freestanding: one caller-provided block of memory holds every container, image and
 * scratch buffer; the reallocation path takes its containers from the allocator passed in.
 * The same batch runs natively (user ops) and in ring 0 (XSAVES/XRSTORS ops).
 */
#ifndef XB_KERNELS_FPU_SWITCH_BENCH_H
#define XB_KERNELS_FPU_SWITCH_BENCH_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/ids.h"
#include "fpu_switch.h"

enum fpu_strategy {
	FPU_STRATEGY_POINTER_SWAP,
	FPU_STRATEGY_THREE_BUFFER,
	FPU_STRATEGY_REALLOC, /* pointer-swap whose every exit grows the guest's fpstate */
	FPU_STRATEGY_COUNT,
};

enum fpu_cond {
	FPU_COND_NEED_LOAD, /* task state saved, TIF_NEED_FPU_LOAD: enter does not save it */
	FPU_COND_LIVE,      /* task state in the registers: enter saves it, exit restores it */
	FPU_COND_COUNT,
};

/* "pointer-swap", "three-buffer", "realloc" (the op of switch ids). */
const char *fpu_strategy_name(enum fpu_strategy s);
/* The condition's word in ids (base/ids.h: need-load, live). */
const char *fpu_cond_name(enum fpu_cond c);
/* The switch condition of a condition of ids (COND_LIVE: FPU_COND_LIVE, else need-load). */
enum fpu_cond fpu_cond_of(enum condition c);

/*
 * The guest's features before a reallocation to @features: without AMX tile data (the
 * kernel's dynamic feature), else without the AVX-512 components, else without AVX. 0 when
 * @features has nothing to grow into.
 */
uint64_t fpu_realloc_base(uint64_t features);

struct fpu_switch_bench_params {
	const struct xstate_layout *layout;
	const struct fpu_insn_ops *insns;      /* the build's instructions */
	const struct fpstate_allocator *alloc; /* realloc only: the guest's containers */
	enum fpu_strategy strategy;
	enum fpu_cond cond;
	uint64_t features;    /* the task's and the guest's fpstate xfeatures */
	uint64_t caller_mask; /* the caller's state, saved and restored around a batch */
	uint64_t guest_xfd;   /* IA32_XFD the guest armed (its fpstate's xfd; XFD-capable features
			       * of @features, held in init by the guest): a ring-0 build then
			       * writes IA32_XFD on every enter and exit. 0: nothing armed */
	uint32_t ops;         /* round trips per batch (K) */
	uint32_t warmup_ops;  /* untimed round trips before them */
};

struct fpu_switch_bench {
	struct fpu_switch_bench_params p;
	struct fpstate *task_fps;    /* the task's own fpstate */
	struct fpstate *guest_fps;   /* the guest's fpstate (vcpu guest_fpu for three-buffer) */
	struct fpstate *user_fpu;    /* three-buffer: the vcpu user_fpu buffer */
	struct fpstate *task_image, *guest_image, *other_image; /* the three patterns */
	struct fpstate *small_image; /* realloc: the guest's pattern before it grows */
	struct fpstate *init_image;  /* every component in init: what buffers to be filled start as */
	struct fpstate **small, **grown; /* realloc: ops + warmup_ops slots each */
	void *scratch;               /* standard format, for reading the registers back */
	void *caller;                /* standard format, caller_mask */
	uint32_t copy_bytes;         /* three-buffer: fpu_kernel_buffer_bytes() of the features */
	struct fpu_cpu cpu;          /* carried across batches: the cached IA32_XFD */
};

/* Bytes of memory fpu_switch_bench_init() needs for @p (0 when @p is invalid). */
uint64_t fpu_switch_bench_bytes(const struct fpu_switch_bench_params *p);

/*
 * Lays out the containers and images in @mem (64-byte aligned, fpu_switch_bench_bytes()
 * long) and fills the patterns. False when @p is invalid or @mem too small.
 */
bool fpu_switch_bench_init(struct fpu_switch_bench *b, const struct fpu_switch_bench_params *p,
			   void *mem, uint64_t bytes);

enum fpu_switch_check {
	FSW_CHECK_OK,
	FSW_CHECK_XINUSE,   /* XINUSE before the batch did not show the features in use */
	FSW_CHECK_STEP,     /* a switch step returned an error */
	FSW_CHECK_SEQUENCE, /* the saves, restores, copies, bytes copied or reallocations were
			     * not the strategy's */
	FSW_CHECK_POINTERS, /* the task or guest pointers, need-load or in_use ended wrong */
	FSW_CHECK_HEADER,   /* a buffer's XSAVE header is invalid */
	FSW_CHECK_CONTENT,  /* a guest's or the task's register contents were not preserved */
	FSW_CHECK_REALLOC,  /* a reallocation did not produce the larger container */
	FSW_CHECK_NOMEM,    /* the allocator failed */
};

const char *fpu_switch_check_str(enum fpu_switch_check c);

struct fpu_switch_sample {
	uint64_t gross_ticks; /* the timed round trips, overhead included */
	uint32_t ops;
	bool xinuse_checked;
	uint64_t xinuse_before;
	struct fpu_cpu counts; /* what every round trip of the batch did, warm-up included */
	uint32_t small_bytes, grown_bytes; /* realloc: container sizes before and after */
	enum fpu_switch_check check;
	const char *where;     /* which buffer or step a failed check is about */
	uint64_t expected, actual;
};

/* Runs one batch; returns the check result (also in @out->check). */
enum fpu_switch_check fpu_switch_bench_sample(struct fpu_switch_bench *b, struct fpu_switch_sample *out);

/*
 * One round trip's saves, restores, copies (of @copy_bytes each: the kernel's whole buffer)
 * and reallocations for a strategy and condition, as the kernel functions run them:
 *   pointer-swap live      2 saves, 2 restores (task out, guest in, guest out, task in)
 *   pointer-swap need-load 1 save,  2 restores (the task's state is already saved)
 *   three-buffer live      2 saves, 2 restores
 *   three-buffer need-load 1 save,  2 restores, 1 copy (the task's buffer into user_fpu)
 *   realloc                pointer-swap's, and 1 reallocation
 */
struct fpu_cpu fpu_switch_expected_counts(enum fpu_strategy s, enum fpu_cond c, uint32_t copy_bytes);

#endif
