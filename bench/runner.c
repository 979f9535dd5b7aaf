/*
 * runner.c - measuring a plan and storing it.
 */
#include "runner.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../host/counters.h"
#include "../host/interference.h"
#include "../host/topology.h"
#include "../kernels/xsave_bench.h"
#include "../results/disturbance.h"
#include "../results/gbench_export.h"
#include "../results/stats.h"
#include "../results/store.h"
#include "gbench.h"
#include "calibration.h"
#include "cli.h"
#include "families.h"
#include "plan.h"
#include "summary.h"

/* One repetition's sample with room for its metrics. */
struct sample_slot {
	struct sample_record rec;
	struct named_value values[GBENCH_MAX_COUNTERS];
	char names[GBENCH_MAX_COUNTERS][64];
};

/* One registered case, its calibration and its samples: one slot per repetition. */
struct case_run {
	struct bench_case *c;
	struct runner *r;
	/* The runner's own windows, refreshed beside every batch that needs them: the empty
	 * batch unless the family brings its overhead, the core clock unless the batch brings
	 * the site's; set up when first needed. */
	struct calibration calibration;
	bool calibrated;
	double overhead;        /* the overhead last subtracted, per batch of ops_per_batch: stored */
	bool skipped;           /* a batch found the case cannot run where it ran */
	int nr_samples, max_samples; /* nr_samples < 0: stored (it failed), ignore the rest */
	int64_t first_round_batches; /* the batches per sample later rounds reuse */
	int64_t begun_batches;  /* the batches of the repetition begun last */
	struct interference_snapshot sample_start;
	struct sample_slot *slots;
};

struct runner {
	const struct run_options *o;
	const struct plan *plan;
	const struct machine *m;
	struct results_store *store;
	int64_t run_id;
	struct counter_set counters;
	struct interference_probe interference;
	int round;          /* the pass over the cases being measured */
	struct progress progress;
	const struct case_run *last_begun; /* the case whose repetition began last */
	struct summary summary;
	int failures;
	int measured, disturbed; /* cases stored with samples, and those over a threshold */
	int store_error;
};

static const char *volatile current_case; /* for the fault report */

/* Refreshes the runner's windows, or sets them up: the empty batch only where the family
 * brings no overhead of its own. */
static void calibrate(struct case_run *cr)
{
	if (cr->calibrated) {
		calibration_refresh(&cr->calibration);
		return;
	}
	calibration_init(&cr->calibration, cr->c->family->site_overhead ? 0 : cr->c->ops_per_batch);
	cr->calibrated = true;
}

static void fault_handler(int sig)
{
	const char *id = current_case ? current_case : "(none)";
	char msg[256];
	int n = snprintf(msg, sizeof(msg), "\nxstate-bench: fatal %s while measuring %s: the planner "
				      "let through a case this machine cannot run; the run stays incomplete\n",
			 strsignal(sig), id);

	if (write(STDERR_FILENO, msg, (size_t)n) < 0)
		_exit(3);
	_exit(3);
}

static void install_fault_handlers(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fault_handler;
	sigaction(SIGILL, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGFPE, &sa, NULL);
}

/* Records why a measured case was disturbed (disturbance.h), from its samples' evidence. */
static void mark_disturbance(struct runner *r, struct bench_case *c, const struct sample_record *samples, int n)
{
	struct interference_totals t;
	char why[CASE_REASON_MAX];

	interference_totals_init(&t);
	for (int i = 0; i < n; i++)
		for (int k = 0; k < samples[i].nr_metrics; k++)
			interference_totals_add(&t, samples[i].metrics[k].name, samples[i].metrics[k].value);
	r->measured++;
	if (disturbance_case(&t, why, sizeof(why))) {
		r->disturbed++;
		case_set_attribute(c, ATTR_DISTURBED, "%.*s", (int)sizeof(c->attributes[0].value) - 1, why);
	}
}

