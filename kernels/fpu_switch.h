/*
 * fpu_switch.h - switching the FPU state between a task and a guest, in the kernel's two
 * designs, on fpstate containers (fpstate.h), step for step as the kernel functions named:
 *
 *  - pointer-swap: Linux 6.1's fpu_swap_kvm_fpstate() (arch/x86/kernel/fpu/core.c; the
 *    design since 5.16). The task's struct fpu points at the fpstate in use. Entering the
 *    guest saves the registers into the task's fpstate unless TIF_NEED_FPU_LOAD says they
 *    are already saved, points the task at the guest's fpstate and restores it; exiting
 *    saves the guest's registers (unless a context switch already did), points the task
 *    back at its own fpstate and restores it. Both restores are
 *    restore_fpregs_from_fpstate(fps, XFEATURE_MASK_FPSTATE): IA32_XFD first
 *    (xfd_update_state()), then everything but PKRU; the registers are active after
 *    either (fpregs_mark_activate()). The exit never leaves the task's state saved.
 *  - three-buffer: Linux 5.15's kvm_load_guest_fpu(), kvm_put_guest_fpu() and
 *    kvm_save_current_fpu() (arch/x86/kvm/x86.c). The task's buffer, a vcpu user_fpu and
 *    a guest_fpu. Entering puts the task's state into user_fpu: a memcpy of
 *    fpu_kernel_xstate_size bytes (the kernel's whole buffer) from the task's buffer when
 *    TIF_NEED_FPU_LOAD is set, else a save of the registers; then restores guest_fpu with
 *    ~XFEATURE_MASK_PKRU. Exiting saves guest_fpu the same way and restores user_fpu with
 *    xfeatures_mask_fpstate() (everything but PKRU). 5.15 has no XFD step.
 *
 * PKRU is left out of every restore in both: KVM switches it on its own, around VM entry.
 * The instructions come from an ops table: user builds save with XSAVEC (XSAVEOPT, then
 * XSAVE, where the CPU lacks it) and restore with XRSTOR, and have no XFD step; ring-0
 * builds (the guest payload, the kernel module) use XSAVES/XRSTORS and WRMSR IA32_XFD.
 *
 * A guest that needs more than its fpstate holds (guest->xfeatures beyond
 * guest->fpstate->xfeatures: a dynamic feature the guest was granted, such as AMX tile
 * data) is given a larger container on the next exit, as 6.1's fpstate_realloc():
 * allocate, describe, swap the pointers (the task's too while the guest's is in use), free
 * the old one; the exit's save then goes into the new container.
 *
 * Freestanding and allocation-free; the layout, the ops, the per-CPU state and any
 * allocator are passed in. Stable API, used by the host benchmarks, the guest payload and
 * the kernel module.
 */
#ifndef XB_KERNELS_FPU_SWITCH_H
#define XB_KERNELS_FPU_SWITCH_H

#include <stdbool.h>
#include <stdint.h>

#include "fpstate.h"
#include "xstate_layout.h"

/* The instructions a build switches with. */
struct fpu_insn_ops {
	const char *name;   /* "xsavec/xrstor", "xsaves/xrstors+xfd", ... */
	bool compacted;     /* the save writes the compacted format */
	bool ring0;         /* XSAVES/XRSTORS: #GP outside ring 0 */
	void (*save)(void *regs, uint64_t mask);
	void (*restore)(const void *regs, uint64_t mask);
	/* Writes IA32_XFD; NULL where the build has no XFD step (user space, or no XFD). */
	void (*write_xfd)(uint64_t xfd);
};

/*
 * Fills @ops for this CPU: user (@ring0 false) XSAVEC, else XSAVEOPT, else XSAVE, with
 * XRSTOR; ring 0 XSAVES/XRSTORS and WRMSR IA32_XFD when CPUID.(0DH,1):EAX[4] says the
 * CPU has XFD (without XSAVES ring 0 falls back to the user instructions). Returns false
 * when the CPU has no XSAVE.
 */
bool fpu_insn_ops_init(struct fpu_insn_ops *ops, const struct xstate_layout *l, bool ring0);

/* What the kernel keeps per CPU, and what this CPU's switches did. */
struct fpu_cpu {
	uint64_t xfd;         /* IA32_XFD as last written (the kernel's per-CPU xfd_state) */
	uint64_t saves, restores, copies, reallocs;
	uint64_t copied_bytes; /* the copies' memcpy lengths, summed */
	uint64_t xfd_writes;  /* WRMSR IA32_XFD done */
	uint64_t xfd_skipped; /* writes the kernel would have done that the ops have no step
			       * for (user space on an XFD CPU) */
};

