/*
 * ring0.c - validating, preparing and running one batch of the xstate_bench module.
 * Freestanding: kernels/ and the uAPI only.
 */
#include "ring0.h"

#include <errno.h>

#include "../../kernels/calibration.h"
#include "../../kernels/fpu_switch_bench.h"
#include "../../base/kstring.h"
#include "../../kernels/msr_bench.h"
#include "../../kernels/xsave_bench.h"
#include "../../kernels/xsave_insn.h"
#include "../../kernels/xstate_image.h"
#include "../../kernels/xstate_layout.h"
#include "../../kernels/xstate_rewrite.h"

#define RING0_CHECK_MSR_READBACK 0x100 /* beyond enum xsave_check */
#define RING0_CHECK_SWITCH 0x200       /* + enum fpu_switch_check */

/* A switch batch's block: the bench and its instructions, then the memory it lays out. */
struct ring0_switch {
	struct fpu_switch_bench bench;
	struct fpu_insn_ops insns;
} __attribute__((aligned(64)));

static bool is_switch(__u32 op)
{
	return op == XB_OP_SWITCH_POINTER_SWAP || op == XB_OP_SWITCH_THREE_BUFFER;
}

static enum xsave_op xsave_op_of(__u32 op)
{
	switch (op) {
	case XB_OP_XSAVE:
		return XOP_XSAVE;
	case XB_OP_XSAVEOPT:
		return XOP_XSAVEOPT;
	case XB_OP_XSAVEC:
		return XOP_XSAVEC;
	case XB_OP_XSAVES:
		return XOP_XSAVES;
	case XB_OP_XRSTOR:
		return XOP_XRSTOR;
	case XB_OP_XRSTORS:
		return XOP_XRSTORS;
	default:
		return XOP_EMPTY;
	}
}

/* The instruction exists on this CPU (CPUID leaf 0xD, sub-leaf 1). */
static bool op_supported(const struct xstate_layout *l, __u32 op)
{
	switch (op) {
	case XB_OP_XSAVE:
	case XB_OP_XRSTOR:
		return true;
	case XB_OP_XSAVEOPT:
		return l->xsaveopt;
	case XB_OP_XSAVEC:
		return l->xsavec;
	case XB_OP_XSAVES:
	case XB_OP_XRSTORS:
		return l->xsaves;
	case XB_OP_WRMSR_XFD:
		return l->xfd && xstate_xfd_capable(l);
	case XB_OP_SWITCH_POINTER_SWAP:
	case XB_OP_SWITCH_THREE_BUFFER:
		return true; /* XSAVES/XRSTORS, else the kernel's fallbacks (fpu_insn_ops_init) */
	default:
		return false;
	}
}

const struct xstate_layout *ring0_layout_live(__u64 xss, __u32 kernel_caps)
{
	static struct xstate_layout live;

	if (xstate_layout_decode(&live, &cpuid_live, (int64_t)xss) != XSTATE_LAYOUT_OK)
		return NULL;
	live.xsaveopt &= !!(kernel_caps & XB_CAP_XSAVEOPT);
	live.xsavec &= !!(kernel_caps & XB_CAP_XSAVEC);
	live.xgetbv1 &= !!(kernel_caps & XB_CAP_XGETBV1);
	live.xsaves &= !!(kernel_caps & XB_CAP_XSAVES);
	live.xfd &= !!(kernel_caps & XB_CAP_XFD);
	return &live;
}

__u64 ring0_loadable(const struct xstate_layout *l)
{
	return (l->xcr0 | l->xss) & xstate_pattern_capable();
}

