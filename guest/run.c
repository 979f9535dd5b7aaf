/*
 * run.c - the case runner: set-up per kind, guarded batches, samples.
 */
#include "run.h"

#include "../host/guest_launcher.h"
#include "../kernels/calibration.h"
#include "../kernels/kstring.h"
#include "../kernels/msr_bench.h"
#include "../kernels/xsave_insn.h"
#include "../kernels/xstate_image.h"
#include "mem.h"
#include "out.h"
#include "ring0_ops.h"
#include "trap.h"

#define WARMUP_OPS 16
#define IMAGE_SEED 0x5eed
#define TILECFG_BYTES 64

/* One case being run: its parameters, its state, and what the last batch reported. */
struct case_run {
	const struct guest_case *c;
	const struct guest_cpu *g;
	bool unchecked; /* runs only because of `nocheck`: CPUID does not advertise its instruction */
	uint64_t mask;
	uint32_t ops;
	struct xsave_bench bench; /* GK_SAVE, GK_RESTORE */
	struct fpu_insn_ops insns;       /* GK_SWITCH */
	struct fpu_switch_bench switcher; /* GK_SWITCH */
	uint8_t *tilecfg;         /* GK_XFD_NM */

	bool count_exits; /* the VMM serves the exit counter and the case counts exits */

	/* the last batch */
	uint64_t gross;
	uint64_t exits, exits_with_reason; /* KVM's, around the timed loop (count_exits) */
	const char *error;
	uint64_t expected, actual;
	bool xinuse_checked;
	uint64_t xinuse;
	int modopt_hit;
};

static void record_reason(const char *kind, const char *id, const char *reason)
{
	struct rec r;

	rec_begin(&r, kind);
	rec_str(&r, "id", id);
	rec_str(&r, "reason", reason);
	rec_end(&r);
}

static int fail_batch(struct case_run *cr, const char *error, uint64_t expected, uint64_t actual)
{
	cr->error = error;
	cr->expected = expected;
	cr->actual = actual;
	return -1;
}

/* The VMM's exit counter (host/guest_launcher.h): one 32-bit OUT of the counts' address. */
static void read_exit_counts(struct guest_exit_counts *c)
{
	__asm__ volatile("outl %0, %1" : : "a"((uint32_t)(uintptr_t)c), "Nd"(GUEST_EXIT_COUNTER_PORT) : "memory");
}

/* In the payload's image: guest-physical = virtual, below 4 GiB. */
static struct guest_exit_counts exits_before, exits_after;

/* Around a batch's timed loop: KVM's exits between the two reads, and how many of them KVM
 * counts under a reason of their own (the second read's OUT is one). */
static void exits_open(const struct case_run *cr)
{
	if (cr->count_exits)
		read_exit_counts(&exits_before);
}

static void exits_close(struct case_run *cr)
{
	if (!cr->count_exits)
		return;
	read_exit_counts(&exits_after);
	cr->exits = exits_after.exits - exits_before.exits;
	cr->exits_with_reason = exits_after.with_reason - exits_before.with_reason;
}

static int xsave_batch(struct case_run *cr)
{
	struct xsave_sample s;

	if (xsave_bench_sample(&cr->bench, &s) != XCHECK_OK)
		return fail_batch(cr, xsave_check_str(s.check), s.expected, s.actual);
	cr->gross = s.gross_ticks;
	cr->xinuse_checked = s.xinuse_checked;
	cr->xinuse = s.xinuse_before;
	cr->modopt_hit = s.modopt_hit;
	return 0;
}

static int xsetbv_batch(struct case_run *cr)
{
	uint64_t xcr0 = cr->g->layout.xcr0, now;

	exits_open(cr);
	cr->gross = r0_xsetbv_loop(cr->mask, cr->ops);
	exits_close(cr);
	now = xgetbv(0);
	xsetbv(0, xcr0);
	return now == cr->mask ? 0 : fail_batch(cr, "XCR0 after XSETBV is not the value written", cr->mask, now);
}

