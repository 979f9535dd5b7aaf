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

#include "../base/ids.h"
#include "../host/kvm/launcher.h"
#include "../host/machine.h"
#include "../results/json_write.h"
#include "cli.h"
#include "companion.h"
#include "family_guest.h"
#include "machine_json.h"

static struct {
	bool json;
	const char *dump, *record;
} args;


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

static void json_kernel(cJSON *root, const struct machine *m)
{
	cJSON *o = cJSON_AddObjectToObject(root, "kernel");
	char b[24];

	if (!m->kernel.known) {
		cJSON_AddStringToObject(o, "status", "not recorded in this dump");
		return;
	}
	cJSON_AddStringToObject(o, "release", m->kernel.release);
	if (m->kernel.xcomp_known) {
		cJSON_AddStringToObject(o, "xcomp_supp", machine_hex(b, sizeof(b), m->kernel.xcomp_supp));
		cJSON_AddStringToObject(o, "xcomp_perm", machine_hex(b, sizeof(b), m->kernel.xcomp_perm));
		cJSON_AddStringToObject(o, "xcomp_guest_perm", machine_hex(b, sizeof(b), m->kernel.xcomp_guest_perm));
	} else {
		cJSON_AddStringToObject(o, "xcomp_supp", "unavailable: arch_prctl(ARCH_GET_XCOMP_SUPP) failed");
	}
	cJSON_AddNumberToObject(o, "minsigstksz", (double)m->kernel.minsigstksz);
}

/* A recorded machine's KVM: what its dump holds. */
static void json_recorded_kvm(cJSON *root, const struct machine *m)
{
	cJSON *o = cJSON_AddObjectToObject(root, "kvm");
	char b[24];

	cJSON_AddBoolToObject(o, "present", m->kvm.present);
	if (!m->kvm.present)
		return;
	cJSON_AddNumberToObject(o, "xsave2_size", m->kvm.xsave2_size);
	if (m->kvm.xcomp_guest_supp_known)
		cJSON_AddStringToObject(o, "xcomp_guest_supp", machine_hex(b, sizeof(b), m->kvm.xcomp_guest_supp));
	if (m->kvm.xcomp_guest_perm_known)
		cJSON_AddStringToObject(o, "xcomp_guest_perm", machine_hex(b, sizeof(b), m->kvm.xcomp_guest_perm));
}

static void json_topology(cJSON *root, const struct machine *m)
{
	cJSON *o = cJSON_AddObjectToObject(root, "topology");

	if (!m->topology.known) {
		cJSON_AddStringToObject(o, "error", m->topology.error);
		return;
	}
	cJSON_AddNumberToObject(o, "packages", m->topology.packages);
	cJSON_AddNumberToObject(o, "cores", m->topology.cores);
	cJSON_AddNumberToObject(o, "pus", m->topology.pus);
	cJSON_AddNumberToObject(o, "numa_nodes", m->topology.numa_nodes);
	cJSON_AddNumberToObject(o, "l1d_bytes", (double)m->topology.l1d_bytes);
	cJSON_AddNumberToObject(o, "l2_bytes", (double)m->topology.l2_bytes);
	cJSON_AddNumberToObject(o, "l3_bytes", (double)m->topology.l3_bytes);
}

