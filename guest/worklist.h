/*
 * worklist.h - the payload's work list, read from the boot command line. Words are
 * separated by spaces:
 *
 *   case=PATTERN[,PATTERN...]  the cases to run, in the payload's table order; a pattern is
 *                              a case id in which '*' matches any run of characters
 *   reps=N                     samples per case (default 5)
 *   ops=N                      operations per timed batch (default 128)
 *   min_ticks=N                a sample is batches until their gross ticks reach N (default 0:
 *                              one batch)
 *   max_batches=N              but at most N batches (default 100000)
 *   xcr0=MASK                  enable at most these XCR0 components (x87 always): cases that
 *                              need others skip, as under a kernel that enables fewer features
 *   probe                      report the CPUID leaves and XCR0/XSS the payload sees, run nothing
 *   nocheck                    run cases without the CPUID pre-check: a missing feature then
 *                              shows as the exception it raises (turned into a skip)
 *   exit_counter               the VMM serves the exit counter (host/guest_launcher.h): the
 *                              cases that count VM exits report them with each sample
 *   selftest=triple|hang|ud    exercise an exception path before the cases (a triple fault, a
 *                              hang for the watchdog, an exception outside any case)
 *
 * Under multiboot the loader puts the image name first; the payload drops that word.
 * Freestanding: the host's tests use the same parser.
 */
#ifndef XB_GUEST_WORKLIST_H
#define XB_GUEST_WORKLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WORKLIST_MAX_BYTES 8192
#define WORKLIST_MAX_PATTERNS 160

enum selftest {
	SELFTEST_NONE,
	SELFTEST_TRIPLE,
	SELFTEST_HANG,
	SELFTEST_UD,
};

struct worklist {
	char text[WORKLIST_MAX_BYTES]; /* the parsed copy; patterns point into it */
	bool probe, nocheck, exit_counter;
	uint32_t reps, ops, max_batches;
	uint64_t min_ticks;
	uint64_t xcr0_limit; /* xcr0=, all ones by default */
	enum selftest selftest;
	int nr_patterns;
	const char *patterns[WORKLIST_MAX_PATTERNS];
};

/*
 * Parses @cmdline (dropping its first word when @skip_first_word). Returns true, or false
 * with @err naming the word it could not use.
 */
bool worklist_parse(struct worklist *w, const char *cmdline, bool skip_first_word, char *err,
		    size_t size);

/* Whether @id matches @pattern ('*' matches any run of characters, including none). */
bool worklist_match(const char *pattern, const char *id);

#endif
