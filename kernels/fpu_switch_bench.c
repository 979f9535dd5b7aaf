/*
 * fpu_switch_bench.c - the measured switch batch and its checks. Freestanding.
 */
#include "fpu_switch_bench.h"
#include "../base/kstring.h"
#include "tsc.h"
#include "xsave_insn.h"
#include "xstate_image.h"

#define SEED_TASK 0x7a5c
#define SEED_GUEST 0x6e57
#define SEED_OTHER 0x0e7e

const char *fpu_strategy_name(enum fpu_strategy s)
{
	static const char *const names[FPU_STRATEGY_COUNT] = { "pointer-swap", "three-buffer", SWITCH_OP_REALLOC };

	return s < FPU_STRATEGY_COUNT ? names[s] : "?";
}

const char *fpu_cond_name(enum fpu_cond c)
{
	return c < FPU_COND_COUNT ? condition_name(c == FPU_COND_LIVE ? COND_LIVE : COND_NEED_LOAD) : "?";
}

enum fpu_cond fpu_cond_of(enum condition c)
{
	return c == COND_LIVE ? FPU_COND_LIVE : FPU_COND_NEED_LOAD;
}

const char *fpu_switch_check_str(enum fpu_switch_check c)
{
	switch (c) {
	case FSW_CHECK_OK:
		return "ok";
	case FSW_CHECK_XINUSE:
		return "XINUSE (XGETBV 1) before the batch does not show the features in use";
	case FSW_CHECK_STEP:
		return "a switch step failed";
	case FSW_CHECK_SEQUENCE:
		return "the round trips did not run the strategy's saves, restores, copies and reallocations";
	case FSW_CHECK_POINTERS:
		return "the fpstate pointers or flags ended in the wrong place";
	case FSW_CHECK_HEADER:
		return "an XSAVE header is invalid";
	case FSW_CHECK_CONTENT:
		return "register contents were not preserved across the switches";
	case FSW_CHECK_REALLOC:
		return "a reallocation did not give the guest the larger container";
	case FSW_CHECK_NOMEM:
		return "the container allocator failed";
	}
	return "unknown check";
}

uint64_t fpu_realloc_base(uint64_t features)
{
	const uint64_t avx512_only = XFEATURES_AVX512 & ~XFEATURES_AVX;

	if (features & XFEATURE_MASK(XFEATURE_XTILEDATA))
		return features & ~XFEATURE_MASK(XFEATURE_XTILEDATA);
	if (features & avx512_only)
		return features & ~avx512_only;
	if (features & XFEATURE_MASK(XFEATURE_YMM))
		return features & ~XFEATURE_MASK(XFEATURE_YMM);
	return 0;
}

struct fpu_cpu fpu_switch_expected_counts(enum fpu_strategy s, enum fpu_cond c, uint32_t copy_bytes)
{
	struct fpu_cpu n = { 0 };
	bool live = c == FPU_COND_LIVE;

	switch (s) {
	case FPU_STRATEGY_REALLOC:
		n.reallocs = 1;
		__attribute__((fallthrough)); /* otherwise a pointer-swap round trip */
	case FPU_STRATEGY_POINTER_SWAP:
		/* enter: save task (live only), restore guest; exit: save guest, restore task */
		n.saves = live ? 2 : 1;
		n.restores = 2;
		break;
	case FPU_STRATEGY_THREE_BUFFER:
		/* save or copy into user_fpu, restore guest_fpu, save guest_fpu, restore user_fpu */
		n.saves = live ? 2 : 1;
		n.copies = live ? 0 : 1;
		n.copied_bytes = n.copies * copy_bytes;
		n.restores = 2;
		break;
	case FPU_STRATEGY_COUNT:
		break;
	}
	return n;
}

/* Hands out 64-byte aligned pieces of the caller's block; with a NULL base it only counts. */
struct carver {
	uint8_t *base;
	uint64_t used;
};

static void *carve(struct carver *c, uint64_t bytes)
{
	void *p = c->base ? c->base + c->used : 0;

	c->used += (bytes + 63) & ~63ULL;
	return p;
}

