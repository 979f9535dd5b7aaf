// SPDX-License-Identifier: GPL-2.0
/*
 * kapi_kernel.c - the kapi site's kernel side: the running kernel's own fpu functions that
 * KVM calls (Linux 6.1: arch/x86/kernel/fpu/core.c, EXPORT_SYMBOL_GPL when KVM is
 * configured), resolved by name when the module loads (__symbol_get(): a kernel without
 * one, or exporting it to kvm only, loads the module all the same and that function's
 * cases skip), and one batch of them on real kernel objects: a vCPU's guest fpstate from
 * fpu_alloc_guest_fpstate() and the current task's own FPU state. Each batch runs with
 * preemption off (fpregs_lock()) unless its function may sleep, proves what the calls did
 * (return codes, the fpstates' descriptions, the pointers, the registers and buffers
 * against the images: kapi_ring0.c) and reports no number otherwise. The functions are
 * called through the addresses __symbol_get() returned: one indirect call each, which
 * KVM's direct calls do not pay.
 */
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/smp.h>
#include <linux/stringify.h>
#include <linux/uaccess.h>
#include <asm/fpu/api.h>
#include <asm/fpu/types.h>

#include "kapi_kernel.h"
#include "kapi_ring0.h"

/* The signatures this module calls: 6.1's (fpu_copy_guest_fpstate_to_uabi() with xfeatures). */
typedef bool (*alloc_guest_fpstate_t)(struct fpu_guest *gfpu);
typedef void (*free_guest_fpstate_t)(struct fpu_guest *gfpu);
typedef int (*swap_kvm_fpstate_t)(struct fpu_guest *gfpu, bool enter_guest);
typedef int (*enable_guest_xfd_features_t)(struct fpu_guest *guest_fpu, u64 xfeatures);
typedef void (*update_guest_xfd_t)(struct fpu_guest *guest_fpu, u64 xfd);
typedef void (*copy_guest_fpstate_to_uabi_t)(struct fpu_guest *gfpu, void *buf, unsigned int size,
					     u64 xfeatures, u32 pkru);
typedef int (*copy_uabi_to_guest_fpstate_t)(struct fpu_guest *gfpu, const void *buf, u64 xcr0, u32 *vpkru);
typedef void (*kernel_fpu_begin_mask_t)(unsigned int kfpu_mask);
typedef void (*void_fn_t)(void);

/* Whether the headers built against declare @fn as this module calls it (a constant). */
#define KAPI_FN(fn, type) { __stringify(fn), __builtin_types_compatible_p(typeof(&fn), type) }

static const struct {
	const char *name;
	bool signature_matches;
} kapi_fns[XB_KAPI_FN_COUNT] = {
	[XB_KAPI_FPU_ALLOC_GUEST_FPSTATE] = KAPI_FN(fpu_alloc_guest_fpstate, alloc_guest_fpstate_t),
	[XB_KAPI_FPU_FREE_GUEST_FPSTATE] = KAPI_FN(fpu_free_guest_fpstate, free_guest_fpstate_t),
	[XB_KAPI_FPU_SWAP_KVM_FPSTATE] = KAPI_FN(fpu_swap_kvm_fpstate, swap_kvm_fpstate_t),
	[XB_KAPI_FPU_ENABLE_GUEST_XFD_FEATURES] = KAPI_FN(fpu_enable_guest_xfd_features, enable_guest_xfd_features_t),
	[XB_KAPI_FPU_UPDATE_GUEST_XFD] = KAPI_FN(fpu_update_guest_xfd, update_guest_xfd_t),
	[XB_KAPI_FPU_COPY_GUEST_FPSTATE_TO_UABI] = KAPI_FN(fpu_copy_guest_fpstate_to_uabi, copy_guest_fpstate_to_uabi_t),
	[XB_KAPI_FPU_COPY_UABI_TO_GUEST_FPSTATE] = KAPI_FN(fpu_copy_uabi_to_guest_fpstate, copy_uabi_to_guest_fpstate_t),
	[XB_KAPI_KERNEL_FPU_BEGIN_MASK] = KAPI_FN(kernel_fpu_begin_mask, kernel_fpu_begin_mask_t),
	[XB_KAPI_KERNEL_FPU_END] = KAPI_FN(kernel_fpu_end, void_fn_t),
	[XB_KAPI_SWITCH_FPU_RETURN] = KAPI_FN(switch_fpu_return, void_fn_t),
};

