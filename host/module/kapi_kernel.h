/* SPDX-License-Identifier: GPL-2.0 */
/*
 * kapi_kernel.h - the kapi site's kernel side (kapi_kernel.c), as the device (xb_device.c)
 * uses it: resolving the kernel's fpu functions when the module loads and putting them
 * back when it unloads, reporting which resolved, and running one XB_IOC_KAPI batch.
 */
#ifndef XB_MODULE_KAPI_KERNEL_H
#define XB_MODULE_KAPI_KERNEL_H

#include "xstate_bench_uapi.h"

struct xstate_layout;

/* Resolves every function of enum xb_kapi_fn the kernel exports to this module. */
void kapi_resolve(void);
/* Gives back what kapi_resolve() took (symbol_put). */
void kapi_release(void);
/* Fills @caps' kapi_resolved and kapi_signature_differs. */
void kapi_caps(struct xb_caps *caps);
/* One batch: 0, or -EFAULT, -EINVAL, -EOPNOTSUPP, -ENOMEM before anything ran. */
long kapi_ioctl(const struct xstate_layout *l, struct xb_kapi_batch __user *arg);

#endif