static bool params_valid(const struct fpu_switch_bench_params *p)
{
	const struct xstate_layout *l = p->layout;

	if (!l || !p->insns || !p->insns->save || !p->insns->restore || !p->ops ||
	    p->strategy >= FPU_STRATEGY_COUNT || p->cond >= FPU_COND_COUNT)
		return false;
	if ((p->features & ~(l->xcr0 | l->xss)) || (p->features & ~xstate_pattern_capable()) ||
	    (p->features & XFEATURES_FP) != XFEATURES_FP || (p->guest_xfd & ~(p->features & xstate_xfd_capable(l))))
		return false;
	return p->strategy != FPU_STRATEGY_REALLOC || (p->alloc && fpu_realloc_base(p->features));
}

/* Carves the block into the bench's buffers; with a NULL @mem it only sums their sizes. */
/*
 * The task's, the guest's and user_fpu's containers: the features' size, or for the
 * three-buffer strategy room for the kernel's whole buffer, which its copies move.
 */
static uint32_t switch_container_bytes(const struct fpu_switch_bench_params *p)
{
	uint32_t fps_bytes = fpstate_container_bytes(p->layout, p->features, p->insns->compacted);
	uint32_t whole = (uint32_t)offsetof(struct fpstate, regs) +
			 ((fpu_kernel_buffer_bytes(p->layout, p->features, p->insns->compacted) + 63) & ~63u);

	return p->strategy == FPU_STRATEGY_THREE_BUFFER && whole > fps_bytes ? whole : fps_bytes;
}

static uint64_t lay_out(struct fpu_switch_bench *b, const struct fpu_switch_bench_params *p, void *mem)
{
	const struct xstate_layout *l = p->layout;
	uint32_t fps_bytes = fpstate_container_bytes(l, p->features, p->insns->compacted);
	uint32_t switch_bytes = switch_container_bytes(p);
	uint32_t slots = p->ops + p->warmup_ops;
	struct carver c = { mem, 0 };

	b->task_fps = carve(&c, switch_bytes);
	b->guest_fps = carve(&c, switch_bytes);
	b->user_fpu = carve(&c, switch_bytes);
	b->task_image = carve(&c, fps_bytes);
	b->guest_image = carve(&c, fps_bytes);
	b->other_image = carve(&c, fps_bytes);
	b->small_image = carve(&c, fps_bytes);
	b->init_image = carve(&c, fps_bytes);
	b->scratch = carve(&c, xstate_size_standard(l, l->xcr0));
	b->caller = carve(&c, xstate_size_standard(l, p->caller_mask | XFEATURES_FP));
	b->small = carve(&c, (uint64_t)slots * sizeof(*b->small));
	b->grown = carve(&c, (uint64_t)slots * sizeof(*b->grown));
	return c.used;
}

uint64_t fpu_switch_bench_bytes(const struct fpu_switch_bench_params *p)
{
	struct fpu_switch_bench b;

	if (!params_valid(p))
		return 0;
	return lay_out(&b, p, 0);
}

/*
 * A container of @features in @bytes of block memory, filled with the pattern of @seed (0:
 * init). A guest's has the xfd it armed, and the armed components in init (XSTATE_BV clear).
 */
static struct fpstate *make(const struct fpu_switch_bench_params *p, void *mem, uint32_t bytes,
			    uint64_t features, bool is_guest, uint32_t seed)
{
	const struct xstate_layout *l = p->layout;
	struct fpstate *fps = fpstate_init(mem, bytes, l, features, p->insns->compacted, is_guest);

	if (fps && seed && !xstate_image_build(l, fps->regs, fps->size, features, fps->compacted, true, seed))
		return 0;
	if (fps && is_guest) {
		fps->xfd = p->guest_xfd;
		xstate_header_of(fps->regs)->xstate_bv &= ~p->guest_xfd;
	}
	return fps;
}