static void *kapi_addr[XB_KAPI_FN_COUNT];
static u32 kapi_resolved, kapi_differs;

void kapi_resolve(void)
{
	for (u32 fn = 0; fn < XB_KAPI_FN_COUNT; fn++) {
		/* the uAPI's name is the one resolved and the one a skip names */
		if (WARN_ON(strcmp(kapi_fns[fn].name, xb_kapi_fn_name(fn))))
			continue;
		if (!kapi_fns[fn].signature_matches) {
			kapi_differs |= XB_KAPI_BIT(fn);
			continue;
		}
		kapi_addr[fn] = __symbol_get(kapi_fns[fn].name);
		if (kapi_addr[fn])
			kapi_resolved |= XB_KAPI_BIT(fn);
	}
}

void kapi_release(void)
{
	for (u32 fn = 0; fn < XB_KAPI_FN_COUNT; fn++)
		if (kapi_addr[fn])
			__symbol_put(kapi_fns[fn].name);
}

void kapi_caps(struct xb_caps *caps)
{
	caps->kapi_resolved = kapi_resolved;
	caps->kapi_signature_differs = kapi_differs;
}

#define CALL(fn, type) ((type)kapi_addr[fn])

static bool guest_alloc(struct fpu_guest *g)
{
	return CALL(XB_KAPI_FPU_ALLOC_GUEST_FPSTATE, alloc_guest_fpstate_t)(g);
}

static void guest_free(struct fpu_guest *g)
{
	CALL(XB_KAPI_FPU_FREE_GUEST_FPSTATE, free_guest_fpstate_t)(g);
}

static int swap_fpstate(struct fpu_guest *g, bool enter)
{
	return CALL(XB_KAPI_FPU_SWAP_KVM_FPSTATE, swap_kvm_fpstate_t)(g, enter);
}

static int enable_xfd_features(struct fpu_guest *g, u64 xfeatures)
{
	return CALL(XB_KAPI_FPU_ENABLE_GUEST_XFD_FEATURES, enable_guest_xfd_features_t)(g, xfeatures);
}

static int copy_to_guest(struct fpu_guest *g, const void *buf, u64 xcr0, u32 *pkru)
{
	return CALL(XB_KAPI_FPU_COPY_UABI_TO_GUEST_FPSTATE, copy_uabi_to_guest_fpstate_t)(g, buf, xcr0, pkru);
}

static void fpu_begin(unsigned int kfpu_mask)
{
	CALL(XB_KAPI_KERNEL_FPU_BEGIN_MASK, kernel_fpu_begin_mask_t)(kfpu_mask);
}

static void fpu_end(void)
{
	CALL(XB_KAPI_KERNEL_FPU_END, void_fn_t)();
}

static void fpu_return(void)
{
	CALL(XB_KAPI_SWITCH_FPU_RETURN, void_fn_t)();
}

static struct fpu *task_fpu(void)
{
#ifdef x86_task_fpu
	return x86_task_fpu(current);
#else
	return &current->thread.fpu;
#endif
}

static bool need_load(void)
{
	return test_thread_flag(TIF_NEED_FPU_LOAD);
}

/* Everything one batch works on. */
struct kapi_run {
	const struct xstate_layout *l;
	struct xb_kapi_batch *b;
	struct kapi_images im;
	struct fpu_guest guest;
	struct fpstate *task_fps; /* current's own fpstate */
	void *uabi;               /* copy-guest-fpstate-to-uabi: uabi_size bytes */
	u64 xcr0;                 /* copy-uabi-to-guest-fpstate's */
	u32 pkru;
	u32 calls;                /* calls made so far */
	u32 bad_returns;          /* calls that returned what the case does not accept */
	long ret;                 /* the last call's return value */
};

static void describe(const struct fpu_guest *g, struct xb_kapi_fpstate *out)
{
	const struct fpstate *fps = g->fpstate;

	*out = (struct xb_kapi_fpstate){
		.xfeatures = fps->xfeatures,
		.user_xfeatures = fps->user_xfeatures,
		.xfd = fps->xfd,
		.guest_xfeatures = g->xfeatures,
		.guest_perm = g->perm,
		.size = fps->size,
		.user_size = fps->user_size,
		.uabi_size = g->uabi_size,
		.flags = (fps->is_valloc ? XB_KAPI_FPSTATE_VALLOC : 0) | (fps->is_guest ? XB_KAPI_FPSTATE_GUEST : 0) |
			 (fps->in_use ? XB_KAPI_FPSTATE_IN_USE : 0) |
			 (kapi_buffer_compacted(&fps->regs) ? XB_KAPI_FPSTATE_COMPACTED : 0),
	};
}