void ring0_caps(const struct xstate_layout *l, struct xb_caps *caps)
{
	kmem_set(caps, 0, sizeof(*caps));
	caps->version = XB_UAPI_VERSION;
	caps->flags = (l->xsaveopt ? XB_CAP_XSAVEOPT : 0) | (l->xsavec ? XB_CAP_XSAVEC : 0) |
		      (l->xgetbv1 ? XB_CAP_XGETBV1 : 0) | (l->xsaves ? XB_CAP_XSAVES : 0) |
		      (l->xfd ? XB_CAP_XFD : 0);
	for (__u32 op = 1; op < XB_OP_COUNT; op++)
		if (op_supported(l, op))
			caps->ops |= 1ULL << op;
	caps->xcr0 = l->xcr0;
	caps->xss = l->xss;
	caps->loadable = ring0_loadable(l);
	caps->max_ops = XB_MAX_OPS;
	caps->max_warmup_ops = XB_MAX_WARMUP_OPS;
	caps->max_buffer_bytes = XB_MAX_BUFFER_BYTES;
	caps->size_all_compacted = l->xsaves ? xstate_size_compacted(l, l->xcr0 | l->xss) : 0;
}

static __u32 round64(__u32 v)
{
	return (v + 63u) & ~63u;
}

static __u32 target_bytes(const struct xstate_layout *l, const struct xb_batch *b)
{
	const struct xsave_op_info *info = xsave_op_info(xsave_op_of(b->op));

	return round64(info->compacted ? xstate_size_compacted(l, b->mask)
				       : xstate_size_standard(l, b->mask));
}

/* The switch bench's parameters for a request, on the ring-0 instructions in @insns. */
static bool switch_params(const struct xstate_layout *l, const struct xb_batch *b,
			  struct fpu_insn_ops *insns, struct fpu_switch_bench_params *p)
{
	if (!fpu_insn_ops_init(insns, l, true))
		return false;
	*p = (struct fpu_switch_bench_params){
		.layout = l,
		.insns = insns,
		.strategy = b->op == XB_OP_SWITCH_POINTER_SWAP ? FPU_STRATEGY_POINTER_SWAP
							       : FPU_STRATEGY_THREE_BUFFER,
		.cond = b->cond == XB_COND_LIVE ? FPU_COND_LIVE : FPU_COND_NEED_LOAD,
		.features = b->mask,
		.caller_mask = b->mask, /* the switches load nothing else */
		.ops = b->ops,
		.warmup_ops = b->warmup_ops,
	};
	return true;
}

static __u32 switch_block_bytes(const struct xstate_layout *l, const struct xb_batch *b)
{
	struct fpu_switch_bench_params p;
	struct fpu_insn_ops insns;
	__u64 bytes;

	if (!switch_params(l, b, &insns, &p))
		return 0;
	bytes = fpu_switch_bench_bytes(&p);
	return bytes ? (__u32)(round64(sizeof(struct ring0_switch)) + bytes) : 0;
}

/* The task's and the guest's fpstate hold @mask, user components with x87 and SSE. */
static int validate_switch(const struct xstate_layout *l, const struct xb_batch *b)
{
	struct fpu_insn_ops insns;

	if (b->cond != XB_COND_NEED_LOAD && b->cond != XB_COND_LIVE)
		return -EINVAL;
	if ((b->mask & ~l->xcr0) || (b->mask & XFEATURES_FP) != XFEATURES_FP)
		return -EINVAL;
	if (b->mask & ~xstate_pattern_capable())
		return -EOPNOTSUPP;
	if (!fpu_insn_ops_init(&insns, l, true) ||
	    fpstate_container_bytes(l, b->mask, insns.compacted) > XB_MAX_BUFFER_BYTES)
		return -EOPNOTSUPP;
	return switch_block_bytes(l, b) ? 0 : -EINVAL;
}

static int validate_msr(const struct xstate_layout *l, const struct xb_batch *b)
{
	if (b->cond != XB_COND_NONE || !b->mask || (b->mask & ~xstate_xfd_capable(l)))
		return -EINVAL;
	return b->mask >> 32 ? -EOPNOTSUPP : 0; /* the loop toggles EAX only */
}