static int cpuid_batch(struct case_run *cr)
{
	const struct xstate_layout *l = &cr->g->layout;
	uint32_t ebx, want = xstate_size_standard(l, l->xcr0);

	exits_open(cr);
	cr->gross = r0_cpuid_loop(0xd, 0, cr->ops, &ebx);
	exits_close(cr);
	return ebx == want ? 0 : fail_batch(cr, "CPUID.(EAX=0DH,ECX=0):EBX is not the XSAVE size of XCR0", want, ebx);
}

/* The native ring-0 MSR batch (kernels/msr_bench.c): warm-up, timed writes, read back. The
 * warm-up runs as a batch of its own first, so that the exits counted are those of the timed
 * writes and the one read back. */
static int msr_batch(struct case_run *cr, uint32_t msr, uint64_t first, uint64_t second, const char *check)
{
	struct msr_bench warm = { .msr = msr, .first = first, .second = second, .ops = WARMUP_OPS };
	struct msr_bench b = { .msr = msr, .first = first, .second = second, .ops = cr->ops };
	struct msr_sample s;
	bool ok;

	if (!msr_bench_sample(&warm, &s))
		return fail_batch(cr, check, s.expected, s.actual);
	exits_open(cr);
	ok = msr_bench_sample(&b, &s);
	exits_close(cr);
	if (!ok)
		return fail_batch(cr, check, s.expected, s.actual);
	cr->gross = s.gross_ticks;
	return 0;
}

static int wrmsr_xss_batch(struct case_run *cr)
{
	return msr_batch(cr, MSR_IA32_XSS, cr->g->layout.xss, cr->g->layout.xss,
			 "IA32_XSS read back after the WRMSRs is not the value written");
}

/* Toggles tile data's XFD bit from 0, as native/ring0/msr/wrmsr-xfd/amx from the value it finds. */
static int wrmsr_xfd_batch(struct case_run *cr)
{
	int rc = msr_batch(cr, MSR_IA32_XFD, XFEATURE_MASK(XFEATURE_XTILEDATA), 0,
			   "IA32_XFD read back after the WRMSRs is not the value last written");

	wrmsr(MSR_IA32_XFD, 0);
	return rc;
}

static int rdmsr_xfd_batch(struct case_run *cr)
{
	uint64_t armed = XFEATURE_MASK(XFEATURE_XTILEDATA), got;

	wrmsr(MSR_IA32_XFD, armed);
	exits_open(cr);
	cr->gross = r0_rdmsr_loop(MSR_IA32_XFD, cr->ops, &got);
	exits_close(cr);
	wrmsr(MSR_IA32_XFD, 0);
	return got == armed ? 0 : fail_batch(cr, "RDMSR IA32_XFD did not read the armed value", armed, got);
}

static int rdmsr_xfd_err_batch(struct case_run *cr)
{
	uint64_t got;

	exits_open(cr);
	cr->gross = r0_rdmsr_loop(MSR_IA32_XFD_ERR, cr->ops, &got);
	exits_close(cr);
	return got == 0 ? 0 : fail_batch(cr, "IA32_XFD_ERR is not 0 with no #NM pending", 0, got);
}

static int xfd_nm_batch(struct case_run *cr)
{
	uint64_t tiles = XFEATURE_MASK(XFEATURE_XTILEDATA);

	wrmsr(MSR_IA32_XFD, 0);
	__asm__ volatile("ldtilecfg (%0)" : : "r"(cr->tilecfg) : "memory");
	guest_xfd_nm.armed = tiles;
	guest_xfd_nm.count = 0;
	guest_xfd_nm.err_seen = 0;
	guest_xfd_nm.handling = true;
	cr->gross = r0_xfd_nm_loop((uint32_t)tiles, cr->ops);
	guest_xfd_nm.handling = false;
	__asm__ volatile("tilerelease" : : : "memory");
	if (guest_xfd_nm.count != cr->ops)
		return fail_batch(cr, "not every armed TILEZERO raised one #NM", cr->ops, guest_xfd_nm.count);
	if (guest_xfd_nm.err_seen != tiles)
		return fail_batch(cr, "IA32_XFD_ERR in the #NM handler did not name AMX tile data", tiles,
				  guest_xfd_nm.err_seen);
	return 0;
}

