/*
 * family_kvm_attr.c - reading /dev/kvm's device attributes for xstate (group 0), K per batch:
 *
 *   kvm/attr/xcomp-guest-supp/none     KVM_GET_DEVICE_ATTR(KVM_X86_XCOMP_GUEST_SUPP): the
 *                                      xfeatures KVM can give guests; it must be the probe's,
 *                                      x87 and SSE included
 *   kvm/attr/xcomp-guest-perm-get/none KVM_GET_DEVICE_ATTR of attribute 1,
 *                                      KVM_X86_XCOMP_GUEST_PERM (proposed, seed 004; not in
 *                                      Linux 6.1, where it answers ENXIO and the case skips):
 *                                      it must equal arch_prctl(ARCH_GET_XCOMP_GUEST_PERM)
 *                                      limited to KVM_X86_XCOMP_GUEST_SUPP
 *
 * KVM_HAS_DEVICE_ATTR's answer for attribute 1 is recorded as has_attr: the RFC did not teach
 * it the attribute, so it says ENXIO even where GET works. Setting it is family_kvm_perm.c.
 */
#include "families.h"

#include <asm/prctl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../host/kvm/guest_cpuid.h"
#include "../kernels/tsc.h"
#include "kvm_case.h"

#define ATTR_OPS 64

enum { OP_SUPP, OP_PERM_GET };

static const struct {
	const char *id, *features;
	unsigned int attr;
	const char *attr_name;
} attr_cases[] = {
	[OP_SUPP] = { "kvm/attr/xcomp-guest-supp/none", "fp", KVM_X86_XCOMP_GUEST_SUPP, "KVM_X86_XCOMP_GUEST_SUPP" },
	[OP_PERM_GET] = { "kvm/attr/xcomp-guest-perm-get/none", "fp", KVM_X86_XCOMP_GUEST_PERM,
			  "KVM_X86_XCOMP_GUEST_PERM" },
};

struct attr_state {
	int kvm_fd;
	uint64_t supp; /* KVM_X86_XCOMP_GUEST_SUPP as the probe saw it */
};

static int attr_plan(const struct machine *m, struct plan *plan)
{
	for (int op = OP_SUPP; op <= OP_PERM_GET; op++) {
		if (kvm_case_plan(plan, &family_kvm_attr, m, attr_cases[op].id,
				  kvm_feature_mask(m, attr_cases[op].features), 0, false))
			return -ENOMEM;
		plan->cases[plan->count - 1].op = op;
		if (op == OP_PERM_GET)
			kvm_case_require_perm_attr(m, &plan->cases[plan->count - 1]);
	}
	return 0;
}

static void attr_teardown(struct bench_case *c)
{
	struct attr_state *s = c->state;

	if (!s)
		return;
	if (s->kvm_fd >= 0)
		close(s->kvm_fd);
	free(s);
	c->state = NULL;
}

static uint64_t guest_perm(void)
{
	uint64_t perm = 0;

	return syscall(SYS_arch_prctl, ARCH_GET_XCOMP_GUEST_PERM, &perm) ? 0 : perm;
}

static int attr_setup(struct bench_case *c, const struct run_env *env)
{
	struct attr_state *s = calloc(1, sizeof(*s));
	int rc, has;

	if (!s)
		return xb_fail(ENOMEM, "out of memory");
	s->kvm_fd = -1;
	c->state = s;
	s->supp = env->machine->kvm.xcomp_guest_supp;
	case_set_attribute(c, "xcomp_guest_supp", "0x%" PRIx64, s->supp);
	rc = kvm_open(&s->kvm_fd);
	if (rc) {
		attr_teardown(c);
		return rc;
	}
	c->ops_per_batch = env->ops_override ? env->ops_override : ATTR_OPS;
	if (c->op == OP_PERM_GET) {
		has = kvm_xcomp_guest_perm_has(s->kvm_fd);
		case_set_attribute(c, "has_attr", has ? "%s (errno %d)" : "0", strerrorname_np(-has) ?: "?", -has);
	}
	return 0;
}

/* KVM_GET_DEVICE_ATTR K times; the value read must be the one expected now. */
static int attr_batch(struct bench_case *c, struct batch_result *out)
{
	struct attr_state *s = c->state;
	uint64_t value = 0, expected, start, end;
	struct kvm_device_attr attr = {
		.group = 0,
		.attr = attr_cases[c->op].attr,
		.addr = (uint64_t)(uintptr_t)&value,
	};

	start = tsc_begin();
	for (uint32_t i = 0; i < c->ops_per_batch; i++) {
		if (ioctl(s->kvm_fd, KVM_GET_DEVICE_ATTR, &attr)) {
			snprintf(out->error, sizeof(out->error), "KVM_GET_DEVICE_ATTR(%s): %s (errno %d)",
				 attr_cases[c->op].attr_name, strerror(errno), errno);
			return -1;
		}
	}
	end = tsc_end();
	if (c->op == OP_SUPP && (value != s->supp || (value & XFEATURES_FP) != XFEATURES_FP)) {
		snprintf(out->error, sizeof(out->error), "KVM_X86_XCOMP_GUEST_SUPP read 0x%" PRIx64 ", the probe saw 0x%"
			 PRIx64 " (x87 and SSE must be there): no number reported", value, s->supp);
		return -1;
	}
	expected = guest_perm() & s->supp;
	if (c->op == OP_PERM_GET && value != expected) {
		snprintf(out->error, sizeof(out->error), "KVM_X86_XCOMP_GUEST_PERM read 0x%" PRIx64 ", not arch_prctl("
			 "ARCH_GET_XCOMP_GUEST_PERM) & KVM_X86_XCOMP_GUEST_SUPP = 0x%" PRIx64 ": no number reported",
			 value, expected);
		return -1;
	}
	if (c->op == OP_PERM_GET) {
		case_set_attribute(c, "xcomp_guest_perm", "0x%" PRIx64, value);
		case_set_attribute(c, "arch_prctl_guest_perm", "0x%" PRIx64, guest_perm());
	}
	out->gross_ticks = end - start;
	out->ops = c->ops_per_batch;
	return 0;
}

const struct bench_family family_kvm_attr = {
	.name = "kvm_attr",
	.site = "kvm",
	.plan = attr_plan,
	.setup = attr_setup,
	.batch = attr_batch,
	.teardown = attr_teardown,
};
