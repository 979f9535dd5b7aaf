/*
 * datasheet_virt.h - the datasheet's virtualization cost: every operation the database holds
 * measured natively (native/...) and in ring 0 (native/ring0/...) or in a guest (guest/...),
 * in any run of any machine or label (the latest run of each case), matched part by part
 * (bench_id_parse()): the three medians and their ratios, functional-only results marked.
 */
#ifndef XB_RESULTS_DATASHEET_VIRT_H
#define XB_RESULTS_DATASHEET_VIRT_H

#include <cjson/cJSON.h>

#include "store.h"

/* Adds "virtualization" to @doc. Returns 0 or the database's error. */
int datasheet_virtualization(struct results_store *st, cJSON *doc) XB_MUST_CHECK;

#endif
