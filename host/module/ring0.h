/*
 * ring0.h - the module's measured work, freestanding: which requests this CPU can run
 * safely, the buffers a request needs, its images, and one batch through kernels/ (the
 * XSAVE-family save/restore, the IA32_XFD write, the fpstate switch strategies). The kernel side (xb_device.c) owns the
 * FPU, interrupts and MSRs around ring0_run(); nothing here calls the kernel, so the same
 * code is unit-tested in user space.
 */
#ifndef XB_MODULE_RING0_H
#define XB_MODULE_RING0_H

#include "xstate_bench_uapi.h"

struct xstate_layout; /* kernels/xstate_layout.h, kept out of the kernel side's view */

/*
 * 64-byte aligned, zeroed buffers of the sizes ring0_buffer_sizes() asked for: a save or
 * restore uses the four XSAVE buffers, a switch one block for its containers.
 */
struct ring0_buffers {
	void *target, *image, *scratch, *caller, *block;
	__u32 target_bytes, image_bytes, scratch_bytes, caller_bytes, block_bytes;
};

/*
 * Decodes this CPU's layout with IA32_XSS as read in ring 0, keeping of the XB_CAP_*
 * instructions only those in @kernel_caps (what the kernel found usable, errata and
 * hypervisors considered); NULL without (OS)XSAVE or with a CPUID leaf 0xD in error.
 */
const struct xstate_layout *ring0_layout_live(__u64 xss, __u32 kernel_caps);

void ring0_caps(const struct xstate_layout *l, struct xb_caps *caps);

/* The components the module loads (xb_caps.loadable): XCR0's and IA32_XSS's it knows safe
 * non-init values for. */
__u64 ring0_loadable(const struct xstate_layout *l);

/* 0, -EINVAL for a malformed request, -EOPNOTSUPP for one that cannot run safely here. */
int ring0_validate(const struct xstate_layout *l, const struct xb_batch *b);

/* Sets the *_bytes of @bufs for a validated request (0 for a buffer it does not use). */
void ring0_buffer_sizes(const struct xstate_layout *l, const struct xb_batch *b,
			struct ring0_buffers *bufs);

/* Writes the request's images; 0 or -EINVAL. */
int ring0_prepare(const struct xstate_layout *l, const struct xb_batch *b,
		  const struct ring0_buffers *bufs);

/* The components of the request that IA32_XFD must not arm while it runs. */
__u64 ring0_xfd_lift(const struct xstate_layout *l, const struct xb_batch *b);

/*
 * Runs the batch and its XB_EMPTY_BATCHES empty loops and fills the result. The caller owns
 * the FPU and has interrupts off; @xfd is IA32_XFD as the batch finds it (after any lift),
 * and the caller puts IA32_XFD back afterwards (the MSR write and a switch change it).
 */
void ring0_run(const struct xstate_layout *l, struct xb_batch *b, const struct ring0_buffers *bufs,
	       __u64 xfd);

#endif
