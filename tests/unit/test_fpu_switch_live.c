/*
 * test_fpu_switch_live.c - the switch strategies on this CPU. The registers themselves are
 * filled with inline asm (x87 stack, control words, XMM/YMM/ZMM, opmask: whichever the CPU
 * has), a task and a guest switch N times, and the registers are read back with asm and
 * compared bit for bit; then the measured batch passes its own checks for every strategy,
 * condition and feature set this CPU can run, and catches a switch that loses state.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "host/machine.h"
#include "host/native/mmap_alloc.h"
#include "host/xstate_buffer.h"
#include "kernels/fpu_switch_bench.h"
#include "kernels/xsave_insn.h"

#define ROUND_TRIPS 50
#define ATTEMPTS 8

static struct machine m;
static bool has_avx, has_avx512, has_avx512bw;

/* Everything the asm fills and reads back. */
struct regs {
	uint8_t zmm[32][64] __attribute__((aligned(64)));
	uint64_t k[8];
	uint8_t st[8][16]; /* 80-bit x87 registers, 16-byte slots */
	uint16_t fcw;
	uint32_t mxcsr;
};

static void make_pattern(struct regs *r, uint32_t seed)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL * (seed + 1);

	memset(r, 0, sizeof(*r));
	for (size_t i = 0; i < sizeof(r->zmm); i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		r->zmm[i / 64][i % 64] = (uint8_t)x;
	}
	for (int i = 0; i < 8; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		r->k[i] = has_avx512bw ? x : x & 0xffff;
		/* a normal extended-precision value: explicit integer bit, exponent near 1.0 */
		uint64_t mant = x | (1ULL << 63);
		uint16_t exp = (uint16_t)(0x3fff + (int)(seed % 16) - 8 + i);
		memcpy(r->st[i], &mant, 8);
		memcpy(r->st[i] + 8, &exp, 2);
	}
	r->fcw = (uint16_t)(0x037f & ~(seed & 1 ? 0x0300 : 0x0200)); /* precision control differs */
	r->mxcsr = 0x1f80 | (seed & 1 ? 0x6000 : 0x2000);            /* rounding control differs */
}

/* Instruction text for every register of a kind: OP(n) for n = 0..15, 0..31 or k0..k7. */
#define REGS8(OP) OP(0) OP(1) OP(2) OP(3) OP(4) OP(5) OP(6) OP(7)
#define REGS16(OP) REGS8(OP) OP(8) OP(9) OP(10) OP(11) OP(12) OP(13) OP(14) OP(15)
#define REGS32(OP) REGS16(OP) OP(16) OP(17) OP(18) OP(19) OP(20) OP(21) OP(22) OP(23) \
	OP(24) OP(25) OP(26) OP(27) OP(28) OP(29) OP(30) OP(31)
#define LOADZ(n) "vmovdqu64 " #n "*64(%0), %%zmm" #n "\n\t"
#define LOADY(n) "vmovdqu " #n "*64(%0), %%ymm" #n "\n\t"
#define LOADX(n) "movdqu " #n "*64(%0), %%xmm" #n "\n\t"
#define LOADKQ(n) "kmovq " #n "*8(%1), %%k" #n "\n\t"
#define LOADKW(n) "kmovw " #n "*8(%1), %%k" #n "\n\t"
#define STOREZ(n) "vmovdqu64 %%zmm" #n ", " #n "*64(%0)\n\t"
#define STOREY(n) "vmovdqu %%ymm" #n ", " #n "*64(%0)\n\t"
#define STOREX(n) "movdqu %%xmm" #n ", " #n "*64(%0)\n\t"
#define STOREKQ(n) "kmovq %%k" #n ", " #n "*8(%1)\n\t"
#define STOREKW(n) "kmovw %%k" #n ", " #n "*8(%1)\n\t"

