/*
 * test_gbench.c - the Google Benchmark wrapper: every repetition reaches the report callback
 * with its counters, and a case that fails after good repetitions is reported as failed from
 * then on without stopping the run (Google Benchmark's debug build aborts on repetitions of
 * one case with different iteration counts, which a failure must not produce); a sample is
 * the median of its batches, a slow batch cannot move it and a disturbed one is left out and
 * counted, while the mean of all batches is kept; the repetition hooks bracket each sample.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "bench/gbench.h"

#define REPS 4
#define ITERATIONS 5

struct fake_case {
	int calls, fail_after; /* fail_after 0: never */
	int slow_every, disturbed_every; /* 0: never */
	int begins, ends;
	int64_t begun_batches[64]; /* what each repetition_begin was told */
};

struct reports {
	int n;
	struct {
		char name[32];
		int64_t index, batches;
		bool error, last;
		double ticks_per_op, mean, preempted, cycles, hook, cpu_ns_per_op;
	} rep[2 * REPS];
};

static int fake_batch(void *ctx, struct gbench_batch *out)
{
	struct fake_case *c = ctx;

	++c->calls;
	if (c->fail_after && c->calls > c->fail_after) {
		snprintf(out->error, sizeof(out->error), "failed at call %d", c->calls);
		return -1;
	}
	out->gross_ticks = 1000;
	out->net_ticks = c->slow_every && c->calls % c->slow_every == 0 ? 80000 : 800;
	out->ops = 100;
	out->disturbed = c->disturbed_every && c->calls % c->disturbed_every == 0;
	if (out->disturbed)
		out->net_ticks = 1; /* a disturbed batch must not count, however fast it looks */
	out->metrics[out->nr_metrics++] = (struct gbench_metric){ "cycles", GBENCH_PER_OP_MEDIAN, 2 * out->net_ticks };
	return 0;
}

static void fake_begin(void *ctx, int64_t batches)
{
	struct fake_case *c = ctx;

	if (c->begins < 64)
		c->begun_batches[c->begins] = batches;
	c->begins++;
}

static int fake_end(void *ctx, struct gbench_metric *metrics, int max)
{
	struct fake_case *c = ctx;

	assert_true(max >= 1);
	metrics[0] = (struct gbench_metric){ "hook", GBENCH_PER_SAMPLE, ++c->ends };
	return 1;
}

static void register_case_with(const char *name, struct fake_case *c, int64_t iterations)
{
	const struct gbench_case gc = { .name = name, .batch = fake_batch, .ctx = c, .tsc_hz = 1e9,
					.iterations = iterations, .repetition_begin = fake_begin,
					.repetition_end = fake_end };

	assert_int_equal(gbench_register(&gc), 0);
}

static void register_case(const char *name, struct fake_case *c)
{
	register_case_with(name, c, ITERATIONS);
}

static double counter(const struct gbench_repetition *rep, const char *name)
{
	for (int i = 0; i < rep->nr_counters; i++)
		if (!strcmp(rep->counter_names[i], name))
			return rep->counter_values[i];
	return -1;
}

static void collect(void *ctx, const struct gbench_repetition *rep)
{
	struct reports *r = ctx;

	if (r->n == 2 * REPS)
		fail_msg("more repetitions than registered");
	snprintf(r->rep[r->n].name, sizeof(r->rep[r->n].name), "%s", rep->name);
	r->rep[r->n].index = rep->index;
	r->rep[r->n].batches = rep->batches;
	r->rep[r->n].error = rep->error;
	r->rep[r->n].last = rep->last;
	r->rep[r->n].ticks_per_op = counter(rep, GBENCH_TICKS_PER_OP);
	r->rep[r->n].mean = counter(rep, GBENCH_TICKS_PER_OP_MEAN);
	r->rep[r->n].preempted = counter(rep, GBENCH_PREEMPTED_BATCHES);
	r->rep[r->n].cycles = counter(rep, "cycles");
	r->rep[r->n].hook = counter(rep, "hook");
	r->rep[r->n].cpu_ns_per_op = counter(rep, GBENCH_CPU_NS_PER_OP);
	r->n++;
}

static int run_with(struct reports *r, const char *min_time)
{
	char *argv[] = { "test_gbench", "--benchmark_repetitions=4", "--benchmark_enable_random_interleaving=true",
			 (char *)min_time, NULL };

	memset(r, 0, sizeof(*r));
	return gbench_run(min_time ? 4 : 3, argv, collect, r);
}

static int run(struct reports *r)
{
	return run_with(r, NULL);
}

