/*
 * test_fpu_switch.c - the fpstate container and the switch strategies as logic, on the
 * recorded Sapphire Rapids layout (AMX, XFD, XSAVES, PKRU, CET_U): instruction tables whose
 * save, restore and IA32_XFD write only record what they were asked, so every step's order,
 * buffers, masks and XFD writes can be checked whatever the CPU; and the table of what
 * one round trip of each strategy and condition does, as 6.1's fpu_swap_kvm_fpstate() and
 * 5.15's kvm_load_guest_fpu()/kvm_put_guest_fpu() do it.
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
#include "kernels/fpu_switch.h"
#include "kernels/fpu_switch_bench.h"
#include "kernels/xstate_image.h"

#define AMX_DEFAULT (XFEATURES_AVX512 | XFEATURE_MASK(XFEATURE_XTILECFG)) /* without tile data */
#define XTILEDATA XFEATURE_MASK(XFEATURE_XTILEDATA)
#define PKRU XFEATURE_MASK(XFEATURE_PKRU)
/* 5.15's fpu_kernel_xstate_size on this layout: XCR0 0x602e7 and CET_U (XSS 0x800) without
 * tile data, compacted: 576 + AVX 256 + opmask 64 + ZMM_Hi256 512 + Hi16_ZMM 1024 + PKRU 8
 * + CET_U 16 = 2456, XTILECFG 64-byte aligned at 2496: 2560 */
#define SPR_KERNEL_BUFFER 2560

static struct machine spr;

struct call {
	char what; /* 'S' save, 'R' restore, 'X' IA32_XFD write */
	const void *buf;
	uint64_t value; /* the mask, or the XFD value */
};

static struct call calls[64];
static int nr_calls;

static void record(char what, const void *buf, uint64_t value)
{
	assert_true(nr_calls < 64);
	calls[nr_calls++] = (struct call){ what, buf, value };
}

static void fake_save(void *regs, uint64_t mask)
{
	record('S', regs, mask);
}

static void fake_restore(const void *regs, uint64_t mask)
{
	record('R', regs, mask);
}

static void fake_write_xfd(uint64_t xfd)
{
	record('X', NULL, xfd);
}

static const struct fpu_insn_ops ring0_ops = { "fake-ring0", true, true, fake_save, fake_restore, fake_write_xfd };
static const struct fpu_insn_ops user_ops = { "fake-user", true, false, fake_save, fake_restore, NULL };

/* A test allocator: counts, can be told to fail, zeroes like vzalloc. */
struct test_alloc {
	int allocs, frees, fail_after;
};

static void *test_alloc_fn(void *ctx, size_t bytes)
{
	struct test_alloc *t = ctx;
	void *p;

	if (t->fail_after >= 0 && t->allocs >= t->fail_after)
		return NULL;
	p = aligned_alloc(64, (bytes + 63) & ~(size_t)63);
	assert_non_null(p);
	memset(p, 0, bytes);
	t->allocs++;
	return p;
}

static void test_free_fn(void *ctx, void *mem, size_t bytes)
{
	struct test_alloc *t = ctx;

	(void)bytes;
	t->frees++;
	free(mem);
}

/* A task and a guest on the SPR layout. */
struct world {
	struct fpu_cpu cpu;
	struct fpu_task task;
	struct fpu_guest guest;
	struct fpu_switch_ctx ctx;
	struct test_alloc talloc;
	struct fpstate_allocator alloc;
	struct fpstate *task_fps, *guest_fps;
};

static struct fpstate *container(uint64_t features, bool is_guest)
{
	uint32_t bytes = fpstate_container_bytes(&spr.layout, features, true);
	void *mem = aligned_alloc(64, bytes);
	struct fpstate *fps;

	assert_non_null(mem);
	fps = fpstate_init(mem, bytes, &spr.layout, features, true, is_guest);
	assert_non_null(fps);
	return fps;
}

static void world_init(struct world *w, const struct fpu_insn_ops *ops, uint64_t task_features,
		       uint64_t guest_features)
{
	memset(w, 0, sizeof(*w));
	w->talloc.fail_after = -1;
	w->alloc = (struct fpstate_allocator){ test_alloc_fn, test_free_fn, &w->talloc };
	w->task_fps = container(task_features, false);
	w->guest_fps = fpstate_alloc(&w->alloc, &spr.layout, guest_features, true, true);
	assert_non_null(w->guest_fps);
	w->task = (struct fpu_task){ .fpstate = w->task_fps };
	w->guest = (struct fpu_guest){ .fpstate = w->guest_fps, .xfeatures = guest_features };
	w->cpu.xfd = w->task_fps->xfd;
	w->ctx = (struct fpu_switch_ctx){ &spr.layout, ops, &w->cpu, &w->task, &w->alloc };
	nr_calls = 0;
}

