/*
 * family_switch.c - the fpstate switch strategies natively, the native column of the switch
 * matrix (kernels/case_matrix.h): native/switch/{pointer-swap,three-buffer}/<set>/<condition>
 * and native/switch/realloc/<set>/<condition> (the sets with a smaller one to grow from), one
 * operation being one enter+exit round trip (kernels/fpu_switch_bench.h) with the user-space
 * instructions, as 6.1's fpu_swap_kvm_fpstate() and 5.15's kvm_load_guest_fpu()/
 * kvm_put_guest_fpu() run it.
 */
#include "families.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "../host/native/mmap_alloc.h"
#include "../host/xstate_buffer.h"
#include "../host/xstate_perm.h"
#include "plan.h"
#include "require.h"

#define SWITCH_DEFAULT_OPS 64
#define SWITCH_WARMUP_OPS 8
#define SWITCH_MAX_ATTEMPTS 8


struct switch_state {
	struct fpu_insn_ops insns;
	struct fpstate_allocator alloc;
	struct fpu_switch_bench b;
	void *mem;
};

/* What one round trip does, in the words of the kernel functions it follows. */
static const char *sequence(enum fpu_strategy s, enum fpu_cond c)
{
	bool live = c == FPU_COND_LIVE;

	switch (s) {
	case FPU_STRATEGY_POINTER_SWAP:
		return live ? "fpu_swap_kvm_fpstate (6.1): save task, swap, restore guest; save guest, swap, restore task"
			    : "fpu_swap_kvm_fpstate (6.1): swap, restore guest; save guest, swap, restore task";
	case FPU_STRATEGY_THREE_BUFFER:
		return live ? "kvm_load/put_guest_fpu (5.15): save to user_fpu, restore guest; save guest, restore user_fpu"
			    : "kvm_load/put_guest_fpu (5.15): memcpy to user_fpu, restore guest; save guest, restore user_fpu";
	case FPU_STRATEGY_REALLOC:
		return live ? "pointer-swap live; the exit first grows the guest fpstate: alloc, swap, free old"
			    : "pointer-swap need-load; the exit first grows the guest fpstate: alloc, swap, free old";
	case FPU_STRATEGY_COUNT:
		break;
	}
	return "?";
}

static bool switch_require(const struct machine *m, const struct matrix_case *c, uint64_t mask, char *why,
			   size_t size)
{
	(void)c;
	return require_layout(m, why, size) && require_features(m, mask, false, why, size);
}

static int switch_strategy_of(const struct matrix_case *c)
{
	return c->strategy;
}

/* The native column of the switch matrix (kernels/case_matrix.h). */
static int switch_plan(const struct machine *m, struct plan *plan)
{
	return plan_matrix(m, plan, &family_switch, MATRIX_NATIVE, MATRIX_SWITCHES, switch_require, switch_strategy_of);
}

static void switch_teardown(struct bench_case *c)
{
	struct switch_state *s = c->state;

	if (!s)
		return;
	xstate_buffer_free(s->mem);
	free(s);
	c->state = NULL;
}

static void describe_xfd_step(struct bench_case *c, const struct xstate_layout *l)
{
	if (!l->xfd)
		case_set_attribute(c, ATTR_XFD_STEP, "none: no XFD on this CPU (CPUID.(EAX=0DH,ECX=1):EAX[4]=0)");
	else
		case_set_attribute(c, ATTR_XFD_STEP, "left out: IA32_XFD is written in ring 0 only (user space)");
}

