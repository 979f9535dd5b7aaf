/*
 * text_file.c - reading a whole file.
 */
#include "text_file.h"

#include <stdio.h>
#include <stdlib.h>

#include "../host/error.h"

char *text_file_read(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	long size;

	if (!f) {
		xb_fail_errno("open %s", path);
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