/* This machine's /dev/kvm, with what a guest of it runs on (kvm_guest_mode, kvm_guest_cpuid). */
static void json_kvm(cJSON *root, const struct machine *m)
{
	cJSON *o = cJSON_AddObjectToObject(root, "kvm");
	const char *detail;
	char b[24];

	cJSON_AddBoolToObject(o, "present", m->kvm.present);
	cJSON_AddStringToObject(o, "modules", m->kvm.modules);
	if (!m->kvm.present) {
		cJSON_AddStringToObject(o, "error", m->kvm.open_error);
		return;
	}
	cJSON_AddNumberToObject(o, "api_version", m->kvm.api_version);
	cJSON_AddNumberToObject(o, "xsave2_size", m->kvm.xsave2_size);
	if (m->kvm.xcomp_guest_supp_known)
		cJSON_AddStringToObject(o, "xcomp_guest_supp", machine_hex(b, sizeof(b), m->kvm.xcomp_guest_supp));
	if (m->kvm.guest_perm_error[0])
		cJSON_AddStringToObject(o, "guest_perm_error", m->kvm.guest_perm_error);
	if (m->kvm.xcomp_guest_perm_known)
		cJSON_AddStringToObject(o, "xcomp_guest_perm", machine_hex(b, sizeof(b), m->kvm.xcomp_guest_perm));
	else
		cJSON_AddStringToObject(o, "xcomp_guest_perm_error", m->kvm.xcomp_guest_perm_error);
	cJSON_AddNumberToObject(o, "xcomp_guest_perm_has_errno", m->kvm.xcomp_guest_perm_has);
	if (m->kvm.supported_cpuid_known) {
		cJSON_AddStringToObject(o, "supported_xss", machine_hex(b, sizeof(b), m->kvm.supported_xss));
		cJSON_AddBoolToObject(o, "cet_ss", m->kvm.cet_ss);
		cJSON_AddBoolToObject(o, "ibt", m->kvm.ibt);
	}
	cJSON_AddStringToObject(o, "guest_mode", guest_mode(&detail));
	cJSON_AddStringToObject(o, "guest_mode_detail", detail);
	cJSON_AddStringToObject(o, "guest_cpuid", guest_cpuid(&detail));
	cJSON_AddStringToObject(o, "guest_cpuid_detail", detail);
}

static void json_module(cJSON *root, const struct machine *m)
{
	cJSON *o = cJSON_AddObjectToObject(root, "module");
	const struct xb_caps *k = &m->module.caps;
	char b[24];

	cJSON_AddBoolToObject(o, "present", m->module.present);
	cJSON_AddStringToObject(o, "device", m->module.device);
	if (!m->module.present) {
		cJSON_AddStringToObject(o, "error", m->module.error);
		return;
	}
	cJSON_AddNumberToObject(o, "uapi_version", k->version);
	cJSON_AddStringToObject(o, "release", k->release);
	cJSON_AddStringToObject(o, "ops", machine_hex(b, sizeof(b), k->ops));
	cJSON_AddStringToObject(o, "xss", machine_hex(b, sizeof(b), k->xss));
	cJSON_AddStringToObject(o, "loadable", machine_hex(b, sizeof(b), k->loadable));
	cJSON_AddStringToObject(o, "xfd", machine_hex(b, sizeof(b), k->xfd));
	cJSON_AddNumberToObject(o, "max_ops", k->max_ops);
	cJSON_AddNumberToObject(o, "max_warmup_ops", k->max_warmup_ops);
	cJSON_AddNumberToObject(o, "max_buffer_bytes", k->max_buffer_bytes);
	cJSON_AddNumberToObject(o, "size_all_compacted", k->size_all_compacted);
	json_kapi(o, k);
}

static void json_pmu(cJSON *root, const struct machine *m)
{
	cJSON *o = cJSON_AddObjectToObject(root, "pmu");

	cJSON_AddBoolToObject(o, "libpfm4", m->pmu.libpfm_ok);
	if (!m->pmu.libpfm_ok)
		cJSON_AddStringToObject(o, "libpfm4_error", m->pmu.libpfm_error);
	cJSON_AddBoolToObject(o, "hardware_events", m->pmu.hardware);
	if (!m->pmu.hardware)
		cJSON_AddStringToObject(o, "hardware_error", m->pmu.hardware_error);
	cJSON_AddBoolToObject(o, "software_events", m->pmu.software);
}

/* Where the companions were found. */
static void json_files(cJSON *root)
{
	cJSON *o = cJSON_AddObjectToObject(root, "files");
	char payload[PATH_MAX], fresh[PATH_MAX];

	guest_payload_path(payload, sizeof(payload));
	cJSON_AddStringToObject(o, "guest_payload", payload);
	if (companion_path("xstate-bench-fresh", X_OK, fresh, sizeof(fresh)))
		cJSON_AddStringToObject(o, "fresh_error", xb_error_message());
	else
		cJSON_AddStringToObject(o, "fresh", fresh);
}

