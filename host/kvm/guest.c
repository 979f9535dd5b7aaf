/*
 * guest.c - a VM with one vCPU set up for a launch's features.
 */
#include "guest.h"

#include <asm/prctl.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../../kernels/xfeature.h"
#include "guest_cpuid.h"

int kvm_request_guest_perm(uint64_t xcr0)
{
	unsigned long long perm = 0;
	uint64_t missing;

	if (syscall(SYS_arch_prctl, ARCH_GET_XCOMP_GUEST_PERM, &perm))
		return xb_fail_errno("arch_prctl(ARCH_GET_XCOMP_GUEST_PERM)");
	missing = xcr0 & ~perm;
	if (!missing)
		return 0;
	/* one request covers a dynamic feature and the ones it depends on (XTILEDATA: +XTILECFG) */
	if (syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_GUEST_PERM, 63 - __builtin_clzll(missing)))
		return xb_fail_errno("arch_prctl(ARCH_REQ_XCOMP_GUEST_PERM, %d) for XCR0 0x%" PRIx64,
				     63 - __builtin_clzll(missing), xcr0);
	if (syscall(SYS_arch_prctl, ARCH_GET_XCOMP_GUEST_PERM, &perm))
		return xb_fail_errno("arch_prctl(ARCH_GET_XCOMP_GUEST_PERM)");
	if (xcr0 & ~perm)
		return xb_fail(EPERM, "arch_prctl(ARCH_REQ_XCOMP_GUEST_PERM) left features 0x%" PRIx64
			       " without permission", (uint64_t)(xcr0 & ~perm));
	return 0;
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
	rc = kvm_vm_create(&g->vm, mem_bytes);
	if (rc)
		return rc;
	rc = kvm_supported_cpuid(g->vm.kvm_fd, &g->cpuid);
	if (!rc) {
		g->xcr0 = xcr0 & (kvm_cpuid_xcr0_supported(g->cpuid) | XFEATURE_MASK(XFEATURE_X87));
		g->xss = xss & kvm_cpuid_xss_supported(g->cpuid);
		rc = kvm_cpuid_filter(g->cpuid, g->xcr0, g->xss);
	}
	if (!rc)
		rc = kvm_request_guest_perm(g->xcr0);
	if (!rc)
		rc = kvm_vcpu_create(&g->vm, 0, &g->vcpu);
	if (!rc)
		rc = kvm_vcpu_set_cpuid(&g->vcpu, g->cpuid);
	if (!rc)
		rc = kvm_vcpu_set_xcr0(&g->vcpu, g->xcr0);
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