static int store_case(struct runner *r, struct bench_case *c, double overhead,
		      enum case_status status, const char *reason, const struct sample_record *samples,
		      int nr_samples)
{
	struct attribute_record attrs[CASE_ATTR_MAX];
	struct case_record rec = {
		.id = c->id,
		.unit = "ticks/op",
		.status = status,
		.reason = reason,
		.ops_per_batch = c->ops_per_batch,
		.overhead_ticks = overhead,
		.nr_samples = nr_samples,
		.samples = samples,
		.attributes = attrs,
	};
	int rc;

	/* measured on a host that QEMU's TCG runs (the lab's VM): the timings mean nothing */
	if (status == CASE_OK && machine_under_tcg(r->m))
		case_set_attribute(c, ATTR_FUNCTIONAL_ONLY, "QEMU TCG: the timings of an emulated CPU");
	if (status == CASE_OK && !case_attribute(c, ATTR_FUNCTIONAL_ONLY))
		mark_disturbance(r, c, samples, nr_samples);
	rec.nr_attributes = c->nr_attributes;
	for (int i = 0; i < c->nr_attributes; i++)
		attrs[i] = (struct attribute_record){ c->attributes[i].name, c->attributes[i].value };
	/* after a failure nothing more is stored, so the first cause stays the one reported */
	rc = r->store_error ? r->store_error : results_put_case(r->store, r->run_id, &rec);
	if (rc && !r->store_error) {
		progress_clear(&r->progress);
		fprintf(stderr, "xstate-bench: storing %s: %s\n", c->id, xb_error_message());
		r->store_error = rc;
	}
	summary_add(&r->summary, (int)(c - r->plan->cases), c->id, status, reason, samples, nr_samples, c->nr_attributes, c->attributes);
	return rc;
}

/* The counters' deltas over the batch, per op (never an unavailable one as zero). */
static int add_counters(struct runner *r, struct gbench_batch *out)
{
	uint64_t delta[COUNTERS_MAX];

	if (r->counters.count && counters_read_delta(&r->counters, delta)) {
		snprintf(out->error, sizeof(out->error), "%s", xb_error_message());
		return -1;
	}
	for (int i = 0; i < r->counters.count && out->nr_metrics < GBENCH_MAX_METRICS; i++) {
		if (!r->counters.c[i].available)
			continue;
		out->metrics[out->nr_metrics++] = (struct gbench_metric){
			.name = r->counters.c[i].name, .kind = GBENCH_PER_OP, .value = (double)delta[i] };
	}
	return 0;
}

/*
 * One batch: the family's measurement with the counters around it (none for a self-timed
 * family, whose batch is a sample finished inside a guest); then the overhead subtracted (the
 * runner's refreshed window, or the site's) and the net ticks converted to core cycles (with
 * the site's clock, or the runner's).
 */
