/*
 * kstring.h - the few string and memory helpers the freestanding kernels need.
 * GCC may also emit calls to memcpy/memset: hosted builds get libc's, the guest its own.
 */
#ifndef XB_KERNELS_KSTRING_H
#define XB_KERNELS_KSTRING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

static inline bool kstr_eqn(const char *word, const char *text, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (word[i] != text[i] || !word[i])
			return false;
	return word[len] == '\0';
}

static inline void kstr_copy(char *dst, const char *src, size_t size)
{
	size_t i = 0;

	if (!size)
		return;
	for (; src[i] && i + 1 < size; i++)
		dst[i] = src[i];
	dst[i] = '\0';
}

/* Appends @src at @used; returns the new length, truncating at @size - 1. */
static inline size_t kstr_append(char *dst, size_t used, const char *src, size_t size)
{
	while (*src && used + 1 < size)
		dst[used++] = *src++;
	if (used < size)
		dst[used] = '\0';
	return used;
}

static inline void kmem_set(void *dst, uint8_t value, size_t len)
{
	uint8_t *d = dst;

	while (len--)
		*d++ = value;
}

static inline void kmem_copy(void *dst, const void *src, size_t len)
{
	uint8_t *d = dst;
	const uint8_t *s = src;

	while (len--)
		*d++ = *s++;
}

static inline bool kmem_equal(const void *a, const void *b, size_t len)
{
	const uint8_t *x = a, *y = b;

	for (size_t i = 0; i < len; i++)
		if (x[i] != y[i])
			return false;
	return true;
}

#endif
