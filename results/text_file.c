/*
 * text_file.c - reading a whole file.
 */
#include "text_file.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "../base/error.h"

char *text_file_read(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	struct stat st;
	long size;

	if (!f) {
		xb_fail_errno("open %s", path);
		return NULL;
	}
	errno = 0;
	if (!fstat(fileno(f), &st) && !S_ISREG(st.st_mode))
		errno = S_ISDIR(st.st_mode) ? EISDIR : EINVAL; /* a directory, a pipe: no size to read */
	if (errno) {
		xb_fail_errno("read %s", path);
		fclose(f);
		return NULL;
	}
	if (fseek(f, 0, SEEK_END) || (size = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) ||
	    !(text = malloc((size_t)size + 1)) || fread(text, 1, (size_t)size, f) != (size_t)size) {
		xb_fail_errno("read %s", path);
		free(text);
		text = NULL;
	} else {
		text[size] = 0;
	}
	fclose(f);
	return text;
}