static int batch_trampoline(void *ctx, struct gbench_batch *out)
{
	struct case_run *cr = ctx;
	struct runner *r = cr->r;
	const struct bench_family *f = cr->c->family;
	struct batch_result res;
	double overhead, ticks_per_cycle;
	int rc;

	uint64_t switches = interference_involuntary_switches();

	memset(&res, 0, sizeof(res));
	if (r->store_error) {
		/* what is measured now could not be kept either */
		snprintf(out->error, sizeof(out->error), "not measured: the database failed to store a case");
		return -1;
	}
	current_case = cr->c->id;
	if (!f->self_timed)
		counters_start(&r->counters);
	rc = f->batch(cr->c, &res);
	if (!f->self_timed)
		counters_stop(&r->counters);
	/* switched out mid-batch: another task ran on the PU inside the timed region */
	out->disturbed = !f->self_timed && interference_involuntary_switches() != switches;
	if (rc) {
		snprintf(out->error, sizeof(out->error), "%s", res.error[0] ? res.error : xb_error_message());
		cr->skipped = res.skip && res.error[0];
		return rc;
	}
	out->ops = res.ops;
	out->gross_ticks = (double)res.gross_ticks;
	out->nr_metrics = res.nr_metrics;
	memcpy(out->metrics, res.metrics, (size_t)res.nr_metrics * sizeof(res.metrics[0]));
	if (!f->site_overhead || !res.site_ticks_per_cycle)
		calibrate(cr);
	overhead = f->site_overhead ? (double)res.site_overhead_ticks
				    : (double)calibration_overhead(&cr->calibration);
	ticks_per_cycle = res.site_ticks_per_cycle ? res.site_ticks_per_cycle
						   : calibration_ticks_per_cycle(calibration_chain_ticks(&cr->calibration));
	/* a site's overhead covers all the batch's ops: a guest sample spans several guest batches */
	cr->overhead = f->site_overhead && res.ops ? overhead * cr->c->ops_per_batch / (double)res.ops : overhead;
	out->net_ticks = (double)res.gross_ticks - overhead;
	out->metrics[out->nr_metrics++] = (struct gbench_metric){
		.name = METRIC_CORE_CYCLES_PER_OP, .kind = GBENCH_PER_OP_MEDIAN, .value = out->net_ticks / ticks_per_cycle };
	out->metrics[out->nr_metrics++] = (struct gbench_metric){
		.name = METRIC_CORE_CLOCK_GHZ, .kind = GBENCH_PER_BATCH, .value = r->m->tsc.hz / ticks_per_cycle / 1e9 };
	return f->self_timed ? 0 : add_counters(r, out);
}

/* The runner's clock chain window: its IQR in percent of its median; NAN when the case has
 * none (its site brings the clock). */
static double clock_spread(const struct case_run *cr)
{
	double v[CALIBRATION_WINDOW];

	if (!cr->calibrated)
		return NAN;
	for (int i = 0; i < CALIBRATION_WINDOW; i++)
		v[i] = (double)cr->calibration.chain.values[i];
	stats_sort(v, CALIBRATION_WINDOW);
	return stats_iqr_percent(v, CALIBRATION_WINDOW);
}

/*
 * A repetition begins: a new sample, unless Google Benchmark is growing the batch count of a
 * case's first repetition until it lasts --min-time (it runs the repetition again at once,
 * with more batches; every later repetition keeps the count it settled on).
 */
static void repetition_begin(void *ctx, int64_t batches)
{
	struct case_run *cr = ctx;
	struct runner *r = cr->r;

	if (r->last_begun != cr || batches <= cr->begun_batches)
		progress_sample(&r->progress, cr->c->id);
	interference_set_partner(&r->interference, cr->c->pu_partner);
	r->last_begun = cr;
	cr->begun_batches = batches;
	interference_read(&r->interference, &cr->sample_start);
}

/* The sample's evidence of interference (disturbance.h), as per-sample values. */
static int repetition_end(void *ctx, struct gbench_metric *metrics, int max)
{
	struct case_run *cr = ctx;
	struct interference_snapshot now;
	struct interference_delta d;
	const struct gbench_metric all[] = {
		{ SAMPLE_WALL_MS, GBENCH_PER_SAMPLE, 0 }, { SAMPLE_INVOLUNTARY_SWITCHES, GBENCH_PER_SAMPLE, 0 },
		{ SAMPLE_RUN_DELAY_MS, GBENCH_PER_SAMPLE, 0 }, { SAMPLE_STEAL_MS, GBENCH_PER_SAMPLE, 0 },
		{ SAMPLE_CLOCK_SPREAD, GBENCH_PER_SAMPLE, 0 },
	};
	int n = 0;

	interference_read(&cr->r->interference, &now);
	interference_delta(&cr->sample_start, &now, &d);
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]) && n < max; i++) {
		double v = i == 0 ? d.wall_ms : i == 1 ? d.involuntary_switches : i == 2 ? d.run_delay_ms
			 : i == 3 ? d.steal_ms : clock_spread(cr);

		if (isnan(v))
			continue; /* the kernel does not say: no value rather than a zero */
		metrics[n] = all[i];
		metrics[n++].value = v;
	}
	return n;
}