/* Loads @r into the registers; general-regs-only so the compiler adds no vector code. */
__attribute__((target("general-regs-only"), noinline)) static void fill(const struct regs *r)
{
	__asm__ volatile("fninit\n\t"
			 "fldcw %[fcw]\n\t"
			 "fldt 112(%[st])\n\tfldt 96(%[st])\n\tfldt 80(%[st])\n\tfldt 64(%[st])\n\t"
			 "fldt 48(%[st])\n\tfldt 32(%[st])\n\tfldt 16(%[st])\n\tfldt 0(%[st])\n\t"
			 "ldmxcsr %[mxcsr]"
			 : : [st] "r"(r->st), [fcw] "m"(r->fcw), [mxcsr] "m"(r->mxcsr) : "memory");
	if (has_avx512 && has_avx512bw)
		__asm__ volatile(REGS32(LOADZ) REGS8(LOADKQ) : : "r"(r->zmm), "r"(r->k) : "memory");
	else if (has_avx512)
		__asm__ volatile(REGS32(LOADZ) REGS8(LOADKW) : : "r"(r->zmm), "r"(r->k) : "memory");
	else if (has_avx)
		__asm__ volatile(REGS16(LOADY) : : "r"(r->zmm) : "memory");
	else
		__asm__ volatile(REGS16(LOADX) : : "r"(r->zmm) : "memory");
}

/* Reads the registers into @r (the x87 stack is popped). */
__attribute__((target("general-regs-only"), noinline)) static void dump(struct regs *r)
{
	if (has_avx512 && has_avx512bw)
		__asm__ volatile(REGS32(STOREZ) REGS8(STOREKQ) : : "r"(r->zmm), "r"(r->k) : "memory");
	else if (has_avx512)
		__asm__ volatile(REGS32(STOREZ) REGS8(STOREKW) : : "r"(r->zmm), "r"(r->k) : "memory");
	else if (has_avx)
		__asm__ volatile(REGS16(STOREY) : : "r"(r->zmm) : "memory");
	else
		__asm__ volatile(REGS16(STOREX) : : "r"(r->zmm) : "memory");
	__asm__ volatile("fnstcw %[fcw]\n\tstmxcsr %[mxcsr]\n\t"
			 "fstpt 0(%[st])\n\tfstpt 16(%[st])\n\tfstpt 32(%[st])\n\tfstpt 48(%[st])\n\t"
			 "fstpt 64(%[st])\n\tfstpt 80(%[st])\n\tfstpt 96(%[st])\n\tfstpt 112(%[st])"
			 : [fcw] "=m"(r->fcw), [mxcsr] "=m"(r->mxcsr) : [st] "r"(r->st) : "memory");
}

/* Compares what the CPU has: XMM (16 bytes) / YMM (32) / ZMM (64) of 16 or 32 registers. */
static void assert_regs_equal(const struct regs *want, const struct regs *got, const char *who)
{
	size_t width = has_avx512 ? 64 : has_avx ? 32 : 16;
	int nregs = has_avx512 ? 32 : 16;

	for (int i = 0; i < nregs; i++)
		if (memcmp(want->zmm[i], got->zmm[i], width))
			fail_msg("%s: vector register %d differs", who, i);
	for (int i = 0; i < 8 && has_avx512; i++)
		if (want->k[i] != got->k[i])
			fail_msg("%s: k%d is 0x%llx, not 0x%llx", who, i, (unsigned long long)got->k[i],
				 (unsigned long long)want->k[i]);
	for (int i = 0; i < 8; i++)
		if (memcmp(want->st[i], got->st[i], 10))
			fail_msg("%s: x87 ST%d differs", who, i);
	if (want->fcw != got->fcw || want->mxcsr != got->mxcsr)
		fail_msg("%s: FCW 0x%x MXCSR 0x%x, not 0x%x 0x%x", who, got->fcw, got->mxcsr, want->fcw,
			 want->mxcsr);
}

/* A task, a guest and the vcpu buffers with the CPU's user instructions. */
struct live {
	struct fpu_insn_ops ops;
	struct fpu_cpu cpu;
	struct fpu_task task;
	struct fpu_guest guest;
	struct fpu_vcpu_buffers vcpu;
	struct fpu_switch_ctx ctx;
	struct fpstate *task_fps, *guest_fps, *user_fpu;
	struct regs task_regs, guest_regs, other_regs, got_task, got_guest;
};

