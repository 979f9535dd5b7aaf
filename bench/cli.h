/*
 * cli.h - what every subcommand shares: its description as data (struct cli_command: a
 * summary, the operands, an option table built with the OPT_* macros, a description), from
 * which one parser fills and checks the options (getopt_long) and the same table writes
 * --help, the man page and the bash completion; usage errors (to stderr, exit 2); the
 * default database URL.
 */
#ifndef XB_BENCH_CLI_H
#define XB_BENCH_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "../base/attributes.h"
#include "../base/error.h"

#define EXIT_USAGE 2
/* cli_parse: the options are parsed, the command goes on */
#define CLI_CONTINUE (-1)

enum cli_option_type {
	CLI_OPT_END,
	CLI_OPT_BOOLEAN,  /* bool *: set */
	CLI_OPT_STRING,   /* const char **: the argument */
	CLI_OPT_INTEGER,  /* int *: an integer in [min, max] */
	CLI_OPT_LONG,     /* long *: an integer in [min, max] */
	CLI_OPT_DOUBLE,   /* double *: a number in [dmin, dmax] */
	CLI_OPT_CHOICE,   /* int *: the index of the argument in choices */
	CLI_OPT_CALLBACK, /* callback(value, argument) */
};

/*
 * A callback option's check and store: NULL when @arg is taken, else what was wanted
 * ("a POSIX extended regex"), static or written into @msg. The parser prints
 * "--option: want <that>, got '<arg>'" with the usage.
 */
typedef const char *(*cli_option_fn)(void *value, const char *arg, char *msg, size_t size);

struct cli_option {
	enum cli_option_type type;
	int short_name;             /* 0: none */
	const char *long_name;
	void *value;
	const char *argh;           /* the argument's name in help ("URL"); NULL: takes none. FILE
				     * and DIR also tell the completion to offer paths. */
	const char *help;           /* one paragraph; wrapped by --help, filled by man */
	long min, max;              /* CLI_OPT_INTEGER, CLI_OPT_LONG */
	double dmin, dmax;          /* CLI_OPT_DOUBLE */
	const char *const *choices; /* CLI_OPT_CHOICE; for a callback, the words the shell offers */
	cli_option_fn callback;
};

/* Compile-time check that @v points to a @T. */
#define CLI_VALUE(v, T) ((void *)(1 ? (v) : (T *)0))

#define OPT_BOOLEAN(s, l, v, h) \
	{ .type = CLI_OPT_BOOLEAN, .short_name = (s), .long_name = (l), .value = CLI_VALUE(v, bool), .help = (h) }
#define OPT_STRING(s, l, v, a, h) \
	{ .type = CLI_OPT_STRING, .short_name = (s), .long_name = (l), .value = CLI_VALUE(v, const char *), \
	  .argh = (a), .help = (h) }
#define OPT_INTEGER(s, l, v, a, lo, hi, h) \
	{ .type = CLI_OPT_INTEGER, .short_name = (s), .long_name = (l), .value = CLI_VALUE(v, int), .argh = (a), \
	  .help = (h), .min = (lo), .max = (hi) }
#define OPT_LONG(s, l, v, a, lo, hi, h) \
	{ .type = CLI_OPT_LONG, .short_name = (s), .long_name = (l), .value = CLI_VALUE(v, long), .argh = (a), \
	  .help = (h), .min = (lo), .max = (hi) }
#define OPT_DOUBLE(s, l, v, a, lo, hi, h) \
	{ .type = CLI_OPT_DOUBLE, .short_name = (s), .long_name = (l), .value = CLI_VALUE(v, double), .argh = (a), \
	  .help = (h), .dmin = (lo), .dmax = (hi) }
#define OPT_CHOICE(s, l, v, a, c, h) \
	{ .type = CLI_OPT_CHOICE, .short_name = (s), .long_name = (l), .value = CLI_VALUE(v, int), .argh = (a), \
	  .help = (h), .choices = (c) }
#define OPT_CALLBACK(s, l, v, a, h, f, c) \
	{ .type = CLI_OPT_CALLBACK, .short_name = (s), .long_name = (l), .value = (v), .argh = (a), .help = (h), \
	  .callback = (f), .choices = (c) }
/* A name (--label): not empty. */
#define OPT_NAME(s, l, v, a, h) OPT_CALLBACK(s, l, CLI_VALUE(v, const char *), a, h, cli_check_name, NULL)
/* A file the command writes (--json, --record, --out): checked writable before anything is
 * measured or read. */
#define OPT_OUTPUT_FILE(s, l, v, h) \
	OPT_CALLBACK(s, l, CLI_VALUE(v, const char *), "FILE", h, cli_check_output_file, NULL)
#define OPT_END() { .type = CLI_OPT_END }

/* An operand (or an action word) and what it is, listed before the options. */
struct cli_operand {
	const char *name;
	const char *help;
};

struct cli_command {
	const char *name;
	const char *summary;                /* one line: the command list, the man page's NAME */
	const char *const *forms;           /* the operands of each synopsis line, NULL-terminated;
					     * NULL: the command takes none */
	const struct cli_operand *operands; /* ends with { NULL }; NULL: none */
	const struct cli_option *options;   /* ends with OPT_END(); -h, --help is added */
	const char *description;            /* paragraphs separated by "\n\n", after the options */
	int (*main)(int argc, char **argv);
};

