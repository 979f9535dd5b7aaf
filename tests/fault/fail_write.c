/*
 * fail_write.c - an LD_PRELOAD library for the fault-injection tests: writes to files whose
 * path contains $XB_FAIL_WRITE_PATH succeed $XB_FAIL_WRITE_AFTER times, then every further
 * one fails with $XB_FAIL_WRITE_ERRNO (default EIO), as a disk that broke in the middle of a
 * transaction. write, pwrite, pwrite64 and writev are covered (SQLite's unix VFS uses
 * pwrite); the first injected failure is announced on stderr, so a test can tell it fired.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static long writes_left = -1; /* -1: not read from the environment yet; then the writes to let through */
static int failing;

/* Whether this write to @fd must fail (then errno is set). */
static int must_fail(int fd)
{
	const char *match = getenv("XB_FAIL_WRITE_PATH"), *after = getenv("XB_FAIL_WRITE_AFTER");
	const char *code = getenv("XB_FAIL_WRITE_ERRNO");
	char link[64], path[4096];
	ssize_t n;

	if (!match || !*match || !after)
		return 0;
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n < 0)
		return 0;
	path[n] = 0;
	if (!strstr(path, match))
		return 0;
	if (writes_left < 0)
		writes_left = atol(after);
	if (writes_left > 0) {
		writes_left--;
		return 0;
	}
	if (!failing) {
		static const char note[] = "fail_write: injecting write errors from now on\n";

		failing = 1;
		if (write(STDERR_FILENO, note, sizeof(note) - 1) < 0)
			errno = 0;
	}
	errno = code ? atoi(code) : EIO;
	return 1;
}

#define NEXT(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))

ssize_t write(int fd, const void *buf, size_t count)
{
	return must_fail(fd) ? -1 : NEXT(write)(fd, buf, count);
}

ssize_t pwrite(int fd, const void *buf, size_t count, off_t offset)
{
	return must_fail(fd) ? -1 : NEXT(pwrite)(fd, buf, count, offset);
}

ssize_t pwrite64(int fd, const void *buf, size_t count, off_t offset)
{
	return must_fail(fd) ? -1 : NEXT(pwrite64)(fd, buf, count, offset);
}

ssize_t writev(int fd, const struct iovec *iov, int iovcnt)
{
	return must_fail(fd) ? -1 : NEXT(writev)(fd, iov, iovcnt);
}