static void world_free(struct world *w)
{
	free(w->task_fps);
	fpstate_free(&w->alloc, w->guest.fpstate);
}

static void expect_call(int i, char what, const void *buf, uint64_t value)
{
	assert_true(i < nr_calls);
	assert_int_equal(calls[i].what, what);
	assert_ptr_equal(calls[i].buf, buf);
	assert_int_equal(calls[i].value, value);
}

static int setup(void **state)
{
	char path[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/intel-sapphirerapids.dump", TEST_CPUID_DIR);
	return machine_from_dump_file(&spr, path);
}

static void test_container_is_described_by_the_layout(void **state)
{
	const struct xstate_layout *l = &spr.layout;
	uint8_t mem[16384] __attribute__((aligned(64)));
	struct fpstate *fps;
	uint64_t expected, actual;

	(void)state;
	/* the task's default fpstate: no room for tile data, so XFD arms it */
	fps = fpstate_init(mem, sizeof(mem), l, AMX_DEFAULT, true, false);
	assert_non_null(fps);
	assert_ptr_equal((void *)fps->regs, mem + 64);
	assert_int_equal(fps->size, (xstate_size_compacted(l, AMX_DEFAULT) + 63) & ~63u);
	assert_int_equal(fps->container_bytes, 64 + fps->size);
	assert_int_equal(fps->user_xfeatures, AMX_DEFAULT);
	assert_int_equal(fps->user_size, xstate_size_standard(l, AMX_DEFAULT));
	assert_int_equal(fps->xfd, XTILEDATA);
	assert_int_equal(xstate_header_of(fps->regs)->xcomp_bv, XCOMP_BV_COMPACTED | AMX_DEFAULT);
	assert_int_equal(fpstate_check_header(l, fps, &expected, &actual), FPSTATE_OK);

	/* with tile data and CET_U (a supervisor state): user view without CET_U, XFD disarmed */
	fps = fpstate_init(mem, sizeof(mem), l, XFEATURES_AMX | XFEATURE_MASK(XFEATURE_CET_USER), true, false);
	assert_non_null(fps);
	assert_int_equal(fps->user_xfeatures, XFEATURES_AMX);
	assert_int_equal(fps->xfd, 0);
	assert_true(fps->size > 8192);
	/* a guest's fpstate starts with nothing armed; the standard format has XCOMP_BV 0 */
	fps = fpstate_init(mem, sizeof(mem), l, AMX_DEFAULT, false, true);
	assert_int_equal(fps->xfd, 0);
	assert_int_equal(fps->size, (xstate_size_standard(l, AMX_DEFAULT) + 63) & ~63u);
	assert_int_equal(xstate_header_of(fps->regs)->xcomp_bv, 0);

	/* refused: misaligned, too small, a component the machine does not enable, no x87/SSE */
	assert_null(fpstate_init(mem + 8, sizeof(mem) - 64, l, XFEATURES_FP, true, false));
	assert_null(fpstate_init(mem, 600, l, XFEATURES_AVX512, true, false));
	assert_null(fpstate_init(mem, sizeof(mem), l, XFEATURES_FP | XFEATURE_MASK(XFEATURE_BNDREGS), true, false));
	assert_null(fpstate_init(mem, sizeof(mem), l, XFEATURE_MASK(XFEATURE_YMM), true, false));
}

static void test_header_check_catches_each_fault(void **state)
{
	const struct xstate_layout *l = &spr.layout;
	uint8_t mem[4096] __attribute__((aligned(64)));
	struct fpstate *fps = fpstate_init(mem, sizeof(mem), l, XFEATURES_AVX512, true, false);
	struct xstate_header *hdr = xstate_header_of(fps->regs);
	uint64_t expected, actual;

	(void)state;
	hdr->xstate_bv = XFEATURES_AVX512 | XFEATURE_MASK(XFEATURE_PKRU);
	assert_int_equal(fpstate_check_header(l, fps, &expected, &actual), FPSTATE_XSTATE_BV);
	assert_int_equal(actual, XFEATURES_AVX512 | XFEATURE_MASK(XFEATURE_PKRU));
	hdr->xstate_bv = XFEATURES_AVX;
	hdr->xcomp_bv = XFEATURES_AVX512; /* bit 63 missing */
	assert_int_equal(fpstate_check_header(l, fps, &expected, &actual), FPSTATE_XCOMP_BV);
	assert_int_equal(expected, XCOMP_BV_COMPACTED | XFEATURES_AVX512);
	hdr->xcomp_bv = XCOMP_BV_COMPACTED | XFEATURES_AVX512;
	hdr->reserved[3] = 1;
	assert_int_equal(fpstate_check_header(l, fps, &expected, &actual), FPSTATE_RESERVED);
	hdr->reserved[3] = 0;
	fps->size -= 64;
	assert_int_equal(fpstate_check_header(l, fps, &expected, &actual), FPSTATE_SIZE);
	fps->size += 64;
	assert_int_equal(fpstate_check_header(l, fps, &expected, &actual), FPSTATE_OK);
}

static void test_copy_needs_matching_containers(void **state)
{
	struct fpstate *a = container(XFEATURES_AVX512, false), *b = container(XFEATURES_AVX512, false);
	struct fpstate *c = container(XFEATURES_AVX, false);

	(void)state;
	assert_true(xstate_image_build(&spr.layout, a->regs, a->size, XFEATURES_AVX512, true, true, 3));
	assert_true(fpstate_copy_regs(b, a, a->size));
	assert_memory_equal(a->regs, b->regs, a->size);
	assert_false(fpstate_copy_regs(c, a, a->size)); /* no room in the AVX container */
	assert_false(fpstate_copy_regs(b, a, a->size + 64)); /* nor beyond the buffers */
	free(a), free(b), free(c);
}

static void test_ops_follow_the_cpu(void **state)
{
	struct fpu_insn_ops ops;
	struct machine *m = malloc(sizeof(*m));
	char path[512];

	(void)state;
	assert_true(fpu_insn_ops_init(&ops, &spr.layout, true));
	assert_string_equal(ops.name, "xsaves/xrstors+xfd");
	assert_true(ops.ring0 && ops.compacted && ops.write_xfd);
	assert_true(fpu_insn_ops_init(&ops, &spr.layout, false));
	assert_string_equal(ops.name, "xsavec/xrstor");
	assert_true(ops.compacted && !ops.ring0 && !ops.write_xfd);

	snprintf(path, sizeof(path), "%s/intel-sandybridge.dump", TEST_CPUID_DIR);
	assert_int_equal(machine_from_dump_file(m, path), 0);
	assert_true(fpu_insn_ops_init(&ops, &m->layout, false));
	assert_string_equal(ops.name, "xsaveopt/xrstor");
	assert_false(ops.compacted);
	assert_true(fpu_insn_ops_init(&ops, &m->layout, true)); /* no XSAVES: the user instructions */
	assert_string_equal(ops.name, "xsaveopt/xrstor");
	assert_null(ops.write_xfd);

	snprintf(path, sizeof(path), "%s/intel-westmere.dump", TEST_CPUID_DIR);
	assert_int_equal(machine_from_dump_file(m, path), 0);
	assert_false(fpu_insn_ops_init(&ops, &m->layout, false));
	free(m);
}

static void test_pointer_swap_live(void **state)
{
	struct world w;

	(void)state;
	world_init(&w, &ring0_ops, XFEATURES_AMX, XFEATURES_AMX);
	assert_int_equal(fpu_swap_enter(&w.ctx, &w.guest), FPU_SWITCH_OK);
	assert_int_equal(nr_calls, 2);
	expect_call(0, 'S', w.task_fps->regs, XFEATURES_AMX);
	expect_call(1, 'R', w.guest_fps->regs, XFEATURES_AMX);
	assert_ptr_equal(w.task.fpstate, w.guest_fps);
	assert_ptr_equal(w.task.task_fpstate, w.task_fps);
	assert_true(w.guest_fps->in_use);
	assert_false(w.task.need_load);
	/* entering twice is refused */
	assert_int_equal(fpu_swap_enter(&w.ctx, &w.guest), FPU_SWITCH_INVAL);

	assert_int_equal(fpu_swap_exit(&w.ctx, &w.guest), FPU_SWITCH_OK);
	assert_int_equal(nr_calls, 4);
	expect_call(2, 'S', w.guest_fps->regs, XFEATURES_AMX);
	expect_call(3, 'R', w.task_fps->regs, XFEATURES_AMX);
	assert_ptr_equal(w.task.fpstate, w.task_fps);
	assert_null(w.task.task_fpstate);
	assert_false(w.guest_fps->in_use);
	assert_int_equal(w.cpu.saves, 2);
	assert_int_equal(w.cpu.restores, 2);
	assert_int_equal(w.cpu.xfd_writes, 0); /* both sides have tile data: XFD stays 0 */
	/* exiting without entering is refused */
	assert_int_equal(fpu_swap_exit(&w.ctx, &w.guest), FPU_SWITCH_INVAL);
	world_free(&w);
}

static void test_pointer_swap_need_load(void **state)
{
	struct world w;

	(void)state;
	/* user instructions: the IA32_XFD step (tile data armed for the task) is not recorded */
	world_init(&w, &user_ops, XFEATURES_AVX512, XFEATURES_AVX512);
	w.task.need_load = true;
	assert_int_equal(fpu_swap_enter(&w.ctx, &w.guest), FPU_SWITCH_OK);
	assert_int_equal(nr_calls, 1); /* the task's state is already saved */
	expect_call(0, 'R', w.guest_fps->regs, XFEATURES_AVX512);
	assert_false(w.task.need_load); /* fpregs_mark_activate() */
	/* 6.1 never defers: the exit saves the guest and restores the task's state */
	assert_int_equal(fpu_swap_exit(&w.ctx, &w.guest), FPU_SWITCH_OK);
	assert_int_equal(nr_calls, 3);
	expect_call(1, 'S', w.guest_fps->regs, XFEATURES_AVX512);
	expect_call(2, 'R', w.task_fps->regs, XFEATURES_AVX512);
	assert_false(w.task.need_load);
	assert_ptr_equal(w.task.fpstate, w.task_fps);

	/* a context switch while in the guest saved the guest already: exit does not save */
	nr_calls = 0;
	assert_int_equal(fpu_swap_enter(&w.ctx, &w.guest), FPU_SWITCH_OK);
	w.task.need_load = true;
	assert_int_equal(fpu_swap_exit(&w.ctx, &w.guest), FPU_SWITCH_OK);
	assert_int_equal(nr_calls, 3);
	expect_call(0, 'S', w.task_fps->regs, XFEATURES_AVX512);
	expect_call(1, 'R', w.guest_fps->regs, XFEATURES_AVX512);
	expect_call(2, 'R', w.task_fps->regs, XFEATURES_AVX512);
	assert_false(w.task.need_load);
	world_free(&w);
}

/* PKRU is saved with the rest but left out of every restore: KVM switches it itself. */
static void test_restores_leave_pkru_out(void **state)
{
	const uint64_t user = spr.layout.xcr0 & ~XTILEDATA; /* 0x202e7: with PKRU */
	struct fpstate *user_fpu = container(user, false);
	struct fpu_vcpu_buffers vcpu;
	struct world w;

	(void)state;
	world_init(&w, &user_ops, user, user); /* user ops: no IA32_XFD calls among them */
	assert_true(user & PKRU);
	assert_int_equal(FPU_RESTORE_MASK(w.guest_fps), user & ~PKRU);
	assert_int_equal(fpu_swap_enter(&w.ctx, &w.guest), FPU_SWITCH_OK);
	assert_int_equal(fpu_swap_exit(&w.ctx, &w.guest), FPU_SWITCH_OK);
	assert_int_equal(nr_calls, 4);
	expect_call(0, 'S', w.task_fps->regs, user);
	expect_call(1, 'R', w.guest_fps->regs, user & ~PKRU);
	expect_call(2, 'S', w.guest_fps->regs, user);
	expect_call(3, 'R', w.task_fps->regs, user & ~PKRU);
	nr_calls = 0;
	vcpu = (struct fpu_vcpu_buffers){ user_fpu, w.guest_fps, user_fpu->size };
	assert_int_equal(fpu_three_buffer_enter(&w.ctx, &vcpu), FPU_SWITCH_OK);
	assert_int_equal(fpu_three_buffer_exit(&w.ctx, &vcpu), FPU_SWITCH_OK);
	expect_call(1, 'R', w.guest_fps->regs, user & ~PKRU);
	expect_call(3, 'R', user_fpu->regs, user & ~PKRU);
	free(user_fpu);
	world_free(&w);
}

/* A container of @features with room for the kernel's whole buffer, as 5.15's buffers. */
static struct fpstate *whole_buffer_container(uint64_t features)
{
	uint32_t bytes = 64 + ((fpu_kernel_buffer_bytes(&spr.layout, features, true) + 63) & ~63u);
	void *mem = aligned_alloc(64, bytes);
	struct fpstate *fps;

	assert_non_null(mem);
	fps = fpstate_init(mem, bytes, &spr.layout, features, true, false);
	assert_non_null(fps);
	assert_int_equal(fps->room, bytes - 64);
	return fps;
}

static void test_three_buffer(void **state)
{
	struct world w;
	struct fpstate *user_fpu, *task_fps;
	struct fpu_vcpu_buffers vcpu;

	(void)state;
	/* ring-0 instructions, and the task armed XFD for tile data: 5.15 has no XFD step */
	world_init(&w, &ring0_ops, XFEATURES_AVX512, XFEATURES_AVX512);
	free(w.task_fps);
	w.task_fps = task_fps = whole_buffer_container(XFEATURES_AVX512);
	w.task.fpstate = task_fps;
	w.cpu.xfd = task_fps->xfd;
	assert_int_equal(task_fps->xfd, XTILEDATA);
	user_fpu = whole_buffer_container(XFEATURES_AVX512);
	vcpu = (struct fpu_vcpu_buffers){ user_fpu, w.guest_fps, SPR_KERNEL_BUFFER };
	assert_int_equal(fpu_kernel_buffer_bytes(&spr.layout, XFEATURES_AVX512, true), SPR_KERNEL_BUFFER);
	assert_true(xstate_image_build(&spr.layout, task_fps->regs, task_fps->size, XFEATURES_AVX512,
				       true, true, 11));
	memset(task_fps->regs + task_fps->size, 0xa5, SPR_KERNEL_BUFFER - task_fps->size);

	/* need-load: the task's whole buffer is copied into user_fpu, nothing saved */
	w.task.need_load = true;
	assert_int_equal(fpu_three_buffer_enter(&w.ctx, &vcpu), FPU_SWITCH_OK);
	assert_int_equal(nr_calls, 1);
	expect_call(0, 'R', w.guest_fps->regs, XFEATURES_AVX512);
	assert_int_equal(w.cpu.copies, 1);
	assert_int_equal(w.cpu.copied_bytes, SPR_KERNEL_BUFFER);
	/* fpu_kernel_xstate_size bytes, not the features' 2432 */
	assert_memory_equal(user_fpu->regs, task_fps->regs, SPR_KERNEL_BUFFER);
	assert_ptr_equal(w.task.fpstate, task_fps); /* no pointer ever moves */
	assert_int_equal(fpu_three_buffer_exit(&w.ctx, &vcpu), FPU_SWITCH_OK);
	expect_call(1, 'S', w.guest_fps->regs, XFEATURES_AVX512);
	expect_call(2, 'R', user_fpu->regs, XFEATURES_AVX512);
	assert_int_equal(nr_calls, 3); /* no IA32_XFD write, though the task armed tile data */
	assert_int_equal(w.cpu.xfd_writes + w.cpu.xfd_skipped, 0);
	assert_false(w.task.need_load);

	/* live: the registers go into user_fpu */
	nr_calls = 0;
	assert_int_equal(fpu_three_buffer_enter(&w.ctx, &vcpu), FPU_SWITCH_OK);
	expect_call(0, 'S', user_fpu->regs, XFEATURES_AVX512);
	expect_call(1, 'R', w.guest_fps->regs, XFEATURES_AVX512);
	/* preempted in the guest: the guest's state went to the task's buffer, but guest_fpu has
	 * no room for the kernel's whole buffer: refused, not overrun */
	w.task.need_load = true;
	assert_int_equal(fpu_three_buffer_exit(&w.ctx, &vcpu), FPU_SWITCH_INVAL);
	assert_int_equal(w.cpu.copies, 1);
	/* with the room, it is copied back */
	vcpu.copy_bytes = w.guest_fps->size;
	assert_int_equal(fpu_three_buffer_exit(&w.ctx, &vcpu), FPU_SWITCH_OK);
	assert_int_equal(w.cpu.copies, 2);
	assert_memory_equal(w.guest_fps->regs, task_fps->regs, w.guest_fps->size);
	free(user_fpu);
	world_free(&w);
}

/* What one round trip does, per strategy and condition: the kernels' sequences as a table. */
static const struct switch_row {
	enum fpu_strategy strategy;
	enum fpu_cond cond;
	const char *calls; /* the saves (S) and restores (R) in order; the copy is no call */
	int saves, restores, copies, reallocs;
} switch_table[] = {
	/* fpu_swap_kvm_fpstate(): enter saves the task unless need-load, exit saves the guest;
	 * both restore */
	{ FPU_STRATEGY_POINTER_SWAP, FPU_COND_NEED_LOAD, "RSR", 1, 2, 0, 0 },
	{ FPU_STRATEGY_POINTER_SWAP, FPU_COND_LIVE, "SRSR", 2, 2, 0, 0 },
	/* kvm_load_guest_fpu()/kvm_put_guest_fpu(): need-load copies the task's buffer instead */
	{ FPU_STRATEGY_THREE_BUFFER, FPU_COND_NEED_LOAD, "RSR", 1, 2, 1, 0 },
	{ FPU_STRATEGY_THREE_BUFFER, FPU_COND_LIVE, "SRSR", 2, 2, 0, 0 },
	/* pointer-swap whose exit first grows the guest's fpstate (fpstate_realloc()) */
	{ FPU_STRATEGY_REALLOC, FPU_COND_NEED_LOAD, "RSR", 1, 2, 0, 1 },
	{ FPU_STRATEGY_REALLOC, FPU_COND_LIVE, "SRSR", 2, 2, 0, 1 },
};

static void test_every_strategy_and_condition_against_the_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(switch_table) / sizeof(switch_table[0]); i++) {
		const struct switch_row *row = &switch_table[i];
		bool realloc = row->strategy == FPU_STRATEGY_REALLOC;
		struct fpstate *user_fpu = whole_buffer_container(XFEATURES_AVX512);
		struct fpu_vcpu_buffers vcpu;
		struct fpu_cpu want;
		struct world w;
		char got[8] = "";
		int n = 0;

		world_init(&w, &user_ops, XFEATURES_AVX512, realloc ? XFEATURES_AVX : XFEATURES_AVX512);
		free(w.task_fps);
		w.task_fps = whole_buffer_container(XFEATURES_AVX512);
		w.task.fpstate = w.task_fps;
		w.guest.xfeatures = XFEATURES_AVX512; /* realloc: granted more than its fpstate holds */
		vcpu = (struct fpu_vcpu_buffers){ user_fpu, w.guest_fps, SPR_KERNEL_BUFFER };
		w.task.need_load = row->cond == FPU_COND_NEED_LOAD;
		nr_calls = 0;
		if (row->strategy == FPU_STRATEGY_THREE_BUFFER) {
			assert_int_equal(fpu_three_buffer_enter(&w.ctx, &vcpu), FPU_SWITCH_OK);
			assert_int_equal(fpu_three_buffer_exit(&w.ctx, &vcpu), FPU_SWITCH_OK);
		} else {
			assert_int_equal(fpu_swap_enter(&w.ctx, &w.guest), FPU_SWITCH_OK);
			assert_int_equal(fpu_swap_exit(&w.ctx, &w.guest), FPU_SWITCH_OK);
		}
		for (int k = 0; k < nr_calls; k++)
			if (calls[k].what != 'X')
				got[n++] = calls[k].what;
		if (strcmp(got, row->calls))
			fail_msg("%s %s: calls %s, not %s", fpu_strategy_name(row->strategy),
				 fpu_cond_name(row->cond), got, row->calls);
		assert_int_equal(w.cpu.saves, row->saves);
		assert_int_equal(w.cpu.restores, row->restores);
		assert_int_equal(w.cpu.copies, row->copies);
		assert_int_equal(w.cpu.copied_bytes, (uint64_t)row->copies * SPR_KERNEL_BUFFER);
		assert_int_equal(w.cpu.reallocs, row->reallocs);
		/* the task's state is live after every exit: 6.1 never leaves it need-load */
		assert_false(w.task.need_load);
		assert_ptr_equal(w.task.fpstate, w.task_fps);
		/* and the bench's expectations are the same table */
		want = fpu_switch_expected_counts(row->strategy, row->cond, SPR_KERNEL_BUFFER);
		assert_int_equal(want.saves, row->saves);
		assert_int_equal(want.restores, row->restores);
		assert_int_equal(want.copies, row->copies);
		assert_int_equal(want.copied_bytes, (uint64_t)row->copies * SPR_KERNEL_BUFFER);
		assert_int_equal(want.reallocs, row->reallocs);
		free(user_fpu);
		world_free(&w);
	}
}

