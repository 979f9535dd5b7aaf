/*
 * run_cli.c - parsing the measuring options.
 */
#include "run_cli.h"

#include "cli.h"
#include "family_guest.h"
#include "plan.h"

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

int run_cli_option(struct run_cli *c, const char *usage, int opt, const char *arg)
{
	long v;

	switch (opt) {
	case 's':
		if (suite_parse(arg, &c->o.suites))
			return cli_usage_error(usage, "--suite: unknown suite in '%s'", arg);
		return 0;
	case 'f':
		if (!cli_regex_ok(usage, "--filter", arg))
			return EXIT_USAGE;
		c->o.filter = arg;
		return 0;
	case 'R':
		if (!cli_parse_long(arg, 1, 100, &c->rounds))
			return cli_usage_error(usage, "--rounds: want 1..100, got '%s'", arg);
		return 0;
	case 'n':
		if (!cli_parse_long(arg, 1, 1000, &c->repetitions))
			return cli_usage_error(usage, "--repetitions: want 1..1000, got '%s'", arg);
		return 0;
	case 'q':
		c->quick = true;
		return 0;
	case 'c':
		if (!cli_parse_long(arg, 0, 65535, &v))
			return cli_usage_error(usage, "--cpu: want a PU number, got '%s'", arg);
		c->o.cpu = (int)v;
		return 0;
	case 'C':
		c->o.counters = arg;
		return 0;
	case 'o':
		if (!cli_parse_long(arg, 1, 1 << 20, &v))
			return cli_usage_error(usage, "--ops: want 1..1048576, got '%s'", arg);
		c->o.ops = (uint32_t)v;
		return 0;
	case 't':
		if (!cli_parse_double(arg, 1e-6, 60, &c->min_time))
			return cli_usage_error(usage, "--min-time: want seconds in (0, 60], got '%s'", arg);
		return 0;
	case 'V':
		if (!guest_family_select_vmm(arg))
			return cli_usage_error(usage, "--vmm: want kvm or qemu, got '%s'", arg);
		c->vmm = arg;
		return 0;
	default:
		return -1;
	}
}

void run_cli_finish(struct run_cli *c)
{
	c->o.rounds = c->rounds ? (int)c->rounds : c->quick ? QUICK_ROUNDS : DEFAULT_ROUNDS;
	c->o.repetitions = c->repetitions ? (int)c->repetitions : c->quick ? QUICK_REPETITIONS : DEFAULT_REPETITIONS;
	c->o.min_time = c->min_time > 0 ? c->min_time : c->quick ? QUICK_MIN_TIME : DEFAULT_MIN_TIME;
}