/* A container with room for the kernel's whole buffer, which three-buffer's copies move. */
static struct fpstate *live_container(struct live *w, uint64_t features, bool is_guest)
{
	uint32_t whole = 64 + ((fpu_kernel_buffer_bytes(&m.layout, features, w->ops.compacted) + 63) & ~63u);
	uint32_t need = fpstate_container_bytes(&m.layout, features, w->ops.compacted);
	uint32_t bytes = whole > need ? whole : need;
	struct fpstate *fps = fpstate_init(xstate_buffer_alloc(bytes), bytes, &m.layout, features,
					   w->ops.compacted, is_guest);

	assert_non_null(fps);
	return fps;
}

static void live_init(struct live *w, uint64_t features)
{
	memset(w, 0, sizeof(*w));
	assert_true(fpu_insn_ops_init(&w->ops, &m.layout, false));
	w->task_fps = live_container(w, features, false);
	w->guest_fps = live_container(w, features, true);
	w->user_fpu = live_container(w, features, false);
	w->task = (struct fpu_task){ .fpstate = w->task_fps };
	w->guest = (struct fpu_guest){ .fpstate = w->guest_fps, .xfeatures = features };
	/* the features are all the kernel's (XCR0 but the dynamic ones): its whole buffer */
	w->vcpu = (struct fpu_vcpu_buffers){ w->user_fpu, w->guest_fps,
					     fpu_kernel_buffer_bytes(&m.layout, features, w->ops.compacted) };
	w->ctx = (struct fpu_switch_ctx){ &m.layout, &w->ops, &w->cpu, &w->task, NULL };
	make_pattern(&w->task_regs, 1);
	make_pattern(&w->guest_regs, 2);
	make_pattern(&w->other_regs, 3);
}

static void live_free(struct live *w)
{
	xstate_buffer_free(w->task_fps);
	xstate_buffer_free(w->guest_fps);
	xstate_buffer_free(w->user_fpu);
}

/*
 * Fill the guest's registers and save them into its fpstate; fill the task's; in need-load,
 * save them and fill a third pattern; switch ROUND_TRIPS times (need-load set again after
 * each, as a context switch would); enter once more and read the guest's registers; exit
 * and read the task's state, which the exit restored. Nothing between the fills and the
 * reads but the switch code, which never uses vector registers.
 */
__attribute__((target("general-regs-only"), noinline)) static int window(struct live *w, bool three_buffer,
									bool need_load)
{
	int err = 0;

	fill(&w->guest_regs);
	fpu_save_fpstate(&w->ctx, w->guest_fps);
	fill(&w->task_regs);
	if (need_load) {
		fpu_save_fpstate(&w->ctx, w->task_fps);
		fill(&w->other_regs);
		w->task.need_load = true;
	}
	for (int i = 0; i < ROUND_TRIPS; i++) {
		if (three_buffer) {
			err |= fpu_three_buffer_enter(&w->ctx, &w->vcpu);
			err |= fpu_three_buffer_exit(&w->ctx, &w->vcpu);
		} else {
			err |= fpu_swap_enter(&w->ctx, &w->guest);
			err |= fpu_swap_exit(&w->ctx, &w->guest);
		}
		w->task.need_load = need_load;
	}
	err |= three_buffer ? fpu_three_buffer_enter(&w->ctx, &w->vcpu) : fpu_swap_enter(&w->ctx, &w->guest);
	dump(&w->got_guest);
	fill(&w->guest_regs); /* dump popped the x87 stack: put the guest's back before the exit saves it */
	err |= three_buffer ? fpu_three_buffer_exit(&w->ctx, &w->vcpu) : fpu_swap_exit(&w->ctx, &w->guest);
	if (w->task.need_load)
		err |= FPU_SWITCH_INVAL; /* every exit leaves the task's state live */
	dump(&w->got_task);
	return err;
}

