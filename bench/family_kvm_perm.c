/*
 * family_kvm_perm.c - kvm/attr/xcomp-guest-perm-set/amx: one KVM_SET_DEVICE_ATTR of the
 * proposed attribute 1 of /dev/kvm's group 0, KVM_X86_XCOMP_GUEST_PERM (seed 004), asking
 * for guest permission for tile data: the process's first such request, so each request runs
 * in a fresh process (xstate-bench-fresh guest-perm attr; permission belongs to a process and
 * fork() inherits it). The same request through arch_prctl(ARCH_REQ_XCOMP_GUEST_PERM), in
 * another fresh process, is the metric arch_prctl_req_ticks beside it. Each child proves what
 * it timed: tile data not permitted before, permitted after, and the attribute then reading
 * arch_prctl(ARCH_GET_XCOMP_GUEST_PERM) & KVM_X86_XCOMP_GUEST_SUPP. One batch is one pair
 * of processes; a sample is the median of five (as native/amx/...: the batch's cost lies
 * outside its timed region).
 */
#include "families.h"

#include <errno.h>
#include <stdio.h>

#include "kpath.h"
#include "kvm_case.h"

#define TILEDATA XFEATURE_MASK(XFEATURE_XTILEDATA)

struct fresh_request {
	unsigned long long ticks, before, after, from_attr, supp;
};

static int perm_plan(const struct machine *m, struct plan *plan)
{
	if (kvm_case_plan(plan, &family_kvm_perm, m, "kvm/attr/xcomp-guest-perm-set/amx", kvm_feature_mask(m, "amx"), 0,
			  false))
		return -ENOMEM;
	kvm_case_require_perm_attr(m, &plan->cases[plan->count - 1]);
	return 0;
}

static int perm_setup(struct bench_case *c, const struct run_env *env)
{
	(void)env;
	kpath_fresh_setup(c, "the process's first request, in a fresh process (a sample: the median of five)");
	return 0;
}

/* One request in a fresh process (@how: attr or prctl), checked. */
static int fresh_request(const char *how, struct fresh_request *r, char *error, size_t size)
{
	char line[512];

	if (kpath_run_fresh((const char *const[]){ "guest-perm", how, NULL }, line, sizeof(line)))
		return snprintf(error, size, "%s", xb_error_message()), -1;
	if (sscanf(line, "ticks=%llu perm_before=%llx perm_after=%llx attr_after=%llx supp=%llx", &r->ticks,
		   &r->before, &r->after, &r->from_attr, &r->supp) != 5)
		return snprintf(error, size, "unreadable sample from xstate-bench-fresh: '%.200s'", line), -1;
	if ((r->before & TILEDATA) || !(r->after & TILEDATA))
		return snprintf(error, size, "guest permission 0x%llx before, 0x%llx after the request through %s: "
				"not a first request that succeeded: no number reported", r->before, r->after, how), -1;
	if (r->from_attr != (r->after & r->supp))
		return snprintf(error, size, "after the request through %s, KVM_X86_XCOMP_GUEST_PERM read 0x%llx, not "
				"arch_prctl(ARCH_GET_XCOMP_GUEST_PERM) & KVM_X86_XCOMP_GUEST_SUPP = 0x%llx: no number "
				"reported", how, r->from_attr, r->after & r->supp), -1;
	return 0;
}

static int perm_batch(struct bench_case *c, struct batch_result *out)
{
	struct fresh_request attr, prctl;

	if (fresh_request("attr", &attr, out->error, sizeof(out->error)) ||
	    fresh_request("prctl", &prctl, out->error, sizeof(out->error)))
		return -1;
	case_set_attribute(c, "guest_perm", "0x%llx -> 0x%llx", attr.before, attr.after);
	out->metrics[out->nr_metrics++] = (struct gbench_metric){
		.name = "arch_prctl_req_ticks", .kind = GBENCH_PER_OP_MEDIAN, .value = (double)prctl.ticks };
	out->gross_ticks = attr.ticks;
	out->ops = 1;
	return 0;
}

const struct bench_family family_kvm_perm = {
	.name = "kvm_perm",
	.site = "kvm",
	.batches_per_sample = 5, /* two processes each: the median of five */
	.plan = perm_plan,
	.setup = perm_setup,
	.batch = perm_batch,
	.teardown = kpath_fresh_teardown,
};