static double counter_value(const struct gbench_repetition *rep, const char *name, bool *found)
{
	for (int i = 0; i < rep->nr_counters; i++) {
		if (!strcmp(rep->counter_names[i], name)) {
			*found = true;
			return rep->counter_values[i];
		}
	}
	*found = false;
	return NAN;
}


static int append_sample(struct case_run *cr, const struct gbench_repetition *rep)
{
	struct sample_slot *slot;
	bool has_ticks, has_ns;

	if (cr->nr_samples == cr->max_samples)
		return -E2BIG;
	slot = &cr->slots[cr->nr_samples];
	memset(slot, 0, sizeof(*slot));
	/* a sample handed over from a guest session belongs to no pass of the host's */
	slot->rec.round = cr->c->family->self_timed ? 0 : cr->r->round;
	slot->rec.ticks_per_op = counter_value(rep, GBENCH_TICKS_PER_OP, &has_ticks);
	slot->rec.ns_per_op = counter_value(rep, GBENCH_NS_PER_OP, &has_ns);
	slot->rec.batches = rep->batches;
	if (!has_ticks || !has_ns)
		return -EINVAL;
	if (!cr->first_round_batches)
		cr->first_round_batches = rep->batches;
	for (int i = 0; i < rep->nr_counters && slot->rec.nr_metrics < GBENCH_MAX_COUNTERS; i++) {
		int k = slot->rec.nr_metrics;

		if (!strcmp(rep->counter_names[i], GBENCH_TICKS_PER_OP) || !strcmp(rep->counter_names[i], GBENCH_NS_PER_OP))
			continue;
		snprintf(slot->names[k], sizeof(slot->names[k]), "%s", rep->counter_names[i]);
		slot->values[k] = (struct named_value){ slot->names[k], rep->counter_values[i] };
		slot->rec.nr_metrics++;
	}
	slot->rec.metrics = slot->values;
	cr->nr_samples++;
	return 0;
}

/* Stores the case's samples: the slots are copied into a plain array of records. */
static void store_samples(struct runner *r, struct case_run *cr)
{
	struct sample_record *recs = calloc((size_t)cr->nr_samples, sizeof(*recs));

	if (!recs) {
		r->failures++;
		store_case(r, cr->c, 0, CASE_ERROR, "out of memory", NULL, 0);
		return;
	}
	for (int i = 0; i < cr->nr_samples; i++)
		recs[i] = cr->slots[i].rec;
	store_case(r, cr->c, cr->overhead, CASE_OK, NULL, recs, cr->nr_samples);
	free(recs);
}

static void on_repetition(void *ctx, const struct gbench_repetition *rep)
{
	struct case_run *runs = ctx, *cr = NULL;
	struct runner *r = runs[0].r;

	for (int i = 0; runs[i].c; i++)
		if (!strcmp(runs[i].c->id, rep->name))
			cr = &runs[i];
	if (!cr || cr->nr_samples < 0)
		return;
	if (rep->error) {
		if (!cr->skipped)
			r->failures++;
		store_case(r, cr->c, cr->overhead, cr->skipped ? CASE_SKIP : CASE_ERROR,
			   rep->error_message, NULL, 0);
		cr->nr_samples = -1; /* stored: ignore its remaining repetitions */
		return;
	}
	if (append_sample(cr, rep)) {
		r->failures++;
		store_case(r, cr->c, cr->overhead, CASE_ERROR,
			   "a repetition reported no ticks_per_op", NULL, 0);
		cr->nr_samples = -1;
		return;
	}
	if (rep->last && r->round == r->o->rounds - 1)
		store_samples(r, cr);
}

