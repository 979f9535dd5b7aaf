/*
 * test_qemu_guest.c - the payload under QEMU TCG through the "qemu" launcher: both 32-bit
 * entries (multiboot, and PVH when the multiboot header is gone), the probe, every case of
 * the table run or skipped with its reason, exceptions as records (a #UD that makes a case a
 * skip, a fatal one), a triple fault, a hang stopped by the watchdog with its last output,
 * a bad work list, output truncation, whether a launcher uses KVM, and the launcher's own
 * errors.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "guest/boot.h"
#include "guest/cases.h"
#include "host/guest_launcher.h"
#include "host/guest_records.h"

#define REPS 2

static const struct guest_launcher *qemu;

static int setup(void **state)
{
	char why[256];

	(void)state;
	qemu = guest_launcher_find("qemu");
	if (!qemu || !qemu->available(why, sizeof(why))) {
		fprintf(stderr, "the qemu launcher cannot run: %s\n", qemu ? why : "not built");
		return -1;
	}
	return 0;
}

static void boot(const char *payload, const char *cmdline, double timeout_s, size_t max_output,
		 struct guest_outcome *out)
{
	struct guest_launch l = {
		.payload = payload, .cmdline = cmdline, .mem_mib = 64, .cpu = -1,
		.timeout_s = timeout_s, .max_output = max_output,
	};

	if (qemu->run(&l, out))
		fail_msg("qemu launcher: %s", xb_error_message());
	assert_non_null(out->output);
}

/* Everything the guest said, per record kind and per case. */
struct transcript {
	int hello, state, end, samples[GUEST_CASES_MAX], skips[GUEST_CASES_MAX], errors, exceptions;
	char boot[16], skip_reason[GUEST_CASES_MAX][200], exception[200];
	uint64_t end_status;
	struct guest_case table[GUEST_CASES_MAX];
	int nr_cases;
};

static int case_index(struct transcript *t, const char *id)
{
	for (int i = 0; id && i < t->nr_cases; i++)
		if (!strcmp(t->table[i].id, id))
			return i;
	return -1;
}

static int note(void *ctx, const struct guest_record *r)
{
	struct transcript *t = ctx;
	int i = case_index(t, guest_record_get(r, "id"));

	if (!strcmp(r->kind, "hello")) {
		t->hello++;
		snprintf(t->boot, sizeof(t->boot), "%s", guest_record_get(r, "boot"));
	} else if (!strcmp(r->kind, "state")) {
		t->state++;
	} else if (!strcmp(r->kind, "end")) {
		t->end++;
		return guest_record_u64(r, "status", &t->end_status);
	} else if (!strcmp(r->kind, "sample") && i >= 0) {
		t->samples[i]++;
	} else if (!strcmp(r->kind, "skip") && i >= 0) {
		t->skips[i]++;
		snprintf(t->skip_reason[i], sizeof(t->skip_reason[i]), "%s", guest_record_get(r, "reason"));
	} else if (!strcmp(r->kind, "error")) {
		t->errors++;
	} else if (!strcmp(r->kind, "exception")) {
		t->exceptions++;
		snprintf(t->exception, sizeof(t->exception), "vector=%s action=%s", guest_record_get(r, "vector"),
			 guest_record_get(r, "action"));
	}
	return 0;
}

static struct transcript *read_transcript(const struct guest_outcome *out)
{
	struct transcript *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	t->nr_cases = guest_cases_enumerate(t->table, GUEST_CASES_MAX);
	if (guest_records_each(out->output, out->output_len, note, t))
		fail_msg("the guest's output does not parse: %s\n%s", xb_error_message(), out->output);
	assert_int_equal(t->hello, 1);
	return t;
}

static void test_probe_multiboot(void **state)
{
	struct guest_outcome out;
	struct transcript *t;

	(void)state;
	boot(XB_GUEST_PAYLOAD, "probe", 30, 1 << 16, &out);
	assert_int_equal(out.end, GUEST_EXITED);
	assert_int_equal(out.status, 0);
	assert_false(out.output_truncated);
	t = read_transcript(&out);
	assert_string_equal(t->boot, "multiboot");
	assert_int_equal(t->state, 1);
	assert_int_equal(t->end, 1);
	assert_non_null(strstr(out.output, "cpuid leaf=0xd sub=0x1 "));
	if (!qemu->uses_kvm())
		assert_false(out.accelerated); /* TCG */
	free(t);
	guest_outcome_free(&out);
}

