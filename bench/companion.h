/*
 * companion.h - where xstate-bench finds the files it runs besides itself (the guest payload
 * xstate-guest.elf, the fresh process xstate-bench-fresh): beside the program, as the build
 * tree has them, else in its libexec directory, as `cmake --install` puts them.
 */
#ifndef XB_BENCH_COMPANION_H
#define XB_BENCH_COMPANION_H

#include <stddef.h>

#include "../host/error.h"

/* The path of companion @name that access(@mode) accepts; on failure the message names both
 * places looked at. */
int companion_path(const char *name, int mode, char *out, size_t size) XB_MUST_CHECK;

#endif
