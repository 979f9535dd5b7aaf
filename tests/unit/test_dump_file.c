/*
 * test_dump_file.c - the dump format: round trip (a comment of several lines too), and every
 * malformed input rejected with the file and line named.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "host/cpuid_dump_file.h"

static struct cpuid_dump dump, again;
static struct kernel_facts kernel, kernel_again;
static struct kvm_info kvm, kvm_again;

static const char good[] =
	"# comment\n"
	"xcr0 0x2ff\n"
	"xinuse 0x2a2\n"
	"xss 0x800\n"
	"kernel.release 6.1.0-27-amd64\n"
	"kernel.xcomp_supp 0x602e7\n"
	"kernel.xcomp_perm 0x202e7\n"
	"kernel.xcomp_guest_perm 0x202e7\n"
	"kernel.minsigstksz 3632\n"
	"kvm.xsave2_size 11008\n"
	"kvm.xcomp_guest_supp 0x602e7\n"
	"kvm.supported_xss 0x1800\n"
	"   0x00000000 0x00: eax=0x00000016 ebx=0x756e6547 ecx=0x6c65746e edx=0x49656e69\n"
	"   0x0000000d 0x01: eax=0x0000000f ebx=0x00000a08 ecx=0x00000000 edx=0x00000000\n";

static void test_parse_and_round_trip(void **state)
{
	char *text;

	(void)state;
	assert_int_equal(cpuid_dump_parse(good, "good", &dump, &kernel, &kvm), 0);
	assert_int_equal(dump.nr_entries, 2);
	assert_int_equal(dump.xcr0, 0x2ff);
	assert_true(dump.has_xinuse && dump.has_xss);
	assert_int_equal(dump.entries[1].leaf, 0xd);
	assert_int_equal(dump.entries[1].subleaf, 1);
	assert_int_equal(dump.entries[1].regs.ebx, 0xa08);
	assert_true(kernel.known && kernel.xcomp_known);
	assert_string_equal(kernel.release, "6.1.0-27-amd64");
	assert_int_equal(kernel.xcomp_perm, 0x202e7);
	assert_int_equal(kernel.minsigstksz, 3632);
	/* KVM recorded, without the XCOMP_GUEST_PERM attribute */
	assert_true(kvm.present && kvm.xcomp_guest_supp_known && kvm.supported_cpuid_known);
	assert_int_equal(kvm.xsave2_size, 11008);
	assert_int_equal(kvm.xcomp_guest_supp, 0x602e7);
	assert_int_equal(kvm.supported_xss, 0x1800);
	assert_false(kvm.xcomp_guest_perm_known);
	assert_non_null(strstr(kvm.xcomp_guest_perm_error, "No such device or address"));

	/* a comment of several lines (a CPU's brand string may hold any byte) stays a comment */
	text = cpuid_dump_format(&dump, &kernel, &kvm, "round\ntrip\r\nkernel.release x");
	assert_non_null(text);
	assert_int_equal(cpuid_dump_parse(text, "formatted", &again, &kernel_again, &kvm_again), 0);
	free(text);
	assert_memory_equal(&dump, &again, sizeof(dump));
	assert_memory_equal(&kernel, &kernel_again, sizeof(kernel));
	assert_memory_equal(&kvm, &kvm_again, sizeof(kvm));

	/* with the attribute; and a dump without kvm.* lines has no KVM */
	assert_int_equal(cpuid_dump_parse("xcr0 0x7\nkvm.xcomp_guest_perm 0x602e7\n"
					  "   0x00000000 0x00: eax=0x1 ebx=0x0 ecx=0x0 edx=0x0\n", "perm", &dump, &kernel,
					  &kvm), 0);
	assert_true(kvm.present && kvm.xcomp_guest_perm_known);
	assert_int_equal(kvm.xcomp_guest_perm, 0x602e7);
	assert_int_equal(cpuid_dump_parse("xcr0 0x7\n   0x00000000 0x00: eax=0x1 ebx=0x0 ecx=0x0 edx=0x0\n", "none",
					  &dump, &kernel, &kvm), 0);
	assert_false(kvm.present);
}

static void expect_error(const char *text, const char *fragment)
{
	assert_int_not_equal(cpuid_dump_parse(text, "bad.dump", &dump, &kernel, &kvm), 0);
	if (!strstr(xb_error_message(), fragment))
		fail_msg("error \"%s\" does not mention \"%s\"", xb_error_message(), fragment);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("xcr0 0x7\n   0x0000000d 0x00: eax=0x7 ebx=0x340\n", "bad.dump:2: malformed CPUID line");
	expect_error("xcr0 0x7\nbogus 1\n", "bad.dump:2: unknown key");
	expect_error("xcr0 0x7\nkvm.bogus 1\n", "bad.dump:2: unknown key");
	expect_error("xcr0 0x7\nkvm.xsave2_size 0x100000000\n", "bad.dump:2: unknown key or bad value");
	expect_error("xcr0 seven\n", "bad.dump:1: unknown key or bad value");
	expect_error("   0x00000000 0x00: eax=0x0000000d ebx=0x0 ecx=0x0 edx=0x0\n", "no \"xcr0\" line");
	expect_error("xcr0 0x7\n", "no CPUID lines");
	expect_error("xcr0 0x7\n   0x00000000 0x00: eax=0x1 ebx=0x0 ecx=0x0 edx=0x0 trailing\n",
		     "malformed CPUID line");
	/* a release the writer could not write back (found by fuzz_cpuid_dump) */
	expect_error("xcr0 0x7\nkernel.release 6.1\r\r: eax=0x0\n", "bad.dump:2: unknown key or bad value");
	expect_error("xcr0 0x7\nkernel.release \n", "bad.dump:2: unknown key or bad value");
	expect_error("xcr0 0x7\nkernel.release 01234567890123456789012345678901234567890123456789012345678901234\n",
		     "bad.dump:2: unknown key or bad value");
}

static void test_provider_answers_from_dump(void **state)
{
	struct cpuid_provider p;
	struct cpuid_regs r;
	uint64_t v;

	(void)state;
	assert_int_equal(cpuid_dump_parse(good, "good", &dump, &kernel, &kvm), 0);
	cpuid_provider_from_dump(&p, &dump);
	cpuid_read(&p, 0xd, 1, &r);
	assert_int_equal(r.eax, 0xf);
	cpuid_read(&p, 0x7, 0, &r); /* absent: zeros */
	assert_int_equal(r.eax | r.ebx | r.ecx | r.edx, 0);
	assert_true(p.xgetbv(&p, 0, &v));
	assert_int_equal(v, 0x2ff);
	assert_true(p.xgetbv(&p, 1, &v));
	assert_int_equal(v, 0x2a2);
	assert_false(p.xgetbv(&p, 2, &v));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_and_round_trip),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_provider_answers_from_dump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
