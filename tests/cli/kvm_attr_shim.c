/*
 * kvm_attr_shim.c - an LD_PRELOAD library for tests: /dev/kvm as a kernel with the proposed
 * KVM_X86_XCOMP_GUEST_PERM attribute would answer it, so that the present path of
 * kvm/attr/xcomp-guest-perm-* runs where the kernel lacks the attribute. It follows the RFC
 * ("KVM: x86: Add a new system attribute for dynamic XSTATE component", August 2022) through
 * the real guest-permission calls: GET gives arch_prctl(ARCH_GET_XCOMP_GUEST_PERM) &
 * KVM_X86_XCOMP_GUEST_SUPP, SET takes a feature number in the address field (EOPNOTSUPP
 * outside SUPP) and calls arch_prctl(ARCH_REQ_XCOMP_GUEST_PERM), HAS answers ENXIO as the RFC
 * left it. Environment: XB_SHIM_SUPP=MASK reports that mask as KVM_X86_XCOMP_GUEST_SUPP
 * (a KVM offering AMX), XB_SHIM_PERM_XOR=MASK corrupts the permitted mask GET reports (a
 * broken kernel, which the case must catch). Every other ioctl goes to the C library's.
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

static int is_dev_kvm(int fd)
{
	char link[32], target[32];
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return 0;
	target[n] = '\0';
	return !strcmp(target, "/dev/kvm");
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

int ioctl(int fd, unsigned long request, ...)
{
	va_list ap;
	void *arg;

	va_start(ap, request);
	arg = va_arg(ap, void *);
	va_end(ap);
	if ((request == KVM_HAS_DEVICE_ATTR || request == KVM_GET_DEVICE_ATTR || request == KVM_SET_DEVICE_ATTR) &&
	    is_dev_kvm(fd))
		return device_attr(fd, request, arg);
	return real_ioctl(fd, request, arg);
}
