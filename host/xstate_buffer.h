/*
 * xstate_buffer.h - allocating XSAVE buffers: 64-byte aligned, zeroed (so header reserved
 * bytes are clear, as XRSTOR requires), sizes rounded up to 64.
 */
#ifndef XB_HOST_XSTATE_BUFFER_H
#define XB_HOST_XSTATE_BUFFER_H

#include <stddef.h>

void *xstate_buffer_alloc(size_t size);
void xstate_buffer_free(void *buf);

#endif
