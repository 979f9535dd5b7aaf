/*
 * family_kvm_attr.c - kvm/attr/xcomp-guest-supp/none: one KVM_GET_DEVICE_ATTR(KVM_X86_XCOMP_GUEST_SUPP)
 * on /dev/kvm, the xfeatures KVM can give guests. Each batch checks the value read: x87 and
 * SSE at least, and the same as the probe saw.
 */
#include "families.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../kernels/tsc.h"
#include "kvm_case.h"

#define ATTR_OPS 64

struct attr_state {
	int kvm_fd;
	uint64_t expected;
};

static int attr_plan(const struct machine *m, struct plan *plan)
{
	return kvm_case_plan(plan, &family_kvm_attr, m, "kvm/attr/xcomp-guest-supp/none", XFEATURES_FP, 0,
			     false);
}

static void attr_teardown(struct bench_case *c)
{
	struct attr_state *s = c->state;

	if (!s)
		return;
	close(s->kvm_fd);
	free(s);
	c->state = NULL;
}

static int attr_setup(struct bench_case *c, const struct run_env *env)
{
	struct attr_state *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return xb_fail(ENOMEM, "out of memory");
	rc = kvm_open(&s->kvm_fd);
	if (rc) {
		free(s);
		return rc;
	}
	c->state = s;
	s->expected = env->machine->kvm.xcomp_guest_supp;
	c->ops_per_batch = env->ops_override ? env->ops_override : ATTR_OPS;
	case_set_attribute(c, "xcomp_guest_supp", "0x%" PRIx64, s->expected);
	return 0;
}

static int attr_batch(struct bench_case *c, struct batch_result *out)
{
	struct attr_state *s = c->state;
	uint64_t supp = 0, start, end;
	struct kvm_device_attr attr = {
		.group = 0,
		.attr = KVM_X86_XCOMP_GUEST_SUPP,
		.addr = (uint64_t)(uintptr_t)&supp,
	};

	start = tsc_begin();
	for (uint32_t i = 0; i < c->ops_per_batch; i++) {
		if (ioctl(s->kvm_fd, KVM_GET_DEVICE_ATTR, &attr)) {
			snprintf(out->error, sizeof(out->error), "KVM_GET_DEVICE_ATTR(KVM_X86_XCOMP_GUEST_SUPP): %s (errno %d)",
				 strerror(errno), errno);
			return -1;
		}
	}
	end = tsc_end();
	if (supp != s->expected || (supp & XFEATURES_FP) != XFEATURES_FP) {
		snprintf(out->error, sizeof(out->error), "KVM_X86_XCOMP_GUEST_SUPP read 0x%" PRIx64 ", the probe saw 0x%"
			 PRIx64 " (x87 and SSE must be there): no number reported", supp, s->expected);
		return -1;
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
