/*
 * builtin-probe.c - `xstate-bench probe`: the machine as text or JSON; `--record FILE`
 * writes this machine's dump, `--cpuid-dump FILE` describes a recorded one instead.
 */
#include <cjson/cJSON.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../host/kvm/launcher.h"
#include "../host/machine.h"
#include "../results/json_write.h"
#include "cli.h"
#include "companion.h"
#include "family_guest.h"

static struct {
	bool json;
	const char *dump, *record;
} args;

static const char *const size_sets[] = { "fp", "avx", "avx512", "amx", "user", "all" };

static char *hex(char *buf, size_t size, uint64_t v)
{
	snprintf(buf, size, "0x%" PRIx64, v);
	return buf;
}

/* Whether KVM's guests run on VMX or SVM: one tiny guest, run here (kvm_guest_mode). */
static const char *guest_mode(const char **detail)
{
	enum kvm_guest_mode mode = kvm_guest_mode(detail);

	return mode == KVM_GUEST_HARDWARE ? "hardware" : mode == KVM_GUEST_CLASSIC ? "classic" : "unknown";
}

/* Whether a vCPU keeps the filtered CPUID it is set (kvm_guest_cpuid). */
static const char *guest_cpuid(const char **detail)
{
	enum kvm_guest_cpuid kept = kvm_guest_cpuid(detail);

	return kept == KVM_GUEST_CPUID_KEPT ? "kept" : kept == KVM_GUEST_CPUID_REPLACED ? "replaced" : "unknown";
}

static bool live_xinuse(const struct machine *m, uint64_t *v)
{
	return m->cpuid.xgetbv(&m->cpuid, 1, v);
}

static cJSON *json_components(const struct xstate_layout *l)
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

	for (size_t i = 0; i < sizeof(size_sets) / sizeof(size_sets[0]); i++) {
		uint64_t mask;
		char b[24];
		cJSON *s;

		if (!feature_set_parse(size_sets[i], l->xcr0, l->xss, &mask) || (mask & ~(l->xcr0 | l->xss)))
			continue;
		s = cJSON_AddObjectToObject(o, size_sets[i]);
		cJSON_AddStringToObject(s, "mask", hex(b, sizeof(b), mask));
		cJSON_AddNumberToObject(s, "standard", xstate_size_standard(l, mask));
		cJSON_AddNumberToObject(s, "compacted", xstate_size_compacted(l, mask));
	}
	return o;
}

static cJSON *json_xsave(const struct machine *m)
{
	const struct xstate_layout *l = &m->layout;
	cJSON *o = cJSON_CreateObject();
	char b[24];
	uint64_t v;

	if (m->layout_error != XSTATE_LAYOUT_OK) {
		cJSON_AddStringToObject(o, "error", xstate_layout_error_str(m->layout_error));
		return o;
	}
	cJSON_AddStringToObject(o, "xcr0", hex(b, sizeof(b), l->xcr0));
	if (live_xinuse(m, &v))
		cJSON_AddStringToObject(o, "xinuse", hex(b, sizeof(b), v));
	else
		cJSON_AddNullToObject(o, "xinuse");
	cJSON_AddStringToObject(o, "xcr0_supported", hex(b, sizeof(b), l->xcr0_supported));
	cJSON_AddStringToObject(o, "xss_supported", hex(b, sizeof(b), l->xss_supported));
	cJSON_AddStringToObject(o, "xss_enabled", hex(b, sizeof(b), l->xss));
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
	cJSON_AddItemToObject(o, "components", json_components(l));
	cJSON_AddItemToObject(o, "sizes", json_sizes(l));
	return o;
}

/* What became of one of the kernel functions the kapi site calls. */
static const char *kapi_fn_state(const struct xb_caps *k, uint32_t fn)
{
	if (k->kapi_resolved & XB_KAPI_BIT(fn))
		return "resolved";
	return k->kapi_signature_differs & XB_KAPI_BIT(fn) ? "another signature" : "not exported to modules";
}

