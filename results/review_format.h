/*
 * review_format.h - a patch series review written out: plain text for a reply on a mailing
 * list (COMPARE_TEXT_WIDTH columns; the machine, the lab, every kernel with its release and patches, the
 * schedule, each version's machine-wide shift, then only the cases that changed in some
 * version, each version's figures beside each other) and Markdown (the same, with every case
 * in a table below). Timings that mean nothing (QEMU TCG) judged on request get a banner in
 * both.
 */
#ifndef XB_RESULTS_REVIEW_FORMAT_H
#define XB_RESULTS_REVIEW_FORMAT_H

#include <stdio.h>

#include "review.h"

void review_write_text(const struct review *r, FILE *out);
void review_write_markdown(const struct review *r, FILE *out);

#endif