static void run_window(bool three_buffer, bool need_load)
{
	uint64_t features = m.layout.xcr0 & ~xstate_xfd_capable(&m.layout);
	uint64_t expected;
	struct live w;
	uint64_t actual;
	uint8_t *caller = xstate_buffer_alloc(xstate_size_standard(&m.layout, m.layout.xcr0));
	char who[64];

	live_init(&w, features);
	xsave(caller, features);
	assert_int_equal(window(&w, three_buffer, need_load), 0);
	xrstor(caller, features);
	snprintf(who, sizeof(who), "%s %s", three_buffer ? "three-buffer" : "pointer-swap",
		 need_load ? "need-load" : "live");
	/* the parts this CPU cannot exercise are named, with the CPUID bit */
	print_message("%s: compared %s, x87 ST0-7, FCW, MXCSR%s%s\n", who,
		      has_avx512 ? (has_avx512bw ? "ZMM0-31, k0-7" : "ZMM0-31, k0-7 (16 bits: no AVX512BW, CPUID.(EAX=7,ECX=0):EBX[30]=0)")
		      : has_avx ? "YMM0-15" : "XMM0-15",
		      has_avx512 ? "" : "; ZMM and opmask skipped: no AVX-512 (CPUID.(EAX=7,ECX=0):EBX[16]=0)",
		      has_avx ? "" : "; YMM skipped: AVX not enabled in XCR0");
	assert_regs_equal(&w.guest_regs, &w.got_guest, who);
	assert_regs_equal(&w.task_regs, &w.got_task, who);
	assert_int_equal(fpstate_check_header(&m.layout, w.task_fps, &expected, &actual), FPSTATE_OK);
	assert_int_equal(fpstate_check_header(&m.layout, w.guest_fps, &expected, &actual), FPSTATE_OK);
	assert_int_equal(fpstate_check_header(&m.layout, w.user_fpu, &expected, &actual), FPSTATE_OK);
	assert_ptr_equal(w.task.fpstate, w.task_fps);
	assert_true(w.cpu.saves >= ROUND_TRIPS && w.cpu.restores >= ROUND_TRIPS);
	live_free(&w);
	xstate_buffer_free(caller);
}

static void test_pointer_swap_live_bit_for_bit(void **state)
{
	(void)state;
	run_window(false, false);
}

static void test_pointer_swap_need_load_bit_for_bit(void **state)
{
	(void)state;
	run_window(false, true);
}

static void test_three_buffer_live_bit_for_bit(void **state)
{
	(void)state;
	run_window(true, false);
}

static void test_three_buffer_need_load_bit_for_bit(void **state)
{
	(void)state;
	run_window(true, true);
}

/* The batch of the benchmark, as the native family sets it up. */
struct bench_setup {
	struct fpu_insn_ops ops;
	struct mmap_alloc_stats stats;
	struct fpstate_allocator alloc;
	struct fpu_switch_bench b;
	void *mem;
};

static bool bench_setup(struct bench_setup *s, enum fpu_strategy strategy, enum fpu_cond cond, uint64_t features)
{
	struct fpu_switch_bench_params p = {
		.layout = &m.layout,
		.insns = &s->ops,
		.alloc = &s->alloc,
		.strategy = strategy,
		.cond = cond,
		.features = features,
		.caller_mask = m.layout.xcr0 & ~xstate_xfd_capable(&m.layout),
		.ops = 8,
		.warmup_ops = 2,
	};
	uint64_t bytes;

	memset(s, 0, sizeof(*s));
	assert_true(fpu_insn_ops_init(&s->ops, &m.layout, false));
	s->alloc = mmap_allocator(&s->stats);
	bytes = fpu_switch_bench_bytes(&p);
	if (!bytes)
		return false;
	s->mem = xstate_buffer_alloc(bytes);
	assert_true(fpu_switch_bench_init(&s->b, &p, s->mem, bytes));
	return true;
}

static enum fpu_switch_check sample(struct bench_setup *s, struct fpu_switch_sample *out)
{
	enum fpu_switch_check c = FSW_CHECK_OK;

