/*
 * records.h - the text protocol on port 0xE9, shared by the payload (which writes it) and
 * the host parser (host/guest_records.c, which is the only reader). One record per line:
 *
 *   record = kind *( " " key "=" value ) LF
 *   kind   = lower-case letter *( lower-case letter / digit / "-" )      at most 15 bytes
 *   key    = lower-case letter *( lower-case letter / digit / "_" )      at most 31 bytes
 *   value  = bare / quoted
 *   bare   = 1*( printable ASCII other than space, '"' and '\' )
 *   quoted = '"' *( printable ASCII other than '"' and '\' / "\\" / '\"' ) '"'
 *
 * A line holds at most GUEST_RECORD_MAX bytes before its LF and at most
 * GUEST_RECORD_MAX_FIELDS fields, each key once. Numbers are decimal ("-12") or hex ("0x1f").
 * The kinds and their fields are listed in README.md ("Guest records") and checked by the parser.
 */
#ifndef XB_GUEST_RECORDS_H
#define XB_GUEST_RECORDS_H

#define GUEST_RECORD_MAX 480
#define GUEST_RECORD_MAX_FIELDS 20
#define GUEST_RECORD_KIND_MAX 15
#define GUEST_RECORD_KEY_MAX 31
/* In the `hello` record; the host reads only its own build's version. */
#define GUEST_PROTOCOL_VERSION 3

/* The payload's exit-port status. */
#define GUEST_STATUS_OK 0          /* every case ran or was skipped with its reason */
#define GUEST_STATUS_CASE_FAILED 1 /* at least one case reported an error record */
#define GUEST_STATUS_BAD_WORKLIST 2
#define GUEST_STATUS_CRASHED 3     /* an exception outside any case */

#endif