bool fpu_switch_bench_init(struct fpu_switch_bench *b, const struct fpu_switch_bench_params *p,
			   void *mem, uint64_t bytes)
{
	uint32_t switch_bytes = switch_container_bytes(p);
	uint32_t fps_bytes = fpstate_container_bytes(p->layout, p->features, p->insns->compacted);
	uint64_t small_features;

	kmem_set(b, 0, sizeof(*b));
	if (!mem || ((uintptr_t)mem & 63) || !params_valid(p) || bytes < fpu_switch_bench_bytes(p))
		return false;
	b->p = *p;
	lay_out(b, p, mem);
	b->copy_bytes = fpu_kernel_buffer_bytes(p->layout, p->features, p->insns->compacted);
	small_features = p->strategy == FPU_STRATEGY_REALLOC ? fpu_realloc_base(p->features) : p->features;
	b->task_fps = make(p, b->task_fps, switch_bytes, p->features, false, 0);
	b->guest_fps = make(p, b->guest_fps, switch_bytes, p->features, true, 0);
	b->user_fpu = make(p, b->user_fpu, switch_bytes, p->features, false, 0);
	b->task_image = make(p, b->task_image, fps_bytes, p->features, false, SEED_TASK);
	b->guest_image = make(p, b->guest_image, fps_bytes, p->features, true, SEED_GUEST);
	b->other_image = make(p, b->other_image, fps_bytes, p->features, false, SEED_OTHER);
	b->small_image = make(p, b->small_image, fps_bytes, small_features, true, SEED_GUEST);
	b->init_image = make(p, b->init_image, fps_bytes, p->features, false, 0);
	b->cpu.xfd = b->task_fps ? b->task_fps->xfd : 0;
	return b->task_fps && b->guest_fps && b->user_fpu && b->task_image && b->guest_image &&
	       b->other_image && b->small_image && b->init_image;
}

static enum fpu_switch_check fail(struct fpu_switch_sample *out, enum fpu_switch_check c,
				  const char *where, uint64_t expected, uint64_t actual)
{
	out->check = c;
	out->where = where;
	out->expected = expected;
	out->actual = actual;
	return c;
}

/* A pattern into a container of the same features. */
static void copy_image(struct fpstate *dst, const struct fpstate *image)
{
	fpstate_copy_regs(dst, image, image->size);
}

/* An image into the registers, every component of it: the batch's scene, not a switch step. */
static void load_image(const struct fpu_switch_bench *b, const struct fpstate *image)
{
	b->p.insns->restore(image->regs, image->xfeatures);
}

/* The task and the guest at the start of a batch, the registers in the condition. */
static enum fpu_switch_check set_up(struct fpu_switch_bench *b, const struct fpu_switch_ctx *ctx,
				    struct fpu_guest *guest, struct fpu_vcpu_buffers *vcpu,
				    struct fpu_switch_sample *out)
{
	uint32_t slots = b->p.ops + b->p.warmup_ops;

	/*
	 * The guest's fpstate holds its state; the task's holds it only when it is saved
	 * (need-load). Buffers a round trip must fill start in their init state, so the
	 * content checks show the saves and copies really happened.
	 */
	copy_image(b->guest_fps, b->guest_image);
	copy_image(b->task_fps, b->p.cond == FPU_COND_NEED_LOAD ? b->task_image : b->init_image);
	copy_image(b->user_fpu, b->init_image);
	b->guest_fps->in_use = false;
	*ctx->task = (struct fpu_task){ .fpstate = b->task_fps };
	*guest = (struct fpu_guest){ .fpstate = b->guest_fps, .xfeatures = b->p.features };
	*vcpu = (struct fpu_vcpu_buffers){ .user_fpu = b->user_fpu, .guest_fpu = b->guest_fps,
					   .copy_bytes = b->copy_bytes };
	if (b->p.strategy == FPU_STRATEGY_REALLOC) {
		for (uint32_t i = 0; i < slots; i++) {
			b->grown[i] = 0;
			b->small[i] = fpstate_alloc(b->p.alloc, b->p.layout, b->small_image->xfeatures,
						    b->p.insns->compacted, true);
			if (!b->small[i])
				return fail(out, FSW_CHECK_NOMEM, "small guest fpstate", 0, 0);
			b->small[i]->xfd = b->small_image->xfd;
			copy_image(b->small[i], b->small_image);
		}
	}
	/* Ring 0: IA32_XFD made to agree with the per-CPU cached value, outside the timing. */
	if (b->p.insns->write_xfd && b->p.layout->xfd)
		b->p.insns->write_xfd(b->cpu.xfd);
	/*
	 * Registers: the task's state (live), or another task's with the task's saved
	 * (need-load); PKRU too, which the switches then leave alone.
	 */
	load_image(b, b->p.cond == FPU_COND_LIVE ? b->task_image : b->other_image);
	ctx->task->need_load = b->p.cond == FPU_COND_NEED_LOAD;
	return FSW_CHECK_OK;
}

