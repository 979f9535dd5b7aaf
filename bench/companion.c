/*
 * companion.c - a companion file beside /proc/self/exe, else in XB_LIBEXEC_FROM_BIN relative
 * to it (the install's libexec/xstate-bench seen from its bin).
 */
#include "companion.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int companion_path(const char *name, int mode, char *out, size_t size)
{
	char exe[PATH_MAX], beside[PATH_MAX + 64];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n < 0)
		return xb_fail_errno("readlink /proc/self/exe");
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	snprintf(beside, sizeof(beside), "%s/%s", exe, name);
	snprintf(out, size, "%s", beside);
	if (!access(out, mode))
		return 0;
	snprintf(out, size, "%s/" XB_LIBEXEC_FROM_BIN "/%s", exe, name);
	if (!access(out, mode))
		return 0;
	return xb_fail_errno("%s: neither %s (a build tree) nor %s (an install)", name, beside, out);
}
