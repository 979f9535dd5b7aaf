/*
 * test_guest_records.c - the guest record parser: every kind the payload writes is read
 * back; malformed, truncated and oversized lines, unknown kinds and fields, missing fields and
 * bad numbers are refused with a message naming the line; and mutated and random lines never
 * crash it (each is either refused or a well-formed record of a known kind).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "host/guest_records.h"

static const char *const valid[] = {
	"hello version=3 boot=multiboot cmdline_bytes=90",
	"state xcr0=0x21f xss=0x0 init_untracked=0x217 cr4=0x40620",
	"state xcr0=0x7 xss=0x0 init_untracked=0x0 cr4=0x40620 xss_error=\"WRMSR IA32_XSS faulted\"",
	"cpuid leaf=0xd sub=0x1 eax=0xf ebx=0x340 ecx=0x1800 edx=0x0",
	"case id=guest/save/xsave/fp/inuse ops=128 rfbm=0x3 buffer_bytes=576 format=standard xcr0=0x21f xss=0x0",
	"sample id=guest/save/xsave/fp/inuse rep=0 batches=1 ops=128 ticks=-12 gross=75348 overhead=567 "
	"chain_ticks=462 xinuse=0x217 modopt_hits=0",
	"skip id=guest/save/xsavec/fp/init reason=\"no XSAVEC in the guest (CPUID.(EAX=0DH,ECX=1):EAX[1]=0)\"",
	"error reason=\"unknown word: 'bogus'\"",
	"error id=guest/exit/xsetbv/fp reason=\"XCR0 after XSETBV is not the value written\" expected=0x3 actual=0x7",
	"exception vector=14 name=#PF error=0x2 rip=0x100123 cr2=0xdead000 id=guest/xfd/nm/amx action=fatal",
	"selftest what=triple",
	"end status=0 cases=25 ok=10 skipped=15 failed=0",
	"skip id=a reason=\"a \\\"quoted\\\" word and a back\\\\slash\"",
	"error reason=\"\"",
	"sample id=guest/exit/cpuid-0xd/user rep=0 batches=3 ops=384 ticks=900000 gross=910000 overhead=300 "
	"chain_ticks=462 exits=387 exits_with_reason=3",
};

static int parse(const char *line, struct guest_record *r)
{
	return guest_record_parse(line, strlen(line), 7, r);
}

static void test_valid_records(void **state)
{
	struct guest_record r;

	(void)state;
	for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
		if (parse(valid[i], &r))
			fail_msg("refused '%s': %s", valid[i], xb_error_message());
	}
}

static void test_fields_and_numbers(void **state)
{
	struct guest_record r;
	uint64_t u;
	int64_t s;

	(void)state;
	assert_int_equal(parse(valid[5], &r), 0);
	assert_string_equal(r.kind, "sample");
	assert_int_equal(r.line, 7);
	assert_string_equal(guest_record_get(&r, "id"), "guest/save/xsave/fp/inuse");
	assert_int_equal(guest_record_u64(&r, "gross", &u), 0);
	assert_int_equal(u, 75348);
	assert_int_equal(guest_record_u64(&r, "xinuse", &u), 0);
	assert_int_equal(u, 0x217);
	assert_int_equal(guest_record_i64(&r, "ticks", &s), 0);
	assert_int_equal(s, -12);
	assert_int_equal(guest_record_u64(&r, "ticks", &u), -EINVAL); /* negative is not unsigned */
	assert_non_null(strstr(xb_error_message(), "line 7"));
	assert_int_equal(guest_record_u64(&r, "nope", &u), -EINVAL);
	assert_null(guest_record_get(&r, "nope"));

	assert_int_equal(parse(valid[12], &r), 0);
	assert_string_equal(guest_record_get(&r, "reason"), "a \"quoted\" word and a back\\slash");
	assert_int_equal(parse(valid[13], &r), 0);
	assert_string_equal(guest_record_get(&r, "reason"), "");
}

/* A refused line: -EINVAL and a message that contains @words. */
static void refused(const char *line, size_t len, const char *words)
{
	struct guest_record r;

	if (guest_record_parse(line, len, 3, &r) != -EINVAL)
		fail_msg("accepted '%.*s'", (int)len, line);
	if (!strstr(xb_error_message(), words) || !strstr(xb_error_message(), "line 3"))
		fail_msg("for '%.*s': message '%s' lacks '%s'", (int)len, line, xb_error_message(), words);
}

