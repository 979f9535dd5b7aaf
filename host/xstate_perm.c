/*
 * xstate_perm.c - arch_prctl(ARCH_REQ_XCOMP_PERM / ARCH_GET_XCOMP_PERM) and their guest twins.
 */
#include "xstate_perm.h"

#include <asm/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

static int request_perm(const struct xstate_layout *l, uint64_t mask, bool guest, uint64_t *usable)
{
	uint64_t dynamic = mask & xstate_xfd_capable(l);
	unsigned long long perm = 0;
	const char *kind = guest ? "GUEST_" : "";

	for (unsigned int id = 0; id < 64; id++)
		if ((dynamic >> id) & 1 &&
		    syscall(SYS_arch_prctl, guest ? ARCH_REQ_XCOMP_GUEST_PERM : ARCH_REQ_XCOMP_PERM, id))
			return xb_fail_errno("arch_prctl(ARCH_REQ_XCOMP_%sPERM, %u)", kind, id);
	if (syscall(SYS_arch_prctl, guest ? ARCH_GET_XCOMP_GUEST_PERM : ARCH_GET_XCOMP_PERM, &perm))
		perm = l->xcr0 & ~xstate_xfd_capable(l);
	*usable = l->xcr0 & perm;
	return 0;
}

int xstate_request_perm(const struct xstate_layout *l, uint64_t mask, uint64_t *usable)
{
	return request_perm(l, mask, false, usable);
}

int xstate_request_guest_perm(const struct xstate_layout *l, uint64_t mask, uint64_t *usable)
{
	return request_perm(l, mask, true, usable);
}
