/*
 * datasheet_layout.h - the datasheet's layout part: every component as `probe` names it, with
 * its standard and compacted offsets, and, on this machine, every enabled user component
 * checked on the silicon with XSAVE, XSAVEC and XRSTOR (kernels/xstate_verify.h), and every
 * enabled component, supervisor ones included, with XSAVES and XRSTORS in ring 0 through the
 * xstate_bench module where it is loaded; each mismatch is a finding, in words, for the top
 * of the document.
 */
#ifndef XB_BENCH_DATASHEET_LAYOUT_H
#define XB_BENCH_DATASHEET_LAYOUT_H

#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>

#include "../host/machine.h"
#include "../kernels/xstate_verify.h"

/* Attempts before a check whose state kept changing under it is given up (not a finding). */
#define DATASHEET_VERIFY_ATTEMPTS 16

/* The buffers and masks of the checks on this CPU, for @claimed (the layout checked). */
struct layout_verifier {
	struct xstate_verify v;
	char perm_error[160]; /* why the kernel did not permit a dynamic component, "" if it did */
	const struct module_info *module; /* the ring-0 checks' module, as probed */
	int module_fd;        /* its device, or -1 when it is not present */
};

/* Requests the dynamic components (arch_prctl), allocates the buffers for @m's CPU, checking
 * @claimed (m->layout, or a planted one), and opens the module's device when it is present. */
int layout_verifier_init(struct layout_verifier *lv, const struct machine *m, const struct xstate_layout *claimed)
	XB_MUST_CHECK;
void layout_verifier_free(struct layout_verifier *lv);

/* One check, run again while the state changed under it (XV_DISTURBED), at most
 * DATASHEET_VERIFY_ATTEMPTS times: XSAVES and XRSTORS in ring 0 through the module, the
 * others here. 0, or the module's error (recorded: the ioctl and its errno). */
int layout_verify(const struct layout_verifier *lv, unsigned int id, enum xstate_verify_insn insn,
		  struct xstate_verify_result *out) XB_MUST_CHECK;

/* Whether @o is a finding: the silicon disagrees with the layout or the SDM. */
bool layout_outcome_is_finding(enum xstate_verify_outcome o);

/* What a check found, in words: "XSAVE (RFBM 0x4) changed 64 bytes outside ...". */
void layout_describe(unsigned int id, enum xstate_verify_insn insn, const struct xstate_verify_result *r,
		     char *out, size_t size);

/*
 * Adds "layout" to @doc: every supported component (machine_json_components()) with its
 * compacted offset among the enabled ones and, when @live, each check's result; "findings"
 * lists the mismatches in words, and any ring-0 check the module failed to run. *@findings counts them. Returns 0 or an error (memory, the
 * buffers).
 */
int datasheet_layout(const struct machine *m, bool live, cJSON *doc, int *findings) XB_MUST_CHECK;

#endif
