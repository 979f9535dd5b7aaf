/*
 * noise_model.h - the simulated shared machine the statistics tests draw from: a
 * reproducible normal stream (splitmix64 and Box-Muller), and cases whose noise lives where
 * it lives on a shared machine. Case i costs 100 .. 5000 ticks; its sample noise is 0.2% ..
 * 4% (log-uniform across cases), with one sample in twenty five times wider (an interrupted
 * stretch); every run moves all cases by a common 3% (sd) and each case by its own run effect
 * (what a run cannot see of itself), 0.05-0.5% for four cases in five and 1-3% for the fifth,
 * as this project's quiet A/A runs measured (kernel paths keep a process's placement for a
 * whole run); every round drifts by 0.3%.
 */
#ifndef XB_TESTS_NOISE_MODEL_H
#define XB_TESTS_NOISE_MODEL_H

#include <math.h>
#include <stdint.h>

static uint64_t rng_state;

static double uniform01(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return ((double)(z >> 11) + 0.5) / 9007199254740992.0;
}

static double normal(void)
{
	return sqrt(-2 * log(uniform01())) * cos(2 * M_PI * uniform01());
}

enum { MAX_SAMPLES = 512 };

/* One side of one case: its samples with their runs and rounds. */
struct side {
	double v[MAX_SAMPLES];
	int run[MAX_SAMPLES], round[MAX_SAMPLES], n, runs;
};

static void add(struct side *s, double v, int run, int round)
{
	s->v[s->n] = v;
	s->run[s->n] = run;
	s->round[s->n++] = round;
	if (run + 1 > s->runs)
		s->runs = run + 1;
}

enum { CASES = 60, ROUNDS = 3, PER_ROUND = 10 };

struct world {
	double cost[CASES], noise[CASES], run_sd[CASES];
};

static void make_world(struct world *w)
{
	for (int i = 0; i < CASES; i++) {
		w->cost[i] = 100 * pow(50, uniform01());
		w->noise[i] = 0.002 * pow(20, uniform01());
		w->run_sd[i] = i % 5 == 4 ? 0.01 * pow(3, uniform01()) : 0.0005 * pow(10, uniform01());
	}
}

/* @runs runs of every case into @sides, case i scaled by @factor[i]. */
static void simulate(const struct world *w, int runs, const double *factor, struct side *sides)
{
	for (int i = 0; i < CASES; i++)
		sides[i].n = sides[i].runs = 0;
	for (int r = 0; r < runs; r++) {
		double machine = 0.03 * normal();

		for (int i = 0; i < CASES; i++) {
			double run_effect = w->run_sd[i] * normal();

			for (int k = 0; k < ROUNDS; k++) {
				double round_drift = 0.003 * normal();

				for (int s = 0; s < PER_ROUND; s++) {
					double e = w->noise[i] * normal() * (uniform01() < 0.05 ? 5 : 1);

					add(&sides[i], w->cost[i] * factor[i] * exp(machine + run_effect + round_drift + e), r, k);
				}
			}
		}
	}
}

#endif