/* The first line of a /proc file, without its newline; "" when unreadable. */
static void read_proc_line(const char *path, char *out, size_t size)
{
	FILE *f = fopen(path, "r");

	out[0] = 0;
	if (!f)
		return;
	if (!fgets(out, (int)size, f))
		out[0] = 0;
	out[strcspn(out, "\n")] = 0;
	fclose(f);
}

static int begin_run(struct runner *r, const struct pin_result *pin)
{
	const struct machine *m = r->m;
	char fingerprint[17], started[32], cmdline[4096], loadavg[64], notes[160];
	char *dump = machine_dump_text(m);
	int64_t machine_id;
	int rc;

	if (!dump)
		return xb_fail(ENOMEM, "formatting the CPUID dump");
	machine_fingerprint(m, fingerprint);
	struct machine_record mr = {
		.fingerprint = fingerprint,
		.hostname = m->hostname,
		.vendor = m->cpu.vendor,
		.family = m->cpu.family,
		.model = m->cpu.model,
		.stepping = m->cpu.stepping,
		.microcode = m->cpu.microcode,
		.brand = m->cpu.brand,
		.xcr0 = m->layout.xcr0,
		.xss = m->layout.xss,
		.cpuid_dump = dump,
	};
	rc = results_put_machine(r->store, &mr, &machine_id);
	free(dump);
	if (rc)
		return rc;
	cli_iso_time(started, sizeof(started));
	read_proc_line("/proc/cmdline", cmdline, sizeof(cmdline));
	read_proc_line("/proc/loadavg", loadavg, sizeof(loadavg));
	snprintf(notes, sizeof(notes), "hypervisor: %s; load average at start: %s",
		 m->cpu.hypervisor ? m->cpu.hypervisor_vendor : "none", loadavg);
	struct run_record rr = {
		.label = r->o->label,
		.started_at = started,
		.hostname = m->hostname,
		.kernel_release = m->kernel.release,
		.kernel_cmdline = cmdline,
		.source = "run",
		.notes = notes,
		.command_line = r->o->command_line,
		.tool_version = XB_VERSION,
		.tsc_hz = m->tsc.hz,
		.tsc_source = m->tsc.source,
		.pinned_pu = pin->os_index,
	};
	return results_begin_run(r->store, machine_id, &rr, &r->run_id);
}

static int open_counters(struct runner *r)
{
	int rc;

	if (!r->o->counters)
		return 0;
	rc = counters_open(r->o->counters, &r->counters);
	if (rc)
		return rc;
	for (int i = 0; i < r->counters.count; i++) {
		const struct counter *c = &r->counters.c[i];

		if (!c->available)
			fprintf(stderr, "xstate-bench: counter %s unavailable: %s\n", c->name, c->reason);
		rc = results_put_counter(r->store, r->run_id, c->name, c->available, c->reason);
		if (rc)
			return rc;
	}
	return 0;
}

/*
 * Google Benchmark's own flags for one round. Repetitions are interleaved at random across
 * cases, so that each case's samples spread over the round and a shared machine's slow
 * moments do not all land on one case.
 */
static int build_gbench_args(const struct run_options *o, char args[2][64], char **argv)
{
	int argc = 0;

	argv[argc++] = (char *)"xstate-bench";
	snprintf(args[0], sizeof(args[0]), "--benchmark_repetitions=%d", o->repetitions);
	argv[argc++] = args[0];
	snprintf(args[1], sizeof(args[1]), "--benchmark_min_time=%g", o->min_time);
	argv[argc++] = args[1];
	argv[argc++] = (char *)"--benchmark_enable_random_interleaving=true";
	argv[argc] = NULL;
	return argc;
}