/* A call's return value; @ok says whether the case accepts it. */
static void returned(struct kapi_run *r, long ret, bool ok)
{
	r->ret = ret;
	r->bad_returns += !ok;
	r->calls++;
}

/*
 * The guest of a case, as KVM makes a vCPU's (preemptible: vzalloc()): allocated and
 * checked, its dynamic features enabled (KVM_SET_CPUID2), and with @image set
 * (KVM_SET_XSAVE, xcr0 KVM's supported one: the host's) unless @image is NULL.
 */
static bool guest_setup(struct kapi_run *r, const void *image)
{
	struct xb_kapi_batch *b = r->b;
	u64 dynamic = kapi_dynamic(r->l, b->mask);
	int rc;

	if (!guest_alloc(&r->guest)) {
		kapi_fail(b, KAPI_NOMEM, "fpu_alloc_guest_fpstate() returned false", 1, 0);
		return false;
	}
	describe(&r->guest, &b->guest_before);
	if (!kapi_check_fresh(r->l, &b->guest_before, b))
		return false;
	if (dynamic && (rc = enable_xfd_features(&r->guest, dynamic))) {
		kapi_fail(b, KAPI_RET, "fpu_enable_guest_xfd_features() failed (EPERM: no ARCH_REQ_XCOMP_GUEST_PERM)",
			  0, (u64)(s64)rc);
		return false;
	}
	if (image && (rc = copy_to_guest(&r->guest, image, kapi_xcr0(r->l), &r->pkru))) {
		kapi_fail(b, KAPI_RET, "fpu_copy_uabi_to_guest_fpstate() refused the guest's image", 0, (u64)(s64)rc);
		return false;
	}
	describe(&r->guest, &b->guest_after);
	return true;
}

static void guest_teardown(struct kapi_run *r)
{
	if (r->guest.fpstate)
		guest_free(&r->guest);
}

/* The timed calls and the empty batches beside them; warm-up first. */
static void time_calls(struct kapi_run *r, const struct kapi_timing *t)
{
	struct xb_kapi_batch *b = r->b;

	kapi_time(t, 0, b->warmup_ops);
	b->gross_ticks = kapi_time(t, b->warmup_ops, b->ops);
	b->empty_ticks = kapi_empty_median(t->prepare != NULL, b->ops);
	if (t->prepare)
		b->flags |= XB_KAPI_PER_CALL;
}

/* --- kapi/fpu/alloc-guest-fpstate, free-guest-fpstate, enable-guest-xfd-features: may sleep --- */

/* What the previous call left: a fresh guest fpstate (alloc) or a grown one (enable), checked and freed. */
static void finish_guest(struct kapi_run *r)
{
	struct xb_kapi_batch *b = r->b;
	struct xb_kapi_fpstate now;

	if (!r->guest.fpstate)
		return;
	describe(&r->guest, &now);
	if (b->op == XB_KAPI_OP_ENABLE_GUEST_XFD_FEATURES)
		kapi_check_grown(r->l, &b->guest_before, &now, b->mask, b);
	else
		kapi_check_fresh(r->l, &now, b);
	if (r->calls == 1) { /* the first call's fpstate is the one reported */
		b->guest_after = now;
		if (b->op == XB_KAPI_OP_ALLOC_GUEST_FPSTATE)
			b->guest_before = now;
	}
	guest_free(&r->guest);
}

static void alloc_prepare(void *ctx, u32 i)
{
	finish_guest(ctx);
}

static void alloc_call(void *ctx, u32 i)
{
	struct kapi_run *r = ctx;
	bool ok = guest_alloc(&r->guest);

	returned(r, ok, ok);
}