static void json_kapi(cJSON *module, const struct xb_caps *k)
{
	cJSON *o = cJSON_AddObjectToObject(module, "kapi");

	for (uint32_t fn = 0; o && fn < XB_KAPI_FN_COUNT; fn++)
		cJSON_AddStringToObject(o, xb_kapi_fn_name(fn), kapi_fn_state(k, fn));
}

static void print_kapi(const struct xb_caps *k)
{
	printf("            kernel functions (kapi):");
	for (uint32_t fn = 0; fn < XB_KAPI_FN_COUNT; fn++)
		printf("%s %s %s", fn ? "," : "", xb_kapi_fn_name(fn), kapi_fn_state(k, fn));
	printf("\n");
}

static cJSON *json_machine(const struct machine *m)
{
	cJSON *root = cJSON_CreateObject(), *o;
	char b[24];

	o = cJSON_AddObjectToObject(root, "cpu");
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
	cJSON_AddItemToObject(root, "xsave", json_xsave(m));

	o = cJSON_AddObjectToObject(root, "kernel");
	if (m->kernel.known) {
		cJSON_AddStringToObject(o, "release", m->kernel.release);
		if (m->kernel.xcomp_known) {
			cJSON_AddStringToObject(o, "xcomp_supp", hex(b, sizeof(b), m->kernel.xcomp_supp));
			cJSON_AddStringToObject(o, "xcomp_perm", hex(b, sizeof(b), m->kernel.xcomp_perm));
			cJSON_AddStringToObject(o, "xcomp_guest_perm", hex(b, sizeof(b), m->kernel.xcomp_guest_perm));
		} else {
			cJSON_AddStringToObject(o, "xcomp_supp", "unavailable: arch_prctl(ARCH_GET_XCOMP_SUPP) failed");
		}
		cJSON_AddNumberToObject(o, "minsigstksz", (double)m->kernel.minsigstksz);
	} else {
		cJSON_AddStringToObject(o, "status", "not recorded in this dump");
	}
	if (m->from_dump) {
		cJSON_AddStringToObject(root, "source", m->dump_path);
		o = cJSON_AddObjectToObject(root, "kvm");
		cJSON_AddBoolToObject(o, "present", m->kvm.present);
		if (m->kvm.present) {
			cJSON_AddNumberToObject(o, "xsave2_size", m->kvm.xsave2_size);
			if (m->kvm.xcomp_guest_supp_known)
				cJSON_AddStringToObject(o, "xcomp_guest_supp", hex(b, sizeof(b), m->kvm.xcomp_guest_supp));
			if (m->kvm.xcomp_guest_perm_known)
				cJSON_AddStringToObject(o, "xcomp_guest_perm", hex(b, sizeof(b), m->kvm.xcomp_guest_perm));
		}
		return root;
	}
	cJSON_AddStringToObject(root, "hostname", m->hostname);
	o = cJSON_AddObjectToObject(root, "tsc");
	cJSON_AddNumberToObject(o, "hz", m->tsc.hz);
	cJSON_AddStringToObject(o, "source", m->tsc.source);

	o = cJSON_AddObjectToObject(root, "topology");
	if (m->topology.known) {
		cJSON_AddNumberToObject(o, "packages", m->topology.packages);
		cJSON_AddNumberToObject(o, "cores", m->topology.cores);
		cJSON_AddNumberToObject(o, "pus", m->topology.pus);
		cJSON_AddNumberToObject(o, "numa_nodes", m->topology.numa_nodes);
		cJSON_AddNumberToObject(o, "l1d_bytes", (double)m->topology.l1d_bytes);
		cJSON_AddNumberToObject(o, "l2_bytes", (double)m->topology.l2_bytes);
		cJSON_AddNumberToObject(o, "l3_bytes", (double)m->topology.l3_bytes);
	} else {
		cJSON_AddStringToObject(o, "error", m->topology.error);
	}

	o = cJSON_AddObjectToObject(root, "kvm");
	cJSON_AddBoolToObject(o, "present", m->kvm.present);
	cJSON_AddStringToObject(o, "modules", m->kvm.modules);
	if (m->kvm.present) {
		cJSON_AddNumberToObject(o, "api_version", m->kvm.api_version);
		cJSON_AddNumberToObject(o, "xsave2_size", m->kvm.xsave2_size);
		const char *detail;

		if (m->kvm.xcomp_guest_supp_known)
			cJSON_AddStringToObject(o, "xcomp_guest_supp", hex(b, sizeof(b), m->kvm.xcomp_guest_supp));
		if (m->kvm.guest_perm_error[0])
			cJSON_AddStringToObject(o, "guest_perm_error", m->kvm.guest_perm_error);
		if (m->kvm.xcomp_guest_perm_known)
			cJSON_AddStringToObject(o, "xcomp_guest_perm", hex(b, sizeof(b), m->kvm.xcomp_guest_perm));
		else
			cJSON_AddStringToObject(o, "xcomp_guest_perm_error", m->kvm.xcomp_guest_perm_error);
		cJSON_AddNumberToObject(o, "xcomp_guest_perm_has_errno", m->kvm.xcomp_guest_perm_has);
		if (m->kvm.supported_cpuid_known) {
			cJSON_AddStringToObject(o, "supported_xss", hex(b, sizeof(b), m->kvm.supported_xss));
			cJSON_AddBoolToObject(o, "cet_ss", m->kvm.cet_ss);
			cJSON_AddBoolToObject(o, "ibt", m->kvm.ibt);
		}
		cJSON_AddStringToObject(o, "guest_mode", guest_mode(&detail));
		cJSON_AddStringToObject(o, "guest_mode_detail", detail);
		cJSON_AddStringToObject(o, "guest_cpuid", guest_cpuid(&detail));
		cJSON_AddStringToObject(o, "guest_cpuid_detail", detail);
	} else {
		cJSON_AddStringToObject(o, "error", m->kvm.open_error);
	}

	o = cJSON_AddObjectToObject(root, "module");
	cJSON_AddBoolToObject(o, "present", m->module.present);
	cJSON_AddStringToObject(o, "device", m->module.device);
	if (m->module.present) {
		const struct xb_caps *k = &m->module.caps;

		cJSON_AddNumberToObject(o, "uapi_version", k->version);
		cJSON_AddStringToObject(o, "release", k->release);
		cJSON_AddStringToObject(o, "ops", hex(b, sizeof(b), k->ops));
		cJSON_AddStringToObject(o, "xss", hex(b, sizeof(b), k->xss));
		cJSON_AddStringToObject(o, "loadable", hex(b, sizeof(b), k->loadable));
		cJSON_AddStringToObject(o, "xfd", hex(b, sizeof(b), k->xfd));
		cJSON_AddNumberToObject(o, "max_ops", k->max_ops);
		cJSON_AddNumberToObject(o, "max_warmup_ops", k->max_warmup_ops);
		cJSON_AddNumberToObject(o, "max_buffer_bytes", k->max_buffer_bytes);
		cJSON_AddNumberToObject(o, "size_all_compacted", k->size_all_compacted);
		json_kapi(o, k);
	} else {
		cJSON_AddStringToObject(o, "error", m->module.error);
	}

	o = cJSON_AddObjectToObject(root, "pmu");
	cJSON_AddBoolToObject(o, "libpfm4", m->pmu.libpfm_ok);
	if (!m->pmu.libpfm_ok)
		cJSON_AddStringToObject(o, "libpfm4_error", m->pmu.libpfm_error);
	cJSON_AddBoolToObject(o, "hardware_events", m->pmu.hardware);
	if (!m->pmu.hardware)
		cJSON_AddStringToObject(o, "hardware_error", m->pmu.hardware_error);
	cJSON_AddBoolToObject(o, "software_events", m->pmu.software);
	if (!m->from_dump) {
		char payload[PATH_MAX], fresh[PATH_MAX];

		o = cJSON_AddObjectToObject(root, "files");
		guest_payload_path(payload, sizeof(payload));
		cJSON_AddStringToObject(o, "guest_payload", payload);
		if (companion_path("xstate-bench-fresh", X_OK, fresh, sizeof(fresh)))
			cJSON_AddStringToObject(o, "fresh_error", xb_error_message());
		else
			cJSON_AddStringToObject(o, "fresh", fresh);
	}
	return root;
}

