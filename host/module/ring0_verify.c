/*
 * ring0_verify.c - one layout check in ring 0 (kernels/xstate_verify.c) for the module.
 * Freestanding: kernels/ and the uAPI only.
 */
#include "ring0_verify.h"

#include <errno.h>

#include "../../kernels/xstate_layout.h"
#include "../../kernels/xstate_verify.h"
#include "ring0.h"

#define SAME(a, b) ((int)(a) == (int)(b))
_Static_assert(SAME(XB_VERIFY_XSAVE, XV_XSAVE) && SAME(XB_VERIFY_XSAVEC, XV_XSAVEC) &&
		       SAME(XB_VERIFY_XRSTOR, XV_XRSTOR) && SAME(XB_VERIFY_XRSTOR_COMPACTED, XV_XRSTOR_COMPACTED) &&
		       SAME(XB_VERIFY_XSAVES, XV_XSAVES) && SAME(XB_VERIFY_XRSTORS, XV_XRSTORS) &&
		       SAME(XB_VERIFY_INSN_COUNT, XV_INSN_COUNT),
	       "the uAPI's instructions are kernels/xstate_verify.h's");

int ring0_verify_validate(const struct xstate_layout *l, const struct xb_verify *r)
{
	if (r->reserved_in || r->insn >= XB_VERIFY_INSN_COUNT || r->component >= XSTATE_MAX_COMPONENTS)
		return -EINVAL;
	if ((r->insn == XB_VERIFY_XSAVEC || r->insn == XB_VERIFY_XRSTOR_COMPACTED) && !l->xsavec)
		return -EOPNOTSUPP;
	if ((r->insn == XB_VERIFY_XSAVES || r->insn == XB_VERIFY_XRSTORS) && !l->xsaves)
		return -EOPNOTSUPP;
	return 0;
}

__u32 ring0_verify_buffer_bytes(const struct xstate_layout *l)
{
	return xstate_verify_buffer_bytes(l);
}

void ring0_verify_run(const struct xstate_layout *l, struct xb_verify *r, void *const bufs[RING0_VERIFY_BUFFERS])
{
	__u64 user = l->xcr0 & ring0_loadable(l);
	struct xstate_verify v = {
		.layout = l,
		.user_mask = user,
		.supervisor_mask = l->xss & ring0_loadable(l),
		.caller_mask = user,
		.ring0 = true,
		.area = bufs[0],
		.image = bufs[1],
		.other = bufs[2],
		.caller = bufs[3],
		.bytes = xstate_verify_buffer_bytes(l),
	};
	struct xstate_verify_result out;

	xstate_verify_run(&v, r->component, (enum xstate_verify_insn)r->insn, &out);
	r->outcome = out.outcome;
	r->content_component = out.content_component;
	r->rfbm = out.rfbm;
	r->xinuse = out.xinuse;
	r->expected = out.expected;
	r->actual = out.actual;
	r->offset = out.offset;
	r->stray_offset = out.stray_offset;
	r->stray_bytes = out.stray_bytes;
}
