/*
 * fpu_switch.c - the pointer-swap and three-buffer switch strategies, the guest fpstate
 * reallocation and the instruction tables they run on. Freestanding.
 */
#include "fpu_switch.h"
#include "xsave_insn.h"

/* Out-of-line instruction wrappers, so an ops table can point at them. */
static void save_xsave(void *regs, uint64_t mask)
{
	xsave(regs, mask);
}

static void save_xsaveopt(void *regs, uint64_t mask)
{
	xsaveopt(regs, mask);
}

static void save_xsavec(void *regs, uint64_t mask)
{
	xsavec(regs, mask);
}

static void save_xsaves(void *regs, uint64_t mask)
{
	xsaves(regs, mask);
}

static void restore_xrstor(const void *regs, uint64_t mask)
{
	xrstor((void *)regs, mask);
}

static void restore_xrstors(const void *regs, uint64_t mask)
{
	xrstors((void *)regs, mask);
}

static void write_xfd_msr(uint64_t xfd)
{
	wrmsr(MSR_IA32_XFD, xfd);
}

bool fpu_insn_ops_init(struct fpu_insn_ops *ops, const struct xstate_layout *l, bool ring0)
{
	const char *name_with_xfd;

	if (!l->xsave || !l->osxsave)
		return false;
	*ops = (struct fpu_insn_ops){ .restore = restore_xrstor };
	if (ring0 && l->xsaves) {
		ops->ring0 = true;
		ops->compacted = true;
		ops->save = save_xsaves;
		ops->restore = restore_xrstors;
		ops->name = "xsaves/xrstors";
		name_with_xfd = "xsaves/xrstors+xfd";
	} else if (l->xsavec) {
		ops->compacted = true;
		ops->save = save_xsavec;
		ops->name = "xsavec/xrstor";
		name_with_xfd = "xsavec/xrstor+xfd";
	} else if (l->xsaveopt) {
		ops->save = save_xsaveopt;
		ops->name = "xsaveopt/xrstor";
		name_with_xfd = "xsaveopt/xrstor+xfd";
	} else {
		ops->save = save_xsave;
		ops->name = "xsave/xrstor";
		name_with_xfd = "xsave/xrstor+xfd";
	}
	if (ring0 && l->xfd) {
		ops->write_xfd = write_xfd_msr;
		ops->name = name_with_xfd;
	}
	return true;
}

uint32_t fpu_kernel_buffer_bytes(const struct xstate_layout *l, uint64_t features, bool compacted)
{
	/* the standard format holds no supervisor state */
	uint64_t kernel = (xstate_default_features(l) & (compacted ? ~0ULL : l->xcr0)) | features;

	return compacted ? xstate_size_compacted(l, kernel) : xstate_size_standard(l, kernel);
}

/* 6.1's xfd_update_state(): IA32_XFD follows the fpstate, written only on a change. */
static void xfd_update(const struct fpu_switch_ctx *ctx, const struct fpstate *fps)
{
	struct fpu_cpu *cpu = ctx->cpu;

	if (!ctx->layout->xfd || cpu->xfd == fps->xfd)
		return;
	if (ctx->ops->write_xfd) {
		ctx->ops->write_xfd(fps->xfd);
		cpu->xfd_writes++;
	} else {
		cpu->xfd_skipped++;
	}
	cpu->xfd = fps->xfd;
}

void fpu_save_fpstate(const struct fpu_switch_ctx *ctx, struct fpstate *fps)
{
	ctx->ops->save(fps->regs, fps->xfeatures);
	ctx->cpu->saves++;
}

/* The restore both designs share, without the XFD step (5.15 has none). */
static void restore_without_pkru(const struct fpu_switch_ctx *ctx, const struct fpstate *fps)
{
	ctx->ops->restore(fps->regs, FPU_RESTORE_MASK(fps));
	ctx->cpu->restores++;
}

void fpu_restore_fpstate(const struct fpu_switch_ctx *ctx, const struct fpstate *fps)
{
	xfd_update(ctx, fps);
	restore_without_pkru(ctx, fps);
}

/* fpu_swap_kvm_fpstate(): save unless need-load, swap the pointers, restore, mark active. */
int fpu_swap_enter(const struct fpu_switch_ctx *ctx, struct fpu_guest *guest)
{
	struct fpu_task *task = ctx->task;
	struct fpstate *cur = task->fpstate;

	if (!guest->fpstate || guest->fpstate->in_use || task->task_fpstate ||
	    guest->fpstate->compacted != cur->compacted)
		return FPU_SWITCH_INVAL;
	if (!task->need_load)
		fpu_save_fpstate(ctx, cur);
	task->task_fpstate = cur;
	task->fpstate = guest->fpstate;
	guest->fpstate->in_use = true;
	fpu_restore_fpstate(ctx, task->fpstate);
	task->need_load = false;
	return FPU_SWITCH_OK;
}

