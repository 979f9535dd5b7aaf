/*
 * progress.h - what `run` shows on stderr while it measures: round r of R, case i of N (the
 * round's samples begun, over the samples a case takes in a round: samples interleave
 * across the cases), the case being measured, the time elapsed and an estimate of the time
 * left; as one updating line on a terminal, a plain line every few seconds otherwise, or
 * nothing.
 */
#ifndef XB_BENCH_PROGRESS_H
#define XB_BENCH_PROGRESS_H

#include <stdbool.h>
#include <stdio.h>

enum progress_mode {
	PROGRESS_AUTO,  /* LINE on a terminal, else PLAIN */
	PROGRESS_LINE,  /* one line, rewritten in place */
	PROGRESS_PLAIN, /* a line when a round starts and every PROGRESS_PLAIN_PERIOD seconds */
	PROGRESS_NONE,
};

/* The modes' names in enum order, NULL-terminated: --progress's choices. */
extern const char *const progress_mode_names[];

#define PROGRESS_PLAIN_PERIOD 10.0
#define PROGRESS_LINE_PERIOD 0.2

struct progress {
	enum progress_mode mode; /* LINE, PLAIN or NONE */
	FILE *out;
	int rounds, repetitions;
	int round, cases;        /* the round being measured and how many cases it measures */
	long begun;              /* samples begun in this round */
	long done_before;        /* samples of the earlier rounds */
	double start, first_sample, last_shown; /* seconds, CLOCK_MONOTONIC */
	const char *current;     /* the case being measured */
	bool line_shown;         /* LINE: the line is on the terminal */
};

/* @rounds rounds of @repetitions samples per case; AUTO resolved against @out. */
void progress_start(struct progress *p, enum progress_mode mode, FILE *out, int rounds, int repetitions);
/* Round @round (from 0) measures @cases cases. */
void progress_round(struct progress *p, int round, int cases);
/* A sample of case @id begins. */
void progress_sample(struct progress *p, const char *id);
/* Erases the updating line, so that a message can be printed; the next sample redraws it. */
void progress_clear(struct progress *p);
/* The end: the last line says how many samples took how long. */
void progress_finish(struct progress *p);

/* The line as shown (and as the tests check it): "round 2/3  case 48/116
 * native/save/xsave/fp/init  1:02, about 0:40 left", fitting @width columns (the id is
 * shortened from its left). */
void progress_format(const struct progress *p, double now, int width, char *out, size_t size);

#endif