static void test_xfd_written_only_when_it_changes(void **state)
{
	struct world w;

	(void)state;
	/* the task has no tile data (XFD arms it); the guest has tile data in use */
	world_init(&w, &ring0_ops, AMX_DEFAULT, XFEATURES_AMX);
	assert_int_equal(w.task_fps->xfd, XTILEDATA);
	assert_int_equal(w.guest_fps->xfd, 0);
	for (int i = 0; i < 2; i++) {
		nr_calls = 0;
		assert_int_equal(fpu_swap_enter(&w.ctx, &w.guest), FPU_SWITCH_OK);
		assert_int_equal(fpu_swap_exit(&w.ctx, &w.guest), FPU_SWITCH_OK);
		assert_int_equal(nr_calls, 6);
		expect_call(0, 'S', w.task_fps->regs, AMX_DEFAULT);
		expect_call(1, 'X', NULL, 0); /* before the guest's restore */
		expect_call(2, 'R', w.guest_fps->regs, XFEATURES_AMX);
		expect_call(3, 'S', w.guest_fps->regs, XFEATURES_AMX);
		expect_call(4, 'X', NULL, XTILEDATA);
		expect_call(5, 'R', w.task_fps->regs, AMX_DEFAULT);
	}
	assert_int_equal(w.cpu.xfd_writes, 4);
	assert_int_equal(w.cpu.xfd, XTILEDATA);

	/* the same value on both sides: the cached value spares the WRMSR */
	world_free(&w);
	world_init(&w, &ring0_ops, AMX_DEFAULT, AMX_DEFAULT);
	w.guest_fps->xfd = XTILEDATA; /* the guest armed XFD for tile data itself */
	assert_int_equal(fpu_swap_enter(&w.ctx, &w.guest), FPU_SWITCH_OK);
	assert_int_equal(fpu_swap_exit(&w.ctx, &w.guest), FPU_SWITCH_OK);
	assert_int_equal(w.cpu.xfd_writes, 0);
	assert_int_equal(nr_calls, 4);
	world_free(&w);

	/* user space has no XFD step: the writes the kernel would do are counted, not done */
	world_init(&w, &user_ops, AMX_DEFAULT, XFEATURES_AMX);
	assert_int_equal(fpu_swap_enter(&w.ctx, &w.guest), FPU_SWITCH_OK);
	assert_int_equal(fpu_swap_exit(&w.ctx, &w.guest), FPU_SWITCH_OK);
	assert_int_equal(nr_calls, 4);
	for (int i = 0; i < nr_calls; i++)
		assert_int_not_equal(calls[i].what, 'X');
	assert_int_equal(w.cpu.xfd_writes, 0);
	assert_int_equal(w.cpu.xfd_skipped, 2);
	world_free(&w);
}

