/*
 * kernel_config.c - the configuration's and the command line's digests.
 */
#include "kernel_config.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <zlib.h>

/* The option a line sets, or says is not set, into @name; false for any other line. */
static bool option_name(const char *line, char *name, size_t size)
{
	size_t n;

	if (!strncmp(line, "# CONFIG_", 9))
		line += 2;
	if (strncmp(line, "CONFIG_", 7))
		return false;
	n = strcspn(line, "= \n");
	if (n >= size)
		n = size - 1;
	memcpy(name, line, n);
	name[n] = 0;
	return true;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

/* A version number of the compiler or a tool (CONFIG_GCC_VERSION=150300), not an option
 * that merely ends in VERSION (CONFIG_ARCH_WANT_COMPAT_IPC_PARSE_VERSION=y). */
static bool numeric_value(const char *line)
{
	const char *v = strchr(line, '=');

	if (!v || !isdigit((unsigned char)v[1]))
		return false;
	for (v++; isdigit((unsigned char)*v); v++)
		;
	return *v == 0 || *v == '\n';
}

/* Whether a line of a configuration says something about the configuration. */
static bool counts(const char *line)
{
	char name[128];

	if (!option_name(line, name, sizeof(name)))
		return false;
	if (!strncmp(name, "CONFIG_LOCALVERSION", 19) || !strcmp(name, "CONFIG_BUILD_SALT") ||
	    !strcmp(name, "CONFIG_VERSION_SIGNATURE") || ends_with(name, "_VERSION_TEXT"))
		return false;
	return !(ends_with(name, "_VERSION") && numeric_value(line));
}

int kernel_config_file_digest(const char *path, uint32_t *crc)
{
	gzFile f = gzopen(path, "rb");
	char line[4096];
	int err;

	if (!f)
		return xb_fail_errno("open %s", path);
	*crc = (uint32_t)crc32(0, NULL, 0);
	while (gzgets(f, line, sizeof(line)))
		if (counts(line))
			*crc = (uint32_t)crc32(*crc, (const Bytef *)line, (uInt)strlen(line));
	gzerror(f, &err);
	if (err != Z_OK && err != Z_STREAM_END) {
		int rc = xb_fail(EIO, "read %s: %s", path, gzerror(f, &err));

		gzclose(f);
		return rc;
	}
	gzclose(f);
	return 0;
}

uint32_t kernel_cmdline_digest(const char *cmdline)
{
	uint32_t crc = (uint32_t)crc32(0, NULL, 0);

	while (*cmdline) {
		size_t n;

		cmdline += strspn(cmdline, " \t\n");
		n = strcspn(cmdline, " \t\n");
		if (n && strncmp(cmdline, "BOOT_IMAGE=", 11) && strncmp(cmdline, "initrd=", 7)) {
			crc = (uint32_t)crc32(crc, (const Bytef *)cmdline, (uInt)n);
			crc = (uint32_t)crc32(crc, (const Bytef *)" ", 1);
		}
		cmdline += n;
	}
	return crc;
}

void kernel_config_describe(const char *release, char *out, int size)
{
	char boot[128], cmdline[4096] = "";
	const char *used = "/proc/config.gz";
	uint32_t config = 0;
	FILE *f;
	int rc;

	snprintf(boot, sizeof(boot), "/boot/config-%s", release);
	rc = kernel_config_file_digest(used, &config);
	if (rc)
		rc = kernel_config_file_digest(used = boot, &config);
	if ((f = fopen("/proc/cmdline", "r"))) {
		if (!fgets(cmdline, sizeof(cmdline), f))
			cmdline[0] = 0;
		fclose(f);
	}
	if (rc)
		snprintf(out, (size_t)size, "config unknown (no /proc/config.gz or %s), cmdline %08x", boot,
			 kernel_cmdline_digest(cmdline));
	else
		snprintf(out, (size_t)size, "config %08x, cmdline %08x", config, kernel_cmdline_digest(cmdline));
}