int ring0_validate(const struct xstate_layout *l, const struct xb_batch *b)
{
	const struct xsave_op_info *info;
	__u64 enabled;

	if (b->reserved_in || !b->op || b->op >= XB_OP_COUNT)
		return -EINVAL;
	if (!b->ops || b->ops > XB_MAX_OPS || b->warmup_ops > XB_MAX_WARMUP_OPS)
		return -EINVAL;
	if (!op_supported(l, b->op))
		return -EOPNOTSUPP;
	if (b->op == XB_OP_WRMSR_XFD)
		return validate_msr(l, b);
	if (is_switch(b->op))
		return validate_switch(l, b);
	info = xsave_op_info(xsave_op_of(b->op));
	if (b->cond > XB_COND_MODIFIED || ((b->cond == XB_COND_CLEAN || b->cond == XB_COND_MODIFIED) && !info->save))
		return -EINVAL;
	if (b->cond == XB_COND_MODIFIED && (b->mask & ~xstate_rewritable()))
		return -EOPNOTSUPP; /* no ordinary instruction writes it (kernels/xstate_rewrite.h) */
	enabled = l->xcr0 | (info->ring0 ? l->xss : 0);
	if (!b->mask || (b->mask & ~enabled))
		return -EINVAL;
	if (b->mask & ~xstate_pattern_capable())
		return -EOPNOTSUPP; /* no values known to be safe to load */
	return target_bytes(l, b) > XB_MAX_BUFFER_BYTES ? -EOPNOTSUPP : 0;
}

/* What a save/restore batch loads: the set and what it needs beside it to be in use. */
static __u64 caller_mask(const struct xb_batch *b)
{
	return b->mask | xstate_image_support(b->mask);
}

void ring0_buffer_sizes(const struct xstate_layout *l, const struct xb_batch *b,
			struct ring0_buffers *bufs)
{
	bufs->target_bytes = bufs->image_bytes = bufs->scratch_bytes = bufs->caller_bytes = 0;
	bufs->block_bytes = is_switch(b->op) ? switch_block_bytes(l, b) : 0;
	if (b->op == XB_OP_WRMSR_XFD || is_switch(b->op))
		return;
	bufs->target_bytes = target_bytes(l, b);
	bufs->image_bytes = bufs->target_bytes;
	bufs->scratch_bytes = bufs->target_bytes; /* a restore is checked by saving in its format */
	bufs->caller_bytes = round64(l->xsaves ? xstate_size_compacted(l, caller_mask(b))
					       : xstate_size_standard(l, caller_mask(b)));
}

/* The bench and its instructions at the head of the block, its containers after them. */
static int prepare_switch(const struct xstate_layout *l, const struct xb_batch *b,
			  const struct ring0_buffers *bufs)
{
	struct ring0_switch *rs = bufs->block;
	__u32 head = round64(sizeof(*rs));
	struct fpu_switch_bench_params p;

	if (!switch_params(l, b, &rs->insns, &p) ||
	    !fpu_switch_bench_init(&rs->bench, &p, (__u8 *)bufs->block + head, bufs->block_bytes - head))
		return -EINVAL;
	return 0;
}

int ring0_prepare(const struct xstate_layout *l, const struct xb_batch *b,
		  const struct ring0_buffers *bufs)
{
	const struct xsave_op_info *info = xsave_op_info(xsave_op_of(b->op));

	if (is_switch(b->op))
		return prepare_switch(l, b, bufs);
	if (b->op == XB_OP_WRMSR_XFD)
		return 0;
	return xstate_image_build(l, bufs->image, bufs->image_bytes, b->mask, info->compacted,
				  b->cond != XB_COND_INIT, b->seed)
		       ? 0
		       : -EINVAL;
}

__u64 ring0_xfd_lift(const struct xstate_layout *l, const struct xb_batch *b)
{
	if (!l->xfd || b->op == XB_OP_WRMSR_XFD)
		return 0;
	return b->mask & xstate_xfd_capable(l);
}

static void set_check(struct xb_batch *b, __u32 check, const char *message, const char *where)
{
	__u32 used = 0;

	b->check = check;
	b->check_message[0] = '\0';
	if (!check)
		return;
	used = kstr_append(b->check_message, used, message, sizeof(b->check_message));
	if (where) {
		used = kstr_append(b->check_message, used, ": ", sizeof(b->check_message));
		kstr_append(b->check_message, used, where, sizeof(b->check_message));
	}
}

