/*
 * family_signal.c - native/signal/roundtrip/{none,fp,avx,avx512,amx}: a signal sent to the
 * measuring thread itself and returned from, with the named components in use (none: every
 * component in init, the control). One operation is one round trip: tgkill, the kernel
 * saving the registers into the signal frame, the handler, rt_sigreturn restoring them.
 * Each case records the frame's xstate size from its own software-reserved bytes beside
 * AT_MINSIGSTKSZ.
 */
#include "families.h"

#include <errno.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "../host/native/sigframe.h"
#include "kpath.h"

#define SIGNAL_ROUND_TRIPS 64
#define SIGNAL_WARMUP 8
#define SIGNAL_MAX_ATTEMPTS 8
#define SIGNAL_USED SIGUSR2

struct signal_case {
	struct kpath_holds holds;
	unsigned long minsigstksz;
	uint32_t round_trips;
};

static int signal_plan(const struct machine *m, struct plan *plan)
{
	return kpath_plan_sets(m, plan, &family_signal, "signal", "roundtrip", 0, true, NULL);
}

static void signal_teardown(struct bench_case *c)
{
	struct signal_case *sc = c->state;

	if (!sc)
		return;
	kpath_holds_free(&sc->holds);
	free(sc);
	c->state = NULL;
}

static int signal_setup(struct bench_case *c, const struct run_env *env)
{
	struct signal_case *sc = calloc(1, sizeof(*sc));
	int rc;

	if (!sc)
		return xb_fail(ENOMEM, "out of memory");
	c->state = sc;
	rc = kpath_holds_init(&sc->holds, c, &env->machine->layout, 1);
	if (rc)
		goto fail;
	if (sigframe_install(SIGNAL_USED)) {
		rc = xb_fail_errno("sigaction(SIGUSR2)");
		goto fail;
	}
	sc->minsigstksz = env->machine->kernel.minsigstksz;
	sc->round_trips = env->ops_override ? env->ops_override : SIGNAL_ROUND_TRIPS;
	c->ops_per_batch = sc->round_trips;
	case_set_attribute(c, "minsigstksz", "%lu", sc->minsigstksz);
	return 0;
fail:
	signal_teardown(c);
	return rc;
}

static int signal_check(const struct signal_case *sc, const struct held_batch *r,
			const struct sigframe_seen *seen, struct batch_result *out)
{
	uint32_t sent = sc->round_trips + SIGNAL_WARMUP;

	if (r->error)
		return snprintf(out->error, sizeof(out->error), "tgkill: errno %ld: no number reported", -r->error), -1;
	if (r->after.check != HOLD_OK)
		return kpath_hold_error(out->error, sizeof(out->error), "the state after the signals", r->after), -1;
	if (seen->deliveries != sent || seen->bad_magic)
		return snprintf(out->error, sizeof(out->error), "%" PRIu64 " of %u signals reached the handler, %"
				PRIu64 " frames without the FP_XSTATE magics: no number reported",
				seen->deliveries, sent, seen->bad_magic), -1;
	if (seen->bv_mismatch)
		return snprintf(out->error, sizeof(out->error), "%" PRIu64 " signal frames did not show 0x%" PRIx64
				" in use (last XSTATE_BV 0x%" PRIx64 "): no number reported", seen->bv_mismatch,
				sc->holds.hold[0].in_use, seen->xstate_bv), -1;
	if (sc->minsigstksz && seen->xstate_size > sc->minsigstksz)
		return snprintf(out->error, sizeof(out->error), "the frame's xstate (%u bytes) exceeds AT_MINSIGSTKSZ "
				"(%lu): no number reported", seen->xstate_size, sc->minsigstksz), -1;
	return 0;
}

static int signal_batch(struct bench_case *c, struct batch_result *out)
{
	struct signal_case *sc = c->state;
	const struct xstate_hold *h = &sc->holds.hold[0];
	struct held_batch r;
	struct sigframe_seen seen;
	int discarded = 0;

	for (;;) {
		sigframe_expect(h->in_use, h->load_mask);
		sigframe_batch(h, SIGNAL_USED, SIGNAL_WARMUP, sc->round_trips, sc->holds.caller, h->load_mask, &r);
		seen = sigframe_seen();
		if (!xstate_hold_disturbed(&r.before) || ++discarded == SIGNAL_MAX_ATTEMPTS)
			break;
	}
	if (r.before.check != HOLD_OK)
		return kpath_hold_error(out->error, sizeof(out->error), "the state before the signals", r.before), -1;
	if (signal_check(sc, &r, &seen, out))
		return -1;
	if (h->layout->xgetbv1) {
		case_set_attribute(c, ATTR_XINUSE_BEFORE, "0x%" PRIx64, r.before.xinuse);
		case_set_attribute(c, ATTR_XINUSE_AFTER, "0x%" PRIx64, r.after.xinuse);
	}
	case_set_attribute(c, "frame_xstate_size", "%u", seen.xstate_size);
	case_set_attribute(c, "frame_extended_size", "%u", seen.extended_size);
	case_set_attribute(c, "frame_xfeatures", "0x%" PRIx64, seen.xfeatures);
	out->gross_ticks = r.gross_ticks;
	out->ops = sc->round_trips;
	out->metrics[out->nr_metrics++] = (struct gbench_metric){
		.name = METRIC_DISCARDED_BATCHES, .kind = GBENCH_PER_BATCH, .value = discarded };
	return 0;
}

const struct bench_family family_signal = {
	.name = "signal",
	.site = SITE_NATIVE,
	.plan = signal_plan,
	.setup = signal_setup,
	.batch = signal_batch,
	.teardown = signal_teardown,
};
