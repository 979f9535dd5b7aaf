/*
 * family_kvm_xsave.c - kvm/xsave2/{get,set}/<features>/<condition>: one KVM_GET_XSAVE2 or
 * KVM_SET_XSAVE of a vCPU whose guest may use everything KVM offers (XCR0 & KVM_X86_XCOMP_GUEST_SUPP),
 * with a buffer of the VM's KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2) size. <features> are the
 * components the buffer holds (XSTATE_BV), in use (`inuse`) or in their init state (`init`):
 * kvm/xsave2/set/fp/inuse is the buffer a VM migrated from a host without XSAVE sends, only
 * x87 and SSE, so KVM must put every other component in its init state. After each batch
 * the vCPU's state is read back and must be the one set (XSTATE_BV, and the values in use or
 * x87/SSE's init values), or no number is reported.
 *
 * kvm/xsave2/{set,get}/fp/pre-xsave-guest: the same x87+SSE buffer for a vCPU whose CPUID has
 * no XSAVE (a Nehalem-like guest migrated here), as QEMU restores and saves it. Linux from
 * ad856280ddea ("x86/kvm/fpu: Limit guest user_xfeatures to supported bits of XCR0") until
 * "KVM: x86: Always enable legacy FP/SSE in allowed user XFEATURES" gave such a guest's
 * fpstate no user_xfeatures, so validate_user_xstate_header() refused the buffer (EINVAL) and
 * KVM_GET_XSAVE2 reported nothing in use; after the fix (kvm_vcpu_after_set_cpuid() adds
 * FP+SSE, later kvm_vcpu_ioctl_x86_get_xsave2() does) both work. The first KVM_SET_XSAVE's
 * result is the attribute set_xsave; a refusal fails the case with that reason, so a kernel
 * that brings the bug back fails the comparison. The read back must show XSTATE_BV = FP|SSE.
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

/* The guest's XCR0: every component the host enables and KVM offers, and the case's; none
 * for a guest without XSAVE. */
static uint64_t guest_xcr0(const struct machine *m, const struct bench_case *c)
{
	if (c->condition == KVM_COND_PRE_XSAVE_GUEST)
		return KVM_GUEST_NO_XSAVE;
	return (m->layout.xcr0 & m->kvm.xcomp_guest_supp) | c->features;
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
		snprintf(id, sizeof(id), "kvm/xsave2/%s/fp/%s", op_names[op], kvm_cond_name(KVM_COND_PRE_XSAVE_GUEST));
		if (kvm_case_plan(plan, &family_kvm_xsave, m, id, XFEATURES_FP, KVM_COND_PRE_XSAVE_GUEST, false))
			return -ENOMEM;
		plan->cases[plan->count - 1].op = op;
	}
	return 0;
}

/* The vCPU answers CPUID from the table without XSAVE it was set (kvm_guest_cpuid_kept). */
static int check_cpuid_kept(const struct kvm_case_state *s)
{
	char diff[240];
	bool kept;
	int rc = kvm_guest_cpuid_kept(&s->guest, &kept, diff, sizeof(diff));

	if (!rc && !kept)
		rc = xb_fail(EINVAL, "the vCPU set a CPUID without XSAVE does not keep it: %s", diff);
	return rc;
}

static int xsave2_setup(struct bench_case *c, const struct run_env *env)
{
	int rc = kvm_case_state_setup(c, env, guest_xcr0(env->machine, c), XSAVE2_DEFAULT_OPS);
	struct kvm_case_state *s = c->state;

	if (!rc && c->condition == KVM_COND_PRE_XSAVE_GUEST)
		rc = check_cpuid_kept(s);
	if (rc) {
		kvm_case_state_teardown(c);
		return rc;
	}
	case_set_attribute(c, "xstate_bv_set", "0x%llx", (unsigned long long)kvm_case_xstate_bv(&s->image));
	return 0;
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