/*
 * Set only by the command-line fuzzer (tests/fuzz/fuzz_cli.c): each command returns 0 as soon
 * as its options and operands are parsed and checked, before it reads or writes anything.
 */
extern bool cli_stop_after_arguments;

/* The commands (builtin-*.c). */
extern const struct cli_command cmd_probe, cmd_list, cmd_run, cmd_compare, cmd_baseline, cmd_import, cmd_export,
	cmd_history, cmd_report, cmd_review, cmd_nightly, cmd_datasheet, cmd_help;
/* Every command, in the order the top-level help lists them, NULL-terminated (builtin-help.c). */
extern const struct cli_command *const cli_commands[];
const struct cli_command *cli_command_find(const char *name);
/* The top-level usage: every command with its summary. */
void cli_write_commands(FILE *out);
/* -h, --help: every command has it, last in its list. */
extern const struct cli_option cli_help_option;

/*
 * Parses @argv (argv[0] is the command's name) against @cmd's options, storing each value.
 * Returns CLI_CONTINUE with the index of the first operand in *first; 0 after printing the
 * help for -h/--help; EXIT_USAGE after the usage error for an unknown option, a missing or
 * bad argument.
 */
int cli_parse(const struct cli_command *cmd, int argc, char **argv, int *first);
/* Checks operand @name's @arg with an option callback, as the parser checks an option: returns
 * CLI_CONTINUE, or EXIT_USAGE after the usage error "NAME: want ..., got '...'". */
int cli_check_operand(const struct cli_command *cmd, const char *name, cli_option_fn check, void *value,
		      const char *arg);
/* Prints "xstate-bench: <message>" and @cmd's help to stderr; returns EXIT_USAGE. */
int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The help (usage, operands, options, description) wrapped at 80 columns. */
void cli_write_help(const struct cli_command *cmd, FILE *out);
/* The man page, section 1, as troff (man(7) macros). */
void cli_write_man(const struct cli_command *cmd, FILE *out);
/* A bash completion script for every command's options and their arguments. */
void cli_write_completion(FILE *out);
/* Writes @text from column @indent, wrapped at 80 columns; the first line continues the
 * current one, which is at column @column. Honours '\n'. */
void cli_write_wrapped(FILE *out, const char *text, int column, int indent);

/* Callbacks shared by several commands. */
/* a POSIX extended regex that glibc can match in reasonable time and memory */
const char *cli_check_regex(void *value, const char *arg, char *msg, size_t size);  /* const char ** */
const char *cli_check_threshold(void *value, const char *arg, char *msg, size_t size); /* verdict_options */
const char *cli_check_alpha(void *value, const char *arg, char *msg, size_t size);     /* verdict_options */
const char *cli_check_suite(void *value, const char *arg, char *msg, size_t size);     /* unsigned int suites */
/* the guest launcher (host/guest_launcher.h); its name into *(const char **)value */
const char *cli_check_vmm(void *value, const char *arg, char *msg, size_t size);
/* a URL that names a file or a server: "" and ":memory:" would make SQLite keep the results
 * in a private temporary database and drop them at exit */
const char *cli_check_db(void *value, const char *arg, char *msg, size_t size);      /* const char ** */
/* OPT_NAME: not empty */
const char *cli_check_name(void *value, const char *arg, char *msg, size_t size);    /* const char ** */
/* OPT_OUTPUT_FILE: can be opened for writing (a file made only to find out is removed) */
const char *cli_check_output_file(void *value, const char *arg, char *msg, size_t size); /* const char ** */
/* events libpfm4 can encode, comma-separated (counters_check_list) */
const char *cli_check_counters(void *value, const char *arg, char *msg, size_t size); /* const char ** */

/* The options several commands share, with their help. */
#define CLI_DB_OPTION(v) \
	OPT_CALLBACK(0, "db", CLI_VALUE(v, const char *), "URL", "the results database: an SQLite file or " \
		     "postgresql://... (default $XSTATE_BENCH_DB, else ./xstate-bench.db)", cli_check_db, NULL)
#define CLI_VERDICT_OPTIONS(v) \
	OPT_CALLBACK(0, "threshold", v, "PCT", "the smallest change that counts, in percent (default 2)", \
		     cli_check_threshold, NULL), \
	OPT_CALLBACK(0, "alpha", v, "A", "the chance of any false alarm across the cases (default 0.01)", \
		     cli_check_alpha, NULL)

/* The metric compare, baseline, history and report read unless --metric names another. */
#define CLI_DEFAULT_METRIC METRIC_TICKS_PER_OP
/* compare's and report's --threshold 2 and --alpha 0.01, as a struct verdict_options */
#define CLI_VERDICT_DEFAULTS { .threshold = 0.02, .alpha = 0.01 }

/* --db, else $XSTATE_BENCH_DB, else xstate-bench.db in the current directory. */
const char *cli_db_url(const char *flag);
/* Now, UTC, ISO 8601: 2026-01-01T12:00:00Z */
void cli_iso_time(char *out, size_t size);
struct results_store;
/* Opens the database of --db @flag, read-only, for a command that reads it (it must exist);
 * on failure the message names the URL. */
int cli_open_results(const char *flag, struct results_store **st) XB_MUST_CHECK;
/* The same for a command that writes into an existing database (baseline set). */
int cli_open_results_for_writing(const char *flag, struct results_store **st) XB_MUST_CHECK;

#endif