/* One pass over every case still measuring, in a shuffled order. */
static int measure_round(struct runner *r, struct case_run *runs, int n)
{
	char args[2][64], *argv[8];
	int argc = build_gbench_args(r->o, args, argv), registered = 0;

	for (int i = 0; i < n; i++)
		registered += runs[i].nr_samples >= 0;
	progress_round(&r->progress, r->round, registered);
	r->last_begun = NULL;
	for (int i = 0; i < n; i++) {
		struct case_run *cr = &runs[i];
		const struct gbench_case gc = {
			.name = cr->c->id, .batch = batch_trampoline, .ctx = cr, .tsc_hz = r->m->tsc.hz,
			.repetition_begin = repetition_begin, .repetition_end = repetition_end,
			/* a guest hands over a whole sample per batch; later rounds keep the first's count */
			.iterations = cr->c->family->self_timed ? 1
				      : cr->c->family->batches_per_sample ? cr->c->family->batches_per_sample
									  : cr->first_round_batches,
		};

		if (cr->nr_samples < 0)
			continue;
		gbench_register(&gc);
	}
	if (registered && gbench_run(argc, argv, on_repetition, runs) < 0)
		return xb_fail(EINVAL, "Google Benchmark rejected its arguments");
	return 0;
}

/* c->shared: its family's state for this run (bench_family.open_run), opened at the family's
 * first case; @shared holds one per family, in the order of bench_families. */
static int share(struct bench_case *c, const struct run_env *env, void **shared)
{
	size_t i = 0;

	if (!c->family->open_run)
		return 0;
	while (bench_families[i] != c->family)
		i++;
	if (!shared[i] && !(shared[i] = c->family->open_run(env)))
		return -ENOMEM;
	c->shared = shared[i];
	return 0;
}

static void close_shared(void **shared)
{
	for (size_t i = 0; bench_families[i]; i++)
		if (shared[i])
			bench_families[i]->close_run(shared[i]);
	free(shared);
}

static void **shared_states(void)
{
	size_t n = 0;

	while (bench_families[n])
		n++;
	return calloc(n, sizeof(void *));
}

static int measure(struct runner *r, struct plan *plan)
{
	struct run_env env = { .machine = r->m, .vmm = plan->vmm, .ops_override = r->o->ops,
			       .repetitions = r->o->rounds * r->o->repetitions, .min_time = r->o->min_time };
	struct case_run *runs = calloc((size_t)plan->count + 1, sizeof(*runs));
	void **shared = shared_states();
	int n = 0, rc = 0;

	if (!runs || !shared) {
		free(runs);
		free(shared);
		return xb_fail(ENOMEM, "out of memory");
	}
	for (int i = 0; i < plan->count; i++) {
		struct bench_case *c = &plan->cases[i];

		if (c->skip_reason[0]) {
			store_case(r, c, 0, CASE_SKIP, c->skip_reason, NULL, 0);
			continue;
		}
		if (share(c, &env, shared) || c->family->setup(c, &env)) {
			r->failures++;
			store_case(r, c, 0, CASE_ERROR, xb_error_message(), NULL, 0);
			continue;
		}
		runs[n] = (struct case_run){ .c = c, .r = r, .max_samples = env.repetitions };
		if (!c->family->site_overhead)
			calibrate(&runs[n]);
		runs[n].slots = calloc((size_t)env.repetitions, sizeof(*runs[n].slots));
		if (!runs[n].slots) {
			if (c->family->teardown)
				c->family->teardown(c);
			rc = xb_fail(ENOMEM, "out of memory");
			break;
		}
		n++;
	}
	/* once a case could not be stored, no later round begins: what it measured would be lost */
	for (r->round = 0; r->round < r->o->rounds && !rc && !r->store_error; r->round++)
		rc = measure_round(r, runs, n);
	current_case = NULL;
	for (int i = 0; i < n; i++) {
		free(runs[i].slots);
		if (runs[i].c->family->teardown)
			runs[i].c->family->teardown(runs[i].c);
	}
	close_shared(shared);
	free(runs);
	return rc;
}

/* The run as Google Benchmark JSON (export's shape: one entry per sample, times per op)
 * into @f, opened before anything was measured; closes it. */
