/*
 * mem.c - the C library functions GCC may call on its own (struct copies, zeroing) in a
 * freestanding build, and the payload's bump allocator for XSAVE buffers.
 */
#include "mem.h"

#include "../base/kstring.h"

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);

void *memcpy(void *dst, const void *src, size_t n)
{
	kmem_copy(dst, src, n);
	return dst;
}

void *memmove(void *dst, const void *src, size_t n)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	if (d < s || d >= s + n)
		return memcpy(dst, src, n);
	while (n--)
		d[n] = s[n];
	return dst;
}

void *memset(void *dst, int c, size_t n)
{
	kmem_set(dst, (uint8_t)c, n);
	return dst;
}

int memcmp(const void *a, const void *b, size_t n)
{
	const uint8_t *x = a, *y = b;

	for (size_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	return 0;
}

static uint8_t arena[GUEST_ARENA_BYTES] __attribute__((aligned(4096)));
static size_t arena_used;

void *arena_alloc(size_t size)
{
	size_t start = (arena_used + 63) & ~(size_t)63;

	if (start + size > sizeof(arena))
		return 0;
	arena_used = start + size;
	kmem_set(arena + start, 0, size);
	return arena + start;
}

void arena_reset(void)
{
	arena_used = 0;
}
