/*
 * kapi_ring0.h - the kapi site's freestanding half: which requests the CPU and the
 * resolved kernel functions allow, the task's and the guest's images, the time stamps
 * around the kernel's calls and the empty batches beside them, reading the registers back,
 * and the checks of what the kernel's functions produced (an fpstate's description against
 * the CPU's layout, contents against the images). The kernel side (kapi_kernel.c) calls the
 * kernel; nothing here does, so it is unit-tested in user space.
 */
#ifndef XB_MODULE_KAPI_RING0_H
#define XB_MODULE_KAPI_RING0_H

#include <stdbool.h>

#include "xstate_bench_uapi.h"

struct xstate_layout;

/*
 * 0; -EINVAL for a malformed request; -EOPNOTSUPP for one the CPU cannot run (no XFD, no
 * dynamic feature, no values known to be safe to load) or whose functions the kernel does
 * not give this module (not in @resolved).
 */
int kapi_validate(const struct xstate_layout *l, __u32 resolved, const struct xb_kapi_batch *b);

/* The standard-format images of a batch, each kapi_image_bytes() long, 64-byte aligned. */
struct kapi_images {
	void *task;     /* the task's held state: the pattern of seed over mask */
	void *guest;    /* the guest's: seed + 1 (pre-xsave-guest: x87 and SSE only) */
	void *other;    /* another task's, or what the guest left: seed + 2 */
	void *readback; /* the registers saved for a check (zeroed memory) */
	__u32 bytes;
};

__u32 kapi_image_bytes(const struct xstate_layout *l, const struct xb_kapi_batch *b);

/* Writes the images into @im's buffers; false when the request's masks cannot be patterned. */
bool kapi_images_build(const struct xstate_layout *l, const struct xb_kapi_batch *b, const struct kapi_images *im);

/* The features of @mask a fresh guest fpstate lacks (xstate_default_features()): to enable. */
__u64 kapi_dynamic(const struct xstate_layout *l, __u64 mask);

/* XGETBV(1) into @xinuse; false where the CPU has no XGETBV1. */
bool kapi_xinuse(const struct xstate_layout *l, __u64 *xinuse);

/* XCR0: what KVM passes fpu_copy_uabi_to_guest_fpstate() (its supported xcr0, the host's). */
__u64 kapi_xcr0(const struct xstate_layout *l);

/* IA32_XFD (ring 0; the CPU has XFD). */
__u64 kapi_read_xfd(void);

/* Loads a standard-format @image into the registers (XRSTOR of @load_mask). */
void kapi_load(const void *image, __u64 load_mask);

/* The registers against @image over @load_mask: -1 when equal, else the first component that differs. */
int kapi_registers_diff(const struct xstate_layout *l, const struct kapi_images *im, const void *image,
			__u64 load_mask);

/*
 * A kernel buffer (an fpstate's regs, in the kernel's format: compacted when its XCOMP_BV
 * has bit 63) against a standard-format @image over @mask: -1 when equal, else the first
 * component that differs.
 */
int kapi_buffer_diff(const struct xstate_layout *l, const void *kernel_regs, const void *image, __u64 mask);

/* Whether a kernel buffer is in the compacted format. */
bool kapi_buffer_compacted(const void *kernel_regs);

/*
 * The calls of one batch. Without @prepare all calls run between one pair of time stamps;
 * with it each call is timed on its own and @prepare runs untimed before it.
 */
struct kapi_timing {
	void (*prepare)(void *ctx, __u32 i);
	void (*call)(void *ctx, __u32 i);
	void *ctx;
};

/* Runs calls [first, first + n) and returns the ticks they took, time stamps included. */
__u64 kapi_time(const struct kapi_timing *t, __u32 first, __u32 n);

/* The median of XB_EMPTY_BATCHES batches of @n empty calls of the same shape (@per_call). */
__u64 kapi_empty_median(bool per_call, __u32 n);

enum kapi_check {
	KAPI_OK,
	KAPI_RET,       /* a call returned what the case does not accept */
	KAPI_REGISTERS, /* the registers do not hold the state they should */
	KAPI_XINUSE,    /* XINUSE does not show the held components in use */
	KAPI_FPSTATE,   /* an fpstate's description disagrees with the CPU's layout or the call */
	KAPI_CONTENT,   /* an fpstate or a UABI buffer does not hold the image it should */
	KAPI_POINTERS,  /* current's fpstate pointer, in_use or TIF_NEED_FPU_LOAD ended wrong */
	KAPI_XFD,       /* fpstate->xfd or IA32_XFD is not what the call set */
	KAPI_NOMEM,     /* the module could not allocate what the case needs */
	KAPI_SCHED,     /* the task was switched out of a batch that must not be */
};

/* Records a failed check (the first one wins) with what was expected and found. */
void kapi_fail(struct xb_kapi_batch *b, enum kapi_check check, const char *what, __u64 expected, __u64 actual);

/*
 * A fresh guest fpstate (fpu_alloc_guest_fpstate()) as the CPU's layout says it must be:
 * valloc'ed, a guest's, not in use; x87 and SSE, no dynamic feature; size, user_size and
 * the guest's uabi_size those of its features; the guest's xfeatures its fpstate's.
 * Records the first disagreement in @b; returns whether there was none.
 */
bool kapi_check_fresh(const struct xstate_layout *l, const struct xb_kapi_fpstate *fs, struct xb_kapi_batch *b);

/*
 * A guest fpstate after fpu_enable_guest_xfd_features(@mask) on @before: the features
 * added, a larger buffer of the sizes they need, XFD no longer arming them, the guest's
 * xfeatures and uabi_size following.
 */
bool kapi_check_grown(const struct xstate_layout *l, const struct xb_kapi_fpstate *before,
		      const struct xb_kapi_fpstate *after, __u64 mask, struct xb_kapi_batch *b);

#endif