static void free_guest_containers(struct fpu_switch_bench *b)
{
	uint32_t slots = b->p.ops + b->p.warmup_ops;

	if (b->p.strategy != FPU_STRATEGY_REALLOC)
		return;
	for (uint32_t i = 0; i < slots; i++) {
		/* a slot whose realloc did not happen still holds its small container */
		fpstate_free(b->p.alloc, b->grown[i] ? b->grown[i] : b->small[i]);
		b->grown[i] = b->small[i] = 0;
	}
}

/*
 * Round trips [first, first + n): the strategy's enter then exit, after which the task's
 * state is live; for need-load TIF_NEED_FPU_LOAD is set again (its fpstate or buffer holds
 * it), as a context switch away and back would. Returns the OR of the errors.
 */
static int round_trips(struct fpu_switch_bench *b, const struct fpu_switch_ctx *ctx,
		       struct fpu_guest *guest, struct fpu_vcpu_buffers *vcpu, uint32_t first, uint32_t n)
{
	bool need_load = b->p.cond == FPU_COND_NEED_LOAD;
	int err = 0;

	switch (b->p.strategy) {
	case FPU_STRATEGY_POINTER_SWAP:
		for (uint32_t i = 0; i < n; i++) {
			err |= fpu_swap_enter(ctx, guest);
			err |= fpu_swap_exit(ctx, guest);
			ctx->task->need_load = need_load;
		}
		break;
	case FPU_STRATEGY_THREE_BUFFER:
		for (uint32_t i = 0; i < n; i++) {
			err |= fpu_three_buffer_enter(ctx, vcpu);
			err |= fpu_three_buffer_exit(ctx, vcpu);
			ctx->task->need_load = need_load;
		}
		break;
	case FPU_STRATEGY_REALLOC:
		for (uint32_t i = first; i < first + n; i++) {
			guest->fpstate = b->small[i];
			err |= fpu_swap_enter(ctx, guest);
			err |= fpu_swap_exit(ctx, guest);
			ctx->task->need_load = need_load;
			b->grown[i] = guest->fpstate;
		}
		break;
	case FPU_STRATEGY_COUNT:
		break;
	}
	return err;
}

/*
 * One more round trip, untimed, whose guest save must show: the guest's buffer is wiped to
 * init between the enter (which loaded it into the registers) and the exit (which must save
 * the registers back into it). A need-load round trip saves nothing but the guest's state,
 * which the timed round trips only ever write back over the same values. (The reallocation
 * path needs no such trip: its exits save into new, empty containers.)
 */
static int save_proof_round_trip(struct fpu_switch_bench *b, const struct fpu_switch_ctx *ctx,
				 struct fpu_guest *guest, struct fpu_vcpu_buffers *vcpu)
{
	bool swap = b->p.strategy == FPU_STRATEGY_POINTER_SWAP;
	int err;

	if (b->p.strategy == FPU_STRATEGY_REALLOC)
		return 0;
	err = swap ? fpu_swap_enter(ctx, guest) : fpu_three_buffer_enter(ctx, vcpu);
	copy_image(b->guest_fps, b->init_image);
	err |= swap ? fpu_swap_exit(ctx, guest) : fpu_three_buffer_exit(ctx, vcpu);
	ctx->task->need_load = b->p.cond == FPU_COND_NEED_LOAD;
	return err;
}

