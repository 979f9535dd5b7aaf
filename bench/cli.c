/*
 * cli.c - parsing a command's options from its table (getopt_long), usage errors, the
 * callbacks that check and store the options several commands share, the database URL.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../host/counters.h"
#include "../results/store.h"
#include "../results/verdict.h"
#include "family_guest.h"
#include "plan.h"

#define MAX_OPTIONS 40
/* what a usage error quotes of an argument */
#define QUOTED_MAX 60

bool cli_stop_after_arguments;

const struct cli_option cli_help_option = OPT_BOOLEAN('h', "help", NULL, "this text");

int cli_usage_error(const struct cli_command *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("xstate-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n\n", stderr);
	cli_write_help(cmd, stderr);
	return EXIT_USAGE;
}

/* "WHAT: want WANT, got 'ARG'", the argument cut short when it is long. */
static int bad_argument(const struct cli_command *cmd, const char *what, const char *want, const char *arg)
{
	return cli_usage_error(cmd, "%s: want %s, got '%.*s%s'", what, want, QUOTED_MAX, arg,
			       strlen(arg) > QUOTED_MAX ? "..." : "");
}

static bool parse_long(const char *text, long min, long max, long *out)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(text, &end, 0);
	if (errno || end == text || *end || v < min || v > max)
		return false;
	*out = v;
	return true;
}

static bool parse_double(const char *text, double min, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (errno || end == text || *end || !isfinite(v) || v < min || v > max)
		return false;
	*out = v;
	return true;
}

/* Stores @arg for @o; NULL, or what was wanted. */
static const char *store(const struct cli_option *o, const char *arg, char *msg, size_t size)
{
	long v;

	switch (o->type) {
	case CLI_OPT_BOOLEAN:
		*(bool *)o->value = true;
		return NULL;
	case CLI_OPT_STRING:
		*(const char **)o->value = arg;
		return NULL;
	case CLI_OPT_INTEGER:
	case CLI_OPT_LONG:
		if (!parse_long(arg, o->min, o->max, &v)) {
			snprintf(msg, size, "%s from %ld to %ld", o->argh, o->min, o->max);
			return msg;
		}
		if (o->type == CLI_OPT_INTEGER)
			*(int *)o->value = (int)v;
		else
			*(long *)o->value = v;
		return NULL;
	case CLI_OPT_DOUBLE:
		if (!parse_double(arg, o->dmin, o->dmax, (double *)o->value)) {
			snprintf(msg, size, "%s from %g to %g", o->argh, o->dmin, o->dmax);
			return msg;
		}
		return NULL;
	case CLI_OPT_CHOICE:
		for (int i = 0; o->choices[i]; i++) {
			if (!strcmp(arg, o->choices[i])) {
				*(int *)o->value = i;
				return NULL;
			}
		}
		snprintf(msg, size, "one of");
		for (int i = 0; o->choices[i]; i++)
			snprintf(msg + strlen(msg), size - strlen(msg), " %s", o->choices[i]);
		return msg;
	case CLI_OPT_CALLBACK:
		return o->callback(o->value, arg, msg, size);
	case CLI_OPT_END:
		break;
	}
	return "nothing";
}