int fpu_swap_exit(const struct fpu_switch_ctx *ctx, struct fpu_guest *guest)
{
	struct fpu_task *task = ctx->task;
	uint64_t wanted;
	int rc;

	if (!task->task_fpstate || task->fpstate != guest->fpstate)
		return FPU_SWITCH_INVAL;
	wanted = guest->xfeatures & ~guest->fpstate->xfeatures;
	if (wanted) {
		rc = fpu_guest_realloc(ctx, guest, wanted);
		if (rc)
			return rc;
	}
	/* With TIF_NEED_FPU_LOAD set a context switch already saved the guest into its fpstate. */
	if (!task->need_load)
		fpu_save_fpstate(ctx, task->fpstate);
	guest->fpstate->in_use = false;
	task->fpstate = task->task_fpstate;
	task->task_fpstate = 0;
	fpu_restore_fpstate(ctx, task->fpstate);
	task->need_load = false;
	return FPU_SWITCH_OK;
}

/*
 * 5.15's kvm_save_current_fpu(): when the registers are not live, memcpy() the task's
 * whole buffer (fpu_kernel_xstate_size bytes), else save_fpregs_to_fpstate().
 */
static int save_current(const struct fpu_switch_ctx *ctx, const struct fpu_vcpu_buffers *vcpu,
			struct fpstate *dst)
{
	struct fpu_task *task = ctx->task;

	if (!task->need_load) {
		fpu_save_fpstate(ctx, dst);
		return FPU_SWITCH_OK;
	}
	if (!fpstate_copy_regs(dst, task->fpstate, vcpu->copy_bytes))
		return FPU_SWITCH_INVAL;
	ctx->cpu->copies++;
	ctx->cpu->copied_bytes += vcpu->copy_bytes;
	return FPU_SWITCH_OK;
}

/*
 * One three-buffer step: the outgoing state into @save_into, the incoming restored from
 * @restore_from without PKRU, the registers active (fpregs_mark_activate()).
 */
static int three_buffer_step(const struct fpu_switch_ctx *ctx, const struct fpu_vcpu_buffers *vcpu,
			     struct fpstate *save_into, const struct fpstate *restore_from)
{
	int rc = save_current(ctx, vcpu, save_into);

	if (rc)
		return rc;
	restore_without_pkru(ctx, restore_from);
	ctx->task->need_load = false;
	return FPU_SWITCH_OK;
}

/* kvm_load_guest_fpu(): kvm_save_current_fpu(user_fpu), restore guest_fpu without PKRU. */
int fpu_three_buffer_enter(const struct fpu_switch_ctx *ctx, struct fpu_vcpu_buffers *vcpu)
{
	return three_buffer_step(ctx, vcpu, vcpu->user_fpu, vcpu->guest_fpu);
}

/* kvm_put_guest_fpu(): kvm_save_current_fpu(guest_fpu), restore user_fpu without PKRU. */
int fpu_three_buffer_exit(const struct fpu_switch_ctx *ctx, struct fpu_vcpu_buffers *vcpu)
{
	return three_buffer_step(ctx, vcpu, vcpu->guest_fpu, vcpu->user_fpu);
}

/* fpstate_realloc() for a guest (from __xfd_enable_feature()), in 6.1. */
int fpu_guest_realloc(const struct fpu_switch_ctx *ctx, struct fpu_guest *guest, uint64_t xfeatures)
{
	struct fpu_task *task = ctx->task;
	struct fpstate *cur = guest->fpstate, *grown;
	bool in_use = task->fpstate == cur;

	if (!ctx->alloc || !cur)
		return FPU_SWITCH_INVAL;
	grown = fpstate_alloc(ctx->alloc, ctx->layout, cur->xfeatures | xfeatures, cur->compacted, true);
	if (!grown)
		return FPU_SWITCH_NOMEM;
	grown->xfd = cur->xfd & ~xfeatures;
	grown->in_use = cur->in_use;
	/* A layout change must not lose the state: fpregs_restore_userregs() before the swap. */
	if (in_use && task->need_load) {
		fpu_restore_fpstate(ctx, cur);
		task->need_load = false;
	}
	guest->fpstate = grown;
	if (in_use) {
		task->fpstate = grown;
		xfd_update(ctx, grown);
	}
	fpstate_free(ctx->alloc, cur);
	ctx->cpu->reallocs++;
	return FPU_SWITCH_OK;
}
