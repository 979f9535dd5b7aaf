/*
 * run_cli.c - the measuring options' defaults.
 */
#include "run_cli.h"

#include <stdlib.h>
#include <string.h>

/* 3 rounds of 10 samples: the same 30 samples a case had before rounds, spread over three
 * passes so that a run carries the drift between passes. */
#define DEFAULT_ROUNDS 3
#define DEFAULT_REPETITIONS 10
#define DEFAULT_MIN_TIME 0.02
#define QUICK_ROUNDS 2
#define QUICK_REPETITIONS 3
#define QUICK_MIN_TIME 0.003

void run_cli_init(struct run_cli *c, unsigned int suites)
{
	*c = (struct run_cli){ .o = { .suites = suites, .cpu = -1 } };
}

void run_cli_finish(struct run_cli *c)
{
	c->o.rounds = c->rounds ? c->rounds : c->quick ? QUICK_ROUNDS : DEFAULT_ROUNDS;
	c->o.repetitions = c->repetitions ? c->repetitions : c->quick ? QUICK_REPETITIONS : DEFAULT_REPETITIONS;
	c->o.min_time = c->min_time > 0 ? c->min_time : c->quick ? QUICK_MIN_TIME : DEFAULT_MIN_TIME;
	c->o.ops = (uint32_t)c->ops;
	c->o.progress = c->quiet ? PROGRESS_NONE : (enum progress_mode)c->progress;
}

char *run_cli_command_line(int argc, char **argv)
{
	size_t len = strlen("xstate-bench") + 1;
	char *s;

	for (int i = 0; i < argc; i++)
		len += strlen(argv[i]) + 1;
	if (!(s = malloc(len)))
		return NULL;
	strcpy(s, "xstate-bench");
	for (int i = 0; i < argc; i++)
		strcat(strcat(s, " "), argv[i]);
	return s;
}
