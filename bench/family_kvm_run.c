/*
 * family_kvm_run.c - kvm/run/roundtrip/<features>/<condition>: one KVM_RUN whose guest exits
 * at once through an OUT to port 0x80, so the time is the ioctl, the swap to the guest's
 * fpstate and back, VM entry and exit. Every exit must be that OUT, and the vCPU's state read
 * back after the batch must still be the condition, or no number is reported.
 *
 *  - init, clean: the guest's components of <features> are in their init state or put in
 *    use from the host with KVM_SET_XSAVE and never modified by the guest (`clean`: the save
 *    on each exit may use the modified optimization); the read back shows XSTATE_BV and the
 *    values set, or x87/SSE's init values.
 *  - fp-advertised, all-advertised (seed 002's question on x86: does KVM switch the whole
 *    fpstate whatever the guest may use?): two VMs given the same in-use image of <features>
 *    with KVM_SET_XSAVE, one whose CPUID offers only x87 and SSE (guest XCR0 0x3), one
 *    offering everything the host enables and KVM supports, dynamic features included; the
 *    VMM thread's registers hold <features> in use and the rest of what KVM gives guests in
 *    init (kvm_roundtrip_batch), checked before and after (after as after any kernel path:
 *    x87 and SSE held in init may show in use at their init values). KVM_GET_XSAVE2 reports
 *    only what the guest may use (kvm_vcpu_ioctl_x86_get_xsave2()), so the read back is
 *    checked on <features> & the guest's XCR0. Recorded: the guest fpstate's size as KVM_GET_XSAVE2
 *    writes it, KVM's supported XSS and CET (seed 000) and KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2).
 *    The summary prints the two medians and their ratio with its 95% interval.
 */
#include "families.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../host/native/kvm_ioctl_loops.h"
#include "../host/native/kvm_roundtrip.h"
#include "../kernels/xsave_bench.h"
#include "kpath.h"
#include "kvm_case.h"

#define RUN_DEFAULT_OPS 32
#define ADVERTISED_WARMUP 4
#define HELD_MAX_ATTEMPTS 8

static const enum feature_set_id run_feature_sets[] = { FS_FP, FS_AVX512, FS_USER };
static const enum condition run_conditions[] = { COND_INIT, COND_CLEAN };
static const enum feature_set_id advertised_feature_sets[] = { FS_FP, FS_USER };
static const enum condition advertised_conditions[] = { COND_FP_ADVERTISED, COND_ALL_ADVERTISED };

#define N(a) (sizeof(a) / sizeof((a)[0]))

static bool advertised(const struct bench_case *c)
{
	return c->condition == COND_FP_ADVERTISED || c->condition == COND_ALL_ADVERTISED;
}

/* The guest's XCR0 (and CPUID) for the case. */
static uint64_t guest_xcr0(const struct machine *m, const struct bench_case *c)
{
	if (c->condition == COND_FP_ADVERTISED)
		return XFEATURES_FP;
	if (c->condition == COND_ALL_ADVERTISED)
		return m->layout.xcr0 & m->kvm.xcomp_guest_supp;
	return c->features;
}

static int run_plan(const struct machine *m, struct plan *plan)
{
	struct bench_id id = { .site = SITE_KVM, .group = "run", .op = "roundtrip" };

	for (size_t f = 0; f < N(run_feature_sets); f++) {
		for (size_t c = 0; c < N(run_conditions); c++) {
			uint64_t mask = kvm_feature_mask(m, run_feature_sets[f]);

			id.features = feature_set_name(run_feature_sets[f]);
			id.cond = run_conditions[c];
			/* the exits' XSAVE must find the components beyond x87/SSE/PKRU still init */
			if (!kvm_case_plan(plan, &family_kvm_run, m, &id, mask,
					   id.cond == COND_INIT && (mask & ~KVM_CASE_INIT_UNTRACKED)))
				return -ENOMEM;
		}
	}
	for (size_t f = 0; f < N(advertised_feature_sets); f++) {
		for (size_t c = 0; c < N(advertised_conditions); c++) {
			uint64_t mask = kvm_feature_mask(m, advertised_feature_sets[f]);

			id.features = feature_set_name(advertised_feature_sets[f]);
			id.cond = advertised_conditions[c];
			/* the host's hold keeps the rest of its load mask in init */
			if (!kvm_case_plan(plan, &family_kvm_run, m, &id, mask, (kvm_case_host_mask(m) & ~mask) != 0))
				return -ENOMEM;
		}
	}
	return 0;
}

