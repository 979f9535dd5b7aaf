/*
 * guest_mode.c - what guests this KVM can give the guest suite: telling a KVM with VMX or
 * SVM from one that can only emulate a classic guest, by running three instructions
 * (XOR ECX,ECX; XGETBV; OUT to the exit port), and whether a vCPU keeps the filtered CPUID
 * it is given. Each asked once per process, the first time.
 */
#include "launcher.h"

#include <stdio.h>
#include <stdlib.h>

#include "../../kernels/xfeature.h"
#include "../machine.h"
#include "guest.h"
#include "guest_cpuid.h"
#include "run_loop.h"

#define PROBE_TIMEOUT_S 10.0
#define CPUID_PROBE_MEMORY (2ull << 20)

static const uint8_t xgetbv_guest[] = {
	0x31, 0xc9,       /* xor %ecx, %ecx */
	0x0f, 0x01, 0xd0, /* xgetbv */
	0xe7, GUEST_EXIT_PORT, /* out %eax, $0xf4 */
	0xf4,             /* hlt */
};

static enum kvm_guest_mode probe(char *why, size_t size)
{
	struct guest_outcome out;
	struct kvm_guest g;
	enum kvm_guest_mode mode = KVM_GUEST_UNKNOWN;

	if (kvm_guest_create_code(&g, XFEATURES_FP, xgetbv_guest, sizeof(xgetbv_guest))) {
		snprintf(why, size, "%s", xb_error_message());
		return KVM_GUEST_UNKNOWN;
	}
	if (run_loop(&g.vm, &g.vcpu, NULL, PROBE_TIMEOUT_S, 0, &out)) {
		snprintf(why, size, "%s", xb_error_message());
		kvm_guest_destroy(&g);
		return KVM_GUEST_UNKNOWN;
	}
	if (out.end == GUEST_EXITED && out.status == XFEATURES_FP) {
		mode = KVM_GUEST_HARDWARE;
		snprintf(why, size, "hardware virtualization: a guest ran XGETBV natively%s",
			 cpuid_under_tcg(&cpuid_live) ? " (on SVM or VMX emulated by QEMU TCG: functional only)" : "");
	} else if (out.end == GUEST_INTERNAL_ERROR && g.vcpu.run->exit_reason == KVM_EXIT_INTERNAL_ERROR &&
		   g.vcpu.run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION) {
		mode = KVM_GUEST_CLASSIC;
		snprintf(why, size, "this KVM can only emulate a classic guest (KVM_EXIT_INTERNAL_ERROR, "
			 "emulation failure, on XGETBV; no VMX or SVM): the guest suite needs VMX or SVM; "
			 "the kvm suite still runs");
	} else {
		snprintf(why, size, "a guest running XGETBV ended as %s (status 0x%x): %.180s",
			 guest_end_name(out.end), out.status, out.detail);
	}
	guest_outcome_free(&out);
	kvm_guest_destroy(&g);
	return mode;
}

enum kvm_guest_mode kvm_guest_mode(const char **why)
{
	static bool probed;
	static enum kvm_guest_mode mode;
	static char detail[256];

	if (!probed) {
		mode = probe(detail, sizeof(detail));
		probed = true;
	}
	*why = detail;
	return mode;
}

static enum kvm_guest_cpuid probe_cpuid(char *why, size_t size)
{
	struct kvm_guest g;
	char diff[240];
	bool kept;
	int rc;

	if (kvm_guest_create(&g, CPUID_PROBE_MEMORY, XFEATURES_FP, 0)) {
		snprintf(why, size, "%s", xb_error_message());
		return KVM_GUEST_CPUID_UNKNOWN;
	}
	rc = kvm_guest_cpuid_kept(&g, &kept, diff, sizeof(diff));
	if (rc)
		snprintf(why, size, "%s", xb_error_message());
	kvm_guest_destroy(&g);
	if (rc)
		return KVM_GUEST_CPUID_UNKNOWN;
	if (kept) {
		snprintf(why, size, "a vCPU keeps the CPUID it is set, filtered to a launch's features");
		return KVM_GUEST_CPUID_KEPT;
	}
	/* a skip reason of the kvm suite's CPUID cases: within CASE_REASON_MAX with any @diff */
	snprintf(why, size, "this KVM replaces a vCPU's CPUID (set to x87+SSE: %s), so no guest can be limited to "
		 "a launch's features", diff);
	return KVM_GUEST_CPUID_REPLACED;
}

enum kvm_guest_cpuid kvm_guest_cpuid(const char **why)
{
	static bool probed;
	static enum kvm_guest_cpuid kept;
	static char detail[512];

	if (!probed) {
		kept = probe_cpuid(detail, sizeof(detail));
		probed = true;
	}
	*why = detail;
	return kept;
}
