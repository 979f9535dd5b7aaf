/*
 * xstate_buffer.c - aligned, zeroed XSAVE buffers.
 */
#include "xstate_buffer.h"

#include <stdlib.h>
#include <string.h>

void *xstate_buffer_alloc(size_t size)
{
	size_t rounded = (size + 63) & ~(size_t)63;
	void *buf = aligned_alloc(64, rounded ? rounded : 64);

	if (buf)
		memset(buf, 0, rounded);
	return buf;
}

void xstate_buffer_free(void *buf)
{
	free(buf);
}
