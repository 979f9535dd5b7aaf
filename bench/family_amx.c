/*
 * family_amx.c - AMX's dynamic xstate natively, each operation in a fresh process
 * (xstate-bench-fresh, exec'd: permission is per process and fork() inherits it):
 *
 *   native/amx/perm/amx       arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA), the
 *                             process's first request
 *   native/amx/first-use/amx  the first tile-data instruction after the request (TILEZERO,
 *                             after an untimed LDTILECFG, which touches only XTILECFG and
 *                             takes no #NM): the XFD #NM, handle_xfd_event() and
 *                             xfd_enable_feature()'s fpstate reallocation (Linux 5.16 to
 *                             6.18, arch/x86/kernel/fpu/xstate.c), with the second one
 *                             recorded beside it as second_use_ticks
 *
 * One operation is one batch, a sample the median of five. The child proves what it timed:
 * permission absent before and present after, and for first-use a signal frame whose xstate
 * grew.
 */
#include "families.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "kpath.h"

#define TILEDATA (1ULL << XFEATURE_XTILEDATA)

enum { AMX_PERM, AMX_FIRST_USE };

static int amx_plan(const struct machine *m, struct plan *plan)
{
	static const char *const ids[] = { "native/amx/perm/amx", "native/amx/first-use/amx" };

	for (int op = AMX_PERM; op <= AMX_FIRST_USE; op++) {
		struct bench_case *c = kpath_plan(m, plan, &family_amx, ids[op], "amx", true, NULL);

		if (!c)
			return -ENOMEM;
		c->op = op;
	}
	return 0;
}

static int amx_setup(struct bench_case *c, const struct run_env *env)
{
	(void)env;
	kpath_fresh_setup(c, "one operation in a fresh process (a sample: the median of five)");
	return 0;
}

static int amx_batch(struct bench_case *c, struct batch_result *out)
{
	unsigned long long ticks, second = 0, before, after;
	unsigned int frame_before = 0, frame_after = 0;
	char line[512];
	int n;

	if (kpath_run_fresh((const char *const[]){ c->op == AMX_PERM ? "perm" : "first-use", NULL }, line,
			    sizeof(line)))
		return snprintf(out->error, sizeof(out->error), "%s", xb_error_message()), -1;
	if (c->op == AMX_PERM)
		n = sscanf(line, "perm_ticks=%llu perm_before=%llx perm_after=%llx", &ticks, &before, &after) - 3;
	else
		n = sscanf(line, "first_ticks=%llu second_ticks=%llu frame_before=%u frame_after=%u perm_before=%llx "
			   "perm_after=%llx", &ticks, &second, &frame_before, &frame_after, &before, &after) - 6;
	if (n)
		return snprintf(out->error, sizeof(out->error), "unreadable sample from xstate-bench-fresh: '%.200s'", line), -1;
	if ((before & TILEDATA) || !(after & TILEDATA))
		return snprintf(out->error, sizeof(out->error), "permission 0x%llx before, 0x%llx after: not a first "
				"request: no number reported", before, after), -1;
	if (c->op == AMX_FIRST_USE && frame_after <= frame_before)
		return snprintf(out->error, sizeof(out->error), "the signal frame's xstate stayed %u bytes: the first "
				"tile instruction did not reallocate: no number reported", frame_before), -1;
	if (c->op == AMX_FIRST_USE) {
		case_set_attribute(c, "frame_xstate_bytes", "%u -> %u", frame_before, frame_after);
		out->metrics[out->nr_metrics++] = (struct gbench_metric){
			.name = "second_use_ticks", .kind = GBENCH_PER_BATCH, .value = (double)second };
	}
	case_set_attribute(c, "perm", "0x%llx -> 0x%llx", before, after);
	out->gross_ticks = ticks;
	out->ops = 1;
	return 0;
}

const struct bench_family family_amx = {
	.name = "amx",
	.site = "native",
	.batches_per_sample = 5, /* a process each: the median of five */
	.plan = amx_plan,
	.setup = amx_setup,
	.batch = amx_batch,
	.teardown = kpath_fresh_teardown,
};
