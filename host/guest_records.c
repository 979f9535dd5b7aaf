/*
 * guest_records.c - parsing and checking guest records.
 */
#include "guest_records.h"

#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct kind_schema {
	const char *kind;
	const char *required[10];
	const char *optional[6];
};

static const struct kind_schema schemas[] = {
	{ "hello", { "version", "boot", "cmdline_bytes" }, { 0 } },
	{ "state", { "xcr0", "xss", "init_untracked", "cr4" }, { "xcr0_error", "xss_error", "xfd_error" } },
	{ "cpuid", { "leaf", "sub", "eax", "ebx", "ecx", "edx" }, { 0 } },
	{ "case", { "id", "ops", "xcr0", "xss" }, { "rfbm", "buffer_bytes", "format", "insns" } },
	{ "sample", { "id", "rep", "batches", "ops", "ticks", "gross", "overhead", "chain_ticks" },
	  { "xinuse", "modopt_hits", "exits", "exits_with_reason" } },
	{ "skip", { "id", "reason" }, { 0 } },
	{ "error", { "reason" }, { "id", "expected", "actual" } },
	{ "exception", { "vector", "name", "error", "rip", "action" }, { "cr2", "id" } },
	{ "selftest", { "what" }, { 0 } },
	{ "end", { "status", "cases", "ok", "skipped", "failed" }, { 0 } },
};

/* Up to 40 bytes of the line, non-printable bytes as '?', for messages. */
static const char *excerpt(const char *line, size_t len, char *buf, size_t size)
{
	size_t n = 0;

	for (size_t i = 0; i < len && n + 4 < size && i < 40; i++)
		buf[n++] = (line[i] >= ' ' && line[i] <= '~') ? line[i] : '?';
	if (len > 40 && n + 4 < size)
		buf[n++] = '.', buf[n++] = '.', buf[n++] = '.';
	buf[n] = '\0';
	return buf;
}

#define BAD(...) xb_fail(EINVAL, __VA_ARGS__)

