/*
 * summary_compare.c - the comparisons printed under the summary table: the two switch
 * strategies side by side per feature set and condition (with the reallocation path),
 * each beside the sum of its measured parts (the saves and restores its kernel sequence
 * runs, priced at the same run's native save and restore medians: a round trip cannot
 * cost less) and their ratio with its 95% interval; each kernel path's cost with
 * components in use minus its init-state control ("none"): the kernel's own xstate save
 * and restore as user space sees it; and KVM_RUN for a guest whose CPUID offers x87/SSE
 * only against one offered everything, the same state in both, with their ratio.
 */
#include "summary.h"

#include <math.h>
#include <string.h>

#include "../kernels/fpu_switch_bench.h"
#include "../results/stats.h"
#include "cli.h"
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

/*
 * The sum of a round trip's parts: its saves priced at native/save/<save insn>/<set>/clean
 * (the saves of a switch write the buffer the last restore read, unmodified) and its
 * restores at native/restore/<restore insn>/<set>/inuse, the instructions being the
 * switch case's own ("xsavec/xrstor"); NAN when the run did not measure one of them. The
 * three-buffer memcpy has no native case: it is not in the sum.
 */
static double parts_sum(const struct summary *s, const struct summary_row *sw, enum fpu_strategy st,
			enum fpu_cond cond, const char *set)
{
	struct fpu_cpu n = fpu_switch_expected_counts(st, cond, 0);
	const char *slash = strchr(sw->insns, '/');
	const struct summary_row *save, *restore;
	char id[CASE_ID_MAX];

	if (!slash)
		return NAN;
	snprintf(id, sizeof(id), "native/save/%.*s/%s/clean", (int)(slash - sw->insns), sw->insns, set);
	save = measured(s, id);
	snprintf(id, sizeof(id), "native/restore/%.*s/%s/inuse", (int)strcspn(slash + 1, "+"), slash + 1, set);
	restore = measured(s, id);
	if (!save || !restore)
		return NAN;
	return (double)n.saves * save->median_ticks + (double)n.restores * restore->median_ticks;
}

/* "1s+2r" and "+c" where the sequence also copies. */
static void parts_label(char *out, size_t size, enum fpu_strategy st, enum fpu_cond cond)
{
	struct fpu_cpu n = fpu_switch_expected_counts(st, cond, 0);

	snprintf(out, size, "%llus+%llur%s", (unsigned long long)n.saves, (unsigned long long)n.restores,
		 n.copies ? "+c" : "");
}

/* @other / @base (three-buffer / pointer-swap, all-advertised / fp-advertised): the ratio of
 * the two cases' locations and its 95% interval, from their samples and rounds
 * (replication.h). */
static void print_ratio(FILE *out, const struct summary_row *base, const struct summary_row *other)
{
	double d, half;

	if (!base->ticks.valid || !other->ticks.valid) {
		fprintf(out, " %5s  %13s", "-", "");
		return;
	}
	d = other->ticks.location - base->ticks.location;
	half = stats_normal_quantile(0.975) * sqrt(base->ticks.within_var + other->ticks.within_var);
	fprintf(out, " %5.2fx [%5.2f-%5.2f]", exp(d), exp(d - half), exp(d + half));
}

/* What each condition's parts are: "need-load: pointer-swap 1s+2r, three-buffer 1s+2r+c". */
static void print_parts_legend(FILE *out)
{
	cli_write_wrapped(out, "parts: the saves (s) and restores (r) of the kernel's sequence; +c: a memcpy of "
			       "the kernel's whole buffer, not in the sum; nan: a part this run did not measure", 0, 0);
	fputc('\n', out);
	for (int c = 0; c < FPU_COND_COUNT; c++) {
		char ps[16], tb[16];

		parts_label(ps, sizeof(ps), FPU_STRATEGY_POINTER_SWAP, c);
		parts_label(tb, sizeof(tb), FPU_STRATEGY_THREE_BUFFER, c);
		fprintf(out, "  %s: pointer-swap %s, three-buffer %s\n", fpu_cond_name(c), ps, tb);
	}
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
				fprintf(out, "\nswitch strategies, median ticks per enter+exit round trip, beside the sum\n"
					     "of their parts at this run's native/save/<insn>/<set>/clean and\n"
					     "native/restore/<insn>/<set>/inuse medians; 3b/ps: three-buffer over\n"
					     "pointer-swap with its 95%% interval from the samples and rounds (-: too few)\n"
					     "%-6s %-9s %8s %7s %8s %7s %-20s %7s\n", "set", "condition", "ptr-swap", "parts",
					"3-buffer", "parts", " 3b/ps [95% interval]", "realloc");
			header = true;
			fprintf(out, "%-6s %-9s %8.1f %7.1f %8.1f %7.1f", set, cond, ps->median_ticks,
				parts_sum(s, ps, FPU_STRATEGY_POINTER_SWAP, c, set), tb->median_ticks,
				parts_sum(s, tb, FPU_STRATEGY_THREE_BUFFER, c, set));
			print_ratio(out, ps, tb);
			if (re)
				fprintf(out, " %7.0f", re->median_ticks);
			fputc('\n', out);
		}
	}
	if (header)
		print_parts_legend(out);
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
		if (!header) {
			fputc('\n', out);
			cli_write_wrapped(out, "KVM_RUN round trip, the guest's CPUID offering x87/SSE only or everything, "
					       "the same state in use (median ticks; guest fpstate bytes from KVM_GET_XSAVE2); "
					       "all/fp with its 95% interval (from the samples and rounds; -: too few "
					       "samples):", 0, 0);
			fprintf(out, "\n%-8s %16s %16s %-21s\n", "state", "fp-advertised", "all-advertised",
				" all/fp [95% interval]");
		}
		header = true;
		fprintf(out, "%-8s %9.1f %6s %9.1f %6s", set, fp->median_ticks, fp->guest_fpstate_bytes,
			all->median_ticks, all->guest_fpstate_bytes);
		print_ratio(out, fp, all);
		fputc('\n', out);
	}
}

void summary_print_comparisons(const struct summary *s, FILE *out)
{
	print_switch(s, out);
	print_kpaths(s, out);
	print_advertised(s, out);
}
