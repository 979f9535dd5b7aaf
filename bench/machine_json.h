/*
 * machine_json.h - the machine as `probe --json` writes it: the CPU, and the xstate layout
 * with every component named as the kernel names it (xfeature_name(), the short names of
 * feature sets). `probe` and `datasheet` write these same objects.
 */
#ifndef XB_BENCH_MACHINE_JSON_H
#define XB_BENCH_MACHINE_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/ids.h"
#include "../host/machine.h"

/* "0x..." into @buf; returns @buf. */
char *machine_hex(char *buf, size_t size, uint64_t v);
/* XGETBV(1) of the machine (a recorded one's, when the dump has it). */
bool machine_live_xinuse(const struct machine *m, uint64_t *v);
/* The feature sets whose sizes `probe` shows (base/ids.h: FS_IN_SIZES) that are enabled here,
 * the fixed ones first, then the machine's; returns how many. */
int machine_shown_sets(const struct xstate_layout *l, enum feature_set_id out[FS_COUNT]);
/* Every supported component: id, name, short name, size, offset, align64, supervisor, xfd, enabled. */
cJSON *machine_json_components(const struct xstate_layout *l);
/* XCR0, XSS, the XSAVE features and sizes, the components and the feature sets' sizes. */
cJSON *machine_json_xsave(const struct machine *m);
/* Adds "cpu" to @root: vendor, brand, family/model/stepping, microcode, hypervisor, ... */
void machine_json_cpu(cJSON *root, const struct machine *m);

#endif
