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

#include "../host/native/kvm_ioctl_loops.h"
#include "../kernels/xsave_bench.h"
#include "kvm_case.h"

#define XSAVE2_DEFAULT_OPS 16

enum { OP_GET, OP_SET };
static const char *const op_names[] = { "get", "set" };
static const enum condition xsave2_conditions[] = { COND_INIT, COND_INUSE };

/* The guest's XCR0: every component the host enables and KVM offers, and the case's; none
 * for a guest without XSAVE. */
static uint64_t guest_xcr0(const struct machine *m, const struct bench_case *c)
{
	if (c->condition == COND_PRE_XSAVE_GUEST)
		return KVM_GUEST_NO_XSAVE;
	return (m->layout.xcr0 & m->kvm.xcomp_guest_supp) | c->features;
}

/* Every set of the kvm lists (base/ids.h) in each condition, then x87+SSE for a guest
 * without XSAVE. */
static int xsave2_plan(const struct machine *m, struct plan *plan)
{
	struct bench_id id = { .site = SITE_KVM, .group = "xsave2" };
	struct bench_case *c;

	for (int op = OP_GET; op <= OP_SET; op++) {
		id.op = op_names[op];
		for (unsigned int fs = 0; fs < FS_COUNT; fs++) {
			if (!(feature_sets[fs].lists & FS_IN_KVM))
				continue;
			id.features = feature_set_name(fs);
			for (size_t k = 0; k < sizeof(xsave2_conditions) / sizeof(xsave2_conditions[0]); k++) {
				id.cond = xsave2_conditions[k];
				if (!(c = kvm_case_plan(plan, &family_kvm_xsave, m, &id, kvm_feature_mask(m, fs), false)))
					return -ENOMEM;
				c->op = op;
			}
		}
		id.features = feature_set_name(FS_FP);
		id.cond = COND_PRE_XSAVE_GUEST;
		if (!(c = kvm_case_plan(plan, &family_kvm_xsave, m, &id, XFEATURES_FP, false)))
			return -ENOMEM;
		c->op = op;
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

	if (!rc && c->condition == COND_PRE_XSAVE_GUEST)
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
	uint64_t ticks;
	int rc = kvm_ioctl_loop(s->guest.vcpu.fd, request, buf, ops, &ticks);

	if (rc) {
		snprintf(out->error, sizeof(out->error), "%s: %s (errno %d)", c->op == OP_GET ? "KVM_GET_XSAVE2" : "KVM_SET_XSAVE",
			 strerror(-rc), -rc);
		return -1;
	}
	if (kvm_case_check_state(s, c->features, c->condition != XCOND_INIT, out->error, sizeof(out->error)))
		return -1;
	case_set_attribute(c, "xstate_bv_read", "0x%llx", (unsigned long long)kvm_case_xstate_bv(&s->read));
	out->gross_ticks = ticks;
	out->ops = ops;
	return 0;
}

const struct bench_family family_kvm_xsave = {
	.name = "kvm_xsave",
	.site = SITE_KVM,
	.plan = xsave2_plan,
	.setup = xsave2_setup,
	.batch = xsave2_batch,
	.teardown = kvm_case_state_teardown,
};
