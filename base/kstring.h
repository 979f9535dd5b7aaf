/*
 * kstring.h - the few string and memory helpers the freestanding code needs (base/,
 * kernels/, the payload, the module). GCC may also emit calls to memcpy/memset: hosted
 * builds get libc's, the guest its own.
 */
#ifndef XB_BASE_KSTRING_H
#define XB_BASE_KSTRING_H

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

static inline size_t kstr_length(const char *s)
{
	size_t n = 0;

	while (s[n])
		n++;
	return n;
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

/* Appends @value as "0x..." in lower-case hex; returns the new length, as kstr_append. */
static inline size_t kstr_append_hex(char *dst, size_t used, uint64_t value, size_t size)
{
	static const char digits[] = "0123456789abcdef";
	char buf[19];
	int n = 18;

	buf[n] = '\0';
	do {
		buf[--n] = digits[value & 0xf];
		value >>= 4;
	} while (value);
	buf[--n] = 'x';
	buf[--n] = '0';
	return kstr_append(dst, used, buf + n, size);
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