static void test_realloc_grows_the_guest(void **state)
{
	struct world w;
	struct fpstate *small;

	(void)state;
	world_init(&w, &ring0_ops, XFEATURES_AMX, AMX_DEFAULT);
	small = w.guest_fps;
	small->xfd = XTILEDATA;
	w.guest.xfeatures = XFEATURES_AMX; /* the guest was granted tile data */
	assert_int_equal(fpu_swap_enter(&w.ctx, &w.guest), FPU_SWITCH_OK);
	assert_int_equal(w.talloc.allocs, 1);
	assert_int_equal(fpu_swap_exit(&w.ctx, &w.guest), FPU_SWITCH_OK);
	/* a larger container, allocated; the small one freed */
	assert_ptr_not_equal(w.guest.fpstate, small);
	assert_int_equal(w.talloc.allocs, 2);
	assert_int_equal(w.talloc.frees, 1);
	assert_int_equal(w.cpu.reallocs, 1);
	assert_int_equal(w.guest.fpstate->xfeatures, XFEATURES_AMX);
	assert_true(w.guest.fpstate->is_guest && w.guest.fpstate->allocated && !w.guest.fpstate->in_use);
	assert_int_equal(w.guest.fpstate->xfd, 0);
	assert_true(w.guest.fpstate->size > 8192);
	/* enter: save task, XFD to the guest's, restore small; exit: XFD follows the new
	 * container, the save goes into it, then the task's restore */
	assert_int_equal(nr_calls, 6);
	expect_call(0, 'S', w.task_fps->regs, XFEATURES_AMX);
	expect_call(1, 'X', NULL, XTILEDATA);
	expect_call(2, 'R', small->regs, AMX_DEFAULT);
	expect_call(3, 'X', NULL, 0);
	expect_call(4, 'S', w.guest.fpstate->regs, XFEATURES_AMX);
	expect_call(5, 'R', w.task_fps->regs, XFEATURES_AMX);
	assert_ptr_equal(w.task.fpstate, w.task_fps);
	/* nothing more to grow into: the next round trip is a plain one */
	assert_int_equal(fpu_swap_enter(&w.ctx, &w.guest), FPU_SWITCH_OK);
	assert_int_equal(fpu_swap_exit(&w.ctx, &w.guest), FPU_SWITCH_OK);
	assert_int_equal(w.cpu.reallocs, 1);
	world_free(&w);
}

