/*
 * datasheet_layout.c - the layout part of the datasheet: the components, their offsets, and
 * the checks on the silicon with their findings.
 */
#include "datasheet_layout.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <unistd.h>

#include "../host/module/module_client.h"
#include "../host/xstate_buffer.h"
#include "../host/xstate_perm.h"
#include "../kernels/xstate_image.h"
#include "../kernels/xstate_require.h"
#include "machine_json.h"

int layout_verifier_init(struct layout_verifier *lv, const struct machine *m, const struct xstate_layout *claimed)
{
	const struct xstate_layout *l = &m->layout;
	struct xstate_verify *v = &lv->v;
	uint64_t usable = 0;

	memset(lv, 0, sizeof(*lv));
	lv->module = &m->module;
	lv->module_fd = -1;
	if (xstate_request_perm(l, l->xcr0, &usable)) {
		snprintf(lv->perm_error, sizeof(lv->perm_error), "%s", xb_error_message());
		usable = l->xcr0 & ~xstate_xfd_capable(l);
	}
	v->layout = claimed;
	v->user_mask = usable;
	v->caller_mask = usable;
	v->bytes = xstate_verify_buffer_bytes(l);
	v->area = xstate_buffer_alloc(v->bytes);
	v->image = xstate_buffer_alloc(v->bytes);
	v->other = xstate_buffer_alloc(v->bytes);
	v->caller = xstate_buffer_alloc(v->bytes);
	if (!v->area || !v->image || !v->other || !v->caller) {
		layout_verifier_free(lv);
		return xb_fail(ENOMEM, "out of memory for the layout check's buffers");
	}
	if (m->module.present && (lv->module_fd = module_open(m->module.device)) < 0) {
		int rc = lv->module_fd;

		layout_verifier_free(lv);
		return rc;
	}
	return 0;
}

void layout_verifier_free(struct layout_verifier *lv)
{
	xstate_buffer_free(lv->v.area);
	xstate_buffer_free(lv->v.image);
	xstate_buffer_free(lv->v.other);
	xstate_buffer_free(lv->v.caller);
	memset(&lv->v, 0, sizeof(lv->v));
	if (lv->module_fd >= 0)
		close(lv->module_fd);
	lv->module_fd = -1;
}

static bool in_ring0(enum xstate_verify_insn insn)
{
	return insn == XV_XSAVES || insn == XV_XRSTORS;
}

/* One check in ring 0, its result as kernels/xstate_verify.h's. */
static int verify_ring0(const struct layout_verifier *lv, unsigned int id, enum xstate_verify_insn insn,
			struct xstate_verify_result *out)
{
	struct xb_verify r = { .component = id, .insn = (uint32_t)insn };
	int rc = module_run_verify(lv->module_fd, lv->module->device, &r);

	memset(out, 0, sizeof(*out));
	if (rc)
		return rc;
	*out = (struct xstate_verify_result){
		.outcome = (enum xstate_verify_outcome)r.outcome,
		.rfbm = r.rfbm,
		.xinuse = r.xinuse,
		.offset = r.offset,
		.stray_offset = r.stray_offset,
		.stray_bytes = r.stray_bytes,
		.content_component = r.content_component,
		.expected = r.expected,
		.actual = r.actual,
	};
	return 0;
}

int layout_verify(const struct layout_verifier *lv, unsigned int id, enum xstate_verify_insn insn,
		  struct xstate_verify_result *out)
{
	int rc = 0;

	out->outcome = XV_DISTURBED;
	for (int attempt = 0; attempt < DATASHEET_VERIFY_ATTEMPTS && !rc && out->outcome == XV_DISTURBED; attempt++) {
		if (in_ring0(insn))
			rc = verify_ring0(lv, id, insn, out);
		else
			xstate_verify_run(&lv->v, id, insn, out);
	}
	return rc;
}