	for (int i = 0; i < ATTEMPTS; i++) {
		c = fpu_switch_bench_sample(&s->b, out);
		if (c != FSW_CHECK_XINUSE)
			break;
	}
	return c;
}

static void test_every_batch_passes_its_checks(void **state)
{
	const uint64_t sets[] = { XFEATURES_FP, XFEATURES_AVX, XFEATURES_AVX512,
				  m.layout.xcr0 & ~xstate_xfd_capable(&m.layout) };
	int ran = 0;

	(void)state;
	for (int strategy = 0; strategy < FPU_STRATEGY_COUNT; strategy++) {
		for (size_t f = 0; f < sizeof(sets) / sizeof(sets[0]); f++) {
			for (int cond = 0; cond < FPU_COND_COUNT; cond++) {
				struct fpu_switch_sample out;
				struct bench_setup s;
				enum fpu_switch_check c;

				if ((sets[f] & ~m.layout.xcr0) || !bench_setup(&s, strategy, cond, sets[f]))
					continue; /* not on this CPU, or nothing to grow into */
				c = sample(&s, &out);
				if (c != FSW_CHECK_OK)
					fail_msg("%s mask 0x%llx %s: %s: %s (expected 0x%llx got 0x%llx)",
						 fpu_strategy_name(strategy), (unsigned long long)sets[f],
						 fpu_cond_name(cond), out.where, fpu_switch_check_str(c),
						 (unsigned long long)out.expected, (unsigned long long)out.actual);
				assert_true(out.gross_ticks > 0);
				assert_int_equal(out.ops, 8);
				assert_int_equal(out.xinuse_checked, m.layout.xgetbv1);
				if (strategy == FPU_STRATEGY_REALLOC) {
					assert_true(out.grown_bytes > out.small_bytes);
					/* a small and a grown container per round trip, all given back */
					assert_true(s.stats.maps >= 2 * 10 && s.stats.maps % (2 * 10) == 0);
					assert_int_equal(s.stats.unmaps, s.stats.maps);
				}
				xstate_buffer_free(s.mem);
				ran++;
			}
		}
	}
	assert_true(ran >= 16);
}

/* An instruction table whose save does nothing: the task's state never reaches its buffer. */
static void no_save(void *regs, uint64_t mask)
{
	(void)regs, (void)mask;
}

static void test_lost_state_is_caught(void **state)
{
	struct fpu_switch_sample out;
	struct bench_setup s;

	(void)state;
	assert_true(bench_setup(&s, FPU_STRATEGY_POINTER_SWAP, FPU_COND_LIVE, XFEATURES_AVX));
	s.ops.save = no_save;
	assert_int_equal(sample(&s, &out), FSW_CHECK_CONTENT);
	assert_string_equal(out.where, "task fpstate");
	xstate_buffer_free(s.mem);
	/* three-buffer live: user_fpu never gets the task's state, so the exit loads init */
	assert_true(bench_setup(&s, FPU_STRATEGY_THREE_BUFFER, FPU_COND_LIVE, XFEATURES_AVX));
	s.ops.save = no_save;
	assert_int_equal(sample(&s, &out), FSW_CHECK_CONTENT);
	assert_string_equal(out.where, "registers after the last exit");
	xstate_buffer_free(s.mem);
	/* need-load: the guest's save is the only one, and must still show */
	for (int strategy = FPU_STRATEGY_POINTER_SWAP; strategy <= FPU_STRATEGY_THREE_BUFFER; strategy++) {
		assert_true(bench_setup(&s, strategy, FPU_COND_NEED_LOAD, XFEATURES_AVX));
		s.ops.save = no_save;
		assert_int_equal(sample(&s, &out), FSW_CHECK_CONTENT);
		assert_string_equal(out.where, "guest fpstate");
		xstate_buffer_free(s.mem);
	}
}

/* An allocator that fails after a number of allocations. */
struct failing {
	struct fpstate_allocator inner;
	int left;
};

