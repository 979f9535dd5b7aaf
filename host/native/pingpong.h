/*
 * pingpong.h - two tasks passing a one-byte token through a pair of pipes, each keeping
 * its extended state in a hold (xstate_hold.h): the measuring side times round trips, the
 * partner (a thread, or a process of its own) answers. Pinned to one CPU, every round trip
 * is two context switches, each saving one task's xstate and restoring the other's.
 *
 * The partner obeys one-byte commands:
 *   'g' answer 'g' (a round trip)      'l' load its hold, answer 'l'
 *   'c' check its hold, answer a hold_check byte, then the CPU it runs on
 *   'q' leave the loop
 * Everything between loading the state and checking it is raw system calls and code
 * compiled without vector registers.
 */
#ifndef XB_HOST_NATIVE_PINGPONG_H
#define XB_HOST_NATIVE_PINGPONG_H

#include <stdint.h>

#include "xstate_hold.h"

struct pingpong_end {
	int rfd, wfd;
	const struct xstate_hold *hold;
};

/* The partner's loop; returns 0 after 'q', or -errno when the pipe fails. */
int pingpong_partner(const struct pingpong_end *e);

struct pingpong_result {
	uint64_t gross_ticks;       /* the timed round trips */
	struct hold_result before;  /* this side's state before them */
	struct hold_result self;    /* this side's state after them */
	struct hold_result partner; /* the partner's, as it reported */
	int partner_cpu;            /* where the partner ran */
	long error;                 /* -errno of a failed read or write, else 0 */
};

/*
 * One batch: the partner loads its state, this side saves the caller's state into @caller
 * (standard format, @caller_mask) and loads its hold, checks it, runs @warmup round trips,
 * times @n, checks its state again, asks the partner for its check, and restores the
 * caller's state.
 */
void pingpong_batch(const struct pingpong_end *e, uint32_t warmup, uint32_t n, void *caller,
		    uint64_t caller_mask, struct pingpong_result *out);

/* Asks the partner to leave its loop. */
void pingpong_stop(const struct pingpong_end *e);

#endif
