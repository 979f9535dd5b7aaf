/*
 * test_kpath.c - the mechanics of the native kernel-path families on this CPU and kernel:
 * a hold notices a changed register and a component that left its init state, and after a
 * kernel path lets the control's x87 and SSE show in use at their init values only; a signal
 * frame's software-reserved bytes give the size the layout predicts and the handler
 * notices a frame that does not show the held state; the ping-pong partner on the same
 * CPU answers, keeps its state and forces real context switches; a stopped tracee's
 * NT_X86_XSTATE reads back what it holds and takes what is set.
 */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "host/machine.h"
#include "host/native/pingpong.h"
#include "host/native/sigframe.h"
#include "host/native/tracee.h"
#include "host/topology.h"
#include "host/xstate_buffer.h"
#include "kernels/xsave_insn.h"
#include "kernels/xstate_image.h"

#define TEST_SIGNAL SIGUSR2

static struct machine m;
static uint64_t features; /* the widest fixed set this CPU has: avx512, else avx */

struct held {
	struct xstate_hold hold;
	void *mem, *caller;
};

static void held_init(struct held *h, uint64_t in_use, uint32_t seed)
{
	uint64_t load_mask = xstate_hold_load_mask(&m.layout, in_use, m.layout.xcr0 & ~xstate_xfd_capable(&m.layout));

	h->mem = xstate_buffer_alloc(xstate_hold_bytes(&m.layout, load_mask | XFEATURES_FP));
	h->caller = xstate_buffer_alloc(xstate_size_standard(&m.layout, m.layout.xcr0));
	assert_true(xstate_hold_init(&h->hold, &m.layout, in_use, load_mask, seed, h->mem));
}

static void held_free(struct held *h)
{
	xstate_buffer_free(h->mem);
	xstate_buffer_free(h->caller);
}

/* Loads @h, then @other over it, and checks @h with @check: general-regs-only, nothing in
 * between. */
__attribute__((target("general-regs-only"), noinline)) static struct hold_result
check_with(struct hold_result (*check)(const struct xstate_hold *), const struct held *h, const void *other,
	   uint64_t other_mask)
{
	struct hold_result r;

	xsave(h->caller, h->hold.load_mask);
	xstate_hold_load(&h->hold);
	if (other)
		xrstor((void *)other, other_mask);
	r = check(&h->hold);
	xrstor(h->caller, h->hold.load_mask);
	return r;
}

/* The check right after loading. */
static struct hold_result check_after(const struct held *h, const void *other, uint64_t other_mask)
{
	return check_with(xstate_hold_check, h, other, other_mask);
}

/* The check made after a kernel path. */
static struct hold_result check_after_path(const struct held *h, const void *other, uint64_t other_mask)
{
	return check_with(xstate_hold_check_after_path, h, other, other_mask);
}

static void test_hold_notices_changes(void **state)
{
	struct held h, other, init;

	(void)state;
	held_init(&h, features, 1);
	held_init(&other, features, 2);
	held_init(&init, 0, 0);
	assert_int_equal(check_after(&h, NULL, 0).check, HOLD_OK);
	/* other values in the same components: the read-back differs */
	assert_int_equal(check_after(&h, other.hold.image, features).check, HOLD_CONTENT);
	/* the components back in init: XINUSE says so (a CPU without XGETBV1 sees the content) */
	assert_int_equal(check_after(&h, init.hold.image, features).check,
			 m.layout.xgetbv1 ? HOLD_XINUSE : HOLD_XSTATE_BV);
	/* and the control: a component in use where all should be init */
	assert_int_equal(check_after(&init, NULL, 0).check, HOLD_OK);
	assert_int_not_equal(check_after(&init, h.hold.image, XFEATURES_FP).check, HOLD_OK);
	held_free(&h), held_free(&other), held_free(&init);
}

/* After a kernel path the init-state control may find x87 and SSE in use at their init
 * values (rt_sigreturn loads them; Intel counts them in use), and only that: other values
 * there, or any other component in use, still fail. */
