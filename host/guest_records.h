/*
 * guest_records.h - the one reader of the payload's records (base/guest_protocol.h has the
 * grammar; README.md "Guest records" the kinds). A line is checked against the grammar, its
 * kind against the known kinds, its fields against the kind's required and optional keys,
 * and a `hello` against this build's protocol version (GUEST_PROTOCOL_VERSION); malformed, truncated (no end of line) and oversized lines are refused with a message that
 * names the line and what is wrong with it.
 */
#ifndef XB_HOST_GUEST_RECORDS_H
#define XB_HOST_GUEST_RECORDS_H

#include <stddef.h>
#include <stdint.h>

#include "../base/guest_protocol.h"
#include "../base/error.h"

struct guest_field {
	const char *key, *value; /* point into the record's text */
};

struct guest_record {
	char kind[GUEST_RECORD_KIND_MAX + 1];
	int line;  /* 1-based line number in the output */
	int nr_fields;
	struct guest_field fields[GUEST_RECORD_MAX_FIELDS];
	char text[2 * (GUEST_RECORD_MAX + 1)]; /* keys and unescaped values, NUL-terminated */
};

/* Parses one line (without its LF) numbered @line_no. 0, or -EINVAL with the reason recorded. */
int guest_record_parse(const char *line, size_t len, int line_no, struct guest_record *out) XB_MUST_CHECK;

/* The value of @key, or NULL. */
const char *guest_record_get(const struct guest_record *r, const char *key);
/* A required number ("12", "-3", "0x1f"): 0, or -EINVAL naming the record, line and key. */
int guest_record_u64(const struct guest_record *r, const char *key, uint64_t *out) XB_MUST_CHECK;
int guest_record_i64(const struct guest_record *r, const char *key, int64_t *out) XB_MUST_CHECK;

typedef int (*guest_record_fn)(void *ctx, const struct guest_record *r);

/*
 * Parses @output line by line and calls @fn with each record, stopping at the first bad line
 * (-EINVAL) or the first non-zero return of @fn (returned). A last line without its LF is
 * refused as truncated.
 */
int guest_records_each(const char *output, size_t len, guest_record_fn fn, void *ctx) XB_MUST_CHECK;

#endif
