/*
 * sigframe.c - the recording handler and the signal loop. No vector code.
 */
#include "sigframe.h"

#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/ucontext.h>

#include "../../kernels/xstate_image.h"
#include "raw_syscall.h"

#define FXSAVE_SW_RESERVED_OFFSET 464

static volatile struct sigframe_seen seen;
static uint64_t expect_in_use, expect_mask;

static void record(int sig, siginfo_t *info, void *context)
{
	const ucontext_t *uc = context;
	const uint8_t *fp = (const uint8_t *)uc->uc_mcontext.fpregs;
	const struct _fpx_sw_bytes *sw = (const void *)(fp + FXSAVE_SW_RESERVED_OFFSET);
	const struct xstate_header *hdr = (const void *)(fp + XSTATE_LEGACY_SIZE);
	uint32_t magic2 = 0;

	(void)sig, (void)info;
	seen.deliveries++;
	if (sw->magic1 == FP_XSTATE_MAGIC1)
		__builtin_memcpy(&magic2, fp + sw->xstate_size, sizeof(magic2));
	if (sw->magic1 != FP_XSTATE_MAGIC1 || magic2 != FP_XSTATE_MAGIC2) {
		seen.bad_magic++;
		return;
	}
	seen.extended_size = sw->extended_size;
	seen.xstate_size = sw->xstate_size;
	seen.xfeatures = sw->xstate_bv;
	seen.xstate_bv = hdr->xstate_bv;
	/* The kernel always sets x87 and SSE in a frame's XSTATE_BV (for legacy handlers that
	 * edit the FXSAVE area); every other bit must match what was in use. */
	if ((hdr->xstate_bv & expect_mask) != (expect_in_use | (XFEATURES_FP & expect_mask)))
		seen.bv_mismatch++;
}

int sigframe_install(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = record;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	return sigaction(sig, &sa, NULL);
}

void sigframe_expect(uint64_t in_use, uint64_t mask)
{
	expect_in_use = in_use;
	expect_mask = mask;
	seen = (struct sigframe_seen){ 0 };
}

struct sigframe_seen sigframe_seen(void)
{
	return seen;
}

static long raise_n(long tgid, long tid, int sig, uint32_t n)
{
	long err = 0;

	for (uint32_t i = 0; i < n && !err; i++)
		err = raw_syscall3(SYS_tgkill, tgid, tid, sig);
	return err;
}

long sigframe_raise(int sig)
{
	return raise_n(raw_syscall3(SYS_getpid, 0, 0, 0), raw_syscall3(SYS_gettid, 0, 0, 0), sig, 1);
}

struct raise_ctx {
	long tgid, tid;
	int sig;
};

static long raise_trips(void *ctx, uint32_t n)
{
	const struct raise_ctx *r = ctx;

	return raise_n(r->tgid, r->tid, r->sig, n);
}

void sigframe_batch(const struct xstate_hold *h, int sig, uint32_t warmup, uint32_t n, void *caller,
		    uint64_t caller_mask, struct held_batch *out)
{
	struct raise_ctx r = { raw_syscall3(SYS_getpid, 0, 0, 0), raw_syscall3(SYS_gettid, 0, 0, 0), sig };

	xstate_hold_batch(h, raise_trips, &r, warmup, n, caller, caller_mask, out);
}