static void test_a_late_failure_fails_the_rest_and_the_run_goes_on(void **state)
{
	/* five batches per repetition: repetitions 0 and 1 are good, 2 fails midway, 3 at once */
	struct fake_case late = { .fail_after = 2 * ITERATIONS + 2 }, good = { 0 };
	struct reports r;
	int late_errors = 0, good_ok = 0;

	(void)state;
	register_case("late", &late);
	register_case("good", &good);
	assert_int_equal(run(&r), 2);
	assert_int_equal(r.n, 2 * REPS);
	for (int i = 0; i < r.n; i++) {
		assert_int_equal(r.rep[i].batches, ITERATIONS);
		if (!strcmp(r.rep[i].name, "good")) {
			assert_false(r.rep[i].error);
			assert_true(r.rep[i].ticks_per_op == 8.0); /* net ticks over ops */
			/* its share on a CPU: reported, a fraction of ns_per_op; no timing asserted */
			assert_true(r.rep[i].cpu_ns_per_op >= 0);
			good_ok++;
		} else {
			assert_string_equal(r.rep[i].name, "late");
			assert_int_equal(r.rep[i].error, r.rep[i].index >= 2);
			late_errors += r.rep[i].error;
		}
	}
	assert_int_equal(good_ok, REPS);
	assert_int_equal(late_errors, 2);
}

static void test_an_early_failure_fails_every_repetition(void **state)
{
	struct fake_case early = { .fail_after = 1 };
	struct reports r;

	(void)state;
	register_case("early", &early);
	assert_int_equal(run(&r), 1);
	assert_int_equal(r.n, REPS);
	for (int i = 0; i < r.n; i++)
		assert_true(r.rep[i].error);
}

/*
 * Five batches a repetition: with every fifth batch 100 times slower the median stays 8 ticks
 * an op and the mean says (4 * 800 + 80000) / 500; with every fifth batch disturbed, it is
 * left out of the median (which would otherwise be pulled down) and counted.
 */
static void test_a_sample_is_the_median_of_its_undisturbed_batches(void **state)
{
	struct fake_case slow = { .slow_every = 5 }, preempted = { .disturbed_every = 5 };
	struct reports r;

	(void)state;
	register_case("slow", &slow);
	register_case("preempted", &preempted);
	assert_int_equal(run(&r), 2);
	assert_int_equal(r.n, 2 * REPS);
	for (int i = 0; i < r.n; i++) {
		assert_true(r.rep[i].ticks_per_op == 8.0);
		assert_true(r.rep[i].cycles == 16.0); /* a per-op median metric, alike */
		assert_true(r.rep[i].hook >= 1);
		if (!strcmp(r.rep[i].name, "slow")) {
			assert_true(r.rep[i].mean == (4 * 800.0 + 80000) / 500);
			assert_true(r.rep[i].preempted == 0);
		} else {
			assert_true(r.rep[i].mean == (4 * 800.0 + 1) / 500);
			assert_true(r.rep[i].preempted == 1);
		}
	}
	/* each sample bracketed by the hooks, told its batch count */
	assert_int_equal(slow.begins, slow.ends);
	assert_int_equal(slow.begins, REPS);
	for (int i = 0; i < slow.begins; i++)
		assert_int_equal(slow.begun_batches[i], ITERATIONS);
}

/*
 * Without a fixed batch count Google Benchmark runs the first repetition again with more
 * batches until it lasts --benchmark_min_time, then runs every later one with the count it
 * kept: what the runner's progress relies on to count each sample once (a begin with more
 * batches than the one just before it, of the same case, is the same sample again).
 */
static void test_trial_runs_grow_then_the_count_is_kept(void **state)
{
	struct fake_case c = { 0 }; /* 1000 ticks at 1 GHz: a microsecond a batch */
	struct reports r;
	int samples = 1;

	(void)state;
	register_case_with("grows", &c, 0);
	assert_int_equal(run_with(&r, "--benchmark_min_time=0.002"), 1);
	assert_int_equal(r.n, REPS);
	assert_true(c.begins > REPS); /* at least one trial run before the first kept one */
	for (int i = 1; i < c.begins; i++) {
		assert_true(c.begun_batches[i] >= c.begun_batches[i - 1]);
		samples += c.begun_batches[i] == c.begun_batches[i - 1];
	}
	assert_int_equal(samples, REPS);
	for (int i = 0; i < r.n; i++)
		assert_int_equal(r.rep[i].batches, c.begun_batches[c.begins - 1]);
	assert_true(c.begun_batches[c.begins - 1] >= 2000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_sample_is_the_median_of_its_undisturbed_batches),
		cmocka_unit_test(test_a_late_failure_fails_the_rest_and_the_run_goes_on),
		cmocka_unit_test(test_an_early_failure_fails_every_repetition),
		cmocka_unit_test(test_trial_runs_grow_then_the_count_is_kept),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
