/*
 * json_write.h - printing a cJSON document to a stream, for the JSON outputs of results/.
 */
#ifndef XB_RESULTS_JSON_WRITE_H
#define XB_RESULTS_JSON_WRITE_H

#include <cjson/cJSON.h>
#include <stdio.h>

#include "../base/error.h"

/* Prints @root and a newline to @out and deletes @root. Returns 0 or -ENOMEM. */
int json_write(cJSON *root, FILE *out) XB_MUST_CHECK;

#endif
