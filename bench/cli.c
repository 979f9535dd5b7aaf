/*
 * cli.c - parsing a command's options from its table (getopt_long), usage errors, the
 * callbacks several commands share, the database URL.
 */
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../results/store.h"
#include "../results/verdict.h"
#include "family_guest.h"
#include "plan.h"

#define MAX_OPTIONS 40

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
	char shorts[2 * MAX_OPTIONS + 4] = ":", msg[160];
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
		if (want)
			return cli_usage_error(cmd, "--%s: want %s, got '%s'", o->long_name, want, optarg);
	}
	*first = optind;
	return CLI_CONTINUE;
}

const char *cli_check_regex(void *value, const char *arg, char *msg, size_t size)
{
	regex_t compiled;
	int err = regcomp(&compiled, arg, REG_EXTENDED | REG_NOSUB);
	int used;

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

const char *cli_db_url(const char *flag)
{
	const char *env = getenv("XSTATE_BENCH_DB");

	if (flag)
		return flag;
	return env && *env ? env : "xstate-bench.db";
}

int cli_open_results(const char *flag, struct results_store **st)
{
	const char *url = cli_db_url(flag);
	int rc = results_open_existing(url, st);

	if (rc)
		return xb_fail(-rc, "cannot use the results database %s: %s", url, xb_error_message());
	return 0;
}

void cli_iso_time(char *out, size_t size)
{
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(out, size, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
