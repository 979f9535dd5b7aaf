/*
 * out.h - writing records (base/guest_protocol.h) to port 0xE9 and ending the run through port 0xF4.
 * A record is built field by field in a line buffer; a string value too long for the line
 * is cut short (marked "..."), so a record is never longer than the protocol allows.
 */
#ifndef XB_GUEST_OUT_H
#define XB_GUEST_OUT_H

#include <stddef.h>
#include <stdint.h>

#include "../base/guest_protocol.h"

struct rec {
	char line[GUEST_RECORD_MAX + 1];
	size_t len;
};

void rec_begin(struct rec *r, const char *kind);
void rec_str(struct rec *r, const char *key, const char *value);
void rec_u64(struct rec *r, const char *key, uint64_t value);
void rec_i64(struct rec *r, const char *key, int64_t value);
void rec_hex(struct rec *r, const char *key, uint64_t value);
/* Writes the record and its LF to the debug console. */
void rec_end(struct rec *r);

/* Writes @status to the exit port; returns only when no exit device is there. */
void guest_exit(uint32_t status);

#endif