static void test_malformed(void **state)
{
	static const struct {
		const char *line, *words;
	} bad[] = {
		{ "", "no record kind" },
		{ " hello version=3", "no record kind" },
		{ "Hello version=2 boot=x cmdline_bytes=1", "no record kind" },
		{ "bogus a=1", "unknown record kind 'bogus'" },
		{ "hello version=3 boot=x", "without its field 'cmdline_bytes'" },
		{ "hello version=3 boot=x cmdline_bytes=1 extra=2", "no field 'extra'" },
		{ "hello version=3  boot=x cmdline_bytes=1", "bad key" },
		{ "hello version=3 boot=x cmdline_bytes=1 ", "expected ' key=value'" },
		{ "hello version=3 boot cmdline_bytes=1", "bad key" },
		{ "hello version=3 Boot=x cmdline_bytes=1", "bad key" },
		{ "hello version= boot=x cmdline_bytes=1", "an empty value" },
		{ "hello version=3 version=2 boot=x cmdline_bytes=1", "given twice" },
		{ "hello version=1 boot=pvh cmdline_bytes=0", "the payload writes record protocol version 1" },
		{ "hello version=two boot=pvh cmdline_bytes=0", "field 'version' of 'hello' is not a number" },
		{ "sample id=a rep=0 batches=1 ops=1 ticks=1 gross=1 overhead=1 chain_ticks=1 chain_cycles=800",
		  "no field 'chain_cycles'" },
		{ "skip id=a reason=\"unterminated", "unterminated quoted value" },
		{ "skip id=a reason=\"bad \\n escape\"", "escapes only" },
		{ "skip id=a reason=\"tab\there\"", "non-printable" },
		{ "skip id=a reason=half\"quote", "quote or backslash in a bare value" },
		{ "skip id=a\x01 reason=x", "non-printable" },
		{ "skip id=a reason=\"x\"y", "expected ' key=value'" },
		{ "skip id=\xc3\xa9 reason=x", "non-printable" },
		{ "hellooooooooooooooooo version=2", "no record kind" },
		{ "skip id=a aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa=1 reason=x", "bad key" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused(bad[i].line, strlen(bad[i].line), bad[i].words);
}

static void test_oversized_and_too_many_fields(void **state)
{
	char line[GUEST_RECORD_MAX + 64];
	size_t n;

	(void)state;
	n = (size_t)snprintf(line, sizeof(line), "skip id=a reason=\"");
	memset(line + n, 'x', sizeof(line) - n - 2);
	line[sizeof(line) - 2] = '"';
	line[sizeof(line) - 1] = '\0';
	refused(line, strlen(line), "oversized record");
	/* exactly at the limit is fine */
	line[GUEST_RECORD_MAX - 1] = '"';
	{
		struct guest_record r;

		assert_int_equal(guest_record_parse(line, GUEST_RECORD_MAX, 1, &r), 0);
	}
	n = (size_t)snprintf(line, sizeof(line), "end status=0 cases=0 ok=0 skipped=0 failed=0");
	for (int i = 0; i < GUEST_RECORD_MAX_FIELDS; i++)
		n += (size_t)snprintf(line + n, sizeof(line) - n, " k%d=1", i);
	refused(line, strlen(line), "more than");
}

static void test_bad_numbers(void **state)
{
	static const char *const numbers[] = { "12x", "0x", "-", "+1", "012", "99999999999999999999", "0xg" };
	struct guest_record r;
	char line[128];
	uint64_t u;

	(void)state;
	for (size_t i = 0; i < sizeof(numbers) / sizeof(numbers[0]); i++) {
		snprintf(line, sizeof(line), "end status=%s cases=0 ok=0 skipped=0 failed=0", numbers[i]);
		assert_int_equal(parse(line, &r), 0); /* the grammar takes any bare value */
		if (guest_record_u64(&r, "status", &u) != -EINVAL)
			fail_msg("'%s' read as a number", numbers[i]);
		assert_non_null(strstr(xb_error_message(), "not"));
	}
}

struct counter {
	int records, stop_at;
};

static int count(void *ctx, const struct guest_record *r)
{
	struct counter *c = ctx;

	(void)r;
	return ++c->records == c->stop_at ? -ECANCELED : 0;
}

static void test_stream(void **state)
{
	const char good[] = "hello version=3 boot=pvh cmdline_bytes=0\nselftest what=hang\nend status=0 cases=0 ok=0 "
			    "skipped=0 failed=0\n";
	const char truncated[] = "hello version=3 boot=pvh cmdline_bytes=0\nsample id=x rep=0 bat";
	const char with_nul[] = "hello version=3 boot=pvh cmdline_bytes=0\nselftest what=a\0b\n";
	struct counter c = { 0 };

	(void)state;
	assert_int_equal(guest_records_each(good, strlen(good), count, &c), 0);
	assert_int_equal(c.records, 3);
	assert_int_equal(guest_records_each("", 0, count, &c), 0);

	c = (struct counter){ 0 };
	assert_int_equal(guest_records_each(truncated, strlen(truncated), count, &c), -EINVAL);
	assert_int_equal(c.records, 1);
	assert_non_null(strstr(xb_error_message(), "line 2: truncated record"));

	c = (struct counter){ 0 };
	assert_int_equal(guest_records_each(with_nul, sizeof(with_nul) - 1, count, &c), -EINVAL);
	assert_non_null(strstr(xb_error_message(), "line 2: malformed record: a NUL byte"));

	c = (struct counter){ .stop_at = 2 };
	assert_int_equal(guest_records_each(good, strlen(good), count, &c), -ECANCELED);
	assert_int_equal(c.records, 2);
}

/* A parsed record must be a known kind with only printable text. */
static void check_invariants(const struct guest_record *r)
{
	assert_true(r->kind[0] >= 'a' && r->kind[0] <= 'z');
	assert_in_range(r->nr_fields, 0, GUEST_RECORD_MAX_FIELDS);
	for (int i = 0; i < r->nr_fields; i++)
		for (const char *p = r->fields[i].value; *p; p++)
			assert_true(*p >= ' ' && *p <= '~');
}

static void test_fuzz(void **state)
{
	struct guest_record r;
	char line[GUEST_RECORD_MAX + 80];
	unsigned int seed = 12345;

	(void)state;
	for (int round = 0; round < 200000; round++) {
		const char *base = valid[rand_r(&seed) % (sizeof(valid) / sizeof(valid[0]))];
		size_t len = strlen(base);

		memcpy(line, base, len);
		for (int m = 0, n = 1 + rand_r(&seed) % 4; m < n; m++) {
			size_t at = len ? (size_t)rand_r(&seed) % len : 0;

			switch (rand_r(&seed) % 5) {
			case 0: /* flip a byte */
				line[at] = (char)rand_r(&seed);
				break;
			case 1: /* cut the line */
				len = at;
				break;
			case 2: /* insert a byte the grammar cares about */
				if (len + 1 < sizeof(line)) {
					memmove(line + at + 1, line + at, len - at);
					line[at] = " =\"\\\x7f\x00"[rand_r(&seed) % 6];
					len++;
				}
				break;
			case 3: /* delete a byte */
				if (len) {
					memmove(line + at, line + at + 1, len - at - 1);
					len--;
				}
				break;
			default: /* grow it */
				while (len < sizeof(line) && rand_r(&seed) % 8)
					line[len++] = (char)(' ' + rand_r(&seed) % 95);
				break;
			}
		}
		if (!guest_record_parse(line, len, 1, &r))
			check_invariants(&r);
		else
			assert_non_null(strstr(xb_error_message(), "guest output line 1"));
	}
	for (int round = 0; round < 50000; round++) { /* random bytes */
		size_t len = (size_t)rand_r(&seed) % sizeof(line);

		for (size_t i = 0; i < len; i++)
			line[i] = (char)rand_r(&seed);
		if (!guest_record_parse(line, len, 1, &r))
			check_invariants(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_records),
		cmocka_unit_test(test_fields_and_numbers),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_oversized_and_too_many_fields),
		cmocka_unit_test(test_bad_numbers),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_fuzz),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
