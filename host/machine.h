/*
 * machine.h - everything the probe learns about the machine, in one structure that the
 * planner and the runner read: CPU identity, the xstate layout, what the kernel offers
 * (arch_prctl XCOMP, signal frame size), the TSC and its frequency, topology, KVM, PMU.
 * A machine comes from the live system or from a recorded dump file.
 */
#ifndef XB_HOST_MACHINE_H
#define XB_HOST_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include "../base/error.h"
#include "../kernels/cpuid.h"
#include "../kernels/xstate_layout.h"
#include "module/xstate_bench_uapi.h"

struct cpu_ident {
	char vendor[13];
	char brand[49];
	uint32_t family, model, stepping; /* display values (extended fields folded in) */
	char microcode[32];               /* from /proc/cpuinfo; "" when unknown */
	bool hypervisor;                  /* CPUID.1:ECX[31] */
	char hypervisor_vendor[13];       /* CPUID.0x40000000 */
	bool amx_tile;                    /* CPUID.(7,0):EDX[24] */
	bool pku;                         /* CPUID.(7,0):ECX[3] */
	bool avx512f;                     /* CPUID.(7,0):EBX[16] */
	bool avx512bw;                    /* CPUID.(7,0):EBX[30]: KMOVQ */
	bool rdtscp;                      /* CPUID.0x80000001:EDX[27] */
	bool invariant_tsc;               /* CPUID.0x80000007:EDX[8] */
};

/* What the running kernel offers; from a dump only when the dump recorded it. */
struct kernel_facts {
	bool known;
	char release[65];
	bool xcomp_known;         /* arch_prctl(ARCH_GET_XCOMP_SUPP) answered */
	uint64_t xcomp_supp;      /* ARCH_GET_XCOMP_SUPP */
	uint64_t xcomp_perm;      /* ARCH_GET_XCOMP_PERM */
	uint64_t xcomp_guest_perm; /* ARCH_GET_XCOMP_GUEST_PERM */
	unsigned long minsigstksz; /* AT_MINSIGSTKSZ, 0 when absent */
};

struct tsc_info {
	double hz;
	char source[96]; /* where hz came from, e.g. "CPUID.15H" or "calibrated against CLOCK_MONOTONIC_RAW" */
};

struct topology_info {
	bool known;
	int packages, cores, pus, numa_nodes;
	uint64_t l1d_bytes, l2_bytes, l3_bytes;
	char error[160];
};

/* What /dev/kvm offers; from a dump only when the dump recorded it (kvm.* lines). */
struct kvm_info {
	bool present;           /* /dev/kvm opened (a dump: it has kvm.* lines) */
	char open_error[160];
	char modules[96];       /* loaded kvm modules, from /sys/module */
	int api_version;
	int xsave2_size;        /* KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2), 0 when absent */
	bool xcomp_guest_supp_known;
	uint64_t xcomp_guest_supp; /* KVM_GET_DEVICE_ATTR(KVM_X86_XCOMP_GUEST_SUPP) */
	/* KVM_GET_DEVICE_ATTR(group 0, attribute 1 KVM_X86_XCOMP_GUEST_PERM): proposed, not in
	 * Linux 6.1; the permitted mask when known, else why not (its errno) */
	bool xcomp_guest_perm_known;
	uint64_t xcomp_guest_perm;
	char xcomp_guest_perm_error[128];
	int xcomp_guest_perm_has; /* KVM_HAS_DEVICE_ATTR's answer for it: 0 or the errno */
	/* KVM_GET_SUPPORTED_CPUID: the supervisor states offered, CPUID.(0DH,1) EDX:ECX, and CET */
	bool supported_cpuid_known;
	uint64_t supported_xss;
	bool cet_ss, ibt;       /* CPUID.(7,0):ECX[7], EDX[20] */
	char guest_perm_error[160]; /* why ARCH_REQ_XCOMP_GUEST_PERM failed; "" when it did not */
};

struct pmu_info {
	bool libpfm_ok;
	char libpfm_error[96];
	bool hardware;          /* a hardware cycles event opened */
	char hardware_error[192];
	bool software;          /* perf::PERF_COUNT_SW_TASK_CLOCK opened */
};

/* The xstate_bench kernel module (host/module), asked through its device. */
struct module_info {
	bool present;    /* the device answered XB_IOC_CAPS in this tool's uAPI version */
	char device[64]; /* the path asked */
	char error[160]; /* why it is not present: the failing call and its errno */
	struct xb_caps caps;
};

struct machine {
	bool from_dump;
	char dump_path[256];
	struct cpuid_dump dump;
	struct cpuid_provider cpuid;
	struct cpu_ident cpu;
	enum xstate_layout_error layout_error;
	struct xstate_layout layout;
	struct kernel_facts kernel;
	char hostname[65];
	/* Live only: */
	struct tsc_info tsc;
	struct topology_info topology;
	struct kvm_info kvm;
	struct pmu_info pmu;
	struct module_info module;
};

/* Probes the live machine (CPUID, kernel, TSC, topology, KVM, PMU). */
int machine_probe(struct machine *m) XB_MUST_CHECK;

/* Builds a machine from a recorded dump file: CPUID, XCRs and any kernel facts it holds. */
int machine_from_dump_file(struct machine *m, const char *path) XB_MUST_CHECK;

/* Writes the machine's dump (CPUID leaves, XCRs and kernel facts) in the dump file format. */
int machine_write_dump(const struct machine *m, const char *path) XB_MUST_CHECK;

/* The dump as text, malloc'd; stored with every run. */
char *machine_dump_text(const struct machine *m);

/* A stable identity for the results database: host name and CPUID with per-CPU fields masked. */
void machine_fingerprint(const struct machine *m, char out[17]);

/* Whether @p is QEMU's TCG emulator (CPUID.0x40000000 "TCGTCGTCGTCG"): its timings mean
 * nothing, and it does not track XINUSE (every component reads in use). For cpuid_live: this
 * host runs under TCG (as the lab does), so its KVM works but is not accelerated. */
bool cpuid_under_tcg(const struct cpuid_provider *p);
/* cpuid_under_tcg() of the machine's CPUID, live or recorded. */
bool machine_under_tcg(const struct machine *m);

#endif