static void run_xsave(const struct xstate_layout *l, struct xb_batch *b,
		      const struct ring0_buffers *bufs)
{
	struct xsave_bench xb = {
		.layout = l,
		.op = xsave_op_of(b->op),
		.cond = (enum xstate_cond)b->cond,
		.mask = b->mask,
		.caller_mask = caller_mask(b),
		.caller_supervisor = l->xsaves,
		.ops = b->ops,
		.warmup_ops = b->warmup_ops,
		.target = bufs->target,
		.image = bufs->image,
		.target_size = bufs->target_bytes,
		.scratch = bufs->scratch,
		.caller = bufs->caller,
	};
	struct xsave_sample s;

	xsave_bench_sample(&xb, &s);
	b->gross_ticks = s.gross_ticks;
	b->xinuse_before = s.xinuse_before;
	b->flags |= s.xinuse_checked ? XB_BATCH_XINUSE_CHECKED : 0;
	b->modopt_hit = s.modopt_hit;
	b->xstate_bv = s.xstate_bv;
	b->expected = s.expected;
	b->actual = s.actual;
	b->buffer_bytes = bufs->target_bytes;
	kstr_copy(b->insns, xsave_op_info(xb.op)->name, sizeof(b->insns));
	set_check(b, s.check, xsave_check_str(s.check), 0);
}

/* Toggles the request's XFD bits from the value the batch finds, so every write changes it. */
static void run_msr(struct xb_batch *b, __u64 xfd)
{
	struct msr_bench mb = {
		.msr = MSR_IA32_XFD,
		.first = xfd ^ b->mask,
		.second = xfd,
		.ops = b->ops,
		.warmup_ops = b->warmup_ops,
	};
	struct msr_sample s;
	bool ok = msr_bench_sample(&mb, &s);

	b->gross_ticks = s.gross_ticks;
	b->expected = s.expected;
	b->actual = s.actual;
	b->modopt_hit = -1;
	kstr_copy(b->insns, "wrmsr", sizeof(b->insns));
	set_check(b, ok ? 0 : RING0_CHECK_MSR_READBACK,
		  "IA32_XFD read back after the loop is not the last value written", 0);
}

static void run_switch(struct xb_batch *b, const struct ring0_buffers *bufs, __u64 xfd)
{
	struct ring0_switch *rs = bufs->block;
	struct fpu_switch_sample s;

	rs->bench.cpu.xfd = xfd; /* the kernel's per-CPU copy: what IA32_XFD holds now */
	fpu_switch_bench_sample(&rs->bench, &s);
	b->gross_ticks = s.gross_ticks;
	b->xinuse_before = s.xinuse_before;
	b->flags |= s.xinuse_checked ? XB_BATCH_XINUSE_CHECKED : 0;
	b->modopt_hit = -1;
	b->expected = s.expected;
	b->actual = s.actual;
	b->buffer_bytes = rs->bench.task_fps->size;
	b->xfd_writes = s.counts.xfd_writes;
	kstr_copy(b->insns, rs->insns.name, sizeof(b->insns));
	set_check(b, s.check ? RING0_CHECK_SWITCH + s.check : 0, fpu_switch_check_str(s.check), s.where);
}

static __u64 empty_median(__u32 ops)
{
	uint64_t v[XB_EMPTY_BATCHES];

	for (int i = 0; i < XB_EMPTY_BATCHES; i++)
		v[i] = xsave_bench_empty_batch(ops);
	return calibration_median(v, XB_EMPTY_BATCHES);
}

void ring0_run(const struct xstate_layout *l, struct xb_batch *b, const struct ring0_buffers *bufs,
	       __u64 xfd)
{
	if (b->op == XB_OP_WRMSR_XFD)
		run_msr(b, xfd);
	else if (is_switch(b->op))
		run_switch(b, bufs, xfd);
	else
		run_xsave(l, b, bufs);
	b->empty_ticks = empty_median(b->ops);
}