static int write_json(struct runner *r, FILE *f)
{
	int rc = gbench_export(r->store, r->run_id, EXPORT_JSON, f);

	if (fclose(f) && !rc)
		rc = xb_fail_errno("--json %s: write", r->o->json_path);
	return rc;
}

/* What is about to be measured, where, and with which clock; on stdout, before the progress. */
static void print_header(const struct runner *r, const struct plan *plan, const struct pin_result *pin)
{
	char tsc[256];

	printf("xstate-bench: run %lld, %d cases (%d runnable here), %d round%s of %d samples\n",
	       (long long)r->run_id, plan->count, plan_runnable_count(plan), r->o->rounds, r->o->rounds == 1 ? "" : "s",
	       r->o->repetitions);
	snprintf(tsc, sizeof(tsc), "on PU %d; TSC %.6f GHz (%s)", pin->os_index, r->m->tsc.hz / 1e9, r->m->tsc.source);
	cli_write_wrapped(stdout, tsc, 0, 2);
	putchar('\n');
	fflush(stdout);
}

int runner_run(const struct machine *m, const struct run_options *o, int64_t *run_id)
{
	struct runner r = { .o = o, .m = m };
	struct pin_result pin;
	struct plan plan;
	char finished[32], why[CASE_REASON_MAX];
	FILE *json = NULL;
	bool disturbed;
	int rc;

	rc = plan_make(m, &(struct plan_request){ o->suites, o->filter, o->vmm }, &plan);
	if (rc)
		return rc;
	if (!plan.count) {
		xb_fail(ENOENT, "--filter '%.60s%s' selects no case of the suites asked for", o->filter ? o->filter : "",
			o->filter && strlen(o->filter) > 60 ? "..." : "");
		rc = EXIT_USAGE;
		goto out_plan;
	}
	if (o->json_path && !(json = fopen(o->json_path, "w"))) {
		rc = xb_fail_errno("--json %s", o->json_path);
		goto out_plan;
	}
	r.plan = &plan;
	rc = topology_pin_thread(o->cpu, &pin);
	if (rc)
		goto out_plan;
	rc = results_open(o->db_url, &r.store);
	if (rc) {
		xb_fail(EIO, "cannot use the results database %s: %s", o->db_url, xb_error_message());
		goto out_plan;
	}
	rc = begin_run(&r, &pin);
	if (!rc)
		rc = open_counters(&r);
	if (rc)
		goto out_store;
	*run_id = r.run_id;
	print_header(&r, &plan, &pin);
	install_fault_handlers();
	interference_open(&r.interference, pin.os_index);
	progress_start(&r.progress, o->progress, stderr, o->rounds, o->repetitions);
	rc = measure(&r, &plan);
	progress_finish(&r.progress);
	interference_close(&r.interference);
	if (!rc && r.store_error)
		rc = r.store_error;
	disturbed = disturbance_run(r.measured, r.disturbed, why, sizeof(why));
	if (!rc) {
		cli_iso_time(finished, sizeof(finished));
		rc = results_finish_run(r.store, r.run_id, finished, disturbed ? why : NULL);
	}
	if (json && !rc) {
		rc = write_json(&r, json);
		json = NULL;
	}
	summary_print(&r.summary, &(struct summary_view){ .wide = o->wide, .verbose = o->verbose }, stdout);
	if (disturbed) {
		char line[CASE_REASON_MAX + 64];

		snprintf(line, sizeof(line), "DISTURBED: %s: compare will not judge this run", why);
		cli_write_wrapped(stdout, line, 0, 2);
		putchar('\n');
	}
	printf("run id: %lld%s\n", (long long)r.run_id, rc ? " (incomplete)" : "");
	if (!rc && r.failures)
		rc = 1;
out_store:
	counters_close(&r.counters);
	summary_free(&r.summary);
	results_close(r.store);
out_plan:
	plan_free(&plan);
	if (json)
		fclose(json);
	return rc;
}