static int switch_batch(struct case_run *cr)
{
	struct fpu_switch_sample s;

	if (fpu_switch_bench_sample(&cr->switcher, &s) != FSW_CHECK_OK)
		return fail_batch(cr, s.where ? s.where : fpu_switch_check_str(s.check), s.expected, s.actual);
	cr->gross = s.gross_ticks;
	cr->xinuse_checked = s.xinuse_checked;
	cr->xinuse = s.xinuse_before;
	return 0;
}

/* Buffers and images of a save or restore case, in the arena. */
static const char *xsave_setup(struct case_run *cr)
{
	const struct xstate_layout *l = &cr->g->layout;
	const struct xsave_op_info *info = xsave_op_info(cr->c->op);
	struct xsave_bench *b = &cr->bench;
	uint32_t scratch = xstate_size_standard(l, l->xcr0);

	if (xstate_size_compacted(l, l->xcr0 | l->xss) > scratch)
		scratch = xstate_size_compacted(l, l->xcr0 | l->xss);
	b->layout = l;
	b->op = cr->c->op;
	b->cond = cr->c->cond;
	b->mask = cr->mask;
	b->caller_mask = XFEATURES_FP;
	b->ops = cr->ops;
	b->warmup_ops = WARMUP_OPS;
	b->target_size = info->compacted ? xstate_size_compacted(l, b->mask) : xstate_size_standard(l, b->mask);
	b->target = arena_alloc(b->target_size);
	b->image = arena_alloc(b->target_size);
	b->scratch = arena_alloc(scratch);
	b->caller = arena_alloc(scratch);
	if (!b->target || !b->image || !b->scratch || !b->caller)
		return "the payload's buffer arena is too small for this case";
	if (!xstate_image_build(l, b->image, b->target_size, b->mask, info->compacted,
				b->cond != XCOND_INIT, IMAGE_SEED))
		return "cannot build an image of this feature set";
	return 0;
}

/* The switch strategy's containers and images, with XSAVES/XRSTORS and the IA32_XFD step. */
static const char *switch_setup(struct case_run *cr)
{
	struct fpu_switch_bench_params p = {
		.layout = &cr->g->layout,
		.insns = &cr->insns,
		.strategy = cr->c->strategy,
		.cond = cr->c->switch_cond,
		.features = cr->mask,
		.caller_mask = XFEATURES_FP,
		.ops = cr->ops,
		.warmup_ops = WARMUP_OPS,
	};
	uint64_t bytes;
	void *mem;

	if (!fpu_insn_ops_init(&cr->insns, &cr->g->layout, true))
		return "no ring-0 switch instructions for this CPU";
	bytes = fpu_switch_bench_bytes(&p);
	mem = bytes ? arena_alloc(bytes) : 0;
	if (!mem)
		return "the payload's buffer arena is too small for this case";
	if (!fpu_switch_bench_init(&cr->switcher, &p, mem, bytes))
		return "cannot lay out the switch's containers";
	return 0;
}

/* Tile register 0 for TILEZERO: palette 1, 16 rows of 64 bytes. */
static const char *xfd_nm_setup(struct case_run *cr)
{
	cr->tilecfg = arena_alloc(TILECFG_BYTES);
	if (!cr->tilecfg)
		return "the payload's buffer arena is too small for this case";
	cr->tilecfg[0] = 1;  /* palette 1 */
	cr->tilecfg[16] = 64; /* tmm0: 64 bytes per row */
	cr->tilecfg[48] = 16; /* tmm0: 16 rows */
	return 0;
}

