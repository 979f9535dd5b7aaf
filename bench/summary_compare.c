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

/* The measured row of @id, or NULL. */
static const struct summary_row *measured(const struct summary *s, const char *id)
{
	for (int i = 0; i < s->count; i++)
		if (s->rows[i].status == CASE_OK && !strcmp(s->rows[i].id, id))
			return &s->rows[i];
	return NULL;
}

/* The measured row of the id made of @p's parts with @op, @features and @cond instead, or NULL. */
static const struct summary_row *sibling(const struct summary *s, const struct bench_id_parts *p, const char *op,
					 const char *features, enum condition cond)
{
	struct bench_id id = { p->site, p->ring0, p->group, op, features, cond };
	char text[CASE_ID_MAX];

	return bench_id_format(&id, text, sizeof(text)) ? measured(s, text) : NULL;
}

/* Row @i's id in parts, when it is measured and one of ours. */
static bool measured_parts(const struct summary *s, int i, struct bench_id_parts *p)
{
	return s->rows[i].status == CASE_OK && bench_id_parse(s->rows[i].id, p) && p->site != SITE_COUNT;
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
	char insn[32], id[CASE_ID_MAX];

	if (!slash)
		return NAN;
	snprintf(insn, sizeof(insn), "%.*s", (int)(slash - sw->insns), sw->insns);
	bench_id_format(&(struct bench_id){ SITE_NATIVE, false, GROUP_SAVE, insn, set, COND_CLEAN }, id, sizeof(id));
	save = measured(s, id);
	snprintf(insn, sizeof(insn), "%.*s", (int)strcspn(slash + 1, "+"), slash + 1);
	bench_id_format(&(struct bench_id){ SITE_NATIVE, false, GROUP_RESTORE, insn, set, COND_INUSE }, id, sizeof(id));
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

/* Each measured native/switch/pointer-swap case beside its three-buffer and realloc siblings. */
static void print_switch(const struct summary *s, FILE *out)
{
	const char *ps_name = fpu_strategy_name(FPU_STRATEGY_POINTER_SWAP);
	bool header = false;

	for (int i = 0; i < s->count; i++) {
		const struct summary_row *ps = &s->rows[i], *tb, *re;
		struct bench_id_parts p;
		enum fpu_cond c;

		if (!measured_parts(s, i, &p) || p.site != SITE_NATIVE || p.ring0 || strcmp(p.group, GROUP_SWITCH) ||
		    strcmp(p.op, ps_name))
			continue;
		c = fpu_cond_of(p.cond);
		tb = sibling(s, &p, fpu_strategy_name(FPU_STRATEGY_THREE_BUFFER), p.features, p.cond);
		re = sibling(s, &p, fpu_strategy_name(FPU_STRATEGY_REALLOC), p.features, p.cond);
		if (!tb)
			continue;
		if (!header)
			fprintf(out, "\nswitch strategies, median ticks per enter+exit round trip, beside the sum\n"
				     "of their parts at this run's native/save/<insn>/<set>/clean and\n"
				     "native/restore/<insn>/<set>/inuse medians; 3b/ps: three-buffer over\n"
				     "pointer-swap with its 95%% interval from the samples and rounds (-: too few)\n"
				     "%-6s %-9s %8s %7s %8s %7s %-20s %7s\n", "set", "condition", "ptr-swap", "parts",
				"3-buffer", "parts", " 3b/ps [95% interval]", "realloc");
		header = true;
		fprintf(out, "%-6s %-9s %8.1f %7.1f %8.1f %7.1f", p.features, p.condition, ps->median_ticks,
			parts_sum(s, ps, FPU_STRATEGY_POINTER_SWAP, c, p.features), tb->median_ticks,
			parts_sum(s, tb, FPU_STRATEGY_THREE_BUFFER, c, p.features));
		print_ratio(out, ps, tb);
		if (re)
			fprintf(out, " %7.0f", re->median_ticks);
		fputc('\n', out);
	}
	if (header)
		print_parts_legend(out);
}

/* Each measured kernel path with its control, the same path with every component in init
 * (the feature set none), in plan order. */
static void print_kpaths(const struct summary *s, FILE *out)
{
	const char *control = feature_set_name(FS_NONE);
	bool header = false;

	for (int i = 0; i < s->count; i++) {
		const struct summary_row *r = &s->rows[i], *none;
		struct bench_id_parts p;
		char path[CASE_ID_MAX];

		if (!measured_parts(s, i, &p) || p.cond != COND_NONE || !strcmp(p.features, control) ||
		    !(none = sibling(s, &p, p.op, control, COND_NONE)))
			continue;
		if (!header)
			fprintf(out, "\nkernel paths, in use minus every component in init (median ticks per op):\n"
				     "%-26s %-7s %9s %9s %9s %9s\n", "path", "set", "in use", control, "diff",
				"diff cyc");
		header = true;
		bench_id_operation(&p, path, sizeof(path));
		fprintf(out, "%-26s %-7s %9.1f %9.1f %9.1f %9.0f\n", path, p.features, r->median_ticks,
			none->median_ticks, r->median_ticks - none->median_ticks,
			isnan(r->median_cycles) ? NAN : r->median_cycles - none->median_cycles);
	}
}

/* Each measured case of a guest offered x87/SSE only beside the one offered everything. */
static void print_advertised(const struct summary *s, FILE *out)
{
	bool header = false;

	for (int i = 0; i < s->count; i++) {
		const struct summary_row *fp = &s->rows[i], *all;
		struct bench_id_parts p;

		if (!measured_parts(s, i, &p) || p.cond != COND_FP_ADVERTISED ||
		    !(all = sibling(s, &p, p.op, p.features, COND_ALL_ADVERTISED)))
			continue;
		if (!header) {
			fputc('\n', out);
			cli_write_wrapped(out, "KVM_RUN round trip, the guest's CPUID offering x87/SSE only or everything, "
					       "the same state in use (median ticks; guest fpstate bytes from KVM_GET_XSAVE2); "
					       "all/fp with its 95% interval (from the samples and rounds; -: too few "
					       "samples):", 0, 0);
			fprintf(out, "\n%-8s %16s %16s %-21s\n", "state", condition_name(COND_FP_ADVERTISED),
				condition_name(COND_ALL_ADVERTISED), " all/fp [95% interval]");
		}
		header = true;
		fprintf(out, "%-8s %9.1f %6s %9.1f %6s", p.features, fp->median_ticks, fp->guest_fpstate_bytes,
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
