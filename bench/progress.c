/*
 * progress.c - the progress of a run on stderr.
 */
#include "progress.h"

#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

const char *const progress_mode_names[] = { "auto", "line", "plain", "none", NULL };

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int terminal_width(FILE *out)
{
	struct winsize ws;

	return ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 20 ? ws.ws_col : 80;
}

/* "1:02", "1:02:03" */
static void duration(double seconds, char *out, size_t size)
{
	long s = seconds > 0 ? (long)(seconds + 0.5) : 0;

	if (s >= 3600)
		snprintf(out, size, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
	else
		snprintf(out, size, "%ld:%02ld", s / 60, s % 60);
}

void progress_start(struct progress *p, enum progress_mode mode, FILE *out, int rounds, int repetitions)
{
	memset(p, 0, sizeof(*p));
	if (mode == PROGRESS_AUTO)
		mode = isatty(fileno(out)) ? PROGRESS_LINE : PROGRESS_PLAIN;
	p->mode = mode;
	p->out = out;
	p->rounds = rounds;
	p->repetitions = repetitions;
	p->start = now_seconds();
	p->first_sample = -1;
}

/* Samples finished, and how many the run takes (later rounds counted with this one's cases). */
static void counts(const struct progress *p, long *done, long *total)
{
	*done = p->done_before + (p->begun > 0 ? p->begun - 1 : 0);
	*total = p->done_before + (long)p->cases * p->repetitions * (p->rounds - p->round);
}

void progress_format(const struct progress *p, double now, int width, char *out, size_t size)
{
	long done, total, begun = p->begun > 0 ? p->begun : 1;
	char elapsed[32], remaining[32], left[64] = "", head[64], tail[96];
	int room;

	counts(p, &done, &total);
	duration(now - p->start, elapsed, sizeof(elapsed));
	if (done > 0 && p->first_sample >= 0) {
		duration((now - p->first_sample) / (double)done * (double)(total - done), remaining, sizeof(remaining));
		snprintf(left, sizeof(left), ", about %s left", remaining);
	}
	snprintf(head, sizeof(head), "round %d/%d  case %ld/%d  ", p->round + 1, p->rounds,
		 (begun - 1) / p->repetitions + 1, p->cases);
	snprintf(tail, sizeof(tail), "  %s%s", elapsed, left);
	room = width - 1 - (int)strlen(head) - (int)strlen(tail);
	if (room < 8 || !p->current) {
		snprintf(out, size, "%s%s", head, tail + 2);
		return;
	}
	if ((int)strlen(p->current) <= room)
		snprintf(out, size, "%s%s%s", head, p->current, tail);
	else
		snprintf(out, size, "%s...%s%s", head, p->current + strlen(p->current) - (room - 3), tail);
}

static void show(struct progress *p, double now)
{
	char line[512];

	if (p->mode == PROGRESS_LINE) {
		progress_format(p, now, terminal_width(p->out), line, sizeof(line));
		fprintf(p->out, "\r\033[K%s", line);
		p->line_shown = true;
	} else {
		progress_format(p, now, 80 - (int)strlen("xstate-bench: "), line, sizeof(line));
		fprintf(p->out, "xstate-bench: %s\n", line);
	}
	fflush(p->out);
	p->last_shown = now;
}

void progress_round(struct progress *p, int round, int cases)
{
	if (round > p->round)
		p->done_before += p->begun;
	p->round = round;
	p->cases = cases;
	p->begun = 0;
}

void progress_sample(struct progress *p, const char *id)
{
	double now = now_seconds();

	p->begun++;
	p->current = id;
	if (p->first_sample < 0)
		p->first_sample = now;
	if (p->mode == PROGRESS_NONE)
		return;
	if (p->begun == 1 || now - p->last_shown >= (p->mode == PROGRESS_LINE ? PROGRESS_LINE_PERIOD
										 : PROGRESS_PLAIN_PERIOD))
		show(p, now);
}

void progress_clear(struct progress *p)
{
	if (p->mode == PROGRESS_LINE && p->line_shown) {
		fputs("\r\033[K", p->out);
		fflush(p->out);
		p->line_shown = false;
	}
}

void progress_finish(struct progress *p)
{
	char took[32];
	long samples = p->done_before + p->begun;

	if (p->mode == PROGRESS_NONE)
		return;
	progress_clear(p);
	duration(now_seconds() - p->start, took, sizeof(took));
	fprintf(p->out, "xstate-bench: %ld samples in %d round%s, %s\n", samples, p->rounds, p->rounds == 1 ? "" : "s",
		took);
	fflush(p->out);
}