/* Where the companions were found: what a broken install shows first. */
static void print_files(void)
{
	char payload[PATH_MAX], fresh[PATH_MAX];

	guest_payload_path(payload, sizeof(payload));
	printf("files:      guest payload %s\n", payload);
	if (companion_path("xstate-bench-fresh", X_OK, fresh, sizeof(fresh)))
		printf("            %s\n", xb_error_message());
	else
		printf("            fresh process %s\n", fresh);
}

static void print_text(const struct machine *m)
{
	const struct xstate_layout *l = &m->layout;
	char b[24], b2[24], b3[24], b4[24];
	uint64_t v;

	printf("cpu:        %s %s\n", m->cpu.vendor, m->cpu.brand);
	printf("            family %u model %u stepping %u, microcode %s%s%s\n", m->cpu.family,
	       m->cpu.model, m->cpu.stepping, m->cpu.microcode[0] ? m->cpu.microcode : "unknown",
	       m->cpu.hypervisor ? ", under hypervisor " : "", m->cpu.hypervisor ? m->cpu.hypervisor_vendor : "");
	if (m->from_dump)
		printf("source:     %s\n", m->dump_path);
	if (m->layout_error != XSTATE_LAYOUT_OK) {
		printf("xsave:      %s\n", xstate_layout_error_str(m->layout_error));
	} else {
		printf("xcr0:       %s", hex(b, sizeof(b), l->xcr0));
		if (live_xinuse(m, &v))
			printf("   xinuse: %s", hex(b, sizeof(b), v));
		printf("\nxss:        supported %s, enabled %s (%s)\n", hex(b, sizeof(b), l->xss_supported),
		       hex(b2, sizeof(b2), l->xss),
		       m->dump.has_xss ? "recorded" : l->xss_known ? "inferred from CPUID.(0DH,1):EBX" : "ambiguous");
		printf("features:   xsaveopt=%d xsavec=%d xgetbv1=%d xsaves=%d xfd=%d\n", l->xsaveopt,
		       l->xsavec, l->xgetbv1, l->xsaves, l->xfd);
		printf("sizes:      XCR0 standard %u (CPUID.(0DH,0):EBX), max standard %u (ECX), "
		       "XCR0|XSS compacted %u (CPUID.(0DH,1):EBX; computed %u)\n",
		       l->size_xcr0_standard, l->size_max_standard, l->size_enabled_compacted,
		       xstate_size_compacted(l, l->xcr0 | l->xss));
		printf("\n  id  %-40s %6s %6s %5s %4s %4s %s\n", "component", "size", "offset", "align",
		       "sup", "xfd", "enabled");
		for (unsigned int id = 0; id < XSTATE_MAX_COMPONENTS; id++) {
			const struct xstate_component *c = &l->comp[id];

			if (c->supported)
				printf("  %2u  %-40s %6u %6u %5s %4s %4s %s\n", id, xfeature_name(id), c->size,
				       c->offset, c->align64 ? "64" : "-", c->supervisor ? "yes" : "-",
				       c->xfd ? "yes" : "-", c->enabled ? "yes" : "no");
		}
		printf("\n  %-8s %8s %10s %9s\n", "set", "mask", "standard", "compacted");
		for (size_t i = 0; i < sizeof(size_sets) / sizeof(size_sets[0]); i++) {
			uint64_t mask;

			if (!feature_set_parse(size_sets[i], l->xcr0, l->xss, &mask) || (mask & ~(l->xcr0 | l->xss)))
				continue;
			printf("  %-8s %8s %10u %9u\n", size_sets[i], hex(b, sizeof(b), mask),
			       xstate_size_standard(l, mask), xstate_size_compacted(l, mask));
		}
	}
	printf("\nkernel:     ");
	if (!m->kernel.known)
		printf("not recorded in this dump\n");
	else if (m->kernel.xcomp_known)
		printf("%s, arch_prctl XCOMP_SUPP %s PERM %s GUEST_PERM %s, AT_MINSIGSTKSZ %lu\n",
		       m->kernel.release, hex(b, sizeof(b), m->kernel.xcomp_supp),
		       hex(b2, sizeof(b2), m->kernel.xcomp_perm),
		       hex(b3, sizeof(b3), m->kernel.xcomp_guest_perm), m->kernel.minsigstksz);
	else
		printf("%s, arch_prctl(ARCH_GET_XCOMP_SUPP) %s\n", m->kernel.release,
		       m->from_dump ? "not recorded" : "unavailable");
	if (m->from_dump && m->kvm.present)
		printf("kvm:        recorded: KVM_CAP_XSAVE2 %d bytes, XCOMP_GUEST_SUPP %s, XCOMP_GUEST_PERM attribute %s\n",
		       m->kvm.xsave2_size, m->kvm.xcomp_guest_supp_known ? hex(b, sizeof(b), m->kvm.xcomp_guest_supp) : "-",
		       m->kvm.xcomp_guest_perm_known ? hex(b2, sizeof(b2), m->kvm.xcomp_guest_perm) : "absent (ENXIO)");
	if (m->from_dump)
		return;
	printf("tsc:        %.6f GHz (%s)%s\n", m->tsc.hz / 1e9, m->tsc.source,
	       m->cpu.invariant_tsc ? ", invariant" : "");
	if (m->topology.known)
		printf("topology:   %d package(s), %d core(s), %d PU(s), %d NUMA node(s); L1d %" PRIu64
		       " KiB, L2 %" PRIu64 " KiB, L3 %" PRIu64 " KiB (hwloc)\n",
		       m->topology.packages, m->topology.cores, m->topology.pus, m->topology.numa_nodes,
		       m->topology.l1d_bytes / 1024, m->topology.l2_bytes / 1024, m->topology.l3_bytes / 1024);
	else
		printf("topology:   %s\n", m->topology.error);
	if (m->kvm.present)
		printf("kvm:        /dev/kvm API %d, modules %s, KVM_CAP_XSAVE2 %d bytes, XCOMP_GUEST_SUPP %s\n",
		       m->kvm.api_version, m->kvm.modules[0] ? m->kvm.modules : "none listed", m->kvm.xsave2_size,
		       m->kvm.xcomp_guest_supp_known ? hex(b, sizeof(b), m->kvm.xcomp_guest_supp) : "unavailable");
	if (m->kvm.present) {
		const char *detail;

		guest_mode(&detail);
		printf("            guests: %s\n", detail);
		guest_cpuid(&detail);
		printf("            guest CPUID: %s\n", detail);
		if (m->kvm.xcomp_guest_perm_known)
			printf("            XCOMP_GUEST_PERM attribute: %s\n", hex(b, sizeof(b), m->kvm.xcomp_guest_perm));
		else
			printf("            XCOMP_GUEST_PERM attribute: %s\n", m->kvm.xcomp_guest_perm_error);
		if (m->kvm.supported_cpuid_known)
			printf("            supported CPUID: XSS %s (CPUID.(0DH,1) EDX:ECX), CET_SS %d, IBT %d\n",
			       hex(b, sizeof(b), m->kvm.supported_xss), m->kvm.cet_ss, m->kvm.ibt);
		if (m->kvm.guest_perm_error[0])
			printf("            guest permission for dynamic features: %s\n", m->kvm.guest_perm_error);
	} else {
		printf("kvm:        %s\n", m->kvm.open_error);
	}
	if (m->module.present) {
		printf("module:     %s uAPI %u on %s: ops %s, XSS %s (RDMSR), loadable %s, IA32_XFD %s, "
		       "at most %u ops and %u warm-up ops per batch, buffers of at most %u bytes, "
		       "XSAVES buffer of XCR0|XSS %u bytes\n", m->module.device, m->module.caps.version,
		       m->module.caps.release, hex(b, sizeof(b), m->module.caps.ops),
		       hex(b2, sizeof(b2), m->module.caps.xss), hex(b3, sizeof(b3), m->module.caps.loadable),
		       hex(b4, sizeof(b4), m->module.caps.xfd), m->module.caps.max_ops, m->module.caps.max_warmup_ops,
		       m->module.caps.max_buffer_bytes, m->module.caps.size_all_compacted);
		print_kapi(&m->module.caps);
	} else {
		printf("module:     %s\n", m->module.error);
	}
	printf("pmu:        libpfm4 %s; hardware events %s; software events %s\n",
	       m->pmu.libpfm_ok ? "ok" : m->pmu.libpfm_error,
	       m->pmu.hardware ? "available" : m->pmu.hardware_error,
	       m->pmu.software ? "available" : "unavailable");
	print_files();
}