/* A fresh guest fpstate to free or grow; the previous call's checked (free: the pointer cleared). */
static void fresh_prepare(void *ctx, u32 i)
{
	struct kapi_run *r = ctx;
	struct xb_kapi_batch *b = r->b;

	if (b->op == XB_KAPI_OP_FREE_GUEST_FPSTATE && r->calls && r->guest.fpstate)
		kapi_fail(b, KAPI_POINTERS, "fpu_free_guest_fpstate() left fpu_guest.fpstate set", 0,
			  (u64)(uintptr_t)r->guest.fpstate);
	finish_guest(r);
	if (!guest_alloc(&r->guest)) {
		kapi_fail(b, KAPI_NOMEM, "fpu_alloc_guest_fpstate() returned false", 1, 0);
		return;
	}
	describe(&r->guest, &b->guest_before);
	kapi_check_fresh(r->l, &b->guest_before, b);
}

static void free_call(void *ctx, u32 i)
{
	struct kapi_run *r = ctx;

	if (r->guest.fpstate)
		CALL(XB_KAPI_FPU_FREE_GUEST_FPSTATE, free_guest_fpstate_t)(&r->guest);
	returned(r, 0, true);
}

static void enable_call(void *ctx, u32 i)
{
	struct kapi_run *r = ctx;
	int rc = r->guest.fpstate ? enable_xfd_features(&r->guest, r->b->mask) : -ENOMEM;

	returned(r, rc, rc == 0);
}

static void run_may_sleep(struct kapi_run *r)
{
	struct xb_kapi_batch *b = r->b;
	struct kapi_timing t = { alloc_prepare, alloc_call, r };
	unsigned long switches = current->nvcsw + current->nivcsw;

	if (b->op == XB_KAPI_OP_FREE_GUEST_FPSTATE)
		t = (struct kapi_timing){ fresh_prepare, free_call, r };
	else if (b->op == XB_KAPI_OP_ENABLE_GUEST_XFD_FEATURES)
		t = (struct kapi_timing){ fresh_prepare, enable_call, r };
	b->flags |= XB_KAPI_PREEMPTIBLE;
	time_calls(r, &t);
	b->sched_switches = (u32)(current->nvcsw + current->nivcsw - switches);
	if (b->op == XB_KAPI_OP_FREE_GUEST_FPSTATE && r->guest.fpstate)
		kapi_fail(b, KAPI_POINTERS, "fpu_free_guest_fpstate() left fpu_guest.fpstate set", 0,
			  (u64)(uintptr_t)r->guest.fpstate);
	finish_guest(r);
}

/* --- the task's state: kapi/fpu/swap-kvm-fpstate and kernel-fpu-begin-end, under fpregs_lock() --- */

/*
 * The task's registers hold what xstate-bench loaded (reloaded by switch_fpu_return() when
 * the task was switched out on its way in), and XINUSE shows it; need-load then saves it
 * with kernel_fpu_begin_mask(0)/kernel_fpu_end(), which set TIF_NEED_FPU_LOAD.
 */
static bool task_condition(struct kapi_run *r)
{
	struct xb_kapi_batch *b = r->b;

	if (need_load())
		fpu_return();
	if (kapi_registers_diff(r->l, &r->im, r->im.task, b->load_mask) >= 0) {
		kapi_fail(b, KAPI_REGISTERS, "the task's registers do not hold the state xstate-bench loaded",
			  b->mask, 0);
		return false;
	}
	if (kapi_xinuse(r->l, &b->xinuse_before)) {
		b->flags |= XB_KAPI_XINUSE_CHECKED;
		if ((b->xinuse_before & b->mask) != b->mask) {
			kapi_fail(b, KAPI_XINUSE, "XINUSE does not show the held components in use", b->mask,
				  b->xinuse_before & b->mask);
			return false;
		}
	}
	if (b->cond == XB_COND_NEED_LOAD) {
		fpu_begin(0);
		fpu_end();
		if (!need_load())
			kapi_fail(b, KAPI_POINTERS, "kernel_fpu_begin_mask() left TIF_NEED_FPU_LOAD clear", 1, 0);
		else if (kapi_buffer_diff(r->l, &r->task_fps->regs, r->im.task, b->mask) >= 0)
			kapi_fail(b, KAPI_CONTENT, "the task's fpstate does not hold its saved state", b->mask, 0);
	}
	return !b->check;
}

