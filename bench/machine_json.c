/*
 * machine_json.c - the machine as `probe --json` writes it: the CPU, and the xstate layout
 * with every component named as the kernel names it; the datasheet writes the same objects.
 */
#include "machine_json.h"

#include <inttypes.h>
#include <stdio.h>

#include "../base/ids.h"

char *machine_hex(char *buf, size_t size, uint64_t v)
{
	snprintf(buf, size, "0x%" PRIx64, v);
	return buf;
}

bool machine_live_xinuse(const struct machine *m, uint64_t *v)
{
	return m->cpuid.xgetbv(&m->cpuid, 1, v);
}

/* The feature sets whose sizes `probe` shows (base/ids.h: FS_IN_SIZES) that are enabled here,
 * the fixed ones first, then the machine's; returns how many. */
int machine_shown_sets(const struct xstate_layout *l, enum feature_set_id out[FS_COUNT])
{
	int n = 0;

	for (int pass = 0; pass < 2; pass++) {
		for (unsigned int fs = 0; fs < FS_COUNT; fs++) {
			uint64_t mask = feature_set_mask((enum feature_set_id)fs, l->xcr0, l->xss);

			if ((feature_sets[fs].extent == FS_FIXED) == (pass == 0) && (feature_sets[fs].lists & FS_IN_SIZES) &&
			    !(mask & ~(l->xcr0 | l->xss)))
				out[n++] = (enum feature_set_id)fs;
		}
	}
	return n;
}

cJSON *machine_json_components(const struct xstate_layout *l)
{
	cJSON *arr = cJSON_CreateArray();

	for (unsigned int id = 0; id < XSTATE_MAX_COMPONENTS; id++) {
		const struct xstate_component *c = &l->comp[id];
		cJSON *o;

		if (!c->supported)
			continue;
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "id", id);
		cJSON_AddStringToObject(o, "name", xfeature_name(id));
		cJSON_AddStringToObject(o, "short_name", xfeature_short_name(id));
		cJSON_AddNumberToObject(o, "size", c->size);
		cJSON_AddNumberToObject(o, "offset", c->offset);
		cJSON_AddBoolToObject(o, "align64", c->align64);
		cJSON_AddBoolToObject(o, "supervisor", c->supervisor);
		cJSON_AddBoolToObject(o, "xfd", c->xfd);
		cJSON_AddBoolToObject(o, "enabled", c->enabled);
		cJSON_AddItemToArray(arr, o);
	}
	return arr;
}

static cJSON *json_sizes(const struct xstate_layout *l)
{
	cJSON *o = cJSON_CreateObject();
	enum feature_set_id sets[FS_COUNT];
	int n = machine_shown_sets(l, sets);

	for (int i = 0; i < n; i++) {
		uint64_t mask = feature_set_mask(sets[i], l->xcr0, l->xss);
		char b[24];
		cJSON *s = cJSON_AddObjectToObject(o, feature_set_name(sets[i]));

		cJSON_AddStringToObject(s, "mask", machine_hex(b, sizeof(b), mask));
		cJSON_AddNumberToObject(s, "standard", xstate_size_standard(l, mask));
		cJSON_AddNumberToObject(s, "compacted", xstate_size_compacted(l, mask));
	}
	return o;
}

cJSON *machine_json_xsave(const struct machine *m)
{
	const struct xstate_layout *l = &m->layout;
	cJSON *o = cJSON_CreateObject();
	char b[24];
	uint64_t v;

	if (m->layout_error != XSTATE_LAYOUT_OK) {
		cJSON_AddStringToObject(o, "error", xstate_layout_error_str(m->layout_error));
		return o;
	}
	cJSON_AddStringToObject(o, "xcr0", machine_hex(b, sizeof(b), l->xcr0));
	if (machine_live_xinuse(m, &v))
		cJSON_AddStringToObject(o, "xinuse", machine_hex(b, sizeof(b), v));
	else
		cJSON_AddNullToObject(o, "xinuse");
	cJSON_AddStringToObject(o, "xcr0_supported", machine_hex(b, sizeof(b), l->xcr0_supported));
	cJSON_AddStringToObject(o, "xss_supported", machine_hex(b, sizeof(b), l->xss_supported));
	cJSON_AddStringToObject(o, "xss_enabled", machine_hex(b, sizeof(b), l->xss));
	cJSON_AddStringToObject(o, "xss_enabled_source",
				m->dump.has_xss ? "recorded" : l->xss_known ? "inferred from CPUID.(0DH,1):EBX" : "ambiguous");
	cJSON_AddBoolToObject(o, "xsaveopt", l->xsaveopt);
	cJSON_AddBoolToObject(o, "xsavec", l->xsavec);
	cJSON_AddBoolToObject(o, "xgetbv1", l->xgetbv1);
	cJSON_AddBoolToObject(o, "xsaves", l->xsaves);
	cJSON_AddBoolToObject(o, "xfd", l->xfd);
	cJSON_AddNumberToObject(o, "size_xcr0_standard", l->size_xcr0_standard);
	cJSON_AddNumberToObject(o, "size_max_standard", l->size_max_standard);
	cJSON_AddNumberToObject(o, "size_enabled_compacted", l->size_enabled_compacted);
	cJSON_AddNumberToObject(o, "size_enabled_compacted_computed",
				xstate_size_compacted(l, l->xcr0 | l->xss));
	cJSON_AddItemToObject(o, "components", machine_json_components(l));
	cJSON_AddItemToObject(o, "sizes", json_sizes(l));
	return o;
}

void machine_json_cpu(cJSON *root, const struct machine *m)
{
	cJSON *o = cJSON_AddObjectToObject(root, "cpu");

	cJSON_AddStringToObject(o, "vendor", m->cpu.vendor);
	cJSON_AddStringToObject(o, "brand", m->cpu.brand);
	cJSON_AddNumberToObject(o, "family", m->cpu.family);
	cJSON_AddNumberToObject(o, "model", m->cpu.model);
	cJSON_AddNumberToObject(o, "stepping", m->cpu.stepping);
	cJSON_AddStringToObject(o, "microcode", m->cpu.microcode);
	cJSON_AddBoolToObject(o, "hypervisor", m->cpu.hypervisor);
	cJSON_AddStringToObject(o, "hypervisor_vendor", m->cpu.hypervisor_vendor);
	cJSON_AddBoolToObject(o, "amx_tile", m->cpu.amx_tile);
	cJSON_AddBoolToObject(o, "avx512f", m->cpu.avx512f);
	cJSON_AddBoolToObject(o, "pku", m->cpu.pku);
	cJSON_AddBoolToObject(o, "invariant_tsc", m->cpu.invariant_tsc);
}
