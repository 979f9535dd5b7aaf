/*
 * family_guest.c - the guest/... cases: ring-0 kernels run by the payload (guest/) inside a
 * VM that a launcher (host/guest_launcher.h, `--vmm`) boots.
 *
 * Planning uses the CPUID the guest sees: the payload's own `probe` boot under the chosen
 * launcher (a recorded machine stands for the CPUID a KVM guest of it would see), and the
 * payload's own requirement checks (guest/cases.c). Measuring boots the payload once for
 * every selected guest case: it takes the work list on its command line and reports one
 * `sample` record per repetition, already net of its own calibrated overhead; each becomes
 * one sample here (the family is self-timed), with the overhead the guest subtracted and its
 * core clock, which the runner uses instead of its own. Results under TCG (QEMU's, or a KVM nested in
 * a TCG VM) carry `functional_only`.
 *
 * The exit and MSR cases count KVM's exits around their timed loops where the launcher serves
 * the exit counter (this project's VMM, from KVM_GET_STATS_FD); each sample stores the exits
 * per operation that KVM counts under no reason of its own (not port I/O, MMIO, interrupts,
 * HLT or windows: the operation's), and a case whose operation KVM always intercepts
 * (guest_case_exit_claim) fails unless every operation exited. Elsewhere (QEMU) the case
 * records that the count is not available.
 */
#include "family_guest.h"
#include "families.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../guest/cases.h"
#include "../guest/worklist.h"
#include "../host/guest_launcher.h"
#include "../host/guest_records.h"
#include "calibration.h"
#include "companion.h"

#define GUEST_DEFAULT_OPS 128
#define GUEST_MEM_MIB 64
#define PROBE_TIMEOUT_S 30.0
#define PROBE_OUTPUT_MAX (64 * 1024)
#define TCG_REASON "QEMU TCG: no hardware virtualization"

const char *const guest_vmm_names[] = { "kvm", "qemu", NULL };
static const char *selected_vmm = "kvm";

bool guest_family_select_vmm(const char *name)
{
	for (size_t i = 0; guest_vmm_names[i]; i++) {
		if (!strcmp(name, guest_vmm_names[i])) {
			selected_vmm = guest_vmm_names[i];
			return true;
		}
	}
	return false;
}

void guest_payload_path(char *out, size_t size)
{
	const char *env = getenv("XSTATE_BENCH_GUEST");

	if (env && *env)
		snprintf(out, size, "%s", env);
	else if (companion_path("xstate-guest.elf", R_OK, out, size))
		snprintf(out, size, "%s", XB_GUEST_PAYLOAD);
}

/* ---- planning ---- */

struct probe_result {
	struct cpuid_dump dump;
	bool have_state;
	uint64_t xss, init_untracked;
};

static int probe_record(void *ctx, const struct guest_record *r)
{
	struct probe_result *p = ctx;
	uint64_t v[6];

	if (!strcmp(r->kind, "cpuid")) {
		static const char *const keys[6] = { "leaf", "sub", "eax", "ebx", "ecx", "edx" };

		for (int i = 0; i < 6; i++)
			if (guest_record_u64(r, keys[i], &v[i]) || v[i] > UINT32_MAX)
				return xb_fail(EINVAL, "guest output line %d: bad cpuid record", r->line);
		if (!cpuid_dump_add(&p->dump, (uint32_t)v[0], (uint32_t)v[1],
				    &(struct cpuid_regs){ (uint32_t)v[2], (uint32_t)v[3], (uint32_t)v[4], (uint32_t)v[5] }))
			return xb_fail(E2BIG, "the guest reported too many CPUID leaves");
	} else if (!strcmp(r->kind, "state")) {
		if (guest_record_u64(r, "xcr0", &p->dump.xcr0) || guest_record_u64(r, "xss", &p->xss) ||
		    guest_record_u64(r, "init_untracked", &p->init_untracked))
			return -EINVAL;
		p->have_state = true;
	}
	return 0;
}

static struct guest_launch launch_for(const struct machine *m, const char *payload, const char *cmdline)
{
	return (struct guest_launch){
		.payload = payload,
		.cmdline = cmdline,
		/* KVM offers a guest what the host enabled and KVM supports (KVM_X86_XCOMP_GUEST_SUPP) */
		.xcr0 = m->layout.xcr0 & (m->kvm.xcomp_guest_supp_known ? m->kvm.xcomp_guest_supp : ~0ull),
		.xss = m->layout.xss,
		.mem_mib = GUEST_MEM_MIB,
		.cpu = -1,
		.timeout_s = PROBE_TIMEOUT_S,
		.max_output = PROBE_OUTPUT_MAX,
	};
}