/* Whether a launcher puts the guest on KVM: this project's VMM always does. */
static void test_uses_kvm(void **state)
{
	(void)state;
	assert_true(guest_launcher_find("kvm")->uses_kvm());
	if (access("/dev/kvm", R_OK | W_OK))
		assert_false(qemu->uses_kvm()); /* no KVM to ask for: -accel tcg */
}

/* A copy of the payload without its multiboot magic: QEMU then boots it through the PVH note. */
static void test_pvh_entry(void **state)
{
	char path[] = "/tmp/xb-guest-pvh-XXXXXX";
	static uint8_t image[1 << 22];
	struct guest_outcome out;
	struct transcript *t;
	FILE *f = fopen(XB_GUEST_PAYLOAD, "rb");
	size_t len;
	int fd, patched = 0;

	(void)state;
	assert_non_null(f);
	len = fread(image, 1, sizeof(image), f);
	fclose(f);
	for (size_t i = 0; i + 4 <= 8192 && i + 4 <= len; i += 4) {
		uint32_t v;

		memcpy(&v, image + i, 4);
		if (v == MULTIBOOT_HEADER_MAGIC) {
			memset(image + i, 0, 4);
			patched++;
		}
	}
	assert_int_equal(patched, 1);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, image, len), (ssize_t)len);
	close(fd);
	boot(path, "case=guest/exit/cpuid-0xd/user reps=1", 30, 1 << 16, &out);
	unlink(path);
	assert_int_equal(out.end, GUEST_EXITED);
	t = read_transcript(&out);
	assert_string_equal(t->boot, "pvh");
	assert_int_equal(t->samples[case_index(t, "guest/exit/cpuid-0xd/user")], 1);
	assert_int_equal(t->end_status, 0);
	free(t);
	guest_outcome_free(&out);
}

/* Every case of the table: REPS samples, or one skip that says why; no errors. */
static void test_every_case_runs_or_says_why(void **state)
{
	struct guest_outcome out;
	struct transcript *t;
	char cmdline[64];
	int ran = 0;

	(void)state;
	snprintf(cmdline, sizeof(cmdline), "reps=%d ops=32 case=guest/*", REPS);
	boot(XB_GUEST_PAYLOAD, cmdline, 60, 1 << 20, &out);
	assert_int_equal(out.end, GUEST_EXITED);
	t = read_transcript(&out);
	assert_int_equal(t->errors, 0);
	assert_int_equal(t->exceptions, 0);
	assert_int_equal(t->end_status, 0);
	for (int i = 0; i < t->nr_cases; i++) {
		const char *reason = t->skip_reason[i];

		if (t->samples[i]) {
			assert_int_equal(t->samples[i], REPS);
			assert_int_equal(t->skips[i], 0);
			ran++;
			continue;
		}
		if (t->skips[i] != 1)
			fail_msg("%s: neither samples nor one skip", t->table[i].id);
		if (!strstr(reason, "CPUID") && !strstr(reason, "init state"))
			fail_msg("%s: the reason names no CPUID bit: %s", t->table[i].id, reason);
	}
	/* what TCG offers: XSAVE, XSAVEOPT, XRSTOR on x87/SSE/AVX, XSETBV, CPUID */
	assert_true(ran >= 19);
	assert_true(t->samples[case_index(t, "guest/save/xsaveopt/avx/clean")]);
	assert_true(t->samples[case_index(t, "guest/restore/xrstor/avx/inuse")]);
	assert_true(t->samples[case_index(t, "guest/exit/xsetbv/avx")]);
	free(t);
	guest_outcome_free(&out);
}

/*
 * With nocheck, a case of XSAVEC (absent under TCG) faults: the XRSTOR of its compacted image
 * raises #GP (XSAVEC itself would raise #UD). An exception record, and the case is a skip.
 */
static void test_missing_instruction_is_a_skip(void **state)
{
	struct guest_outcome out;
	struct transcript *t;
	int i;

	(void)state;
	boot(XB_GUEST_PAYLOAD, "nocheck reps=1 case=guest/save/xsavec/fp/inuse,guest/exit/cpuid-0xd/user", 30,
	     1 << 16, &out);
	assert_int_equal(out.end, GUEST_EXITED);
	t = read_transcript(&out);
	i = case_index(t, "guest/save/xsavec/fp/inuse");
	assert_int_equal(t->exceptions, 1);
	assert_true(!strcmp(t->exception, "vector=13 action=case-abandoned") ||
		    !strcmp(t->exception, "vector=6 action=case-abandoned"));
	assert_int_equal(t->skips[i], 1);
	assert_non_null(strstr(t->skip_reason[i], " at rip 0x"));
	assert_non_null(strstr(t->skip_reason[i], "does not really offer"));
	assert_int_equal(t->samples[case_index(t, "guest/exit/cpuid-0xd/user")], 1); /* the next case still runs */
	assert_int_equal(t->end_status, 0);
	free(t);
	guest_outcome_free(&out);
}