bool layout_outcome_is_finding(enum xstate_verify_outcome o)
{
	return o == XV_NOT_IN_USE || o == XV_STRAY_WRITE || o == XV_CONTENT || o == XV_XSTATE_BV || o == XV_XCOMP_BV;
}

static const char *insn_upper(enum xstate_verify_insn insn)
{
	static const char *const names[XV_INSN_COUNT] = { "XSAVE",  "XSAVEC", "XRSTOR", "XRSTOR (compacted)",
							  "XSAVES (ring 0)", "XRSTORS (ring 0)" };

	return insn < XV_INSN_COUNT ? names[insn] : "?";
}

static bool is_restore(enum xstate_verify_insn insn)
{
	return insn == XV_XRSTOR || insn == XV_XRSTOR_COMPACTED || insn == XV_XRSTORS;
}

void layout_describe(unsigned int id, enum xstate_verify_insn insn, const struct xstate_verify_result *r,
		     char *out, size_t size)
{
	int n = snprintf(out, size, "%s (RFBM 0x%" PRIx64 "): ", insn_upper(insn), r->rfbm);
	size_t at = n > 0 && (size_t)n < size ? (size_t)n : 0;

	switch (r->outcome) {
	case XV_OK:
		snprintf(out + at, size - at, "%s at offset %u", is_restore(insn) ? "loaded it alone, the others kept"
			 : "wrote exactly its bytes", r->offset);
		break;
	case XV_NOT_IN_USE:
		snprintf(out + at, size - at, "component %u did not come into use (XINUSE 0x%" PRIx64 ")", id, r->xinuse);
		break;
	case XV_STRAY_WRITE:
		snprintf(out + at, size - at, "changed %u bytes it may not write, the first at offset %u (the layout "
			 "puts component %u at %u)", r->stray_bytes, r->stray_offset, id, r->offset);
		break;
	case XV_CONTENT:
		if ((insn == XV_XSAVE || insn == XV_XSAVEC || insn == XV_XSAVES) && r->content_component == XFEATURE_SSE &&
		    id != XFEATURE_SSE) {
			snprintf(out + at, size - at, "MXCSR does not hold the value loaded: the SDM says %s writes it "
				 "when RFBM[1] or RFBM[2] is set", insn == XV_XSAVE ? "XSAVE" : "the save");
			break;
		}
		snprintf(out + at, size - at, "component %d does not hold the values loaded %s", r->content_component,
			 is_restore(insn) ? "(restored or kept)" : "where the layout puts it");
		break;
	case XV_XSTATE_BV:
	case XV_XCOMP_BV:
		snprintf(out + at, size - at, "%s 0x%" PRIx64 ", the SDM says 0x%" PRIx64,
			 r->outcome == XV_XSTATE_BV ? "XSTATE_BV" : "XCOMP_BV", r->actual, r->expected);
		break;
	case XV_DISTURBED:
		snprintf(out + at, size - at, "not checked: XINUSE changed across the instruction in %d attempts",
			 DATASHEET_VERIFY_ATTEMPTS);
		break;
	case XV_BAD_ARGS:
		snprintf(out + at, size - at, "not checked: not a component %s can load",
			 in_ring0(insn) ? "the module" : "this process");
		break;
	}
}

/* "skip: " and the CPUID bit in @buf when this CPU lacks @op, else NULL. */
static const char *cpu_lacks(const struct machine *m, enum xsave_op op, char *buf, size_t size)
{
	const struct xstate_cpu cpu = { .layout = &m->layout, .where = "on this CPU" };
	char why[160];

	if (xstate_require_op(&cpu, op, why, sizeof(why)))
		return NULL;
	snprintf(buf, size, "skip: %s", why);
	return buf;
}

/* Why @id cannot be checked with XSAVES/XRSTORS in ring 0, or NULL when it can; @buf holds a
 * reason made up here. */