static void test_hold_after_path(void **state)
{
	struct held h, init;
	void *loaded_init = xstate_buffer_alloc(xstate_size_standard(&m.layout, features));
	struct hold_result r;

	(void)state;
	held_init(&h, features, 4);
	held_init(&init, 0, 0);
	/* x87 and SSE loaded with XSTATE_BV set, at their init values */
	assert_true(xstate_image_build(&m.layout, loaded_init, xstate_size_standard(&m.layout, features), features,
				       false, false, 0));
	xstate_header_of(loaded_init)->xstate_bv = XFEATURES_FP;
	r = check_after_path(&init, loaded_init, XFEATURES_FP);
	assert_int_equal(r.check, HOLD_OK);
	assert_int_equal(r.init_in_use & ~XFEATURES_FP, 0);
	assert_int_equal(check_after_path(&init, NULL, 0).check, HOLD_OK);
	/* the patterned x87 and SSE values are not init: caught whatever XINUSE says */
	r = check_after_path(&init, h.hold.image, XFEATURES_FP);
	assert_int_equal(r.check, HOLD_CONTENT);
	/* a component beyond x87 and SSE in use */
	r = check_after_path(&init, h.hold.image, features);
	assert_int_equal(r.check, m.layout.xgetbv1 ? HOLD_XINUSE : HOLD_XSTATE_BV);
	assert_int_equal(r.actual & ~XFEATURES_FP, features & ~XFEATURES_FP);
	/* a hold whose x87 and SSE are held gets no such leeway: init values there are wrong */
	assert_int_equal(check_after_path(&h, loaded_init, XFEATURES_FP).check, HOLD_CONTENT);

	/* the same comparison on a saved image, as a ptrace regset is checked */
	assert_int_equal(xstate_hold_compare(&init.hold, loaded_init).check, HOLD_OK);
	assert_int_equal(xstate_hold_compare(&init.hold, loaded_init).init_in_use, XFEATURES_FP);
	assert_int_equal(xstate_hold_compare(&init.hold, init.hold.image).init_in_use, 0);
	assert_int_equal(xstate_hold_compare(&h.hold, h.hold.image).check, HOLD_OK);
	assert_int_equal(xstate_hold_compare(&init.hold, h.hold.image).check, HOLD_XSTATE_BV);
	xstate_header_of(loaded_init)->xstate_bv = XFEATURE_MASK(XFEATURE_SSE);
	((uint8_t *)loaded_init)[FXSAVE_XMM_OFFSET + 7] = 1;
	r = xstate_hold_compare(&init.hold, loaded_init);
	assert_int_equal(r.check, HOLD_CONTENT);
	assert_int_equal(r.expected, XFEATURE_MASK(XFEATURE_SSE));
	xstate_buffer_free(loaded_init);
	held_free(&h), held_free(&init);
}

static void test_signal_frame_describes_the_xstate(void **state)
{
	struct held h;
	struct held_batch r;
	struct sigframe_seen seen;
	uint64_t user = m.layout.xcr0 & ~xstate_xfd_capable(&m.layout);

	(void)state;
	held_init(&h, features, 3);
	assert_int_equal(sigframe_install(TEST_SIGNAL), 0);
	sigframe_expect(features, h.hold.load_mask);
	sigframe_batch(&h.hold, TEST_SIGNAL, 2, 5, h.caller, h.hold.load_mask, &r);
	seen = sigframe_seen();
	assert_int_equal(r.error, 0);
	assert_int_equal(r.before.check, HOLD_OK);
	assert_int_equal(r.after.check, HOLD_OK); /* rt_sigreturn gave the state back */
	assert_int_equal(seen.deliveries, 7);
	assert_int_equal(seen.bad_magic, 0);
	assert_int_equal(seen.bv_mismatch, 0);
	/* the frame holds the task's user features in the standard format, then MAGIC2 */
	assert_int_equal(seen.xfeatures, user);
	assert_int_equal(seen.xstate_size, xstate_size_standard(&m.layout, user));
	assert_int_equal(seen.extended_size, seen.xstate_size + FP_XSTATE_MAGIC2_SIZE);
	if (m.kernel.minsigstksz)
		assert_true(seen.xstate_size < m.kernel.minsigstksz);
	assert_int_equal(seen.xstate_bv & features, features);

	/* a frame that does not show what the hold claims is counted */
	sigframe_expect(0, h.hold.load_mask);
	sigframe_batch(&h.hold, TEST_SIGNAL, 0, 3, h.caller, h.hold.load_mask, &r);
	assert_int_equal(sigframe_seen().bv_mismatch, 3);
	held_free(&h);
}

struct partner {
	struct pingpong_end end;
	int cpu;
};

static void *partner_main(void *arg)
{
	struct partner *p = arg;
	struct pin_result pin;

	if (!topology_pin_thread(p->cpu, &pin))
		pingpong_partner(&p->end);
	return NULL;
}

