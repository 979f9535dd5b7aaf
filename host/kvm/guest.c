/*
 * guest.c - a VM with one vCPU set up for a launch's features, the guest permission it
 * needs, and the check that the vCPU kept its CPUID.
 */
#include "guest.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../kernels/xfeature.h"
#include "../guest_launcher.h"
#include "../xstate_perm.h"
#include "boot.h"
#include "guest_cpuid.h"

#define CODE_GUEST_MEMORY (4ull << 20)

/* Guest permission for every dynamic feature KVM offers guests. */
static int request_all(void)
{
	struct xstate_layout l;
	uint64_t supp, usable;
	int fd, rc;

	if (xstate_layout_decode(&l, &cpuid_live, -1) != XSTATE_LAYOUT_OK)
		return 0; /* no XSAVE: nothing dynamic */
	rc = kvm_open(&fd);
	if (rc)
		return rc;
	rc = kvm_xcomp_guest_supp(fd, &supp);
	close(fd);
	if (rc)
		return 0; /* a KVM older than guest permissions (Linux 5.17) gives guests nothing dynamic */
	return xstate_request_guest_perm(&l, supp, &usable);
}

int kvm_guest_perm_request(void)
{
	static int rc = 1; /* 1: not asked yet */
	static char error[256];

	if (rc == 1) {
		rc = request_all();
		snprintf(error, sizeof(error), "%s", rc ? xb_error_message() : "");
	}
	return rc ? xb_fail(-rc, "%s", error) : 0;
}

int kvm_vcpu_set_xcr0(const struct kvm_vcpu *vcpu, uint64_t xcr0)
{
	struct kvm_xcrs xcrs;
	int rc;

	memset(&xcrs, 0, sizeof(xcrs));
	xcrs.nr_xcrs = 1;
	xcrs.xcrs[0].xcr = 0;
	xcrs.xcrs[0].value = xcr0;
	rc = KVM_IOCTL(vcpu->fd, KVM_SET_XCRS, &xcrs);
	return rc < 0 ? xb_fail(-rc, "%s (XCR0 0x%" PRIx64 ")", xb_error_message(), xcr0) : 0;
}

int kvm_guest_create(struct kvm_guest *g, uint64_t mem_bytes, uint64_t xcr0, uint64_t xss)
{
	int rc;

	memset(g, 0, sizeof(*g));
	g->vcpu.fd = -1;
	rc = kvm_guest_perm_request();
	if (!rc)
		rc = kvm_vm_create(&g->vm, mem_bytes);
	if (rc)
		return rc;
	/* KVM's supported CPUID offers the dynamic features this process has permission for */
	rc = kvm_supported_cpuid(g->vm.kvm_fd, &g->cpuid);
	if (!rc && xcr0 == KVM_GUEST_NO_XSAVE) {
		rc = kvm_cpuid_without_xsave(g->cpuid);
	} else if (!rc) {
		xcr0 &= kvm_cpuid_xcr0_supported(g->cpuid) | XFEATURE_MASK(XFEATURE_X87);
		xss &= kvm_cpuid_xss_supported(g->cpuid);
		rc = kvm_cpuid_filter(g->cpuid, xcr0, xss);
	}
	if (!rc)
		rc = kvm_vcpu_create(&g->vm, 0, &g->vcpu);
	if (!rc)
		rc = kvm_vcpu_set_cpuid(&g->vcpu, g->cpuid);
	if (!rc && xcr0 != KVM_GUEST_NO_XSAVE)
		rc = kvm_vcpu_set_xcr0(&g->vcpu, xcr0);
	if (rc)
		kvm_guest_destroy(g);
	return rc;
}

int kvm_guest_create_code(struct kvm_guest *g, uint64_t xcr0, const uint8_t *code, size_t size)
{
	int rc = kvm_guest_create(g, CODE_GUEST_MEMORY, xcr0, 0);

	if (rc)
		return rc;
	memcpy(g->vm.mem + GUEST_PAYLOAD_MIN_PADDR, code, size);
	rc = boot_write_tables(g->vm.mem, g->vm.mem_size, "");
	if (!rc)
		rc = boot_enter_long_mode(&g->vcpu, GUEST_PAYLOAD_MIN_PADDR, CR4_OSFXSR | CR4_OSXMMEXCPT |
					  (xcr0 == KVM_GUEST_NO_XSAVE ? 0 : CR4_OSXSAVE));
	if (rc)
		kvm_guest_destroy(g);
	return rc;
}

void kvm_guest_destroy(struct kvm_guest *g)
{
	kvm_vcpu_destroy(&g->vcpu);
	kvm_vm_destroy(&g->vm);
	free(g->cpuid);
	g->cpuid = NULL;
}

int kvm_guest_cpuid_kept(const struct kvm_guest *g, bool *kept, char *diff, size_t size)
{
	struct kvm_cpuid2 *got;
	int rc = kvm_vcpu_get_cpuid(&g->vcpu, &got);

	if (rc)
		return rc;
	*kept = kvm_cpuid_filter_kept(g->cpuid, got, diff, size);
	free(got);
	return 0;
}