static const char *skip_reason_ring0(const struct machine *m, const struct layout_verifier *lv, unsigned int id,
				     char *buf, size_t size)
{
	if (cpu_lacks(m, XOP_XSAVES, buf, size))
		return buf;
	if (!lv->module->present) {
		snprintf(buf, size, "not checked: XSAVES and XRSTORS run in ring 0, through the xstate_bench module, "
			 "and it did not answer (%s)", lv->module->error);
		return buf;
	}
	if (!(lv->module->caps.flags & XB_CAP_XSAVES))
		return "skip: the kernel does not use XSAVES (X86_FEATURE_XSAVES clear), so neither does the module";
	if (xstate_verify_loaded(id) & ~lv->module->caps.loadable)
		return "not checked: no safe non-init value is known for it";
	return NULL;
}

/* Why @id cannot be checked with @insn on this machine, or NULL when it can; @buf holds a
 * reason made up here. */
static const char *skip_reason(const struct machine *m, const struct layout_verifier *lv, bool live,
			       unsigned int id, enum xstate_verify_insn insn, char *buf, size_t size)
{
	const struct xstate_component *c = &m->layout.comp[id];

	if (!live)
		return "not checked: a recorded machine (--cpuid-dump), the layout as its CPUID states it";
	if (!c->enabled)
		return "not checked: not enabled in XCR0 or IA32_XSS";
	if (in_ring0(insn))
		return skip_reason_ring0(m, lv, id, buf, size);
	if (c->supervisor)
		return "not checked: a supervisor component: XSAVE, XSAVEC and XRSTOR do not reach it (XSAVES and "
		       "XRSTORS do)";
	if (xstate_verify_loaded(id) & ~lv->v.user_mask)
		return lv->perm_error[0] ? lv->perm_error : "not checked: the kernel does not permit it to this process";
	if (xstate_verify_loaded(id) & ~xstate_pattern_capable())
		return "not checked: no safe non-init value is known for it";
	return insn == XV_XSAVEC || insn == XV_XRSTOR_COMPACTED ? cpu_lacks(m, XOP_XSAVEC, buf, size) : NULL;
}

/* One check of one component: its JSON, and its finding (in words) added to @findings. */
static cJSON *check_json(const struct machine *m, const struct layout_verifier *lv, bool live, unsigned int id,
			 enum xstate_verify_insn insn, cJSON *findings)
{
	char text[320], line[400], b[24], reason[320];
	const char *why = skip_reason(m, lv, live, id, insn, reason, sizeof(reason));
	struct xstate_verify_result r;
	cJSON *o = cJSON_CreateObject();

	if (why) {
		cJSON_AddStringToObject(o, "result", "skip");
		cJSON_AddStringToObject(o, "detail", why);
		return o;
	}
	if (layout_verify(lv, id, insn, &r)) {
		/* the module failed: an error, listed with the findings so that it is not missed */
		snprintf(line, sizeof(line), "%s (%s): %s: %s", xfeature_short_name(id), xfeature_name(id),
			 insn_upper(insn), xb_error_message());
		cJSON_AddStringToObject(o, "result", "error");
		cJSON_AddStringToObject(o, "detail", xb_error_message());
		cJSON_AddItemToArray(findings, cJSON_CreateString(line));
		return o;
	}
	layout_describe(id, insn, &r, text, sizeof(text));
	cJSON_AddStringToObject(o, "result", r.outcome == XV_OK ? "ok" : layout_outcome_is_finding(r.outcome) ? "finding"
										: "skip");
	cJSON_AddStringToObject(o, "rfbm", machine_hex(b, sizeof(b), r.rfbm));
	cJSON_AddNumberToObject(o, "offset", r.offset);
	cJSON_AddStringToObject(o, "detail", text);
	if (layout_outcome_is_finding(r.outcome)) {
		snprintf(line, sizeof(line), "%s (%s): %s", xfeature_short_name(id), xfeature_name(id), text);
		cJSON_AddItemToArray(findings, cJSON_CreateString(line));
	}
	return o;
}

