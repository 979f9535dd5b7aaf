/*
 * csv_write.h - CSV per RFC 4180, for the CSV outputs of results/ and bench/: text fields
 * always quoted with their quotes doubled, records ended by CRLF.
 */
#ifndef XB_RESULTS_CSV_WRITE_H
#define XB_RESULTS_CSV_WRITE_H

#include <stdio.h>

#define CSV_RECORD_END "\r\n"

/* Writes @s as one quoted field. */
void csv_text(FILE *out, const char *s);

#endif
