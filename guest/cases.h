/*
 * cases.h - the guest's cases: one table, enumerated the same way by the payload (which runs
 * them) and by the host (which plans them), and one requirement check, evaluated against the
 * CPUID the guest sees: inside the payload on the live CPU, on the host against the leaves
 * the payload reported (`probe`) or a recorded machine. Freestanding.
 *
 * Ids (DESIGN.md): guest/save/{xsave,xsaveopt,xsavec,xsaves}/<features>/{init,inuse,clean},
 * guest/restore/{xrstor,xrstors}/<features>/{init,inuse} over fp, avx, avx512, user, amx and,
 * for XSAVES/XRSTORS, all; guest/exit/xsetbv/{fp,avx,avx512,user}, guest/exit/cpuid-0xd/user,
 * guest/msr/wrmsr-xss/all, guest/msr/{wrmsr,rdmsr}-xfd/amx, guest/msr/rdmsr-xfd-err/amx,
 * guest/xfd/nm/amx; guest/switch/{pointer-swap,three-buffer}/<features>/{need-load,live} over
 * fp, avx, avx512, user, amx and all, with XSAVES/XRSTORS and the IA32_XFD step
 * (kernels/fpu_switch_bench.h).
 */
#ifndef XB_GUEST_CASES_H
#define XB_GUEST_CASES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../kernels/cpuid.h"
#include "../kernels/fpu_switch_bench.h"
#include "../kernels/xsave_bench.h"
#include "../kernels/xstate_layout.h"

#define GUEST_CASE_ID_MAX 96
#define GUEST_CASES_MAX 160

enum guest_kind {
	GK_SAVE,         /* one XSAVE-family save */
	GK_RESTORE,      /* one XRSTOR/XRSTORS */
	GK_XSETBV,       /* XSETBV of XCR0 = the feature set (a VM exit under KVM) */
	GK_CPUID_D,      /* CPUID.(EAX=0DH,ECX=0) (always a VM exit) */
	GK_WRMSR_XSS,    /* WRMSR IA32_XSS with its current value */
	GK_WRMSR_XFD,    /* WRMSR IA32_XFD, arming and disarming AMX tile data in turn */
	GK_RDMSR_XFD,    /* RDMSR IA32_XFD with AMX tile data armed */
	GK_RDMSR_XFD_ERR,/* RDMSR IA32_XFD_ERR (0: no #NM pending) */
	GK_XFD_NM,       /* arm XFD, touch tile data: #NM, the handler disarms, the instruction reruns */
	GK_SWITCH,       /* one enter+exit round trip of a switch strategy, ring-0 instructions */
};

struct guest_case {
	char id[GUEST_CASE_ID_MAX];
	enum guest_kind kind;
	enum xsave_op op;      /* GK_SAVE and GK_RESTORE; XOP_EMPTY for the others */
	const char *features;  /* the feature-set name in the id */
	enum xstate_cond cond; /* GK_SAVE and GK_RESTORE */
	enum fpu_strategy strategy; /* GK_SWITCH */
	enum fpu_cond switch_cond;  /* GK_SWITCH */
};

/*
 * What a case says about VM exits under KVM. The exit and MSR cases count KVM's exits around
 * their timed loop where the VMM serves the exit counter (worklist.h); those whose operation
 * KVM always intercepts must see at least one exit per operation, or they fail their check:
 * XSETBV and CPUID (VMX exits on them unconditionally; SVM: init_vmcb() sets INTERCEPT_XSETBV
 * and INTERCEPT_CPUID), WRMSR IA32_XSS (never passed through: kvm_set_msr_common()). IA32_XFD
 * and IA32_XFD_ERR are counted only: KVM (5.17+, VMX) stops intercepting IA32_XFD after the
 * guest's first non-zero write (vmx_set_msr(), xfd_no_write_intercept) and reads of
 * IA32_XFD_ERR when the guest has XFD (vmx_vcpu_after_set_cpuid()).
 */
enum guest_exit_claim {
	EXITS_NOT_COUNTED,
	EXITS_COUNTED,
	EXITS_EVERY_OP,
};
enum guest_exit_claim guest_case_exit_claim(enum guest_kind kind);

/* Whether a sample's counts keep the claim: with EXITS_EVERY_OP, at least one exit per
 * operation among those KVM counts under no reason of its own (@exits - @with_reason). */
bool guest_exits_keep_claim(enum guest_exit_claim claim, uint64_t ops, uint64_t exits, uint64_t with_reason);

/* Writes every case into @out (room for @max), in run order; returns how many there are. */
int guest_cases_enumerate(struct guest_case *out, int max);

/* The CPU as the payload sets it up: features from CPUID, XCR0 and IA32_XSS as enabled. */
struct guest_cpu {
	enum xstate_layout_error layout_error;
	struct xstate_layout layout;
	bool avx, avx512f, pku, amx_tile;
	/* Components an XSAVE still reports in use right after an XRSTOR of their init state:
	 * this (virtual) CPU does not track the init state (QEMU TCG does not). */
	uint64_t init_untracked;
};

/*
 * What the payload enables, from CPUID: every user component CPUID.(0DH,0) supports in XCR0,
 * and in IA32_XSS the supported supervisor components it can fill with known values.
 */
uint64_t guest_xcr0_wanted(const struct cpuid_provider *p);
uint64_t guest_xss_wanted(const struct cpuid_provider *p);

/*
 * Decodes the guest CPU through @p, whose XGETBV(0) is the XCR0 in force; @xss as enabled.
 * init_untracked is 0: only the payload can measure it.
 */
void guest_cpu_decode(struct guest_cpu *g, const struct cpuid_provider *p, uint64_t xss);

/*
 * Whether the guest can run @c: true with @mask = the case's feature mask (0 when it has
 * none), or false with the reason, naming the CPUID bit or the missing component.
 */
bool guest_case_check(const struct guest_cpu *g, const struct guest_case *c, uint64_t *mask,
		      char *why, size_t size);

#endif