static long switches(void)
{
	struct rusage ru;

	assert_int_equal(getrusage(RUSAGE_THREAD, &ru), 0);
	return ru.ru_nvcsw + ru.ru_nivcsw;
}

static void test_pingpong_on_one_cpu(void **state)
{
	struct held self, other;
	struct partner p;
	struct pingpong_end e;
	struct pingpong_result r;
	struct pin_result pin;
	pthread_t t;
	int to[2], from[2];
	long before;

	(void)state;
	signal(SIGPIPE, SIG_IGN); /* a write to a partner that is gone must come back as EPIPE */
	assert_int_equal(topology_pin_thread(-1, &pin), 0);
	held_init(&self, features, 4);
	held_init(&other, features, 5);
	assert_int_equal(pipe2(to, O_CLOEXEC), 0);
	assert_int_equal(pipe2(from, O_CLOEXEC), 0);
	p = (struct partner){ { to[0], from[1], &other.hold }, pin.os_index };
	e = (struct pingpong_end){ from[0], to[1], &self.hold };
	assert_int_equal(pthread_create(&t, NULL, partner_main, &p), 0);
	before = switches();
	pingpong_batch(&e, 2, 20, self.caller, self.hold.load_mask, &r);
	assert_int_equal(r.error, 0);
	assert_int_equal(r.before.check, HOLD_OK);
	assert_int_equal(r.self.check, HOLD_OK);
	assert_int_equal(r.partner.check, HOLD_OK);
	assert_int_equal(r.partner_cpu, pin.os_index);
	assert_true(switches() - before >= 22); /* the partner can only answer after a switch */
	assert_true(r.gross_ticks > 0);
	pingpong_stop(&e);
	assert_int_equal(pthread_join(t, NULL), 0);
	/* the partner gone, the pipe reports end of file instead of hanging */
	close(to[0]), close(from[1]);
	pingpong_batch(&e, 0, 1, self.caller, self.hold.load_mask, &r);
	assert_true(r.error < 0);
	close(to[1]), close(from[0]);
	held_free(&self), held_free(&other);
}

static void test_tracee_regset(void **state)
{
	struct held h, next;
	struct regset_result r;
	size_t size = xstate_size_standard(&m.layout, m.layout.xcr0);
	void *buf = xstate_buffer_alloc(size), *set = xstate_buffer_alloc(size);
	int status;
	pid_t pid;

	(void)state;
	held_init(&h, features, 6);
	held_init(&next, features, 7);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid)
		tracee_run(&h.hold);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP);
	tracee_time_regset(pid, REGSET_GET, buf, size, 1, 2, &r);
	assert_int_equal(r.error, 0);
	assert_int_equal(r.len, size);
	assert_int_equal(xstate_header_of(buf)->xcomp_bv, 0);
	assert_int_equal(xstate_image_diff(&m.layout, buf, false, h.hold.image, false, h.hold.load_mask), -1);
	/* set another state, read it back */
	memcpy(set, next.hold.image, next.hold.size < size ? next.hold.size : size);
	tracee_time_regset(pid, REGSET_SET, set, r.len, 0, 1, &r);
	assert_int_equal(r.error, 0);
	tracee_time_regset(pid, REGSET_GET, buf, size, 0, 1, &r);
	assert_int_equal(xstate_image_diff(&m.layout, buf, false, next.hold.image, false, next.hold.load_mask), -1);
	/* a buffer of the wrong size is refused by the kernel, and the error comes back */
	tracee_time_regset(pid, REGSET_SET, set, r.len - 64, 0, 1, &r);
	assert_true(r.error < 0);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	xstate_buffer_free(buf), xstate_buffer_free(set);
	held_free(&h), held_free(&next);
}

static int setup(void **state)
{
	(void)state;
	if (machine_probe(&m) || m.layout_error != XSTATE_LAYOUT_OK)
		return -1;
	features = m.cpu.avx512f && (m.layout.xcr0 & XFEATURES_AVX512) == XFEATURES_AVX512 ? XFEATURES_AVX512
											      : XFEATURES_AVX;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hold_notices_changes),
		cmocka_unit_test(test_hold_after_path),
		cmocka_unit_test(test_signal_frame_describes_the_xstate),
		cmocka_unit_test(test_pingpong_on_one_cpu),
		cmocka_unit_test(test_tracee_regset),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