int cli_parse(const struct cli_command *cmd, int argc, char **argv, int *first)
{
	struct option longopts[MAX_OPTIONS + 2];
	char shorts[2 * MAX_OPTIONS + 4] = ":", msg[256], what[64];
	int n = 0, opt, index;

	for (const struct cli_option *o = cmd->options; o->type != CLI_OPT_END && n < MAX_OPTIONS; o++, n++) {
		longopts[n] = (struct option){ o->long_name, o->argh ? required_argument : no_argument, NULL, 256 + n };
		if (o->short_name)
			snprintf(shorts + strlen(shorts), sizeof(shorts) - strlen(shorts), "%c%s", o->short_name,
				 o->argh ? ":" : "");
	}
	longopts[n] = (struct option){ cli_help_option.long_name, no_argument, NULL, 'h' };
	longopts[n + 1] = (struct option){ 0 };
	strcat(shorts, "h");
	optind = 0; /* a full reset of GNU getopt */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, shorts, longopts, &index)) != -1) {
		const struct cli_option *o = NULL;
		const char *want;

		if (opt == 'h')
			return cli_write_help(cmd, stdout), 0;
		if (opt == '?' || opt == ':') {
			const char *text = optind > 0 && optind <= argc ? argv[optind - 1] : "?";

			if (opt == ':')
				return cli_usage_error(cmd, "%s: wants an argument", text);
			if (optopt && optopt != '?')
				return cli_usage_error(cmd, "unknown option '-%c'", optopt);
			return cli_usage_error(cmd, "unknown option '%s'", text);
		}
		if (opt >= 256)
			o = &cmd->options[opt - 256];
		for (int i = 0; !o && i < n; i++)
			if (cmd->options[i].short_name == opt)
				o = &cmd->options[i];
		if (!o)
			return cli_usage_error(cmd, "unknown option '-%c'", opt);
		want = store(o, optarg, msg, sizeof(msg));
		if (want) {
			snprintf(what, sizeof(what), "--%s", o->long_name);
			return bad_argument(cmd, what, want, optarg);
		}
	}
	*first = optind;
	return CLI_CONTINUE;
}

int cli_check_operand(const struct cli_command *cmd, const char *name, cli_option_fn check, void *value,
		      const char *arg)
{
	char msg[256];
	const char *want = check(value, arg, msg, sizeof(msg));

	return want ? bad_argument(cmd, name, want, arg) : CLI_CONTINUE;
}

/*
 * What makes @re too costly for glibc's regex, or NULL. Repetition operators right after one
 * another ("a*+", "a{2}{3}") are undefined in POSIX and make glibc's matching take minutes
 * ("^n*++++++x"). And regcomp copies a repeated item once per repetition it must keep apart
 * ('+' twice: x then x*; {m,n} n times), so nested repetitions multiply: "((a{99}){99}){99}"
 * would take gigabytes. Both found by fuzz_cli. Groups and alternatives add up their items.
 */
#define REGEX_MAX_NODES 100000.0

static const char *regex_too_costly(const char *re)
{
	double total[64] = { 0 }, last[64] = { 0 };
	bool repeated = false;
	int depth = 0;

	for (const char *p = re; *p; p++) {
		double item = 1, factor = 0;

		if (*p == '(' && depth < 63) {
			total[++depth] = 0;
			last[depth] = 0;
			repeated = false;
			continue;
		}
		if (*p == ')' && depth > 0) {
			item = total[depth--] + 1;
		} else if (*p == '*' || *p == '?') {
			factor = 1;
		} else if (*p == '+') {
			factor = 2;
		} else if (*p == '{') {
			char *end;
			unsigned long m = strtoul(p + 1, &end, 10), n = m;

			if (*end == ',')
				n = end[1] == '}' ? m + 1 : strtoul(end + 1, &end, 10);
			factor = n > 1 ? (double)n : 1;
			p = strchr(p, '}') ? strchr(p, '}') : p;
		} else if (*p == '[') {
			/* a bracket expression is one item: on to its ']' (one right after '[' or '[^' is literal) */
			p += p[1] == '^';
			p += p[1] == ']';
			while (p[1] && p[1] != ']')
				p++;
			p += !!p[1];
		} else if (*p == '\\' && p[1]) {
			p++;
		}
		if (factor && repeated)
			return "no repetition operator right after another (undefined in POSIX)";
		repeated = factor != 0;
		if (factor) {
			total[depth] += last[depth] * (factor - 1);
			last[depth] *= factor;
		} else {
			total[depth] += item;
			last[depth] = item;
		}
		if (total[depth] > REGEX_MAX_NODES)
			return "no repetitions nested too deep (more than 100000 parts once expanded)";
	}
	return NULL;
}

