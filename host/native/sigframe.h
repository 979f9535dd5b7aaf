/*
 * sigframe.h - a signal delivered to the calling thread and returned from, with the
 * extended state in a hold: the kernel saves the registers into the signal frame (its
 * xstate part sized for the task's user features, AT_MINSIGSTKSZ covering it), runs the
 * handler with the state cleared, and restores the registers from the frame at
 * rt_sigreturn. The handler records what the frame's own software-reserved bytes
 * (struct _fpx_sw_bytes) and XSAVE header say. No vector code; raw system calls.
 */
#ifndef XB_HOST_NATIVE_SIGFRAME_H
#define XB_HOST_NATIVE_SIGFRAME_H

#include <stdbool.h>
#include <stdint.h>

#include "xstate_hold.h"

/* What the handler saw, over every delivery since the last reset. */
struct sigframe_seen {
	uint64_t deliveries;
	uint64_t bad_magic;     /* frames without FP_XSTATE_MAGIC1 and MAGIC2 */
	uint64_t bv_mismatch;   /* frames whose XSTATE_BV did not show the expected components
				 * (x87 and SSE are always set in a frame) */
	uint32_t extended_size; /* the last frame's: xstate and the trailing magic */
	uint32_t xstate_size;   /* the last frame's xstate bytes */
	uint64_t xfeatures;     /* the last frame's user features (sw_reserved.xstate_bv) */
	uint64_t xstate_bv;     /* the last frame's XSAVE header XSTATE_BV */
};

/* Installs the recording handler for @sig (SA_SIGINFO). */
int sigframe_install(int sig);

/* Clears what was seen; frames must show exactly @in_use among @mask in use. */
void sigframe_expect(uint64_t in_use, uint64_t mask);

/* What was seen since sigframe_expect(). */
struct sigframe_seen sigframe_seen(void);

/* Sends @sig to the calling thread once: returns 0 or -errno of tgkill. */
long sigframe_raise(int sig);

/*
 * One batch (xstate_hold_batch): saves the caller's state into @caller (@caller_mask), loads
 * the hold and checks it, sends @warmup signals, times @n, checks the hold again and restores
 * the caller's state; error is tgkill's.
 */
void sigframe_batch(const struct xstate_hold *h, int sig, uint32_t warmup, uint32_t n, void *caller,
		    uint64_t caller_mask, struct held_batch *out);

#endif