/* The machine as JSON: a recorded one has what its dump holds, this one everything. */
static cJSON *json_machine(const struct machine *m)
{
	cJSON *root = cJSON_CreateObject(), *o;

	machine_json_cpu(root, m);
	cJSON_AddItemToObject(root, "xsave", machine_json_xsave(m));
	json_kernel(root, m);
	if (m->from_dump) {
		cJSON_AddStringToObject(root, "source", m->dump_path);
		json_recorded_kvm(root, m);
		return root;
	}
	cJSON_AddStringToObject(root, "hostname", m->hostname);
	o = cJSON_AddObjectToObject(root, "tsc");
	cJSON_AddNumberToObject(o, "hz", m->tsc.hz);
	cJSON_AddStringToObject(o, "source", m->tsc.source);
	json_topology(root, m);
	json_kvm(root, m);
	json_module(root, m);
	json_pmu(root, m);
	json_files(root);
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

/* XCR0, XSS, the XSAVE features and sizes, every component and the feature sets' sizes. */
static void print_xsave(const struct machine *m)
{
	const struct xstate_layout *l = &m->layout;
	enum feature_set_id sets[FS_COUNT];
	char b[24], b2[24];
	uint64_t v;
	int n;

	if (m->layout_error != XSTATE_LAYOUT_OK) {
		printf("xsave:      %s\n", xstate_layout_error_str(m->layout_error));
		return;
	}
	printf("xcr0:       %s", machine_hex(b, sizeof(b), l->xcr0));
	if (machine_live_xinuse(m, &v))
		printf("   xinuse: %s", machine_hex(b, sizeof(b), v));
	printf("\nxss:        supported %s, enabled %s (%s)\n", machine_hex(b, sizeof(b), l->xss_supported),
	       machine_hex(b2, sizeof(b2), l->xss),
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
	n = machine_shown_sets(l, sets);
	for (int i = 0; i < n; i++) {
		uint64_t mask = feature_set_mask(sets[i], l->xcr0, l->xss);

		printf("  %-8s %8s %10u %9u\n", feature_set_name(sets[i]), machine_hex(b, sizeof(b), mask),
		       xstate_size_standard(l, mask), xstate_size_compacted(l, mask));
	}
}

static void print_kernel(const struct machine *m)
{
	char b[24], b2[24], b3[24];

	printf("\nkernel:     ");
	if (!m->kernel.known)
		printf("not recorded in this dump\n");
	else if (m->kernel.xcomp_known)
		printf("%s, arch_prctl XCOMP_SUPP %s PERM %s GUEST_PERM %s, AT_MINSIGSTKSZ %lu\n",
		       m->kernel.release, machine_hex(b, sizeof(b), m->kernel.xcomp_supp),
		       machine_hex(b2, sizeof(b2), m->kernel.xcomp_perm),
		       machine_hex(b3, sizeof(b3), m->kernel.xcomp_guest_perm), m->kernel.minsigstksz);
	else
		printf("%s, arch_prctl(ARCH_GET_XCOMP_SUPP) %s\n", m->kernel.release,
		       m->from_dump ? "not recorded" : "unavailable");
}

/* This machine's /dev/kvm, with what a guest of it runs on (kvm_guest_mode, kvm_guest_cpuid). */
static void print_kvm(const struct machine *m)
{
	const char *detail;
	char b[24];

	if (!m->kvm.present) {
		printf("kvm:        %s\n", m->kvm.open_error);
		return;
	}
	printf("kvm:        /dev/kvm API %d, modules %s, KVM_CAP_XSAVE2 %d bytes, XCOMP_GUEST_SUPP %s\n",
	       m->kvm.api_version, m->kvm.modules[0] ? m->kvm.modules : "none listed", m->kvm.xsave2_size,
	       m->kvm.xcomp_guest_supp_known ? machine_hex(b, sizeof(b), m->kvm.xcomp_guest_supp) : "unavailable");
	guest_mode(&detail);
	printf("            guests: %s\n", detail);
	guest_cpuid(&detail);
	printf("            guest CPUID: %s\n", detail);
	if (m->kvm.xcomp_guest_perm_known)
		printf("            XCOMP_GUEST_PERM attribute: %s\n", machine_hex(b, sizeof(b), m->kvm.xcomp_guest_perm));
	else
		printf("            XCOMP_GUEST_PERM attribute: %s\n", m->kvm.xcomp_guest_perm_error);
	if (m->kvm.supported_cpuid_known)
		printf("            supported CPUID: XSS %s (CPUID.(0DH,1) EDX:ECX), CET_SS %d, IBT %d\n",
		       machine_hex(b, sizeof(b), m->kvm.supported_xss), m->kvm.cet_ss, m->kvm.ibt);
	if (m->kvm.guest_perm_error[0])
		printf("            guest permission for dynamic features: %s\n", m->kvm.guest_perm_error);
}

static void print_module(const struct machine *m)
{
	const struct xb_caps *k = &m->module.caps;
	char b[24], b2[24], b3[24], b4[24];

	if (!m->module.present) {
		printf("module:     %s\n", m->module.error);
		return;
	}
	printf("module:     %s uAPI %u on %s: ops %s, XSS %s (RDMSR), loadable %s, IA32_XFD %s, "
	       "at most %u ops and %u warm-up ops per batch, buffers of at most %u bytes, "
	       "XSAVES buffer of XCR0|XSS %u bytes\n", m->module.device, k->version, k->release,
	       machine_hex(b, sizeof(b), k->ops), machine_hex(b2, sizeof(b2), k->xss), machine_hex(b3, sizeof(b3), k->loadable),
	       machine_hex(b4, sizeof(b4), k->xfd), k->max_ops, k->max_warmup_ops, k->max_buffer_bytes, k->size_all_compacted);
	print_kapi(k);
}

/* The machine as text: a recorded one has what its dump holds, this one everything. */
static void print_text(const struct machine *m)
{
	char b[24], b2[24];

	printf("cpu:        %s %s\n", m->cpu.vendor, m->cpu.brand);
	printf("            family %u model %u stepping %u, microcode %s%s%s\n", m->cpu.family,
	       m->cpu.model, m->cpu.stepping, m->cpu.microcode[0] ? m->cpu.microcode : "unknown",
	       m->cpu.hypervisor ? ", under hypervisor " : "", m->cpu.hypervisor ? m->cpu.hypervisor_vendor : "");
	if (m->from_dump)
		printf("source:     %s\n", m->dump_path);
	print_xsave(m);
	print_kernel(m);
	if (m->from_dump) {
		if (m->kvm.present)
			printf("kvm:        recorded: KVM_CAP_XSAVE2 %d bytes, XCOMP_GUEST_SUPP %s, XCOMP_GUEST_PERM "
			       "attribute %s\n", m->kvm.xsave2_size,
			       m->kvm.xcomp_guest_supp_known ? machine_hex(b, sizeof(b), m->kvm.xcomp_guest_supp) : "-",
			       m->kvm.xcomp_guest_perm_known ? machine_hex(b2, sizeof(b2), m->kvm.xcomp_guest_perm) : "absent (ENXIO)");
		return;
	}
	printf("tsc:        %.6f GHz (%s)%s\n", m->tsc.hz / 1e9, m->tsc.source,
	       m->cpu.invariant_tsc ? ", invariant" : "");
	if (m->topology.known)
		printf("topology:   %d package(s), %d core(s), %d PU(s), %d NUMA node(s); L1d %" PRIu64
		       " KiB, L2 %" PRIu64 " KiB, L3 %" PRIu64 " KiB (hwloc)\n",
		       m->topology.packages, m->topology.cores, m->topology.pus, m->topology.numa_nodes,
		       m->topology.l1d_bytes / 1024, m->topology.l2_bytes / 1024, m->topology.l3_bytes / 1024);
	else
		printf("topology:   %s\n", m->topology.error);
	print_kvm(m);
	print_module(m);
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
