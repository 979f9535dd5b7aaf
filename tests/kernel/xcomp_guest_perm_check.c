/*
 * xcomp_guest_perm_check.c - what /dev/kvm answers for attribute 1 of group 0
 * (KVM_X86_XCOMP_GUEST_PERM, tests/kernel-patches/xcomp-guest-perm) beside what
 * arch_prctl() answers for the same question, one "key=value" line each, for
 * test_kernel_series.py to judge on the kernel with the patch and on the one without:
 *
 *   supp                    KVM_X86_XCOMP_GUEST_SUPP
 *   has                     KVM_HAS_DEVICE_ATTR: 0 or the errno's name
 *   get                     KVM_GET_DEVICE_ATTR: the mask, or the errno's name
 *   prctl_perm              arch_prctl(ARCH_GET_XCOMP_GUEST_PERM): the mask, or the errno's name
 *   set_<N>, prctl_req_<N>  KVM_SET_DEVICE_ATTR with feature N, and the same request through
 *                           arch_prctl(ARCH_REQ_XCOMP_GUEST_PERM) in a fresh child (guest
 *                           permission is the process's): 0 or the errno's name
 *   set_group1, set_supp    KVM_SET_DEVICE_ATTR of group 1, and of attribute 0
 *   set_after_vcpu_<N>      the request once a vCPU exists (the kernel locks the permission)
 */
#include <asm/prctl.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/kvm.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define XCOMP_GUEST_SUPP 0
#define XCOMP_GUEST_PERM 1
#define XFEATURE_SSE 1
#define XFEATURE_XTILEDATA 18

static const char *result(int rc)
{
	return rc ? strerrorname_np(errno) : "0";
}

static int device_attr(int fd, unsigned long request, uint32_t group, uint64_t attr, uint64_t addr)
{
	struct kvm_device_attr a = { .group = group, .attr = attr, .addr = addr };

	return ioctl(fd, request, &a);
}

/* arch_prctl(ARCH_REQ_XCOMP_GUEST_PERM, @feature) in a fresh child: its errno, or 0. */
static int prctl_request(int feature)
{
	int status;
	pid_t child = fork();

	if (child == 0)
		_exit(syscall(SYS_arch_prctl, ARCH_REQ_XCOMP_GUEST_PERM, (unsigned long)feature) ? errno : 0);
	if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* KVM_SET_DEVICE_ATTR(@feature) in a fresh child, beside the same request through arch_prctl. */
static void request(int kvm, int feature)
{
	int status, err;
	pid_t child = fork();

	if (child == 0)
		_exit(device_attr(kvm, KVM_SET_DEVICE_ATTR, 0, XCOMP_GUEST_PERM, (uint64_t)feature) ? errno : 0);
	if (child < 0 || waitpid(child, &status, 0) != child || !WIFEXITED(status)) {
		printf("set_%d=child failed\n", feature);
		return;
	}
	errno = WEXITSTATUS(status);
	printf("set_%d=%s\n", feature, errno ? strerrorname_np(errno) : "0");
	err = prctl_request(feature);
	errno = err;
	printf("prctl_req_%d=%s\n", feature, err ? strerrorname_np(err) : "0");
}

int main(void)
{
	uint64_t supp = 0, perm = 0, prctl_perm = 0;
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC), vm, vcpu;

	if (kvm < 0) {
		printf("error=open /dev/kvm: %s\n", strerror(errno));
		return 1;
	}
	if (device_attr(kvm, KVM_GET_DEVICE_ATTR, 0, XCOMP_GUEST_SUPP, (uint64_t)(uintptr_t)&supp)) {
		printf("error=KVM_GET_DEVICE_ATTR(KVM_X86_XCOMP_GUEST_SUPP): %s\n", strerror(errno));
		return 1;
	}
	printf("supp=0x%" PRIx64 "\n", supp);
	printf("has=%s\n", result(device_attr(kvm, KVM_HAS_DEVICE_ATTR, 0, XCOMP_GUEST_PERM, 0)));
	if (device_attr(kvm, KVM_GET_DEVICE_ATTR, 0, XCOMP_GUEST_PERM, (uint64_t)(uintptr_t)&perm))
		printf("get=%s\n", strerrorname_np(errno));
	else
		printf("get=0x%" PRIx64 "\n", perm);
	if (syscall(SYS_arch_prctl, ARCH_GET_XCOMP_GUEST_PERM, &prctl_perm))
		printf("prctl_perm=%s\n", strerrorname_np(errno));
	else
		printf("prctl_perm=0x%" PRIx64 "\n", prctl_perm);
	request(kvm, 64);
	request(kvm, XFEATURE_SSE);
	request(kvm, XFEATURE_XTILEDATA);
	printf("set_group1=%s\n", result(device_attr(kvm, KVM_SET_DEVICE_ATTR, 1, XCOMP_GUEST_PERM, XFEATURE_XTILEDATA)));
	printf("set_supp=%s\n", result(device_attr(kvm, KVM_SET_DEVICE_ATTR, 0, XCOMP_GUEST_SUPP, XFEATURE_XTILEDATA)));
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	vcpu = vm < 0 ? -1 : ioctl(vm, KVM_CREATE_VCPU, 0);
	if (vcpu < 0) {
		printf("error=KVM_CREATE_VM/KVM_CREATE_VCPU: %s\n", strerror(errno));
		return 1;
	}
	printf("set_after_vcpu_%d=%s\n", XFEATURE_XTILEDATA,
	       result(device_attr(kvm, KVM_SET_DEVICE_ATTR, 0, XCOMP_GUEST_PERM, XFEATURE_XTILEDATA)));
	return 0;
}
