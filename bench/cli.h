/*
 * cli.h - what every subcommand shares: the command table entry, usage handling (help to
 * stdout and exit 0; bad arguments to stderr and exit 2), number parsing and the default
 * database URL.
 */
#ifndef XB_BENCH_CLI_H
#define XB_BENCH_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../host/error.h"

#define EXIT_USAGE 2

struct command {
	const char *name;
	const char *summary;
	int (*main)(int argc, char **argv);
};

int cmd_probe(int argc, char **argv);
int cmd_list(int argc, char **argv);
int cmd_run(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_baseline(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_review(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_export(int argc, char **argv);

/* Prints @usage to stderr after @fmt, returns EXIT_USAGE. */
int cli_usage_error(const char *usage, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Prints @usage to stdout, returns 0. */
int cli_help(const char *usage);
/* The message for an option getopt rejected (the option text is in argv[optind - 1]). */
int cli_bad_option(const char *usage, int argc, char **argv);

/* Checks that @re compiles as a POSIX extended regex; on failure prints usage and returns false. */
bool cli_regex_ok(const char *usage, const char *option, const char *re);

bool cli_parse_long(const char *text, long min, long max, long *out);
bool cli_parse_double(const char *text, double min, double max, double *out);

/* The metric compare, baseline, history and report read unless --metric names another. */
#define CLI_DEFAULT_METRIC "ticks_per_op"
/* compare's and report's --threshold 2 and --alpha 0.01, as a struct verdict_options */
#define CLI_VERDICT_DEFAULTS { .threshold = 0.02, .alpha = 0.01 }
struct verdict_options;
/* --threshold PCT (@opt 't') or --alpha A (@opt 'a') into @o: 0, or EXIT_USAGE after the
 * usage message for a value out of range. */
int cli_verdict_option(const char *usage, int opt, const char *arg, struct verdict_options *o);

/* --db, else $XSTATE_BENCH_DB, else xstate-bench.db in the current directory. */
const char *cli_db_url(const char *flag);
/* Now, UTC, ISO 8601: 2026-01-01T12:00:00Z */
void cli_iso_time(char *out, size_t size);
struct results_store;
/* Opens the database of --db @flag for a command that reads it (it must exist); on failure
 * the message names the URL. */
int cli_open_results(const char *flag, struct results_store **st) XB_MUST_CHECK;

#endif
