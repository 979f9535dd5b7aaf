/*
 * held_ioctl.h - one ioctl made while the registers hold a thread's state under test (the
 * kapi site's task state, which the kernel's own fpu functions save, switch and restore
 * under it): the caller's state saved, the hold loaded, the ioctl made with the SYSCALL
 * instruction, the hold's values checked after it, the caller's state put back. No vector
 * code between the load and the check.
 */
#ifndef XB_HOST_NATIVE_HELD_IOCTL_H
#define XB_HOST_NATIVE_HELD_IOCTL_H

#include "xstate_hold.h"

/*
 * @caller: a 64-byte aligned standard-format buffer for h->load_mask. Returns the ioctl's
 * value (>= 0, or -errno); *@after is the hold's values as the ioctl left them
 * (xstate_hold_check_values()).
 */
long held_ioctl(const struct xstate_hold *h, void *caller, int fd, unsigned long request, void *arg,
		struct hold_result *after);

#endif