/* The first count that differs from the strategy's, or FSW_CHECK_OK. */
static enum fpu_switch_check check_counts(const struct fpu_cpu *want, const struct fpu_cpu *got,
					  struct fpu_switch_sample *out)
{
	if (want->saves != got->saves)
		return fail(out, FSW_CHECK_SEQUENCE, "saves", want->saves, got->saves);
	if (want->restores != got->restores)
		return fail(out, FSW_CHECK_SEQUENCE, "restores", want->restores, got->restores);
	if (want->copies != got->copies)
		return fail(out, FSW_CHECK_SEQUENCE, "copies", want->copies, got->copies);
	if (want->copied_bytes != got->copied_bytes)
		return fail(out, FSW_CHECK_SEQUENCE, "bytes copied", want->copied_bytes, got->copied_bytes);
	if (want->reallocs != got->reallocs)
		return fail(out, FSW_CHECK_SEQUENCE, "reallocations", want->reallocs, got->reallocs);
	return FSW_CHECK_OK;
}

static enum fpu_switch_check check_header(const struct fpu_switch_bench *b, const struct fpstate *fps,
					  const char *where, struct fpu_switch_sample *out)
{
	uint64_t expected, actual;

	if (fpstate_check_header(b->p.layout, fps, &expected, &actual) != FPSTATE_OK)
		return fail(out, FSW_CHECK_HEADER, where, expected, actual);
	return FSW_CHECK_OK;
}

/*
 * What the checks compare of @mask: everything but PKRU, which no restore of either design
 * loads (a guest's fpstate saves the task's PKRU, as KVM's would before it switches PKRU).
 */
static uint64_t checked(uint64_t mask)
{
	return mask & ~XFEATURE_MASK(XFEATURE_PKRU);
}

/* @fps must hold @image's contents for @mask. */
static enum fpu_switch_check check_content(const struct fpu_switch_bench *b, const struct fpstate *fps,
					   const struct fpstate *image, uint64_t mask, const char *where,
					   struct fpu_switch_sample *out)
{
	int diff = xstate_image_diff(b->p.layout, fps->regs, fps->compacted, image->regs,
				     image->compacted, checked(mask));

	return diff < 0 ? FSW_CHECK_OK : fail(out, FSW_CHECK_CONTENT, where, 1ULL << diff, 0);
}

/* The registers must hold @image's contents: read them back with XSAVE. */
static enum fpu_switch_check check_registers(const struct fpu_switch_bench *b, const struct fpstate *image,
					     uint64_t mask, const char *where, struct fpu_switch_sample *out)
{
	int diff;

	xstate_header_of(b->scratch)->xstate_bv = 0;
	xsave(b->scratch, b->p.features);
	diff = xstate_image_diff(b->p.layout, b->scratch, false, image->regs, image->compacted, checked(mask));
	return diff < 0 ? FSW_CHECK_OK : fail(out, FSW_CHECK_CONTENT, where, 1ULL << diff, 0);
}

#define CHECK(expr)                                                                       \
	do {                                                                              \
		enum fpu_switch_check c_ = (expr);                                        \
		if (c_ != FSW_CHECK_OK)                                                   \
			return c_;                                                        \
	} while (0)

static enum fpu_switch_check check_realloc(struct fpu_switch_bench *b, struct fpu_switch_sample *out)
{
	uint32_t slots = b->p.ops + b->p.warmup_ops;

	out->small_bytes = b->small_image->container_bytes;
	for (uint32_t i = 0; i < slots; i++) {
		const struct fpstate *g = b->grown[i];

		if (!g || g == b->small[i] || g->xfeatures != b->p.features || g->in_use || !g->allocated)
			return fail(out, FSW_CHECK_REALLOC, "grown guest fpstate", b->p.features,
				    g ? g->xfeatures : 0);
		if (g->container_bytes <= out->small_bytes)
			return fail(out, FSW_CHECK_REALLOC, "grown guest fpstate size", out->small_bytes,
				    g->container_bytes);
		out->grown_bytes = g->container_bytes;
		CHECK(check_header(b, g, "grown guest fpstate", out));
		/* the exit's save went into the new container: the guest's state is there */
		CHECK(check_content(b, g, b->small_image, b->small_image->xfeatures, "grown guest fpstate", out));
	}
	return FSW_CHECK_OK;
}

