/*
 * fuzz_input.h - what the fuzz targets share: an input as a NUL-terminated string, and as a
 * file (a memfd named by its /proc/self/fd path) for readers that take a path.
 */
#ifndef XB_FUZZ_INPUT_H
#define XB_FUZZ_INPUT_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* A malloc'd copy of @data with a NUL after it. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = 0;
	return s;
}

/* Writes @data to a new memfd and puts its path in @path; returns the descriptor to close. */
static inline int fuzz_file(const uint8_t *data, size_t size, char *path, size_t path_size)
{
	int fd = memfd_create("fuzz-input", MFD_CLOEXEC);

	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	snprintf(path, path_size, "/proc/self/fd/%d", fd);
	return fd;
}

#endif
