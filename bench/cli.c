/*
 * cli.c - shared command-line helpers.
 */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../results/store.h"
#include "../results/verdict.h"

bool cli_stop_after_arguments;

int cli_usage_error(const char *usage, const char *fmt, ...)
{
	va_list ap;

	fputs("xstate-bench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n\n%s", usage);
	return EXIT_USAGE;
}

int cli_help(const char *usage)
{
	fputs(usage, stdout);
	return 0;
}

int cli_bad_option(const char *usage, int argc, char **argv)
{
	const char *opt = optind > 0 && optind <= argc ? argv[optind - 1] : "?";

	return cli_usage_error(usage, "bad option or missing argument: %s", opt);
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
			return "a repetition operator right after another (undefined in POSIX regular expressions)";
		repeated = factor != 0;
		if (factor) {
			total[depth] += last[depth] * (factor - 1);
			last[depth] *= factor;
		} else {
			total[depth] += item;
			last[depth] = item;
		}
		if (total[depth] > REGEX_MAX_NODES)
			return "repetitions nested too deep (more than 100000 parts once expanded)";
	}
	return NULL;
}

bool cli_regex_ok(const char *usage, const char *option, const char *re)
{
	const char *costly = regex_too_costly(re);

	if (costly) {
		cli_usage_error(usage, "%s '%.60s%s': %s", option, re, strlen(re) > 60 ? "..." : "", costly);
		return false;
	}
	regex_t compiled;
	char msg[128];
	int err = regcomp(&compiled, re, REG_EXTENDED | REG_NOSUB);

	if (!err) {
		regfree(&compiled);
		return true;
	}
	regerror(err, &compiled, msg, sizeof(msg));
	cli_usage_error(usage, "%s '%s': %s", option, re, msg);
	return false;
}

bool cli_parse_long(const char *text, long min, long max, long *out)
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

bool cli_parse_double(const char *text, double min, double max, double *out)
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

int cli_verdict_option(const char *usage, int opt, const char *arg, struct verdict_options *o)
{
	double pct;

	if (opt == 'a') {
		if (!cli_parse_double(arg, 1e-12, 0.5, &o->alpha))
			return cli_usage_error(usage, "--alpha: want a probability in (0, 0.5], got '%s'", arg);
		return 0;
	}
	if (!cli_parse_double(arg, 0, 1000, &pct))
		return cli_usage_error(usage, "--threshold: want a percentage, got '%s'", arg);
	o->threshold = pct / 100;
	return 0;
}

const char *cli_db_url(const char *flag)
{
	const char *env = getenv("XSTATE_BENCH_DB");

	if (flag)
		return flag;
	return env && *env ? env : "xstate-bench.db";
}

const char *cli_db_option(const char *usage, const char *url)
{
	if (!*url || !strcmp(url, ":memory:") || !strcmp(url, "sqlite:") || !strcmp(url, "sqlite::memory:")) {
		cli_usage_error(usage, "--db '%s': names no file, so SQLite would keep the results in a private "
				"temporary database and drop them at exit", url);
		return NULL;
	}
	return url;
}

const char *cli_output_file(const char *usage, const char *option, const char *path)
{
	int fd;

	if (!*path) {
		cli_usage_error(usage, "%s: an empty file name", option);
		return NULL;
	}
	/* a file made only to find out is removed; an existing one is left as it is */
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666)) >= 0) {
		close(fd);
		unlink(path);
		return path;
	}
	if (errno == EEXIST && (fd = open(path, O_WRONLY | O_CLOEXEC)) >= 0) {
		close(fd);
		return path;
	}
	cli_usage_error(usage, "%s %s: cannot write it: %s (errno %d)", option, path, strerror(errno), errno);
	return NULL;
}

const char *cli_name_option(const char *usage, const char *what, const char *name)
{
	if (*name)
		return name;
	cli_usage_error(usage, "%s: an empty name", what);
	return NULL;
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