static bool is_lower(char c)
{
	return c >= 'a' && c <= 'z';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Reads a word of [a-z][a-z0-9<extra>]* at *pos into @dst; returns its length (0: none). */
static size_t read_word(const char *line, size_t len, size_t *pos, char extra, char *dst, size_t max)
{
	size_t start = *pos;

	if (*pos >= len || !is_lower(line[*pos]))
		return 0;
	while (*pos < len && (is_lower(line[*pos]) || is_digit(line[*pos]) || line[*pos] == extra))
		(*pos)++;
	if (*pos - start > max)
		return (size_t)-1;
	memcpy(dst, line + start, *pos - start);
	dst[*pos - start] = '\0';
	return *pos - start;
}

/* Reads a bare or quoted value at *pos into @dst (unescaped); returns false when malformed. */
static bool read_value(const char *line, size_t len, size_t *pos, char *dst, const char **why)
{
	size_t n = 0;

	if (*pos < len && line[*pos] == '"') {
		for ((*pos)++; *pos < len && line[*pos] != '"'; (*pos)++) {
			char c = line[*pos];

			if (c == '\\') {
				if (++(*pos) >= len || (line[*pos] != '"' && line[*pos] != '\\'))
					return *why = "a backslash in a quoted value escapes only '\"' or '\\'", false;
				c = line[*pos];
			} else if (c < ' ' || c > '~') {
				return *why = "a non-printable byte in a quoted value", false;
			}
			dst[n++] = c;
		}
		if (*pos >= len)
			return *why = "an unterminated quoted value", false;
		(*pos)++;
	} else {
		for (; *pos < len && line[*pos] != ' '; (*pos)++) {
			char c = line[*pos];

			if (c <= ' ' || c > '~' || c == '"' || c == '\\')
				return *why = "a non-printable byte, quote or backslash in a bare value", false;
			dst[n++] = c;
		}
		if (!n)
			return *why = "an empty value (write \"\" for an empty string)", false;
	}
	dst[n] = '\0';
	return true;
}

static const struct kind_schema *schema_of(const char *kind)
{
	for (size_t i = 0; i < sizeof(schemas) / sizeof(schemas[0]); i++)
		if (!strcmp(schemas[i].kind, kind))
			return &schemas[i];
	return NULL;
}

static bool in_list(const char *const *list, size_t n, const char *key)
{
	for (size_t i = 0; i < n && list[i]; i++)
		if (!strcmp(list[i], key))
			return true;
	return false;
}

static int check_schema(const struct guest_record *r, const struct kind_schema *s)
{
	const size_t nr_req = sizeof(s->required) / sizeof(s->required[0]);
	const size_t nr_opt = sizeof(s->optional) / sizeof(s->optional[0]);

	for (int i = 0; i < r->nr_fields; i++)
		if (!in_list(s->required, nr_req, r->fields[i].key) && !in_list(s->optional, nr_opt, r->fields[i].key))
			return BAD("guest output line %d: a '%s' record has no field '%s'", r->line, r->kind,
				   r->fields[i].key);
	for (size_t i = 0; i < nr_req && s->required[i]; i++)
		if (!guest_record_get(r, s->required[i]))
			return BAD("guest output line %d: '%s' record without its field '%s'", r->line, r->kind,
				   s->required[i]);
	return 0;
}

/* The payload's `hello` names the record protocol it writes: only this build's is read. */
static int check_version(const struct guest_record *r)
{
	uint64_t version;

	if (strcmp(r->kind, "hello"))
		return 0;
	if (guest_record_u64(r, "version", &version))
		return -EINVAL;
	if (version != GUEST_PROTOCOL_VERSION)
		return BAD("guest output line %d: the payload writes record protocol version %" PRIu64 ", this "
			   "xstate-bench reads version %d: use the payload of the same build (cmake --build build "
			   "--target xstate-guest, or XSTATE_BENCH_GUEST)", r->line, version, GUEST_PROTOCOL_VERSION);
	return 0;
}

int guest_record_parse(const char *line, size_t len, int line_no, struct guest_record *out)
{
	const struct kind_schema *schema;
	size_t pos = 0, used = 0, n;
	char ex[64];

	memset(out, 0, sizeof(*out));
	out->line = line_no;
	if (len > GUEST_RECORD_MAX)
		return BAD("guest output line %d: oversized record (%zu bytes, at most %d): '%s'", line_no, len,
			   GUEST_RECORD_MAX, excerpt(line, len, ex, sizeof(ex)));
	n = read_word(line, len, &pos, '-', out->kind, GUEST_RECORD_KIND_MAX);
	if (!n || n == (size_t)-1)
		return BAD("guest output line %d: malformed record: no record kind at its start: '%s'", line_no,
			   excerpt(line, len, ex, sizeof(ex)));
	schema = schema_of(out->kind);
	if (!schema)
		return BAD("guest output line %d: unknown record kind '%s'", line_no, out->kind);
	while (pos < len) {
		char *key = out->text + used, *value;
		const char *why = NULL;

		if (line[pos] != ' ' || ++pos >= len)
			return BAD("guest output line %d: malformed record: expected ' key=value' at byte %zu: '%s'",
				   line_no, pos, excerpt(line, len, ex, sizeof(ex)));
		n = read_word(line, len, &pos, '_', key, GUEST_RECORD_KEY_MAX);
		if (!n || n == (size_t)-1 || pos >= len || line[pos] != '=')
			return BAD("guest output line %d: malformed record: bad key at byte %zu: '%s'", line_no, pos,
				   excerpt(line, len, ex, sizeof(ex)));
		if (guest_record_get(out, key))
			return BAD("guest output line %d: malformed record: field '%s' given twice", line_no, key);
		if (out->nr_fields == GUEST_RECORD_MAX_FIELDS)
			return BAD("guest output line %d: more than %d fields", line_no, GUEST_RECORD_MAX_FIELDS);
		pos++;
		used += n + 1;
		value = out->text + used;
		if (!read_value(line, len, &pos, value, &why))
			return BAD("guest output line %d: malformed value of '%s': %s", line_no, key, why);
		used += strlen(value) + 1;
		out->fields[out->nr_fields++] = (struct guest_field){ key, value };
	}
	return check_schema(out, schema) ?: check_version(out);
}

const char *guest_record_get(const struct guest_record *r, const char *key)
{
	for (int i = 0; i < r->nr_fields; i++)
		if (!strcmp(r->fields[i].key, key))
			return r->fields[i].value;
	return NULL;
}

static int number(const struct guest_record *r, const char *key, bool is_signed, uint64_t *u, int64_t *s)
{
	const char *v = guest_record_get(r, key);
	char *end;

	if (!v)
		return BAD("guest output line %d: '%s' record without its field '%s'", r->line, r->kind, key);
	errno = 0;
	if (is_signed)
		*s = strtoll(v, &end, 0);
	else if (v[0] == '-' || v[0] == '+')
		return BAD("guest output line %d: field '%s' of '%s' is not an unsigned number: '%s'", r->line,
			   key, r->kind, v);
	else
		*u = strtoull(v, &end, 0);
	if (errno || end == v || *end || v[0] == '+' || (v[0] == '0' && is_digit(v[1])))
		return BAD("guest output line %d: field '%s' of '%s' is not a number: '%s'", r->line, key, r->kind, v);
	return 0;
}

int guest_record_u64(const struct guest_record *r, const char *key, uint64_t *out)
{
	return number(r, key, false, out, NULL);
}

int guest_record_i64(const struct guest_record *r, const char *key, int64_t *out)
{
	return number(r, key, true, NULL, out);
}

int guest_records_each(const char *output, size_t len, guest_record_fn fn, void *ctx)
{
	struct guest_record *rec = malloc(sizeof(*rec));
	size_t start = 0;
	int line = 0, rc = 0;
	char ex[64];

	if (!rec)
		return xb_fail(ENOMEM, "out of memory");
	while (start < len && !rc) {
		const char *nl = memchr(output + start, '\n', len - start);
		size_t line_len = nl ? (size_t)(nl - (output + start)) : len - start;

		line++;
		if (!nl)
			rc = BAD("guest output line %d: truncated record (no end of line): '%s'", line,
				 excerpt(output + start, line_len, ex, sizeof(ex)));
		else if (memchr(output + start, '\0', line_len))
			rc = BAD("guest output line %d: malformed record: a NUL byte", line);
		else
			rc = guest_record_parse(output + start, line_len, line, rec);
		if (!rc)
			rc = fn(ctx, rec);
		start += line_len + 1;
	}
	free(rec);
	return rc;
}