/* Boots the payload with `probe`; fills @g with what the guest sees, or @why. */
static bool probe_guest(const struct machine *m, const struct guest_launcher *vmm, const char *payload,
			struct guest_cpu *g, char *why, size_t size)
{
	struct guest_launch l = launch_for(m, payload, "probe");
	struct probe_result *p = calloc(1, sizeof(*p));
	struct cpuid_provider provider;
	struct guest_outcome out;
	bool ok = false;

	if (!p)
		return snprintf(why, size, "out of memory"), false;
	if (vmm->run(&l, &out)) {
		snprintf(why, size, "the probe boot under %s failed: %s", vmm->name, xb_error_message());
	} else if (out.end != GUEST_EXITED || out.status != GUEST_STATUS_OK) {
		snprintf(why, size, "the probe boot under %s ended: %s (%.160s)", vmm->name, guest_end_name(out.end),
			 out.detail);
	} else if (guest_records_each(out.output, out.output_len, probe_record, p) || !p->have_state) {
		snprintf(why, size, "the probe boot under %s: %s", vmm->name,
			 p->have_state ? xb_error_message() : "no state record");
	} else {
		cpuid_provider_from_dump(&provider, &p->dump);
		guest_cpu_decode(g, &provider, p->xss);
		g->init_untracked = p->init_untracked;
		ok = true;
	}
	if (out.output)
		guest_outcome_free(&out);
	free(p);
	return ok;
}

/* A recorded machine: the CPUID a KVM guest of it would see, with what the payload enables. */
static bool guest_of_dump(const struct machine *m, struct guest_cpu *g)
{
	struct cpuid_dump *d = malloc(sizeof(*d));
	struct cpuid_provider provider;

	if (!d)
		return false;
	*d = m->dump;
	d->xcr0 = guest_xcr0_wanted(&m->cpuid);
	cpuid_provider_from_dump(&provider, d);
	guest_cpu_decode(g, &provider, guest_xss_wanted(&m->cpuid));
	free(d);
	return true;
}

/* What the guest sees under the selected launcher; false with the reason every case skips. */
static bool guest_view(const struct machine *m, struct guest_cpu *g, char *why, size_t size)
{
	const struct guest_launcher *vmm = guest_launcher_find(selected_vmm);
	char payload[PATH_MAX], vwhy[CASE_REASON_MAX - 64];

	if (!vmm)
		return snprintf(why, size, "the '%s' launcher is not built into this xstate-bench (another "
				"--vmm may be: see run --help)", selected_vmm), false;
	if (m->from_dump)
		return guest_of_dump(m, g) || (snprintf(why, size, "out of memory"), false);
	if (!vmm->available(vwhy, sizeof(vwhy)))
		return snprintf(why, size, "the '%s' launcher cannot run the guest here: %s", vmm->name, vwhy), false;
	guest_payload_path(payload, sizeof(payload));
	if (access(payload, R_OK))
		return snprintf(why, size, "no guest payload at %.150s (cmake --build build --target xstate-guest)",
				payload), false;
	return probe_guest(m, vmm, payload, g, why, size);
}

/*
 * KVM nested in a VM that QEMU's TCG runs (the lab), under either launcher: TCG's emulated
 * SVM does not intercept XSETBV, so the guest's XSETBV never exits and KVM loads its own idea
 * of the guest's XCR0 again at the next entry; the case would measure nothing it claims.
 */
static bool xsetbv_exits(const struct machine *m, const struct guest_case *c, char *why, size_t size)
{
	const struct guest_launcher *vmm = guest_launcher_find(selected_vmm);

	if (c->kind != GK_XSETBV || m->from_dump || !machine_under_tcg(m) || !vmm || !vmm->uses_kvm())
		return true;
	snprintf(why, size, "KVM nested under QEMU TCG: TCG's emulated SVM does not intercept XSETBV, so it "
		 "does not exit and KVM reloads its own value of the guest's XCR0 at the next entry");
	return false;
}