/* After an enter (@entered) or an exit: current's fpstate pointer and flags as the kernel's swap leaves them. */
static void check_swapped(struct kapi_run *r, bool entered)
{
	struct fpu *fpu = task_fpu();
	struct fpstate *want = entered ? r->guest.fpstate : r->task_fps;

	if (fpu->fpstate != want || r->guest.fpstate->in_use != entered ||
	    fpu->__task_fpstate != (entered ? r->task_fps : NULL))
		kapi_fail(r->b, KAPI_POINTERS,
			  entered ? "after the enter: current's fpstate is not the guest's, in use, the task's kept"
				  : "after the exit: current's fpstate is not its own again, the guest's not in use",
			  (u64)(uintptr_t)want, (u64)(uintptr_t)fpu->fpstate);
	else if (need_load())
		kapi_fail(r->b, KAPI_POINTERS, "the swap left TIF_NEED_FPU_LOAD set: registers not active", 0, 1);
}

static void expect_registers(struct kapi_run *r, const void *image, const char *what)
{
	if (kapi_registers_diff(r->l, &r->im, image, r->b->load_mask) >= 0)
		kapi_fail(r->b, KAPI_REGISTERS, what, r->b->mask, 0);
}

static void expect_buffer(struct kapi_run *r, const void *kernel_regs, const void *image, const char *what)
{
	int diff = kapi_buffer_diff(r->l, kernel_regs, image, r->b->mask);

	if (diff >= 0)
		kapi_fail(r->b, KAPI_CONTENT, what, r->b->mask, 1ULL << diff);
}

/*
 * One untimed round trip that shows each step: in need-load another task's state is in the
 * registers (so a save at the enter would show in the task's fpstate); the enter loads the
 * guest's state; the guest "runs" (its registers get another pattern); the exit saves it
 * into the guest's fpstate and gives the task its own state back.
 */
static void swap_proof(struct kapi_run *r)
{
	int rc;

	if (r->b->cond == XB_COND_NEED_LOAD)
		kapi_load(r->im.other, r->b->load_mask);
	rc = swap_fpstate(&r->guest, true);
	returned(r, rc, rc == 0);
	check_swapped(r, true);
	expect_registers(r, r->im.guest, "after the enter: the registers do not hold the guest's state");
	kapi_load(r->im.other, r->b->load_mask);
	rc = swap_fpstate(&r->guest, false);
	returned(r, rc, rc == 0);
	check_swapped(r, false);
	expect_registers(r, r->im.task, "after the exit: the registers do not hold the task's state");
	expect_buffer(r, &r->guest.fpstate->regs, r->im.other, "the exit did not save the guest's registers");
}

static void set_need_load(void *ctx, u32 i)
{
	set_thread_flag(TIF_NEED_FPU_LOAD);
}

static void swap_call(void *ctx, u32 i)
{
	struct kapi_run *r = ctx;
	int enter = swap_fpstate(&r->guest, true);
	int exit = swap_fpstate(&r->guest, false);

	returned(r, enter | exit, !enter && !exit);
}

static void run_swap(struct kapi_run *r)
{
	struct kapi_timing t = { r->b->cond == XB_COND_NEED_LOAD ? set_need_load : NULL, swap_call, r };

	swap_proof(r);
	time_calls(r, &t);
	check_swapped(r, false);
	expect_registers(r, r->im.task, "after the last exit: the registers do not hold the task's state");
	expect_buffer(r, &r->guest.fpstate->regs, r->im.other, "the exits did not save the guest's registers");
}

/* The untimed call of kernel_fpu_begin()/end() that shows whether it saved the registers. */
static void kernel_fpu_proof(struct kapi_run *r)
{
	struct xb_kapi_batch *b = r->b;

	kapi_load(r->im.other, b->load_mask);
	fpu_begin(KFPU_MXCSR);
	if (!need_load())
		kapi_fail(b, KAPI_POINTERS, "kernel_fpu_begin() left TIF_NEED_FPU_LOAD clear", 1, 0);
	if (b->cond == XB_COND_LIVE) {
		expect_buffer(r, &r->task_fps->regs, r->im.other, "kernel_fpu_begin() did not save the live registers");
		fpu_end();
		fpu_return();
		kapi_load(r->im.task, b->load_mask); /* the task's own state again */
	} else {
		expect_buffer(r, &r->task_fps->regs, r->im.task, "kernel_fpu_begin() saved over a saved state");
		fpu_end();
	}
	returned(r, 0, true);
}

static void reload_task_state(void *ctx, u32 i)
{
	fpu_return();
}

static void kernel_fpu_call(void *ctx, u32 i)
{
	fpu_begin(KFPU_MXCSR);
	fpu_end();
	returned(ctx, 0, true);
}