static void test_realloc_failure_keeps_the_old_container(void **state)
{
	struct world w;
	struct fpstate *small;

	(void)state;
	world_init(&w, &ring0_ops, XFEATURES_AMX, AMX_DEFAULT);
	small = w.guest_fps;
	w.guest.xfeatures = XFEATURES_AMX;
	w.talloc.fail_after = w.talloc.allocs;
	assert_int_equal(fpu_swap_enter(&w.ctx, &w.guest), FPU_SWITCH_OK);
	assert_int_equal(fpu_swap_exit(&w.ctx, &w.guest), FPU_SWITCH_NOMEM);
	assert_ptr_equal(w.guest.fpstate, small);
	assert_ptr_equal(w.task.fpstate, small); /* still in the guest, nothing lost */
	assert_int_equal(w.talloc.frees, 0);
	/* without an allocator a request is refused */
	w.ctx.alloc = NULL;
	assert_int_equal(fpu_guest_realloc(&w.ctx, &w.guest, XTILEDATA), FPU_SWITCH_INVAL);
	w.guest.xfeatures = AMX_DEFAULT;
	assert_int_equal(fpu_swap_exit(&w.ctx, &w.guest), FPU_SWITCH_OK);
	w.ctx.alloc = &w.alloc;
	world_free(&w);
}