static int probe_main(int argc, char **argv)
{
	struct machine *m;
	int first, rc;

	memset(&args, 0, sizeof(args));
	if ((rc = cli_parse(&cmd_probe, argc, argv, &first)) != CLI_CONTINUE)
		return rc;
	if (first < argc)
		return cli_usage_error(&cmd_probe, "unexpected argument: %s", argv[first]);
	if (args.dump && args.record)
		return cli_usage_error(&cmd_probe, "--record writes this machine's dump; it cannot be combined with --cpuid-dump");
	if (cli_stop_after_arguments)
		return 0;
	m = malloc(sizeof(*m));
	if (!m)
		return 1;
	rc = args.dump ? machine_from_dump_file(m, args.dump) : machine_probe(m);
	if (!rc && args.record)
		rc = machine_write_dump(m, args.record);
	if (rc) {
		fprintf(stderr, "xstate-bench probe: %s\n", xb_error_message());
		free(m);
		return 1;
	}
	if (args.json)
		rc = json_write(json_machine(m), stdout);
	else
		print_text(m);
	if (rc)
		fprintf(stderr, "xstate-bench probe: %s\n", xb_error_message());
	free(m);
	return rc ? 1 : 0;
}

static const struct cli_option probe_options[] = {
	OPT_BOOLEAN(0, "json", &args.json, "print JSON instead of text"),
	OPT_STRING(0, "cpuid-dump", &args.dump, "FILE",
		   "describe a recorded machine (tests/cpuid/*.dump) instead of this one"),
	OPT_OUTPUT_FILE(0, "record", &args.record, "also write this machine's CPUID dump, XCRs and kernel facts to "
			"FILE"),
	OPT_END(),
};

const struct cli_command cmd_probe = {
	.name = "probe",
	.summary = "describe the machine: CPU, xstate layout, kernel, TSC, topology, KVM, PMU",
	.options = probe_options,
	.description = "The text names every xstate component from CPUID leaf 0xD with its size, offset, "
		       "alignment, supervisor and XFD bits, the standard and compacted sizes of each feature "
		       "set, arch_prctl's XCOMP_SUPP/PERM/GUEST_PERM, the TSC and where its frequency came from, "
		       "the hwloc topology, /dev/kvm, the xstate_bench module and the PMU.",
	.main = probe_main,
};
