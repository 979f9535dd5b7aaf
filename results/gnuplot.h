/*
 * gnuplot.h - running the real gnuplot on a script in a directory; its messages go to a
 * log file beside the script.
 */
#ifndef XB_RESULTS_GNUPLOT_H
#define XB_RESULTS_GNUPLOT_H

#include "../base/error.h"

/* Runs `gnuplot SCRIPT` with @dir as its working directory; stderr to @dir/gnuplot.log.
 * Fails (naming the log) when gnuplot cannot start or exits non-zero. */
int gnuplot_run(const char *dir, const char *script) XB_MUST_CHECK;

#endif
