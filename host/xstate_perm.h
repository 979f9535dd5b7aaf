/*
 * xstate_perm.h - asking the kernel for dynamic xstate features (AMX tile data) before a
 * process touches them (or gives them to a guest), and what it may use afterwards.
 */
#ifndef XB_HOST_XSTATE_PERM_H
#define XB_HOST_XSTATE_PERM_H

#include <stdint.h>

#include "../base/error.h"
#include "../kernels/xstate_layout.h"

/*
 * Requests every dynamic (XFD-capable) feature of @mask with
 * arch_prctl(ARCH_REQ_XCOMP_PERM) and stores in *@usable the XCR0 features the process is
 * now permitted (ARCH_GET_XCOMP_PERM; without it, XCR0 minus the dynamic features).
 */
int xstate_request_perm(const struct xstate_layout *l, uint64_t mask, uint64_t *usable) XB_MUST_CHECK;

/* The same for the guests of this process's VMs: ARCH_REQ_XCOMP_GUEST_PERM and
 * ARCH_GET_XCOMP_GUEST_PERM. */
int xstate_request_guest_perm(const struct xstate_layout *l, uint64_t mask, uint64_t *usable) XB_MUST_CHECK;

#endif
