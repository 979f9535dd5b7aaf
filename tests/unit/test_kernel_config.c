/*
 * test_kernel_config.c - the kernel configuration digest: two builds of one configuration
 * (another compiler, LOCALVERSION, build salt, header comment) digest alike, gzip-compressed
 * or plain; a changed option, set or "is not set", does not; an option that merely ends in
 * VERSION counts; the command line without BOOT_IMAGE= and initrd=; a missing file is an
 * error naming it; the running kernel's description.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "host/error.h"
#include "host/kernel_config.h"

static const char base[] =
	"#\n# Automatically generated file; DO NOT EDIT.\n# Linux/x86 6.18.44 Kernel Configuration\n#\n"
	"CONFIG_CC_VERSION_TEXT=\"gcc (GCC) 15.3.0\"\nCONFIG_CC_IS_GCC=y\nCONFIG_GCC_VERSION=150300\n"
	"CONFIG_AS_VERSION=24600\nCONFIG_PAHOLE_VERSION=131\nCONFIG_LOCALVERSION=\"-fc-v1252\"\n"
	"# CONFIG_LOCALVERSION_AUTO is not set\nCONFIG_BUILD_SALT=\"6.18.44\"\n"
	"CONFIG_ARCH_WANT_COMPAT_IPC_PARSE_VERSION=y\n\n#\n# Processor type and features\n#\n"
	"CONFIG_SMP=y\nCONFIG_X86_64=y\n# CONFIG_PREEMPT is not set\nCONFIG_PREEMPT_VOLUNTARY=y\n";

/* @text with @from replaced by @to, written to a file (gzip-compressed when @gz); its digest. */
static uint32_t digest_of(const char *text, const char *from, const char *to, int gz)
{
	char path[] = "/tmp/xb-kconfig-XXXXXX", edited[4096];
	const char *at = from ? strstr(text, from) : NULL;
	uint32_t crc;
	int fd = mkstemp(path);

	assert_true(fd >= 0);
	close(fd);
	if (at)
		snprintf(edited, sizeof(edited), "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
	else
		snprintf(edited, sizeof(edited), "%s", text);
	if (gz) {
		gzFile f = gzopen(path, "wb");

		assert_non_null(f);
		assert_int_equal(gzputs(f, edited), (int)strlen(edited));
		assert_int_equal(gzclose(f), Z_OK);
	} else {
		FILE *f = fopen(path, "w");

		assert_non_null(f);
		fputs(edited, f);
		assert_int_equal(fclose(f), 0);
	}
	assert_int_equal(kernel_config_file_digest(path, &crc), 0);
	unlink(path);
	return crc;
}

static void test_builds_of_one_configuration(void **state)
{
	uint32_t crc = digest_of(base, NULL, NULL, 1);

	(void)state;
	assert_int_equal(digest_of(base, NULL, NULL, 0), crc);
	assert_int_equal(digest_of(base, "gcc (GCC) 15.3.0\"\nCONFIG_CC_IS_GCC=y\nCONFIG_GCC_VERSION=150300",
				   "gcc (GCC) 15.4.1\"\nCONFIG_CC_IS_GCC=y\nCONFIG_GCC_VERSION=150401", 1), crc);
	assert_int_equal(digest_of(base, "-fc-v1252", "-rc3-next", 1), crc);
	assert_int_equal(digest_of(base, "# CONFIG_LOCALVERSION_AUTO is not set", "CONFIG_LOCALVERSION_AUTO=y", 1), crc);
	assert_int_equal(digest_of(base, "SALT=\"6.18.44\"", "SALT=\"6.19.0\"", 1), crc);
	assert_int_equal(digest_of(base, "Linux/x86 6.18.44", "Linux/x86 6.19.0", 1), crc);
	assert_int_equal(digest_of(base, "AS_VERSION=24600", "AS_VERSION=24700", 1), crc);
}

static void test_another_configuration(void **state)
{
	uint32_t crc = digest_of(base, NULL, NULL, 1);

	(void)state;
	assert_int_not_equal(digest_of(base, "# CONFIG_PREEMPT is not set", "CONFIG_PREEMPT=y", 1), crc);
	assert_int_not_equal(digest_of(base, "CONFIG_PREEMPT_VOLUNTARY=y\n", "", 1), crc);
	assert_int_not_equal(digest_of(base, "CONFIG_CC_IS_GCC=y", "CONFIG_CC_IS_CLANG=y", 1), crc);
	assert_int_not_equal(digest_of(base, "PARSE_VERSION=y", "PARSE_VERSION=n", 1), crc);
}

static void test_cmdline(void **state)
{
	(void)state;
	assert_int_equal(kernel_cmdline_digest("BOOT_IMAGE=/vmlinuz-6.1 root=/dev/sda1 ro mitigations=off\n"),
			 kernel_cmdline_digest("root=/dev/sda1  ro initrd=/initrd.img mitigations=off"));
	assert_int_not_equal(kernel_cmdline_digest("root=/dev/sda1 ro mitigations=off"),
			     kernel_cmdline_digest("root=/dev/sda1 ro"));
}

static void test_missing_file_and_this_kernel(void **state)
{
	struct utsname u;
	char text[KERNEL_CONFIG_TEXT_MAX];
	uint32_t crc;

	(void)state;
	assert_true(kernel_config_file_digest("/nonexistent/config.gz", &crc) < 0);
	assert_non_null(strstr(xb_error_message(), "/nonexistent/config.gz"));
	assert_int_equal(uname(&u), 0);
	kernel_config_describe(u.release, text, sizeof(text));
	assert_true(!strncmp(text, "config ", 7) && strstr(text, ", cmdline "));
	print_message("this kernel: %s\n", text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builds_of_one_configuration),
		cmocka_unit_test(test_another_configuration),
		cmocka_unit_test(test_cmdline),
		cmocka_unit_test(test_missing_file_and_this_kernel),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
