/*
 * family_kvm_run.c - kvm/run/roundtrip/<features>/<condition>: one KVM_RUN whose guest exits
 * at once through an OUT to port 0x80, so the time is the ioctl, the swap to the guest's
 * fpstate and back, VM entry and exit. The guest's components of <features> are either in
 * their init state or put in use from the host with KVM_SET_XSAVE and never modified by
 * the guest (`clean`: the save on each exit may use the modified optimization). Every exit
 * must be that OUT, and the vCPU's state read back after the batch must still be the
 * condition (XSTATE_BV, and the values set or x87/SSE's init values), or no number is reported.
 */
#include "families.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "../kernels/tsc.h"
#include "../kernels/xsave_bench.h"
#include "kvm_case.h"

#define RUN_DEFAULT_OPS 32

static const char *const run_feature_sets[] = { "fp", "avx512", "user" };
static const enum xstate_cond run_conditions[] = { XCOND_INIT, XCOND_CLEAN };

static int run_plan(const struct machine *m, struct plan *plan)
{
	char id[CASE_ID_MAX];

	for (size_t f = 0; f < sizeof(run_feature_sets) / sizeof(run_feature_sets[0]); f++) {
		for (size_t c = 0; c < sizeof(run_conditions) / sizeof(run_conditions[0]); c++) {
			uint64_t mask = kvm_feature_mask(m, run_feature_sets[f]);
			int rc;

			snprintf(id, sizeof(id), "kvm/run/roundtrip/%s/%s", run_feature_sets[f],
				 xstate_cond_name(run_conditions[c]));
			/* the exits' XSAVE must find the components beyond x87/SSE/PKRU still init */
			rc = kvm_case_plan(plan, &family_kvm_run, m, id, mask, run_conditions[c],
					   run_conditions[c] == XCOND_INIT && (mask & ~KVM_CASE_INIT_UNTRACKED));
			if (rc)
				return rc;
		}
	}
	return 0;
}

static int run_setup(struct bench_case *c, const struct run_env *env)
{
	return kvm_case_state_setup(c, env, c->features, RUN_DEFAULT_OPS);
}

static int run_batch(struct bench_case *c, struct batch_result *out)
{
	struct kvm_case_state *s = c->state;
	struct kvm_run *run = s->guest.vcpu.run;
	uint32_t ops = c->ops_per_batch, wrong = 0, last_reason = 0, last_port = 0;
	uint64_t start, end;

	start = tsc_begin();
	for (uint32_t i = 0; i < ops; i++) {
		if (ioctl(s->guest.vcpu.fd, KVM_RUN, 0)) {
			snprintf(out->error, sizeof(out->error), "KVM_RUN: %s (errno %d)", strerror(errno), errno);
			return -1;
		}
		if (run->exit_reason != KVM_EXIT_IO || run->io.port != KVM_CASE_PORT ||
		    run->io.direction != KVM_EXIT_IO_OUT) {
			wrong++;
			last_reason = run->exit_reason;
			last_port = run->io.port;
		}
	}
	end = tsc_end();
	if (wrong) {
		snprintf(out->error, sizeof(out->error), "%u of %u exits were not the guest's OUT to port 0x%x "
			 "(exit reason %u, port 0x%x): no number reported", wrong, ops, KVM_CASE_PORT, last_reason,
			 last_port);
		return -1;
	}
	if (kvm_case_check_state(s, c->features, c->condition != XCOND_INIT, out->error, sizeof(out->error)))
		return -1;
	case_set_attribute(c, "xstate_bv_after", "0x%llx", (unsigned long long)kvm_case_xstate_bv(&s->read));
	out->gross_ticks = end - start;
	out->ops = ops;
	return 0;
}

const struct bench_family family_kvm_run = {
	.name = "kvm_run",
	.site = "kvm",
	.plan = run_plan,
	.setup = run_setup,
	.batch = run_batch,
	.teardown = kvm_case_state_teardown,
};