/* What seed 000 asks from user space, and the guest fpstate's size. */
static int record_kvm_facts(struct bench_case *c, const struct machine *m)
{
	struct kvm_case_state *s = c->state;
	uint32_t bytes;
	int rc = kvm_case_get_xsave2_bytes(s, &bytes);

	if (rc)
		return rc;
	case_set_attribute(c, ATTR_GET_XSAVE2_BYTES, "%u", bytes);
	case_set_attribute(c, "kvm_cap_xsave2", "%d", m->kvm.xsave2_size);
	if (m->kvm.supported_cpuid_known) {
		case_set_attribute(c, "kvm_supported_xss", "0x%" PRIx64, m->kvm.supported_xss);
		case_set_attribute(c, "kvm_cet", "CET_SS %d, IBT %d (CPUID.(7,0):ECX[7], EDX[20])", m->kvm.cet_ss,
				   m->kvm.ibt);
	}
	return 0;
}

static int run_setup(struct bench_case *c, const struct run_env *env)
{
	const struct machine *m = env->machine;
	int rc = kvm_case_state_setup(c, env, guest_xcr0(m, c), RUN_DEFAULT_OPS);

	if (rc || !advertised(c))
		return rc;
	rc = kvm_case_hold_host(c->state, m, c->features);
	if (!rc)
		rc = record_kvm_facts(c, m);
	if (rc)
		kvm_case_state_teardown(c);
	return rc;
}

static int wrong_exits(struct batch_result *out, uint32_t wrong, uint32_t ops, uint32_t reason, uint32_t port)
{
	snprintf(out->error, sizeof(out->error), "%u of %u exits were not the guest's OUT to port 0x%x (exit reason %u, "
		 "port 0x%x): no number reported", wrong, ops, KVM_CASE_PORT, reason, port);
	return -1;
}

/* K round trips with whatever state the thread has. */
static int plain_batch(struct bench_case *c, struct batch_result *out)
{
	struct kvm_case_state *s = c->state;
	struct kvm_run_loop r;
	int rc = kvm_run_loop(s->guest.vcpu.fd, s->guest.vcpu.run, KVM_CASE_PORT, c->ops_per_batch, &r);

	if (rc)
		return snprintf(out->error, sizeof(out->error), "KVM_RUN: %s (errno %d)", strerror(-rc), -rc), -1;
	if (r.wrong_exits)
		return wrong_exits(out, r.wrong_exits, c->ops_per_batch, r.last_reason, r.last_port);
	out->gross_ticks = r.ticks;
	return 0;
}

/* K round trips with the VMM thread's registers held. */
static int held_batch(struct bench_case *c, struct batch_result *out)
{
	struct kvm_case_state *s = c->state;
	struct kvm_roundtrip_result r;
	int discarded = 0;

	/* the registers did not hold even before the timing started: make the batch again */
	do
		kvm_roundtrip_batch(s->guest.vcpu.fd, s->guest.vcpu.run, KVM_CASE_PORT, ADVERTISED_WARMUP,
				    c->ops_per_batch, &s->host, s->host_caller, s->host.load_mask, &r);
	while (xstate_hold_disturbed(&r.batch.before) && ++discarded < HELD_MAX_ATTEMPTS);
	if (r.batch.before.check != HOLD_OK)
		return kpath_hold_error(out->error, sizeof(out->error), "the VMM thread's registers before the round trips",
					 r.batch.before), -1;
	if (r.batch.error)
		return snprintf(out->error, sizeof(out->error), "KVM_RUN: %s (errno %ld)", strerror((int)-r.batch.error),
				-r.batch.error), -1;
	if (r.wrong_exits)
		return wrong_exits(out, r.wrong_exits, c->ops_per_batch + ADVERTISED_WARMUP, r.last_reason, r.last_port);
	if (r.batch.after.check != HOLD_OK)
		return kpath_hold_error(out->error, sizeof(out->error), "the VMM thread's registers after the round trips",
					 r.batch.after), -1;
	if (s->host.layout->xgetbv1) {
		case_set_attribute(c, "host_xinuse_before", "0x%" PRIx64, r.batch.before.xinuse);
		case_set_attribute(c, "host_xinuse_after", "0x%" PRIx64, r.batch.after.xinuse);
	}
	out->gross_ticks = r.batch.gross_ticks;
	return 0;
}

static int run_batch(struct bench_case *c, struct batch_result *out)
{
	struct kvm_case_state *s = c->state;
	/* KVM_GET_XSAVE2 shows only what the guest may use */
	uint64_t shown = advertised(c) ? c->features & (s->xcr0 | XFEATURES_FP) : c->features;

	if (advertised(c) ? held_batch(c, out) : plain_batch(c, out))
		return -1;
	if (kvm_case_check_state(s, shown, c->condition != XCOND_INIT, out->error, sizeof(out->error)))
		return -1;
	case_set_attribute(c, "xstate_bv_after", "0x%llx", (unsigned long long)kvm_case_xstate_bv(&s->read));
	out->ops = c->ops_per_batch;
	return 0;
}

const struct bench_family family_kvm_run = {
	.name = "kvm_run",
	.site = SITE_KVM,
	.plan = run_plan,
	.setup = run_setup,
	.batch = run_batch,
	.teardown = kvm_case_state_teardown,
};