static void run_kernel_fpu(struct kapi_run *r)
{
	struct kapi_timing t = { r->b->cond == XB_COND_LIVE ? reload_task_state : NULL, kernel_fpu_call, r };

	kernel_fpu_proof(r);
	time_calls(r, &t);
	if (!need_load())
		kapi_fail(r->b, KAPI_POINTERS, "kernel_fpu_end() left TIF_NEED_FPU_LOAD clear", 1, 0);
	expect_buffer(r, &r->task_fps->regs, r->im.task, "the task's fpstate does not hold its state");
	fpu_return();
	expect_registers(r, r->im.task, "switch_fpu_return() did not give the task its state back");
}

/* --- the guest's fpstate: update-guest-xfd and the two copies, under fpregs_lock() --- */

static void update_call(void *ctx, u32 i)
{
	struct kapi_run *r = ctx;

	CALL(XB_KAPI_FPU_UPDATE_GUEST_XFD, update_guest_xfd_t)(&r->guest, i & 1 ? 0 : r->b->mask);
	returned(r, 0, true);
}

/* The guest swapped in, as when KVM handles its WRMSR to IA32_XFD: every change is written. */
static void run_update_xfd(struct kapi_run *r)
{
	struct xb_kapi_batch *b = r->b;
	struct kapi_timing t = { NULL, update_call, r };
	u64 last = (b->warmup_ops + b->ops - 1) & 1 ? 0 : b->mask;
	int rc = swap_fpstate(&r->guest, true);

	returned(r, rc, rc == 0);
	time_calls(r, &t);
	b->xfd_after = kapi_read_xfd();
	if (r->guest.fpstate->xfd != last)
		kapi_fail(b, KAPI_XFD, "fpu_update_guest_xfd(): fpstate->xfd is not the last value", last,
			  r->guest.fpstate->xfd);
	if ((b->xfd_after & b->mask) != last)
		kapi_fail(b, KAPI_XFD, "fpu_update_guest_xfd(): IA32_XFD is not the last value (no write)", last,
			  b->xfd_after);
	if (last)
		update_call(r, 1);
	rc = swap_fpstate(&r->guest, false);
	returned(r, rc, rc == 0);
}

static void to_uabi_call(void *ctx, u32 i)
{
	struct kapi_run *r = ctx;

	CALL(XB_KAPI_FPU_COPY_GUEST_FPSTATE_TO_UABI, copy_guest_fpstate_to_uabi_t)(&r->guest, r->uabi,
										  r->guest.uabi_size,
										  r->b->load_mask, 0);
	returned(r, 0, true);
}

static void from_uabi_call(void *ctx, u32 i)
{
	struct kapi_run *r = ctx;
	int rc = copy_to_guest(&r->guest, r->im.guest, r->xcr0, &r->pkru);

	/* an image the guest may have must be taken; seed 001's: every call as the first */
	if (r->b->cond == XB_COND_INUSE)
		returned(r, rc, rc == 0);
	else
		returned(r, rc, !r->calls || rc == r->ret);
}

static void run_copy(struct kapi_run *r)
{
	struct xb_kapi_batch *b = r->b;
	bool to_uabi = b->op == XB_KAPI_OP_COPY_GUEST_FPSTATE_TO_UABI;
	struct kapi_timing t = { NULL, to_uabi ? to_uabi_call : from_uabi_call, r };

	time_calls(r, &t);
	if (to_uabi)
		expect_buffer(r, r->uabi, r->im.guest, "the UABI buffer does not hold the guest's state");
	else if (!r->ret)
		expect_buffer(r, &r->guest.fpstate->regs, r->im.guest, "the guest's fpstate does not hold the image");
	else if (r->guest.fpstate->regs.xsave.header.xfeatures & XFEATURE_MASK_FPSSE)
		kapi_fail(b, KAPI_CONTENT, "a refused image changed the guest's fpstate (XSTATE_BV)", 0,
			  r->guest.fpstate->regs.xsave.header.xfeatures);
}

/* The batches that keep preemption off, their set-up and checks included. */
static void run_locked(struct kapi_run *r)
{
	switch (r->b->op) {
	case XB_KAPI_OP_SWAP_KVM_FPSTATE:
		if (task_condition(r))
			run_swap(r);
		break;
	case XB_KAPI_OP_KERNEL_FPU_BEGIN_END:
		if (task_condition(r))
			run_kernel_fpu(r);
		break;
	case XB_KAPI_OP_UPDATE_GUEST_XFD:
		run_update_xfd(r);
		break;
	default:
		run_copy(r);
		break;
	}
}