static void test_fatal_exception(void **state)
{
	struct guest_outcome out;
	struct transcript *t;

	(void)state;
	boot(XB_GUEST_PAYLOAD, "selftest=ud case=guest/*", 30, 1 << 16, &out);
	assert_int_equal(out.end, GUEST_EXITED);
	assert_int_equal(out.status, GUEST_STATUS_CRASHED);
	t = read_transcript(&out);
	assert_string_equal(t->exception, "vector=6 action=fatal");
	assert_int_equal(t->end, 0);
	free(t);
	guest_outcome_free(&out);
}

static void test_triple_fault(void **state)
{
	struct guest_outcome out;

	(void)state;
	boot(XB_GUEST_PAYLOAD, "selftest=triple case=guest/*", 30, 1 << 16, &out);
	assert_int_equal(out.end, GUEST_SHUTDOWN);
	assert_non_null(strstr(out.output, "selftest what=triple\n"));
	assert_non_null(strstr(out.detail, "triple"));
	guest_outcome_free(&out);
}

static void test_hang_meets_the_watchdog(void **state)
{
	struct guest_outcome out;

	(void)state;
	boot(XB_GUEST_PAYLOAD, "selftest=hang case=guest/*", 2, 1 << 16, &out);
	assert_int_equal(out.end, GUEST_TIMEOUT);
	assert_non_null(strstr(out.output, "selftest what=hang\n")); /* the last output is kept */
	assert_non_null(strstr(out.detail, "watchdog"));
	guest_outcome_free(&out);
}

static void test_bad_worklist(void **state)
{
	struct guest_outcome out;

	(void)state;
	boot(XB_GUEST_PAYLOAD, "reps=zero", 30, 1 << 16, &out);
	assert_int_equal(out.end, GUEST_EXITED);
	assert_int_equal(out.status, GUEST_STATUS_BAD_WORKLIST);
	assert_non_null(strstr(out.output, "error reason=\"bad number: 'reps=zero'\"\n"));
	guest_outcome_free(&out);
}

static void test_output_cap(void **state)
{
	struct guest_outcome out;

	(void)state;
	boot(XB_GUEST_PAYLOAD, "probe", 30, 64, &out);
	assert_int_equal(out.end, GUEST_EXITED);
	assert_true(out.output_truncated);
	assert_int_equal(out.output_len, 64);
	assert_int_equal(strlen(out.output), 64);
	guest_outcome_free(&out);
}

static void test_launcher_errors(void **state)
{
	struct guest_launch l = { .payload = "/nonexistent/guest.elf", .cmdline = "", .cpu = -1, .timeout_s = 5 };
	struct guest_outcome out = { 0 };
	char why[256];

	(void)state;
	assert_true(qemu->run(&l, &out) < 0);
	assert_non_null(strstr(xb_error_message(), "/nonexistent/guest.elf"));

	setenv("XSTATE_BENCH_QEMU", "/nonexistent/qemu", 1);
	assert_false(qemu->available(why, sizeof(why)));
	assert_non_null(strstr(why, "/nonexistent/qemu"));
	l.payload = XB_GUEST_PAYLOAD;
	assert_true(qemu->run(&l, &out) < 0);

	setenv("XSTATE_BENCH_QEMU", "/bin/false", 1); /* exits 1 without a word from the guest */
	assert_int_equal(qemu->run(&l, &out), 0);
	assert_int_equal(out.end, GUEST_VMM_ERROR);
	assert_non_null(strstr(out.detail, "QEMU failed (exit 1)"));
	guest_outcome_free(&out);
	unsetenv("XSTATE_BENCH_QEMU");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_probe_multiboot),
		cmocka_unit_test(test_uses_kvm),
		cmocka_unit_test(test_pvh_entry),
		cmocka_unit_test(test_every_case_runs_or_says_why),
		cmocka_unit_test(test_missing_instruction_is_a_skip),
		cmocka_unit_test(test_fatal_exception),
		cmocka_unit_test(test_triple_fault),
		cmocka_unit_test(test_hang_meets_the_watchdog),
		cmocka_unit_test(test_bad_worklist),
		cmocka_unit_test(test_output_cap),
		cmocka_unit_test(test_launcher_errors),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