static enum fpu_switch_check check_batch(struct fpu_switch_bench *b, const struct fpu_task *task,
					 const struct fpu_guest *guest, struct fpu_switch_sample *out)
{
	struct fpu_cpu want = fpu_switch_expected_counts(b->p.strategy, b->p.cond, b->copy_bytes);
	uint32_t slots = b->p.ops + b->p.warmup_ops;
	bool need_load = b->p.cond == FPU_COND_NEED_LOAD;

	want.saves *= slots, want.restores *= slots, want.copies *= slots, want.reallocs *= slots;
	want.copied_bytes *= slots;
	CHECK(check_counts(&want, &out->counts, out));
	if (task->fpstate != b->task_fps || task->task_fpstate || task->need_load != need_load ||
	    guest->fpstate->in_use)
		return fail(out, FSW_CHECK_POINTERS, "task fpstate", (uintptr_t)b->task_fps,
			    (uintptr_t)task->fpstate);
	CHECK(check_header(b, b->task_fps, "task fpstate", out));
	/* the task's buffer holds its state, except in three-buffer live, which never uses it */
	if (b->p.strategy != FPU_STRATEGY_THREE_BUFFER || need_load)
		CHECK(check_content(b, b->task_fps, b->task_image, b->p.features, "task fpstate", out));
	/* every strategy's exit leaves the task's state in the registers */
	CHECK(check_registers(b, b->task_image, b->p.features, "registers after the last exit", out));
	if (b->p.strategy == FPU_STRATEGY_REALLOC)
		return check_realloc(b, out);
	CHECK(check_header(b, b->guest_fps, "guest fpstate", out));
	CHECK(check_content(b, b->guest_fps, b->guest_image, b->p.features, "guest fpstate", out));
	if (b->p.strategy == FPU_STRATEGY_THREE_BUFFER) {
		CHECK(check_header(b, b->user_fpu, "user_fpu", out));
		CHECK(check_content(b, b->user_fpu, b->task_image, b->p.features, "user_fpu", out));
	}
	return FSW_CHECK_OK;
}

enum fpu_switch_check fpu_switch_bench_sample(struct fpu_switch_bench *b, struct fpu_switch_sample *out)
{
	struct fpu_task task;
	struct fpu_guest guest;
	struct fpu_vcpu_buffers vcpu;
	struct fpu_switch_ctx ctx = { b->p.layout, b->p.insns, &b->cpu, &task, b->p.alloc };
	uint64_t t0, t1;
	int err;

	kmem_set(out, 0, sizeof(*out));
	out->ops = b->p.ops;
	xsave(b->caller, b->p.caller_mask | XFEATURES_FP);
	if (set_up(b, &ctx, &guest, &vcpu, out) != FSW_CHECK_OK)
		goto out;
	b->cpu.saves = b->cpu.restores = b->cpu.copies = b->cpu.reallocs = b->cpu.copied_bytes = 0;
	b->cpu.xfd_writes = b->cpu.xfd_skipped = 0;
	if (b->p.layout->xgetbv1) {
		out->xinuse_checked = true;
		out->xinuse_before = xgetbv(1);
		if ((out->xinuse_before & b->p.features) != b->p.features) {
			fail(out, FSW_CHECK_XINUSE, "registers before the batch", b->p.features,
			     out->xinuse_before & b->p.features);
			goto out;
		}
	}
	err = round_trips(b, &ctx, &guest, &vcpu, 0, b->p.warmup_ops);
	t0 = tsc_begin();
	err |= round_trips(b, &ctx, &guest, &vcpu, b->p.warmup_ops, b->p.ops);
	t1 = tsc_end();
	out->gross_ticks = t1 - t0;
	out->counts = b->cpu;
	if (!err)
		err = save_proof_round_trip(b, &ctx, &guest, &vcpu);
	if (err)
		fail(out, FSW_CHECK_STEP, "enter or exit", 0, (uint64_t)(int64_t)err);
	else
		check_batch(b, &task, &guest, out);
out:
	free_guest_containers(b);
	xrstor(b->caller, b->p.caller_mask | XFEATURES_FP);
	return out->check;
}
