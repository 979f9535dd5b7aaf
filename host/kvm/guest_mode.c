/*
 * guest_mode.c - telling a KVM with VMX or SVM from one that can only emulate a classic
 * guest, by running three instructions: XOR ECX,ECX; XGETBV; OUT to the exit port.
 */
#include "launcher.h"

#include <stdio.h>
#include <string.h>

#include "../machine.h"
#include "../../kernels/xfeature.h"
#include "boot.h"
#include "guest.h"
#include "run_loop.h"

#define PROBE_MEMORY (4ull << 20)
#define PROBE_TIMEOUT_S 10.0

static const uint8_t xgetbv_guest[] = {
	0x31, 0xc9,       /* xor %ecx, %ecx */
	0x0f, 0x01, 0xd0, /* xgetbv */
	0xe7, GUEST_EXIT_PORT, /* out %eax, $0xf4 */
	0xf4,             /* hlt */
};

enum kvm_guest_mode kvm_guest_mode_probe(char *why, size_t size)
{
	struct guest_outcome out;
	struct kvm_guest g;
	enum kvm_guest_mode mode = KVM_GUEST_UNKNOWN;

	if (kvm_guest_create(&g, PROBE_MEMORY, XFEATURES_FP, 0)) {
		snprintf(why, size, "%s", xb_error_message());
		return KVM_GUEST_UNKNOWN;
	}
	memcpy(g.vm.mem + GUEST_PAYLOAD_MIN_PADDR, xgetbv_guest, sizeof(xgetbv_guest));
	if (boot_write_tables(g.vm.mem, g.vm.mem_size, "") ||
	    boot_enter_long_mode(&g.vcpu, GUEST_PAYLOAD_MIN_PADDR, CR4_OSFXSR | CR4_OSXSAVE) ||
	    run_loop(&g.vm, &g.vcpu, PROBE_TIMEOUT_S, 0, &out)) {
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
		snprintf(why, size, "a guest running XGETBV ended as %s (status 0x%x): %s",
			 guest_end_name(out.end), out.status, out.detail);
	}
	guest_outcome_free(&out);
	kvm_guest_destroy(&g);
	return mode;
}
