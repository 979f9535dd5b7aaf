/*
 * ring0_verify.h - the xstate_bench module's layout check in ring 0, freestanding: which
 * requests this CPU can run, the buffers they need, and one check through
 * kernels/xstate_verify.c with the components the module loads (supervisor ones included,
 * reached by XSAVES/XRSTORS). The kernel side (xb_device.c) owns the FPU, interrupts and
 * IA32_XFD around ring0_verify_run(); nothing here calls the kernel, so it is unit-tested in
 * user space.
 */
#ifndef XB_MODULE_RING0_VERIFY_H
#define XB_MODULE_RING0_VERIFY_H

#include "xstate_bench_uapi.h"

struct xstate_layout;

#define RING0_VERIFY_BUFFERS 4 /* area, image, other, caller */

/* 0, -EINVAL for a malformed request, -EOPNOTSUPP for an instruction this CPU lacks. */
int ring0_verify_validate(const struct xstate_layout *l, const struct xb_verify *r);

/* The bytes of each of the RING0_VERIFY_BUFFERS buffers. */
__u32 ring0_verify_buffer_bytes(const struct xstate_layout *l);

/* Runs the validated check @r with 64-byte aligned buffers of ring0_verify_buffer_bytes();
 * the caller owns the FPU, has interrupts off and IA32_XFD lifted. */
void ring0_verify_run(const struct xstate_layout *l, struct xb_verify *r, void *const bufs[RING0_VERIFY_BUFFERS]);

#endif