static int guest_plan(const struct machine *m, struct plan *plan)
{
	struct guest_case table[GUEST_CASES_MAX];
	struct guest_cpu *g = calloc(1, sizeof(*g));
	char all_why[CASE_REASON_MAX], why[CASE_REASON_MAX];
	int n = guest_cases_enumerate(table, GUEST_CASES_MAX), rc = 0;
	bool viewable;

	if (!g)
		return xb_fail(ENOMEM, "out of memory");
	viewable = guest_view(m, g, all_why, sizeof(all_why));
	for (int i = 0; i < n && !rc; i++) {
		uint64_t mask = 0;
		bool ok = viewable && guest_case_check(g, &table[i], &mask, why, sizeof(why)) &&
			  xsetbv_exits(m, &table[i], why, sizeof(why));
		struct bench_case *c = plan_add(plan, &family_guest, table[i].id, ok ? NULL : "%s",
						viewable ? why : all_why);

		if (!c)
			rc = xb_fail(ENOMEM, "out of memory");
		else
			c->features = mask;
	}
	free(g);
	return rc;
}

/* ---- measuring: one boot for every guest case of the run ---- */

struct guest_sample {
	int64_t net;
	uint64_t gross, ops, batches, overhead, chain_ticks, modopt_hits, exits, exits_with_reason;
	bool has_modopt, has_exits;
};

struct session_case {
	struct bench_case *c;
	enum guest_exit_claim exit_claim;
	struct guest_sample *samples;
	int nr, next;
	char failure[GBENCH_ERROR_MAX];
	bool skipped; /* the failure is the guest's skip reason */
};

static struct {
	int nr, cap, live;
	struct session_case *cases;
	bool launched;
	struct run_env env;
} session;

static struct session_case *session_find(const char *id)
{
	for (int i = 0; i < session.nr; i++)
		if (!strcmp(session.cases[i].c->id, id))
			return &session.cases[i];
	return NULL;
}

