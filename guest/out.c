/*
 * out.c - record formatting and the debug console and exit ports.
 */
#include "out.h"

#include "../base/guest_protocol.h"
#include "../base/kstring.h"
#include "io.h"

static void put(struct rec *r, char c)
{
	if (r->len < GUEST_RECORD_MAX)
		r->line[r->len++] = c;
}

static void put_text(struct rec *r, const char *s)
{
	while (*s)
		put(r, *s++);
}

void rec_begin(struct rec *r, const char *kind)
{
	r->len = 0;
	put_text(r, kind);
}

static void begin_field(struct rec *r, const char *key)
{
	put(r, ' ');
	put_text(r, key);
	put(r, '=');
}

static int needs_quotes(const char *s)
{
	if (!*s)
		return 1;
	for (; *s; s++)
		if (*s <= ' ' || *s > '~' || *s == '"' || *s == '\\')
			return 1;
	return 0;
}

void rec_str(struct rec *r, const char *key, const char *value)
{
	/* room for the closing quote, keeping "..." when the value is cut */
	size_t limit = GUEST_RECORD_MAX - 4;

	begin_field(r, key);
	if (!needs_quotes(value)) {
		put_text(r, value);
		return;
	}
	put(r, '"');
	for (; *value; value++) {
		char c = *value < ' ' || *value > '~' ? '?' : *value;
		size_t need = (c == '"' || c == '\\') ? 2 : 1;

		if (r->len + need > limit) {
			put_text(r, "...");
			break;
		}
		if (need == 2)
			put(r, '\\');
		put(r, c);
	}
	put(r, '"');
}

/* Formats @value in decimal into @buf (at least 24 bytes); returns @buf. */
static char *fmt_u64(char *buf, uint64_t value)
{
	char tmp[24];
	int n = 0, i = 0;

	do {
		tmp[n++] = (char)('0' + value % 10);
		value /= 10;
	} while (value);
	while (n)
		buf[i++] = tmp[--n];
	buf[i] = '\0';
	return buf;
}

void rec_u64(struct rec *r, const char *key, uint64_t value)
{
	char buf[24];

	begin_field(r, key);
	put_text(r, fmt_u64(buf, value));
}

void rec_i64(struct rec *r, const char *key, int64_t value)
{
	char buf[24];

	begin_field(r, key);
	if (value < 0)
		put(r, '-');
	put_text(r, fmt_u64(buf, value < 0 ? 0 - (uint64_t)value : (uint64_t)value));
}

void rec_hex(struct rec *r, const char *key, uint64_t value)
{
	char buf[24];

	begin_field(r, key);
	kstr_append_hex(buf, 0, value, sizeof(buf));
	put_text(r, buf);
}

void rec_end(struct rec *r)
{
	for (size_t i = 0; i < r->len; i++)
		outb(GUEST_DEBUGCON_PORT, (uint8_t)r->line[i]);
	outb(GUEST_DEBUGCON_PORT, '\n');
	r->len = 0;
}

void guest_exit(uint32_t status)
{
	outl(GUEST_EXIT_PORT, status);
}