/* Where the XSAVES and XRSTORS checks run: the module, and why it did not answer. */
static void ring0_json(cJSON *layout, const struct module_info *module)
{
	cJSON *o = cJSON_AddObjectToObject(layout, "ring0");
	char b[24];

	cJSON_AddBoolToObject(o, "module", module->present);
	cJSON_AddStringToObject(o, "device", module->device);
	if (!module->present) {
		cJSON_AddStringToObject(o, "error", module->error);
		return;
	}
	cJSON_AddStringToObject(o, "release", module->caps.release);
	cJSON_AddStringToObject(o, "xss", machine_hex(b, sizeof(b), module->caps.xss));
	cJSON_AddStringToObject(o, "loadable", machine_hex(b, sizeof(b), module->caps.loadable));
}

/* Each component of @components gets its compacted offset and its checks. */
static void add_checks(const struct machine *m, const struct layout_verifier *lv, bool live, cJSON *components,
		       cJSON *findings)
{
	const struct xstate_layout *l = &m->layout;
	uint64_t enabled = l->xcr0 | l->xss;
	cJSON *c;

	cJSON_ArrayForEach(c, components) {
		unsigned int id = (unsigned int)cJSON_GetObjectItem(c, "id")->valueint;
		cJSON *checks;

		if ((enabled & (1ULL << id)) && l->xsavec) /* no compacted format without XSAVEC */
			cJSON_AddNumberToObject(c, "compacted_offset", xstate_offset(l, enabled, id, true));
		else
			cJSON_AddNullToObject(c, "compacted_offset");
		checks = cJSON_AddObjectToObject(c, "checks");
		for (int insn = 0; insn < XV_INSN_COUNT; insn++)
			cJSON_AddItemToObject(checks, xstate_verify_insn_name((enum xstate_verify_insn)insn),
					      check_json(m, lv, live, id, (enum xstate_verify_insn)insn, findings));
	}
}

int datasheet_layout(const struct machine *m, bool live, cJSON *doc, int *findings)
{
	struct layout_verifier lv = { 0 };
	cJSON *layout = cJSON_AddObjectToObject(doc, "layout"), *list, *components;
	int rc;

	*findings = 0;
	if (m->layout_error != XSTATE_LAYOUT_OK) {
		cJSON_AddStringToObject(layout, "error", xstate_layout_error_str(m->layout_error));
		cJSON_AddItemToObject(layout, "findings", cJSON_CreateArray());
		return 0;
	}
	if (live && (rc = layout_verifier_init(&lv, m, &m->layout)))
		return rc;
	cJSON_AddBoolToObject(layout, "checked_on_silicon", live);
	if (live)
		ring0_json(layout, &m->module);
	cJSON_AddStringToObject(layout, "rules",
				"SDM vol. 1, 13.7-13.10: XSAVE of the component alone writes its bytes at its standard "
				"offset, XSTATE_BV[i] = XINUSE[i] and MXCSR for RFBM[1] or RFBM[2], nothing else (bytes "
				"463:416 reserved); XSAVEC of the enabled components up to it, it alone in use, writes it "
				"at the computed compacted offset, XSTATE_BV = RFBM & XINUSE, XCOMP_BV = bit 63 | RFBM, "
				"MXCSR for RFBM[1]; XRSTOR of it alone, standard or compacted (from an area of the components "
				"up to it), loads it and keeps the others; in ring 0 (the module), XSAVES as XSAVEC over "
				"the components of XCR0 and IA32_XSS up to it, supervisor ones included, and XRSTORS as "
				"compacted XRSTOR");
	list = cJSON_AddArrayToObject(layout, "findings");
	components = machine_json_components(&m->layout);
	cJSON_AddItemToObject(layout, "components", components);
	add_checks(m, &lv, live, components, list);
	if (live)
		layout_verifier_free(&lv);
	*findings = cJSON_GetArraySize(list);
	return 0;
}
