/*
 * test_gbench.c - the Google Benchmark wrapper: every repetition reaches the report callback
 * with its counters, and a case that fails after good repetitions is reported as failed from
 * then on without stopping the run (Google Benchmark's debug build aborts on repetitions of
 * one case with different iteration counts, which a failure must not produce).
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
};

struct reports {
	int n;
	struct {
		char name[32];
		int64_t index, batches;
		bool error, last;
		double ticks_per_op, ns_per_op, cpu_ns_per_op;
	} rep[2 * REPS];
};

static int fake_batch(void *ctx, struct gbench_batch *out)
{
	struct fake_case *c = ctx;

	if (c->fail_after && ++c->calls > c->fail_after) {
		snprintf(out->error, sizeof(out->error), "failed at call %d", c->calls);
		return -1;
	}
	out->gross_ticks = 1000;
	out->net_ticks = 800;
	out->ops = 100;
	return 0;
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
	r->rep[r->n].ticks_per_op = r->rep[r->n].ns_per_op = r->rep[r->n].cpu_ns_per_op = -1;
	for (int i = 0; i < rep->nr_counters; i++) {
		if (!strcmp(rep->counter_names[i], "ticks_per_op"))
			r->rep[r->n].ticks_per_op = rep->counter_values[i];
		if (!strcmp(rep->counter_names[i], "ns_per_op"))
			r->rep[r->n].ns_per_op = rep->counter_values[i];
		if (!strcmp(rep->counter_names[i], "cpu_ns_per_op"))
			r->rep[r->n].cpu_ns_per_op = rep->counter_values[i];
	}
	r->n++;
}

static int run(struct reports *r)
{
	char *argv[] = { "test_gbench", "--benchmark_repetitions=4", "--benchmark_enable_random_interleaving=true",
			 NULL };

	memset(r, 0, sizeof(*r));
	return gbench_run(3, argv, collect, r);
}

static void test_a_late_failure_fails_the_rest_and_the_run_goes_on(void **state)
{
	/* five batches per repetition: repetitions 0 and 1 are good, 2 fails midway, 3 at once */
	struct fake_case late = { .fail_after = 2 * ITERATIONS + 2 }, good = { 0 };
	struct reports r;
	int late_errors = 0, good_ok = 0;

	(void)state;
	assert_int_equal(gbench_register("late", fake_batch, &late, 1e9, ITERATIONS), 0);
	assert_int_equal(gbench_register("good", fake_batch, &good, 1e9, ITERATIONS), 0);
	assert_int_equal(run(&r), 2);
	assert_int_equal(r.n, 2 * REPS);
	for (int i = 0; i < r.n; i++) {
		assert_int_equal(r.rep[i].batches, ITERATIONS);
		if (!strcmp(r.rep[i].name, "good")) {
			assert_false(r.rep[i].error);
			assert_true(r.rep[i].ticks_per_op == 8.0); /* net ticks over ops */
			assert_true(r.rep[i].ns_per_op == 8.0);    /* at 1e9 ticks a second */
			/* its share on a CPU: a fraction of ns_per_op, never a timing asserted */
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
	assert_int_equal(gbench_register("early", fake_batch, &early, 1e9, ITERATIONS), 0);
	assert_int_equal(run(&r), 1);
	assert_int_equal(r.n, REPS);
	for (int i = 0; i < r.n; i++)
		assert_true(r.rep[i].error);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_a_late_failure_fails_the_rest_and_the_run_goes_on),
		cmocka_unit_test(test_an_early_failure_fails_every_repetition),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
