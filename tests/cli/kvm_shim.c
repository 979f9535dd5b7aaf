/*
 * kvm_shim.c - an LD_PRELOAD library for tests: /dev/kvm as other kernels answer it, so that
 * the paths a kernel here lacks run:
 *  - the proposed KVM_X86_XCOMP_GUEST_PERM attribute, following the RFC ("KVM: x86: Add a new
 *    system attribute for dynamic XSTATE component", August 2022) through the real
 *    guest-permission calls: GET gives arch_prctl(ARCH_GET_XCOMP_GUEST_PERM) &
 *    KVM_X86_XCOMP_GUEST_SUPP, SET takes a feature number in the address field (EOPNOTSUPP
 *    outside SUPP) and calls arch_prctl(ARCH_REQ_XCOMP_GUEST_PERM), HAS answers ENXIO as the
 *    RFC left it. XB_SHIM_SUPP=MASK reports that mask as KVM_X86_XCOMP_GUEST_SUPP (a KVM
 *    offering AMX); XB_SHIM_PERM_XOR=MASK corrupts the mask GET reports (a broken kernel);
 *  - with XB_SHIM_USER_XFEATURES_BUG=1, KVM_SET_XSAVE as Linux had it from ad856280ddea until
 *    "KVM: x86: Always enable legacy FP/SSE in allowed user XFEATURES": the fpstate's
 *    user_xfeatures were the guest's supported XCR0 from its CPUID (leaf 0xD, read back with
 *    KVM_GET_CPUID2), without FP+SSE for a guest without XSAVE, and
 *    validate_user_xstate_header() refused any XSTATE_BV bit outside them (EINVAL).
 * Every other ioctl goes to the C library's.
 */
#include <asm/prctl.h>
#include <dlfcn.h>
#include <errno.h>
#include <linux/kvm.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define XCOMP_GUEST_SUPP 0
#define XCOMP_GUEST_PERM 1

typedef int (*ioctl_fn)(int, unsigned long, ...);

static int real_ioctl(int fd, unsigned long request, void *arg)
{
	static ioctl_fn next;

	if (!next)
		next = (ioctl_fn)dlsym(RTLD_NEXT, "ioctl");
	return next(fd, request, arg);
}

/* Whether @fd is /dev/kvm ("/dev/kvm") or a vCPU ("anon_inode:kvm-vcpu:N"). */
static int fd_is(int fd, const char *prefix)
{
	char link[32], target[64];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return 0;
	target[n] = '\0';
	return !strncmp(target, prefix, strlen(prefix));
}

static uint64_t env_mask(const char *name, uint64_t otherwise)
{
	const char *v = getenv(name);

	return v && *v ? strtoull(v, NULL, 0) : otherwise;
}

static int fail(int err)
{
	errno = err;
	return -1;
}

/* KVM_X86_XCOMP_GUEST_SUPP: XB_SHIM_SUPP, else the kernel's. */
static int supported(int fd, uint64_t *supp)
{
	struct kvm_device_attr attr = { .group = 0, .attr = XCOMP_GUEST_SUPP, .addr = (uint64_t)(uintptr_t)supp };

	if (getenv("XB_SHIM_SUPP")) {
		*supp = env_mask("XB_SHIM_SUPP", 0);
		return 0;
	}
	return real_ioctl(fd, KVM_GET_DEVICE_ATTR, &attr);
}

static int device_attr(int fd, unsigned long request, struct kvm_device_attr *attr)
{
	uint64_t supp, perm;

	if (attr->group || (attr->attr != XCOMP_GUEST_PERM && !(attr->attr == XCOMP_GUEST_SUPP && request == KVM_GET_DEVICE_ATTR)))
		return real_ioctl(fd, request, attr);
	if (request == KVM_HAS_DEVICE_ATTR)
		return fail(ENXIO);
	if (supported(fd, &supp))
		return -1;
	if (attr->attr == XCOMP_GUEST_SUPP) {
		memcpy((void *)(uintptr_t)attr->addr, &supp, sizeof(supp));
		return 0;
	}
	if (request == KVM_SET_DEVICE_ATTR) {
		if (attr->addr >= 64 || !((1ULL << attr->addr) & supp))
			return fail(EOPNOTSUPP);
		return (int)syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_GUEST_PERM, (unsigned long)attr->addr);
	}
	if (syscall(SYS_arch_prctl, ARCH_GET_XCOMP_GUEST_PERM, &perm))
		return -1;
	perm = (perm & supp) ^ env_mask("XB_SHIM_PERM_XOR", 0);
	memcpy((void *)(uintptr_t)attr->addr, &perm, sizeof(perm));
	return 0;
}

/* The guest's supported XCR0 from its CPUID, CPUID.(0DH,0) EDX:EAX; 0 without leaf 0xD. */
static uint64_t guest_supported_xcr0(int vcpu_fd)
{
	enum { MAX_ENTRIES = 512 };
	struct kvm_cpuid2 *c = calloc(1, sizeof(*c) + MAX_ENTRIES * sizeof(c->entries[0]));
	uint64_t xcr0 = 0;

	if (!c)
		return 0;
	c->nent = MAX_ENTRIES;
	if (!real_ioctl(vcpu_fd, KVM_GET_CPUID2, c))
		for (uint32_t i = 0; i < c->nent; i++)
			if (c->entries[i].function == 0xd && c->entries[i].index == 0)
				xcr0 = (uint64_t)c->entries[i].edx << 32 | c->entries[i].eax;
	free(c);
	return xcr0;
}

/* KVM_SET_XSAVE with the old user_xfeatures rule. */
static int set_xsave(int fd, struct kvm_xsave *x)
{
	uint64_t xstate_bv;

	memcpy(&xstate_bv, (const uint8_t *)x->region + 512, sizeof(xstate_bv));
	if (xstate_bv & ~guest_supported_xcr0(fd))
		return fail(EINVAL);
	return real_ioctl(fd, KVM_SET_XSAVE, x);
}

int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if ((request == KVM_HAS_DEVICE_ATTR || request == KVM_GET_DEVICE_ATTR || request == KVM_SET_DEVICE_ATTR) &&
	    fd_is(fd, "/dev/kvm"))
		return device_attr(fd, request, arg);
	if (request == KVM_SET_XSAVE && getenv("XB_SHIM_USER_XFEATURES_BUG") && fd_is(fd, "anon_inode:kvm-vcpu"))
		return set_xsave(fd, arg);
	return real_ioctl(fd, request, arg);
}
