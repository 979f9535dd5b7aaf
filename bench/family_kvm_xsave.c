/*
 * family_kvm_xsave.c - kvm/xsave2/{get,set}/<features>/<condition>: one KVM_GET_XSAVE2 or
 * KVM_SET_XSAVE of a vCPU whose guest may use everything KVM offers (XCR0 & KVM_X86_XCOMP_GUEST_SUPP),
 * with a buffer of the VM's KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2) size. <features> are the
 * components the buffer holds (XSTATE_BV), in use (`inuse`) or in their init state (`init`):
 * kvm/xsave2/set/fp/inuse is the buffer a VM migrated from a host without XSAVE sends, only
 * x87 and SSE, so KVM must put every other component in its init state. After each batch
 * the vCPU's state is read back and its XSTATE_BV must be the one set, or no number is reported.
 */
#include "families.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "../kernels/tsc.h"
#include "../kernels/xsave_bench.h"
#include "kvm_case.h"

#define XSAVE2_DEFAULT_OPS 16

enum { OP_GET, OP_SET };
static const char *const op_names[] = { "get", "set" };
static const enum xstate_cond xsave2_conditions[] = { XCOND_INIT, XCOND_INUSE };

struct xsave2_state {
	struct kvm_guest guest;
	struct kvm_case_xsave image; /* what is set */
	struct kvm_case_xsave read;  /* what is read back */
};

/* The guest's XCR0: every component the host enables and KVM offers, and the case's. */
static uint64_t guest_xcr0(const struct machine *m, uint64_t features)
{
	return (m->layout.xcr0 & m->kvm.xcomp_guest_supp) | features;
}

static int xsave2_plan(const struct machine *m, struct plan *plan)
{
	char id[CASE_ID_MAX];

	for (int op = OP_GET; op <= OP_SET; op++) {
		for (int f = 0; f < kvm_nr_feature_sets; f++) {
			for (size_t c = 0; c < sizeof(xsave2_conditions) / sizeof(xsave2_conditions[0]); c++) {
				struct bench_case *bc;
				int rc;

				snprintf(id, sizeof(id), "kvm/xsave2/%s/%s/%s", op_names[op], kvm_feature_sets[f],
					 xstate_cond_name(xsave2_conditions[c]));
				rc = kvm_case_plan(plan, &family_kvm_xsave, m, id, kvm_feature_mask(m, kvm_feature_sets[f]),
						   xsave2_conditions[c]);
				if (rc)
					return rc;
				bc = &plan->cases[plan->count - 1];
				bc->op = op;
			}
		}
	}
	return 0;
}

static void xsave2_teardown(struct bench_case *c)
{
	struct xsave2_state *s = c->state;

	if (!s)
		return;
	kvm_case_xsave_free(&s->image);
	kvm_case_xsave_free(&s->read);
	kvm_guest_destroy(&s->guest);
	free(s);
	c->state = NULL;
}

static int xsave2_setup(struct bench_case *c, const struct run_env *env)
{
	const struct machine *m = env->machine;
	struct xsave2_state *s = calloc(1, sizeof(*s));
	uint64_t xcr0 = guest_xcr0(m, c->features);
	int rc;

	if (!s)
		return xb_fail(ENOMEM, "out of memory");
	rc = kvm_case_guest_with_state(m, &s->guest, xcr0, &s->image, c->features, c->condition != XCOND_INIT);
	if (rc) {
		free(s);
		return rc;
	}
	c->state = s;
	rc = kvm_case_xsave_alloc(&s->guest, &s->read);
	if (rc) {
		xsave2_teardown(c);
		return rc;
	}
	c->ops_per_batch = env->ops_override ? env->ops_override : XSAVE2_DEFAULT_OPS;
	case_set_attribute(c, "guest_xcr0", "0x%llx", (unsigned long long)xcr0);
	case_set_attribute(c, "xstate_bv_set", "0x%llx", (unsigned long long)kvm_case_xstate_bv(&s->image));
	case_set_attribute(c, "xsave2_bytes", "%u", s->image.size);
	return 0;
}

static int xsave2_batch(struct bench_case *c, struct batch_result *out)
{
	struct xsave2_state *s = c->state;
	unsigned long request = c->op == OP_GET ? KVM_GET_XSAVE2 : KVM_SET_XSAVE;
	struct kvm_xsave *buf = c->op == OP_GET ? s->read.buf : s->image.buf;
	uint32_t ops = c->ops_per_batch;
	uint64_t start, end;

	start = tsc_begin();
	for (uint32_t i = 0; i < ops; i++) {
		if (ioctl(s->guest.vcpu.fd, request, buf)) {
			snprintf(out->error, sizeof(out->error), "%s: %s (errno %d)",
				 c->op == OP_GET ? "KVM_GET_XSAVE2" : "KVM_SET_XSAVE", strerror(errno), errno);
			return -1;
		}
	}
	end = tsc_end();
	if (kvm_case_check_state(&s->guest, &s->read, c->features, c->condition != XCOND_INIT, out->error,
				 sizeof(out->error)))
		return -1;
	case_set_attribute(c, "xstate_bv_read", "0x%llx", (unsigned long long)kvm_case_xstate_bv(&s->read));
	out->gross_ticks = end - start;
	out->ops = ops;
	return 0;
}

const struct bench_family family_kvm_xsave = {
	.name = "kvm_xsave",
	.site = "kvm",
	.plan = xsave2_plan,
	.setup = xsave2_setup,
	.batch = xsave2_batch,
	.teardown = xsave2_teardown,
};
