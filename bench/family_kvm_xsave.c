/*
 * family_kvm_xsave.c - kvm/xsave2/{get,set}/<features>/<condition>: one KVM_GET_XSAVE2 or
 * KVM_SET_XSAVE of a vCPU whose guest may use everything KVM offers (XCR0 & KVM_X86_XCOMP_GUEST_SUPP),
 * with a buffer of the VM's KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2) size. <features> are the
 * components the buffer holds (XSTATE_BV), in use (`inuse`) or in their init state (`init`):
 * kvm/xsave2/set/fp/inuse is the buffer a VM migrated from a host without XSAVE sends, only
 * x87 and SSE, so KVM must put every other component in its init state. After each batch
 * the vCPU's state is read back and must be the one set (XSTATE_BV, and the values in use or
 * x87/SSE's init values), or no number is reported.
 */
#include "families.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "../kernels/tsc.h"
#include "../kernels/xsave_bench.h"
#include "kvm_case.h"

#define XSAVE2_DEFAULT_OPS 16

enum { OP_GET, OP_SET };
static const char *const op_names[] = { "get", "set" };
static const enum xstate_cond xsave2_conditions[] = { XCOND_INIT, XCOND_INUSE };

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
				int rc;

				snprintf(id, sizeof(id), "kvm/xsave2/%s/%s/%s", op_names[op], kvm_feature_sets[f],
					 xstate_cond_name(xsave2_conditions[c]));
				rc = kvm_case_plan(plan, &family_kvm_xsave, m, id, kvm_feature_mask(m, kvm_feature_sets[f]),
						   xsave2_conditions[c], false);
				if (rc)
					return rc;
				plan->cases[plan->count - 1].op = op;
			}
		}
	}
	return 0;
}

static int xsave2_setup(struct bench_case *c, const struct run_env *env)
{
	int rc = kvm_case_state_setup(c, env, guest_xcr0(env->machine, c->features), XSAVE2_DEFAULT_OPS);
	struct kvm_case_state *s = c->state;

	if (!rc)
		case_set_attribute(c, "xstate_bv_set", "0x%llx", (unsigned long long)kvm_case_xstate_bv(&s->image));
	return rc;
}

static int xsave2_batch(struct bench_case *c, struct batch_result *out)
{
	struct kvm_case_state *s = c->state;
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
	if (kvm_case_check_state(s, c->features, c->condition != XCOND_INIT, out->error, sizeof(out->error)))
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
	.teardown = kvm_case_state_teardown,
};