/* The guest a batch needs and the image it is given first (NULL: none, or no guest). */
static bool guest_needed(__u32 op, const void **image, const struct kapi_images *im)
{
	*image = NULL;
	switch (op) {
	case XB_KAPI_OP_SWAP_KVM_FPSTATE:
	case XB_KAPI_OP_COPY_GUEST_FPSTATE_TO_UABI:
		*image = im->guest;
		return true;
	case XB_KAPI_OP_UPDATE_GUEST_XFD:
	case XB_KAPI_OP_COPY_UABI_TO_GUEST_FPSTATE:
		return true;
	default:
		return false;
	}
}

static void run(struct kapi_run *r)
{
	struct xb_kapi_batch *b = r->b;
	const void *image;

	switch (b->op) {
	case XB_KAPI_OP_ALLOC_GUEST_FPSTATE:
	case XB_KAPI_OP_FREE_GUEST_FPSTATE:
	case XB_KAPI_OP_ENABLE_GUEST_XFD_FEATURES:
		run_may_sleep(r);
		return;
	default:
		break;
	}
	if (guest_needed(b->op, &image, &r->im) && !guest_setup(r, image))
		return;
	if (b->op == XB_KAPI_OP_COPY_GUEST_FPSTATE_TO_UABI) {
		r->uabi = kzalloc(r->guest.uabi_size, GFP_KERNEL);
		if (!r->uabi) {
			kapi_fail(b, KAPI_NOMEM, "no memory for the UABI buffer", r->guest.uabi_size, 0);
			return;
		}
	}
	fpregs_lock();
	run_locked(r);
	fpregs_unlock();
	if (r->guest.fpstate)
		describe(&r->guest, &b->guest_after);
}

static void report_returns(struct kapi_run *r)
{
	if (r->bad_returns)
		kapi_fail(r->b, KAPI_RET, "a call returned what the case does not accept (the last one's value)", 0,
			  (u64)r->ret);
	r->b->ret = r->ret;
}

long kapi_ioctl(const struct xstate_layout *l, struct xb_kapi_batch __user *arg)
{
	struct xb_kapi_batch b;
	struct kapi_run r = { .l = l, .b = &b };
	size_t result = offsetof(struct xb_kapi_batch, gross_ticks);
	void *images;
	int rc;

	if (copy_from_user(&b, arg, sizeof(b)))
		return -EFAULT;
	rc = kapi_validate(l, kapi_resolved, &b);
	if (rc)
		return rc;
	memset((u8 *)&b + result, 0, sizeof(b) - result);
	r.im.bytes = kapi_image_bytes(l, &b);
	images = alloc_pages_exact(4 * r.im.bytes, GFP_KERNEL | __GFP_ZERO);
	if (!images)
		return -ENOMEM;
	r.im.task = images;
	r.im.guest = (u8 *)images + r.im.bytes;
	r.im.other = (u8 *)images + 2 * r.im.bytes;
	r.im.readback = (u8 *)images + 3 * r.im.bytes;
	if (b.op != XB_KAPI_OP_ALLOC_GUEST_FPSTATE && b.op != XB_KAPI_OP_FREE_GUEST_FPSTATE &&
	    b.op != XB_KAPI_OP_ENABLE_GUEST_XFD_FEATURES && b.op != XB_KAPI_OP_UPDATE_GUEST_XFD &&
	    !kapi_images_build(l, &b, &r.im)) {
		free_pages_exact(images, 4 * r.im.bytes);
		return -EINVAL;
	}
	r.task_fps = task_fpu()->fpstate;
	r.xcr0 = b.cond == XB_COND_PRE_XSAVE_GUEST ? 0 : kapi_xcr0(l); /* a vCPU without XSAVE: no xcr0 */
	run(&r);
	report_returns(&r);
	b.task_fpstate_size = r.task_fps->size;
	b.task_fpstate_xfeatures = r.task_fps->xfeatures;
	b.cpu = raw_smp_processor_id();
	guest_teardown(&r);
	kfree(r.uabi);
	free_pages_exact(images, 4 * r.im.bytes);
	return copy_to_user(arg, &b, sizeof(b)) ? -EFAULT : 0;
}