static void *failing_alloc(void *ctx, size_t bytes)
{
	struct failing *f = ctx;

	return f->left-- > 0 ? f->inner.alloc(f->inner.ctx, bytes) : NULL;
}

static void failing_free(void *ctx, void *mem, size_t bytes)
{
	struct failing *f = ctx;

	f->inner.free(f->inner.ctx, mem, bytes);
}

static void test_failed_allocation_reports_no_number(void **state)
{
	struct fpu_switch_sample out;
	struct bench_setup s;
	struct failing f;

	(void)state;
	assert_true(bench_setup(&s, FPU_STRATEGY_REALLOC, FPU_COND_LIVE, XFEATURES_AVX));
	f = (struct failing){ s.alloc, 3 };
	s.alloc = (struct fpstate_allocator){ failing_alloc, failing_free, &f };
	assert_int_equal(fpu_switch_bench_sample(&s.b, &out), FSW_CHECK_NOMEM); /* the 10 small ones */
	f.left = 11; /* the small ones and one grown */
	assert_int_equal(fpu_switch_bench_sample(&s.b, &out), FSW_CHECK_STEP);
	assert_int_equal(s.stats.maps, s.stats.unmaps); /* nothing leaked */
	xstate_buffer_free(s.mem);
}

static void test_invalid_parameters_are_refused(void **state)
{
	struct fpu_insn_ops ops;
	struct fpu_switch_bench_params p = { .layout = &m.layout, .insns = &ops, .features = XFEATURES_AVX,
					      .ops = 4, .strategy = FPU_STRATEGY_REALLOC };
	struct fpu_switch_bench b;
	uint8_t mem[64] __attribute__((aligned(64)));

	(void)state;
	assert_true(fpu_insn_ops_init(&ops, &m.layout, false));
	assert_int_equal(fpu_switch_bench_bytes(&p), 0); /* realloc without an allocator */
	p.strategy = FPU_STRATEGY_POINTER_SWAP;
	assert_true(fpu_switch_bench_bytes(&p) > 0);
	assert_false(fpu_switch_bench_init(&b, &p, mem, sizeof(mem))); /* too small */
	p.ops = 0;
	assert_int_equal(fpu_switch_bench_bytes(&p), 0);
	p.ops = 4;
	p.features = XFEATURE_MASK(XFEATURE_YMM); /* no x87/SSE */
	assert_int_equal(fpu_switch_bench_bytes(&p), 0);
	p.features = XFEATURES_AVX;
	p.guest_xfd = XFEATURE_MASK(XFEATURE_YMM); /* AVX cannot be armed by XFD */
	assert_int_equal(fpu_switch_bench_bytes(&p), 0);
	p.guest_xfd = 0;
	assert_int_equal(fpu_realloc_base(XFEATURES_FP), 0);
	assert_int_equal(fpu_realloc_base(XFEATURES_AVX512), XFEATURES_AVX);
	assert_int_equal(fpu_realloc_base(XFEATURES_AMX), XFEATURES_AMX & ~XFEATURE_MASK(XFEATURE_XTILEDATA));
}

static int setup(void **state)
{
	(void)state;
	if (machine_probe(&m))
		return -1;
	has_avx = (m.layout.xcr0 & XFEATURES_AVX) == XFEATURES_AVX;
	has_avx512 = m.cpu.avx512f && (m.layout.xcr0 & XFEATURES_AVX512) == XFEATURES_AVX512;
	has_avx512bw = has_avx512 && cpuid_bit(&m.cpuid, 7, 0, 'b', 30);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pointer_swap_live_bit_for_bit),
		cmocka_unit_test(test_pointer_swap_need_load_bit_for_bit),
		cmocka_unit_test(test_three_buffer_live_bit_for_bit),
		cmocka_unit_test(test_three_buffer_need_load_bit_for_bit),
		cmocka_unit_test(test_every_batch_passes_its_checks),
		cmocka_unit_test(test_lost_state_is_caught),
		cmocka_unit_test(test_failed_allocation_reports_no_number),
		cmocka_unit_test(test_invalid_parameters_are_refused),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
