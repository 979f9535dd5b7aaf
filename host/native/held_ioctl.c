/*
 * held_ioctl.c - an ioctl under a held state. No vector code.
 */
#include "held_ioctl.h"

#include <sys/syscall.h>

#include "../../kernels/xsave_insn.h"
#include "raw_syscall.h"

long held_ioctl(const struct xstate_hold *h, void *caller, int fd, unsigned long request, void *arg,
		struct hold_result *after)
{
	long rc;

	xsave(caller, h->load_mask);
	xstate_hold_load(h);
	rc = raw_syscall3(SYS_ioctl, fd, (long)request, (long)arg);
	*after = xstate_hold_check_values(h);
	xrstor(caller, h->load_mask);
	return rc;
}