const char *cli_check_regex(void *value, const char *arg, char *msg, size_t size)
{
	const char *costly = regex_too_costly(arg);
	regex_t compiled;
	int err, used;

	if (costly) {
		snprintf(msg, size, "a POSIX extended regex with %s", costly);
		return msg;
	}
	err = regcomp(&compiled, arg, REG_EXTENDED | REG_NOSUB);
	if (!err) {
		regfree(&compiled);
		*(const char **)value = arg;
		return NULL;
	}
	used = snprintf(msg, size, "a POSIX extended regex (");
	regerror(err, &compiled, msg + used, size - (size_t)used - 1);
	strcat(msg, ")");
	return msg;
}

const char *cli_check_threshold(void *value, const char *arg, char *msg, size_t size)
{
	double pct;

	(void)msg, (void)size;
	if (!parse_double(arg, 0, 1000, &pct))
		return "a percentage from 0 to 1000";
	((struct verdict_options *)value)->threshold = pct / 100;
	return NULL;
}

const char *cli_check_alpha(void *value, const char *arg, char *msg, size_t size)
{
	(void)msg, (void)size;
	if (!parse_double(arg, 1e-12, 0.5, &((struct verdict_options *)value)->alpha))
		return "a probability in (0, 0.5]";
	return NULL;
}

const char *cli_check_suite(void *value, const char *arg, char *msg, size_t size)
{
	(void)msg, (void)size;
	return suite_parse(arg, value) ? "native, kvm, guest, kapi or all, comma-separated" : NULL;
}

const char *cli_check_vmm(void *value, const char *arg, char *msg, size_t size)
{
	(void)msg, (void)size;
	if (!guest_family_select_vmm(arg))
		return "kvm or qemu";
	if (value)
		*(const char **)value = arg;
	return NULL;
}

const char *cli_check_db(void *value, const char *arg, char *msg, size_t size)
{
	(void)msg, (void)size;
	if (!*arg || !strcmp(arg, ":memory:") || !strcmp(arg, "sqlite:") || !strcmp(arg, "sqlite::memory:"))
		return "an SQLite file or postgresql://... (this one names no file, so SQLite would keep the results "
		       "in a private temporary database and drop them at exit)";
	*(const char **)value = arg;
	return NULL;
}

const char *cli_check_name(void *value, const char *arg, char *msg, size_t size)
{
	(void)msg, (void)size;
	if (!*arg)
		return "a non-empty name";
	*(const char **)value = arg;
	return NULL;
}

const char *cli_check_output_file(void *value, const char *arg, char *msg, size_t size)
{
	int fd;

	if (!*arg)
		return "a file name";
	/* a file made only to find out is removed; an existing one is left as it is */
	if ((fd = open(arg, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666)) >= 0) {
		close(fd);
		unlink(arg);
	} else if (errno == EEXIST && (fd = open(arg, O_WRONLY | O_CLOEXEC)) >= 0) {
		close(fd);
	} else {
		snprintf(msg, size, "a file it can write (open: %s, errno %d)", strerror(errno), errno);
		return msg;
	}
	*(const char **)value = arg;
	return NULL;
}

const char *cli_check_counters(void *value, const char *arg, char *msg, size_t size)
{
	if (counters_check_list(arg)) {
		snprintf(msg, size, "events libpfm4 knows, comma-separated (%s)", xb_error_message());
		return msg;
	}
	*(const char **)value = arg;
	return NULL;
}

const char *cli_db_url(const char *flag)
{
	const char *env = getenv("XSTATE_BENCH_DB");

	if (flag)
		return flag;
	return env && *env ? env : "xstate-bench.db";
}

static int open_results(const char *flag, bool write, struct results_store **st)
{
	const char *url = cli_db_url(flag);
	int rc = write ? results_open_existing(url, st) : results_open_for_reading(url, st);

	if (rc)
		return xb_fail(-rc, "cannot use the results database %s: %s", url, xb_error_message());
	return 0;
}

int cli_open_results(const char *flag, struct results_store **st)
{
	return open_results(flag, false, st);
}

int cli_open_results_for_writing(const char *flag, struct results_store **st)
{
	return open_results(flag, true, st);
}

void cli_iso_time(char *out, size_t size)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