static void fail_case(struct session_case *sc, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail_case(struct session_case *sc, const char *fmt, ...)
{
	va_list ap;

	if (sc->failure[0])
		return; /* the first reason is the one that matters */
	va_start(ap, fmt);
	vsnprintf(sc->failure, sizeof(sc->failure), fmt, ap);
	va_end(ap);
}

static enum guest_exit_claim exit_claim_of(const char *id)
{
	struct guest_case table[GUEST_CASES_MAX];
	int n = guest_cases_enumerate(table, GUEST_CASES_MAX);

	for (int i = 0; i < n; i++)
		if (!strcmp(table[i].id, id))
			return guest_case_exit_claim(table[i].kind);
	return EXITS_NOT_COUNTED;
}

static int guest_setup(struct bench_case *c, const struct run_env *env)
{
	if (session.nr == session.cap) {
		int cap = session.cap ? 2 * session.cap : 32;
		struct session_case *grown = realloc(session.cases, (size_t)cap * sizeof(*grown));

		if (!grown)
			return xb_fail(ENOMEM, "out of memory");
		session.cases = grown;
		session.cap = cap;
	}
	session.cases[session.nr++] = (struct session_case){ .c = c, .exit_claim = exit_claim_of(c->id) };
	session.live++;
	session.env = *env;
	c->ops_per_batch = env->ops_override ? env->ops_override : GUEST_DEFAULT_OPS;
	case_set_attribute(c, "launcher", "%s", selected_vmm);
	return 0;
}


static int take_sample(struct session_case *sc, const struct guest_record *r)
{
	struct guest_sample s = { 0 };
	struct guest_sample *grown;

	if (guest_record_i64(r, "ticks", &s.net) || guest_record_u64(r, "gross", &s.gross) ||
	    guest_record_u64(r, "ops", &s.ops) || guest_record_u64(r, "batches", &s.batches) ||
	    guest_record_u64(r, "overhead", &s.overhead) || guest_record_u64(r, "chain_ticks", &s.chain_ticks))
		return -EINVAL;
	if (!s.ops || !s.batches || !s.chain_ticks)
		return xb_fail(EINVAL, "guest output line %d: a sample with zero ops, batches or clock", r->line);
	s.has_modopt = guest_record_get(r, "modopt_hits") != NULL;
	if (s.has_modopt && guest_record_u64(r, "modopt_hits", &s.modopt_hits))
		return -EINVAL;
	s.has_exits = guest_record_get(r, "exits") != NULL;
	if (s.has_exits && (guest_record_u64(r, "exits", &s.exits) ||
			    guest_record_u64(r, "exits_with_reason", &s.exits_with_reason)))
		return -EINVAL;
	if (s.has_exits && s.exits_with_reason > s.exits)
		return xb_fail(EINVAL, "guest output line %d: more exits with a reason (%" PRIu64 ") than exits (%"
			       PRIu64 ")", r->line, s.exits_with_reason, s.exits);
	if (s.has_exits && !guest_exits_keep_claim(sc->exit_claim, s.ops, s.exits, s.exits_with_reason)) {
		fail_case(sc, "KVM counted %" PRIu64 " exits for %" PRIu64 " operations (%" PRIu64 " exits in all, %"
			  PRIu64 " of them port I/O, MMIO, interrupts, HLT or windows): the operation did not exit "
			  "each time, so the case did not measure an exit: no number reported", s.exits -
			  s.exits_with_reason, s.ops, s.exits, s.exits_with_reason);
		return 0; /* not a sample */
	}
	if (guest_record_get(r, "xinuse"))
		case_set_attribute(sc->c, "xinuse_before", "%s", guest_record_get(r, "xinuse"));
	grown = realloc(sc->samples, (size_t)(sc->nr + 1) * sizeof(*grown));
	if (!grown)
		return xb_fail(ENOMEM, "out of memory");
	sc->samples = grown;
	sc->samples[sc->nr++] = s;
	return 0;
}

static int session_record(void *ctx, const struct guest_record *r)
{
	const char *id = guest_record_get(r, "id");
	struct session_case *sc = id ? session_find(id) : NULL;

	(void)ctx;
	if (!sc)
		return 0; /* run-wide records: hello, state, end, and exceptions outside cases */
	if (!strcmp(r->kind, "sample"))
		return take_sample(sc, r);
	if (!strcmp(r->kind, "case")) {
		static const char *const facts[] = { "rfbm", "buffer_bytes", "format", "insns" };

		for (size_t i = 0; i < sizeof(facts) / sizeof(facts[0]); i++)
			if (guest_record_get(r, facts[i]))
				case_set_attribute(sc->c, facts[i], "%s", guest_record_get(r, facts[i]));
	} else if (!strcmp(r->kind, "skip")) {
		sc->skipped = !sc->failure[0];
		fail_case(sc, "the guest skipped it: %s", guest_record_get(r, "reason"));
	} else if (!strcmp(r->kind, "error")) {
		fail_case(sc, "the guest: %s (expected %s, got %s)", guest_record_get(r, "reason"),
			  guest_record_get(r, "expected") ?: "-", guest_record_get(r, "actual") ?: "-");
	} else if (!strcmp(r->kind, "exception")) {
		fail_case(sc, "the guest: exception %s at rip %s (error code %s)", guest_record_get(r, "name"),
			  guest_record_get(r, "rip"), guest_record_get(r, "error"));
	}
	return 0;
}

/* The last two lines of the guest's output, for reports of a guest that died. */
static const char *last_output(const struct guest_outcome *out)
{
	const char *s = out->output + out->output_len;
	int lines = 0;

	while (s > out->output && lines < 3)
		if (*--s == '\n')
			lines++;
	return out->output_len ? (s == out->output ? s : s + 1) : "(none)";
}

static size_t build_cmdline(char *buf, size_t size)
{
	const char *extra = getenv("XSTATE_BENCH_GUEST_ARGS");
	const struct run_env *env = &session.env;
	size_t n = (size_t)snprintf(buf, size, "reps=%d ops=%u min_ticks=%.0f case=", env->repetitions,
				    session.cases[0].c->ops_per_batch, env->min_time * env->machine->tsc.hz);

	for (int i = 0; i < session.nr && n < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s%s", i ? "," : "", session.cases[i].c->id);
	if (extra && *extra && n < size)
		n += (size_t)snprintf(buf + n, size - n, " %s", extra);
	return n;
}

static double session_timeout(void)
{
	const char *env = getenv("XSTATE_BENCH_GUEST_TIMEOUT");
	double per_sample = 3 * session.env.min_time + 0.05;

	if (env && atof(env) > 0)
		return atof(env);
	/* generous: TCG runs the payload many times slower than hardware */
	return 30 + 4 * session.nr * session.env.repetitions * per_sample;
}

static void launch(void)
{
	const struct guest_launcher *vmm = guest_launcher_find(selected_vmm);
	const struct machine *m = session.env.machine;
	char payload[PATH_MAX], cmdline[WORKLIST_MAX_BYTES];
	size_t room = sizeof(cmdline) - GUEST_LAUNCHER_WORDS_MAX; /* the rest is the launcher's */
	struct guest_launch l;
	struct guest_outcome out = { 0 };
	int rc;

	session.launched = true;
	guest_payload_path(payload, sizeof(payload));
	if (build_cmdline(cmdline, room) >= room) {
		for (int i = 0; i < session.nr; i++)
			fail_case(&session.cases[i], "the work list is longer than the payload takes (%d bytes, "
				  "%d of them left to the launcher)", WORKLIST_MAX_BYTES - 1, GUEST_LAUNCHER_WORDS_MAX);
		return;
	}
	l = launch_for(m, payload, cmdline);
	l.timeout_s = session_timeout();
	l.max_output = (size_t)session.nr * (size_t)session.env.repetitions * (GUEST_RECORD_MAX + 1) + PROBE_OUTPUT_MAX;
	rc = vmm ? vmm->run(&l, &out) : xb_fail(ENOENT, "no '%s' launcher", selected_vmm);
	if (rc) {
		for (int i = 0; i < session.nr; i++)
			fail_case(&session.cases[i], "launching the guest under %s: %s", selected_vmm, xb_error_message());
		return;
	}
	rc = guest_records_each(out.output, out.output_len, session_record, NULL);
	for (int i = 0; i < session.nr; i++) {
		struct session_case *sc = &session.cases[i];

		if (!out.accelerated) /* QEMU's TCG, or a KVM nested in a VM that TCG runs */
			case_set_attribute(sc->c, "functional_only", "%s", TCG_REASON);
		if (sc->exit_claim != EXITS_NOT_COUNTED)
			case_set_attribute(sc->c, "vm_exits", "%s", out.exit_counter ? "counted (KVM_GET_STATS_FD)" :
					   out.exit_counter_why[0] ? out.exit_counter_why : "not available");
		if (rc && sc->nr < session.env.repetitions)
			fail_case(sc, "unreadable guest output: %s", xb_error_message());
		if (sc->nr < session.env.repetitions)
			fail_case(sc, "the guest ended (%s: %s) with %d of %d samples; its last output: %s",
				  guest_end_name(out.end), out.detail, sc->nr, session.env.repetitions, last_output(&out));
	}
	guest_outcome_free(&out);
}

static int guest_batch(struct bench_case *c, struct batch_result *out)
{
	struct session_case *sc;
	struct guest_sample *s;

	if (!session.launched)
		launch();
	sc = session_find(c->id);
	if (!sc)
		return xb_fail(ENOENT, "%s was not set up", c->id);
	if (sc->failure[0] && sc->next >= sc->nr) {
		snprintf(out->error, sizeof(out->error), "%s", sc->failure);
		out->skip = sc->skipped && !sc->nr;
		return -1;
	}
	if (sc->next >= sc->nr) {
		snprintf(out->error, sizeof(out->error), "the guest reported only %d samples", sc->nr);
		return -1;
	}
	s = &sc->samples[sc->next++];
	out->gross_ticks = s->gross;
	out->ops = s->ops;
	out->site_overhead_ticks = s->gross - (uint64_t)s->net; /* what the guest subtracted */
	out->site_ticks_per_cycle = calibration_ticks_per_cycle(s->chain_ticks);
	out->metrics[out->nr_metrics++] = (struct gbench_metric){
		"guest_overhead_ticks", GBENCH_PER_BATCH, (double)s->overhead };
	out->metrics[out->nr_metrics++] = (struct gbench_metric){
		"guest_batches", GBENCH_PER_BATCH, (double)s->batches };
	if (s->has_modopt)
		out->metrics[out->nr_metrics++] = (struct gbench_metric){
			"modopt_hit_rate", GBENCH_PER_BATCH, (double)s->modopt_hits / (double)s->batches };
	if (s->has_exits) {
		out->metrics[out->nr_metrics++] = (struct gbench_metric){
			"vm_exits_per_op", GBENCH_PER_OP, (double)(s->exits - s->exits_with_reason) };
		out->metrics[out->nr_metrics++] = (struct gbench_metric){
			"vm_exits_other_per_op", GBENCH_PER_OP, (double)s->exits_with_reason };
	}
	return 0;
}

static void guest_teardown(struct bench_case *c)
{
	(void)c;
	if (--session.live > 0)
		return;
	for (int i = 0; i < session.nr; i++)
		free(session.cases[i].samples);
	free(session.cases);
	memset(&session, 0, sizeof(session));
}

const struct bench_family family_guest = {
	.name = "guest",
	.site = "guest",
	.site_overhead = true,
	.self_timed = true,
	.plan = guest_plan,
	.setup = guest_setup,
	.batch = guest_batch,
	.teardown = guest_teardown,
};
