/*
 * summary_compare.c - the comparisons printed under the summary table: the two switch
 * strategies side by side per feature set and condition (with the reallocation path), and
 * each kernel path's cost with components in use minus its init-state control ("none"):
 * the kernel's own xstate save and restore as user space sees it; and KVM_RUN for a guest
 * whose CPUID offers x87/SSE only against one offered everything, the same state in both.
 */
#include "summary.h"

#include <math.h>
#include <string.h>

#include "../kernels/fpu_switch_bench.h"
#include "families.h"
#include "kpath.h"

static const char *const kpath_groups[] = { "native/ctxsw/pipe", "native/ctxsw/pipe-xcpu", "native/signal/roundtrip",
					    "native/ptrace/xstate-get", "native/ptrace/xstate-set" };

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The measured row of @id, or NULL. */
static const struct summary_row *measured(const struct summary *s, const char *id)
{
	for (int i = 0; i < s->count; i++)
		if (s->rows[i].status == CASE_OK && !strcmp(s->rows[i].id, id))
			return &s->rows[i];
	return NULL;
}

static void print_switch(const struct summary *s, FILE *out)
{
	char id[CASE_ID_MAX];
	bool header = false;

	for (size_t f = 0; switch_feature_sets[f]; f++) {
		for (int c = 0; c < FPU_COND_COUNT; c++) {
			const char *set = switch_feature_sets[f], *cond = fpu_cond_name(c);
			const struct summary_row *ps, *tb, *re;

			snprintf(id, sizeof(id), "native/switch/pointer-swap/%s/%s", set, cond);
			ps = measured(s, id);
			snprintf(id, sizeof(id), "native/switch/three-buffer/%s/%s", set, cond);
			tb = measured(s, id);
			snprintf(id, sizeof(id), "native/switch/realloc/%s/%s", set, cond);
			re = measured(s, id);
			if (!ps || !tb)
				continue;
			if (!header)
				fprintf(out, "\nswitch strategies, per enter+exit round trip (median ticks, estimated cycles):\n"
					     "%-8s %-10s %14s %14s %7s %14s\n", "features", "condition", "pointer-swap",
					"three-buffer", "3b/ps", "realloc");
			header = true;
			fprintf(out, "%-8s %-10s %7.1f %6.0fc %7.1f %6.0fc %6.2fx", set, cond,
				ps->median_ticks, ps->median_cycles, tb->median_ticks, tb->median_cycles,
				tb->median_ticks / ps->median_ticks);
			if (re)
				fprintf(out, " %7.1f %6.0fc", re->median_ticks, re->median_cycles);
			fputc('\n', out);
		}
	}
}

static void print_kpaths(const struct summary *s, FILE *out)
{
	char id[CASE_ID_MAX];
	bool header = false;

	for (size_t g = 0; g < N(kpath_groups); g++) {
		const struct summary_row *none;

		snprintf(id, sizeof(id), "%s/none", kpath_groups[g]);
		none = measured(s, id);
		/* every set but the control itself, kpath_feature_sets[0] = "none" */
		for (size_t f = 1; none && f < kpath_nr_feature_sets; f++) {
			const struct summary_row *r;

			snprintf(id, sizeof(id), "%s/%s", kpath_groups[g], kpath_feature_sets[f]);
			if (!(r = measured(s, id)))
				continue;
			if (!header)
				fprintf(out, "\nkernel paths, in use minus every component in init (median ticks per op):\n"
					     "%-26s %-7s %9s %9s %9s %9s\n", "path", "set", "in use", "none", "diff",
					"diff cyc");
			header = true;
			fprintf(out, "%-26s %-7s %9.1f %9.1f %9.1f %9.0f\n", kpath_groups[g], kpath_feature_sets[f],
				r->median_ticks, none->median_ticks, r->median_ticks - none->median_ticks,
				isnan(r->median_cycles) ? NAN : r->median_cycles - none->median_cycles);
		}
	}
}

static void print_advertised(const struct summary *s, FILE *out)
{
	char id[CASE_ID_MAX];
	bool header = false;

	for (size_t f = 0; kvm_advertised_feature_sets[f]; f++) {
		const char *set = kvm_advertised_feature_sets[f];
		const struct summary_row *fp, *all;

		snprintf(id, sizeof(id), "kvm/run/roundtrip/%s/fp-advertised", set);
		fp = measured(s, id);
		snprintf(id, sizeof(id), "kvm/run/roundtrip/%s/all-advertised", set);
		all = measured(s, id);
		if (!fp || !all)
			continue;
		if (!header)
			fprintf(out, "\nKVM_RUN round trip, the guest's CPUID offering x87/SSE only or everything, the same "
				     "state in use (median ticks; guest fpstate bytes from KVM_GET_XSAVE2):\n"
				     "%-8s %16s %16s %8s\n", "state", "fp-advertised", "all-advertised", "all/fp");
		header = true;
		fprintf(out, "%-8s %9.1f %6s %9.1f %6s %7.2fx\n", set, fp->median_ticks, fp->guest_fpstate_bytes,
			all->median_ticks, all->guest_fpstate_bytes, all->median_ticks / fp->median_ticks);
	}
}

void summary_print_comparisons(const struct summary *s, FILE *out)
{
	print_switch(s, out);
	print_kpaths(s, out);
	print_advertised(s, out);
}