/* The task's struct fpu. */
struct fpu_task {
	struct fpstate *fpstate;      /* in use: the task's own, or a guest's swapped in */
	struct fpstate *task_fpstate; /* the task's own while a guest's is in use (__task_fpstate) */
	bool need_load;               /* TIF_NEED_FPU_LOAD: the registers do not hold fpstate */
};

/* KVM's struct fpu_guest: the guest's fpstate and what the guest may use. */
struct fpu_guest {
	struct fpstate *fpstate;
	uint64_t xfeatures; /* granted to the guest; beyond fpstate->xfeatures asks for a realloc */
};

/* The pre-5.16 vcpu buffers, in the task's format. */
struct fpu_vcpu_buffers {
	struct fpstate *user_fpu;
	struct fpstate *guest_fpu;
	uint32_t copy_bytes; /* fpu_kernel_xstate_size: what kvm_save_current_fpu() copies; every
			      * buffer involved has this much room (fpu_kernel_buffer_bytes()) */
};

/*
 * 5.15's fpu_kernel_xstate_size for a task using @features: the kernel's whole buffer, every
 * component XCR0 enables (and IA32_XSS, in the compacted format) except the dynamic,
 * XFD-capable ones 5.15 did not support, together with @features (a task using a dynamic
 * feature has the larger buffer); in the compacted format or the standard one.
 */
uint32_t fpu_kernel_buffer_bytes(const struct xstate_layout *l, uint64_t features, bool compacted);

/* Everything a switch step works on. */
struct fpu_switch_ctx {
	const struct xstate_layout *layout;
	const struct fpu_insn_ops *ops;
	struct fpu_cpu *cpu;
	struct fpu_task *task;
	const struct fpstate_allocator *alloc; /* for reallocation; NULL: never reallocate */
};

enum fpu_switch_error {
	FPU_SWITCH_OK = 0,
	FPU_SWITCH_NOMEM = -12,  /* the allocator failed: the old container stays */
	FPU_SWITCH_INVAL = -22,  /* the call does not fit the state (e.g. exit without enter) */
};

/* The restore mask of both designs: everything the fpstate holds but PKRU. */
#define FPU_RESTORE_MASK(fps) ((fps)->xfeatures & ~XFEATURE_MASK(XFEATURE_PKRU))

/*
 * 6.1's save_fpregs_to_fpstate() (os_xsave() of the fpstate's xfeatures) and
 * restore_fpregs_from_fpstate(fps, XFEATURE_MASK_FPSTATE): IA32_XFD first, then
 * FPU_RESTORE_MASK.
 */
void fpu_save_fpstate(const struct fpu_switch_ctx *ctx, struct fpstate *fps);
void fpu_restore_fpstate(const struct fpu_switch_ctx *ctx, const struct fpstate *fps);

/* Pointer-swap: fpu_swap_kvm_fpstate(guest_fpu, true), entering the guest. */
int fpu_swap_enter(const struct fpu_switch_ctx *ctx, struct fpu_guest *guest);
/*
 * Pointer-swap: fpu_swap_kvm_fpstate(guest_fpu, false), exiting the guest; the task's state
 * is live afterwards. A guest granted more than its fpstate holds is given the larger one
 * first (the realloc path).
 */
int fpu_swap_exit(const struct fpu_switch_ctx *ctx, struct fpu_guest *guest);

/* Three-buffer: 5.15's kvm_load_guest_fpu() and kvm_put_guest_fpu(). */
int fpu_three_buffer_enter(const struct fpu_switch_ctx *ctx, struct fpu_vcpu_buffers *vcpu);
int fpu_three_buffer_exit(const struct fpu_switch_ctx *ctx, struct fpu_vcpu_buffers *vcpu);

/*
 * Gives the guest a container for guest->fpstate->xfeatures | @xfeatures (the kernel's
 * fpstate_realloc() for a guest): xfd loses those features, the pointers are swapped (the
 * task's as well while the guest's fpstate is in use, then IA32_XFD follows), and the old
 * container is freed when it was allocated. Needs ctx->alloc.
 */
int fpu_guest_realloc(const struct fpu_switch_ctx *ctx, struct fpu_guest *guest, uint64_t xfeatures);

#endif