static int switch_setup(struct bench_case *c, const struct run_env *env)
{
	const struct xstate_layout *l = &env->machine->layout;
	struct switch_state *s = calloc(1, sizeof(*s));
	struct fpu_switch_bench_params p = {
		.layout = l,
		.strategy = c->op,
		.cond = fpu_cond_of(c->condition),
		.features = c->features,
		.ops = env->ops_override ? env->ops_override : SWITCH_DEFAULT_OPS,
		.warmup_ops = SWITCH_WARMUP_OPS,
	};
	uint64_t bytes;
	int rc;

	if (!s)
		return xb_fail(ENOMEM, "out of memory");
	c->state = s;
	rc = xstate_request_perm(l, p.features, &p.caller_mask);
	if (rc)
		goto fail;
	if (!fpu_insn_ops_init(&s->insns, l, false)) {
		rc = xb_fail(ENODEV, "no XSAVE on this CPU (CPUID.1:ECX[26]=0)");
		goto fail;
	}
	s->alloc = mmap_allocator(NULL);
	p.insns = &s->insns;
	p.alloc = &s->alloc;
	bytes = fpu_switch_bench_bytes(&p);
	s->mem = bytes ? xstate_buffer_alloc(bytes) : NULL;
	if (!bytes || !s->mem || !fpu_switch_bench_init(&s->b, &p, s->mem, bytes)) {
		rc = xb_fail(bytes ? ENOMEM : EINVAL, "cannot set up the switch of mask 0x%" PRIx64 " (%" PRIu64
			     " bytes)", p.features, bytes);
		goto fail;
	}
	c->ops_per_batch = p.ops;
	case_set_attribute(c, ATTR_RFBM, "0x%" PRIx64, p.features);
	case_set_attribute(c, ATTR_INSNS, "%s", s->insns.name);
	case_set_attribute(c, ATTR_BUFFER_BYTES, "%u", s->b.task_fps->size);
	case_set_attribute(c, "sequence", "%s", sequence(p.strategy, p.cond));
	if (p.strategy == FPU_STRATEGY_THREE_BUFFER && p.cond == FPU_COND_NEED_LOAD)
		case_set_attribute(c, "copy_bytes", "%u (fpu_kernel_xstate_size: the kernel's whole buffer)",
				   s->b.copy_bytes);
	describe_xfd_step(c, l);
	if (p.strategy == FPU_STRATEGY_REALLOC)
		case_set_attribute(c, "realloc_from", "0x%" PRIx64, s->b.small_image->xfeatures);
	return 0;
fail:
	switch_teardown(c);
	return rc;
}

static int switch_batch(struct bench_case *c, struct batch_result *out)
{
	struct switch_state *s = c->state;
	struct fpu_switch_sample smp;
	int discarded = 0;

	/* A context switch may leave a component in init under the batch: run it again. */
	while (fpu_switch_bench_sample(&s->b, &smp) != FSW_CHECK_OK) {
		if (smp.check != FSW_CHECK_XINUSE || ++discarded == SWITCH_MAX_ATTEMPTS) {
			snprintf(out->error, sizeof(out->error), "%s: %s (expected 0x%" PRIx64 ", got 0x%" PRIx64
				 ")%s: no number reported", smp.where ? smp.where : "batch",
				 fpu_switch_check_str(smp.check), smp.expected, smp.actual,
				 discarded ? ", in every attempt" : "");
			return -1;
		}
	}
	out->gross_ticks = smp.gross_ticks;
	out->ops = smp.ops;
	if (smp.xinuse_checked)
		case_set_attribute(c, ATTR_XINUSE_BEFORE, "0x%" PRIx64, smp.xinuse_before);
	if (s->b.p.strategy == FPU_STRATEGY_REALLOC)
		case_set_attribute(c, "realloc_bytes", "%u -> %u", smp.small_bytes, smp.grown_bytes);
	if (smp.counts.xfd_skipped)
		case_set_attribute(c, ATTR_XFD_STEP, "left out (user space): %" PRIu64 " IA32_XFD writes in %u round trips",
				   smp.counts.xfd_skipped, smp.ops + s->b.p.warmup_ops);
	out->metrics[out->nr_metrics++] = (struct gbench_metric){
		.name = METRIC_DISCARDED_BATCHES, .kind = GBENCH_PER_BATCH, .value = discarded };
	return 0;
}

const struct bench_family family_switch = {
	.name = "switch",
	.site = SITE_NATIVE,
	.plan = switch_plan,
	.setup = switch_setup,
	.batch = switch_batch,
	.teardown = switch_teardown,
};