static void test_realloc_of_a_saved_guest_loads_it_first(void **state)
{
	struct world w;
	struct fpstate *small;

	(void)state;
	world_init(&w, &ring0_ops, XFEATURES_AMX, AMX_DEFAULT);
	small = w.guest_fps;
	assert_int_equal(fpu_swap_enter(&w.ctx, &w.guest), FPU_SWITCH_OK);
	w.task.need_load = true; /* preempted in the guest: its state is in its fpstate */
	nr_calls = 0;
	assert_int_equal(fpu_guest_realloc(&w.ctx, &w.guest, XTILEDATA), FPU_SWITCH_OK);
	/* the registers get the guest's state back before the layout changes */
	expect_call(0, 'R', small->regs, AMX_DEFAULT);
	assert_false(w.task.need_load);
	assert_ptr_equal(w.task.fpstate, w.guest.fpstate);
	assert_true(w.guest.fpstate->in_use);
	assert_int_equal(w.talloc.frees, 1);
	assert_int_equal(fpu_swap_exit(&w.ctx, &w.guest), FPU_SWITCH_OK);
	world_free(&w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_container_is_described_by_the_layout),
		cmocka_unit_test(test_header_check_catches_each_fault),
		cmocka_unit_test(test_copy_needs_matching_containers),
		cmocka_unit_test(test_ops_follow_the_cpu),
		cmocka_unit_test(test_pointer_swap_live),
		cmocka_unit_test(test_pointer_swap_need_load),
		cmocka_unit_test(test_restores_leave_pkru_out),
		cmocka_unit_test(test_three_buffer),
		cmocka_unit_test(test_every_strategy_and_condition_against_the_table),
		cmocka_unit_test(test_xfd_written_only_when_it_changes),
		cmocka_unit_test(test_realloc_grows_the_guest),
		cmocka_unit_test(test_realloc_failure_keeps_the_old_container),
		cmocka_unit_test(test_realloc_of_a_saved_guest_loads_it_first),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
