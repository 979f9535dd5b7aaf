/*
 * xstate_perm.c - arch_prctl(ARCH_REQ_XCOMP_PERM / ARCH_GET_XCOMP_PERM).
 */
#include "xstate_perm.h"

#include <asm/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

int xstate_request_perm(const struct xstate_layout *l, uint64_t mask, uint64_t *usable)
{
	uint64_t dynamic = mask & xstate_xfd_capable(l);
	unsigned long long perm = 0;

	for (unsigned int id = 0; id < 64; id++)
		if ((dynamic >> id) & 1 && syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, id))
			return xb_fail_errno("arch_prctl(ARCH_REQ_XCOMP_PERM, %u)", id);
	if (syscall(SYS_arch_prctl, ARCH_GET_XCOMP_PERM, &perm))
		perm = l->xcr0 & ~xstate_xfd_capable(l);
	*usable = l->xcr0 & perm;
	return 0;
}