/* Per kind: its set-up in the arena (none: NULL) and one batch. */
static const struct {
	const char *(*setup)(struct case_run *cr);
	int (*batch)(struct case_run *cr);
} kinds[] = {
	[GK_SAVE] = { xsave_setup, xsave_batch },
	[GK_RESTORE] = { xsave_setup, xsave_batch },
	[GK_XSETBV] = { 0, xsetbv_batch },
	[GK_CPUID_D] = { 0, cpuid_batch },
	[GK_WRMSR_XSS] = { 0, wrmsr_xss_batch },
	[GK_WRMSR_XFD] = { 0, wrmsr_xfd_batch },
	[GK_RDMSR_XFD] = { 0, rdmsr_xfd_batch },
	[GK_RDMSR_XFD_ERR] = { 0, rdmsr_xfd_err_batch },
	[GK_XFD_NM] = { xfd_nm_setup, xfd_nm_batch },
	[GK_SWITCH] = { switch_setup, switch_batch },
};

static const char *setup(struct case_run *cr)
{
	arena_reset();
	return kinds[cr->c->kind].setup ? kinds[cr->c->kind].setup(cr) : 0;
}

static int run_batch(void *arg)
{
	struct case_run *cr = arg;

	cr->error = 0;
	return kinds[cr->c->kind].batch(cr);
}

static void case_record(const struct case_run *cr)
{
	const struct xsave_op_info *info = xsave_op_info(cr->c->op);
	struct rec r;

	rec_begin(&r, "case");
	rec_str(&r, "id", cr->c->id);
	rec_u64(&r, "ops", cr->ops);
	rec_hex(&r, "rfbm", cr->mask);
	if (cr->c->kind == GK_SAVE || cr->c->kind == GK_RESTORE) {
		rec_u64(&r, "buffer_bytes", cr->bench.target_size);
		rec_str(&r, "format", info->compacted ? "compacted" : "standard");
	}
	if (cr->c->kind == GK_SWITCH)
		rec_str(&r, "insns", cr->insns.name);
	rec_hex(&r, "xcr0", cr->g->layout.xcr0);
	rec_hex(&r, "xss", cr->g->layout.xss);
	rec_end(&r);
}

/*
 * An exception in a batch: an error, unless the case runs only because of `nocheck` and it is
 * a #UD or #GP, which says the instruction CPUID does not advertise is really missing (a skip).
 */
static bool exception_outcome(const struct case_run *cr)
{
	const struct exception_info *e = &guest_last_exception;
	bool missing = cr->unchecked && (e->vector == 6 || e->vector == 13);
	char why[200];
	size_t n;

	n = kstr_append(why, 0, trap_name(e->vector), sizeof(why));
	n = kstr_append(why, n, " at rip ", sizeof(why));
	n = kstr_append_hex(why, n, e->rip, sizeof(why));
	n = kstr_append(why, n, " (error code ", sizeof(why));
	n = kstr_append_hex(why, n, e->error, sizeof(why));
	kstr_append(why, n, missing ? "): the guest does not really offer this operation"
				    : "): the case was abandoned", sizeof(why));
	record_reason(missing ? "skip" : "error", cr->c->id, why);
	return missing;
}

static void batch_error(const struct case_run *cr)
{
	struct rec r;

	rec_begin(&r, "error");
	rec_str(&r, "id", cr->c->id);
	rec_str(&r, "reason", cr->error);
	rec_hex(&r, "expected", cr->expected);
	rec_hex(&r, "actual", cr->actual);
	rec_end(&r);
}

struct sample_sum {
	uint64_t gross, ops, batches, modopt_hits, exits, exits_with_reason;
	int64_t net;
};

