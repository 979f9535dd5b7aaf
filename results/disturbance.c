/*
 * disturbance.c - the thresholds of disturbance.h applied, with the reason in words.
 */
#include "disturbance.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void interference_totals_init(struct interference_totals *t)
{
	t->wall_ms = t->run_delay_ms = t->steal_ms = t->involuntary_switches = NAN;
}

static void add(double *total, double value)
{
	if (isnan(value))
		return;
	*total = isnan(*total) ? value : *total + value;
}

void interference_totals_add(struct interference_totals *t, const char *name, double value)
{
	if (!strcmp(name, SAMPLE_WALL_MS))
		add(&t->wall_ms, value);
	else if (!strcmp(name, SAMPLE_RUN_DELAY_MS))
		add(&t->run_delay_ms, value);
	else if (!strcmp(name, SAMPLE_STEAL_MS))
		add(&t->steal_ms, value);
	else if (!strcmp(name, SAMPLE_INVOLUNTARY_SWITCHES))
		add(&t->involuntary_switches, value);
}

bool disturbance_case(const struct interference_totals *t, char *why, size_t size)
{
	double wall = t->wall_ms;

	why[0] = 0;
	if (isnan(wall) || wall <= 0)
		return false;
	if (t->run_delay_ms > DISTURB_RUN_DELAY_SHARE * wall)
		snprintf(why, size, "another task held the PU: the thread waited %.1f%% of %.0f ms (over %.0f%%)",
			 100 * t->run_delay_ms / wall, wall, 100 * DISTURB_RUN_DELAY_SHARE);
	else if (t->steal_ms > DISTURB_STEAL_SHARE * wall)
		snprintf(why, size, "the hypervisor stole %.1f%% of %.0f ms from the PU (over %.0f%%)",
			 100 * t->steal_ms / wall, wall, 100 * DISTURB_STEAL_SHARE);
	else if (isnan(t->run_delay_ms) && t->involuntary_switches > DISTURB_SWITCHES_PER_SECOND * wall / 1000)
		snprintf(why, size, "the thread was switched out %.0f times in %.0f ms (over %.0f a second)",
			 t->involuntary_switches, wall, DISTURB_SWITCHES_PER_SECOND);
	return why[0] != 0;
}

bool disturbance_run(int nr_cases, int nr_disturbed, char *why, size_t size)
{
	why[0] = 0;
	if (nr_cases > 0 && nr_disturbed > DISTURB_CASE_SHARE * nr_cases)
		snprintf(why, size, "%d of %d measured cases were disturbed (over %.0f%%)", nr_disturbed, nr_cases,
			 100 * DISTURB_CASE_SHARE);
	return why[0] != 0;
}

bool disturbance_spread(double spread, double other_spread, char *why, size_t size)
{
	why[0] = 0;
	if (spread > DISTURB_DISPERSION_PERCENT)
		snprintf(why, size, "its samples spread %.1f%% (median interquartile range over the cases; over %.0f%%)",
			 spread, DISTURB_DISPERSION_PERCENT);
	else if (!isnan(other_spread) && spread > DISTURB_DISPERSION_FACTOR * other_spread &&
		 spread - other_spread > DISTURB_DISPERSION_MARGIN)
		snprintf(why, size, "its samples spread %.1f%% against %.1f%% on the other side (median interquartile "
			 "range over the cases; over %.0fx)", spread, other_spread, DISTURB_DISPERSION_FACTOR);
	return why[0] != 0;
}