static void sample_record(const struct case_run *cr, uint32_t rep, const struct sample_sum *s,
			  const struct calibration *cal)
{
	struct rec r;

	rec_begin(&r, "sample");
	rec_str(&r, "id", cr->c->id);
	rec_u64(&r, "rep", rep);
	rec_u64(&r, "batches", s->batches);
	rec_u64(&r, "ops", s->ops);
	rec_i64(&r, "ticks", s->net);
	rec_u64(&r, "gross", s->gross);
	rec_u64(&r, "overhead", calibration_overhead(cal));
	rec_u64(&r, "chain_ticks", calibration_chain_ticks(cal));
	if (cr->xinuse_checked)
		rec_hex(&r, "xinuse", cr->xinuse);
	if (cr->modopt_hit >= 0)
		rec_u64(&r, "modopt_hits", s->modopt_hits);
	if (cr->count_exits) {
		rec_u64(&r, "exits", s->exits);
		rec_u64(&r, "exits_with_reason", s->exits_with_reason);
	}
	rec_end(&r);
}

/* Returns 1 ran, 0 skipped, -1 failed. */
static int run_samples(struct case_run *cr, const struct worklist *w)
{
	struct calibration cal;

	calibration_init(&cal, cr->ops);
	for (uint32_t rep = 0; rep < w->reps; rep++) {
		struct sample_sum s = { 0 };

		do {
			int rc = guest_try(run_batch, cr);

			if (rc == GUEST_TRY_FAULTED)
				return exception_outcome(cr) ? 0 : -1;
			if (rc) {
				batch_error(cr);
				return -1;
			}
			calibration_refresh(&cal);
			s.gross += cr->gross;
			s.net += (int64_t)cr->gross - (int64_t)calibration_overhead(&cal);
			s.ops += cr->ops;
			s.batches++;
			s.modopt_hits += cr->modopt_hit > 0;
			s.exits += cr->exits;
			s.exits_with_reason += cr->exits_with_reason;
		} while (s.gross < w->min_ticks && s.batches < w->max_batches);
		sample_record(cr, rep, &s, &cal);
	}
	return 1;
}

/*
 * With `nocheck`, a case whose instruction CPUID does not advertise (XSAVEOPT, XSAVEC,
 * XSAVES, XFD) runs anyway, so that the exception it raises shows; components must still
 * be enabled.
 */
static void ignore_instruction_bits(struct guest_cpu *g)
{
	g->layout.xsaveopt = g->layout.xsavec = g->layout.xsaves = g->layout.xfd = true;
}

static int run_case(const struct guest_cpu *g, const struct guest_case *c, const struct worklist *w)
{
	struct case_run cr = { .c = c, .g = g, .ops = w->ops, .modopt_hit = -1,
			       .count_exits = w->exit_counter && guest_case_exit_claim(c->kind) != EXITS_NOT_COUNTED };
	struct guest_cpu unchecked;
	const char *error;
	char why[200];

	if (!guest_case_check(g, c, &cr.mask, why, sizeof(why))) {
		unchecked = *g;
		ignore_instruction_bits(&unchecked);
		if (!w->nocheck || !guest_case_check(&unchecked, c, &cr.mask, why, sizeof(why))) {
			record_reason("skip", c->id, why);
			return 0;
		}
		cr.g = &unchecked;
		cr.unchecked = true;
	}
	error = setup(&cr);
	if (error) {
		record_reason("error", c->id, error);
		return -1;
	}
	case_record(&cr);
	return run_samples(&cr, w);
}

void run_worklist(const struct guest_cpu *g, const struct worklist *w, struct run_totals *t)
{
	static struct guest_case table[GUEST_CASES_MAX];
	int n = guest_cases_enumerate(table, GUEST_CASES_MAX);

	for (int i = 0; i < n; i++) {
		bool selected = false;
		int rc;

		for (int p = 0; p < w->nr_patterns && !selected; p++)
			selected = worklist_match(w->patterns[p], table[i].id);
		if (!selected)
			continue;
		guest_current_case = table[i].id;
		rc = run_case(g, &table[i], w);
		guest_current_case = 0;
		t->cases++;
		t->ok += rc > 0;
		t->skipped += rc == 0;
		t->failed += rc < 0;
	}
}
