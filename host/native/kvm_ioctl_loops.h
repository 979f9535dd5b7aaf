/*
 * kvm_ioctl_loops.h - the timed loops of the kvm/... cases: K calls of one KVM ioctl between
 * serialized time stamps (kernels/tsc.h), nothing else in the timed region. Each returns the
 * gross ticks and leaves the checks of what the calls did to its family. The held KVM_RUN
 * round trips are kvm_roundtrip.h's.
 */
#ifndef XB_HOST_NATIVE_KVM_IOCTL_LOOPS_H
#define XB_HOST_NATIVE_KVM_IOCTL_LOOPS_H

#include <linux/kvm.h>
#include <stdint.h>

/* ioctl(@fd, @request, @arg) @n times: 0 with *@ticks, or -errno of the first failed call. */
int kvm_ioctl_loop(int fd, unsigned long request, void *arg, uint32_t n, uint64_t *ticks);

/* What KVM_RUN round trips did: the exits that were not the guest's OUT to the port. */
struct kvm_run_loop {
	uint64_t ticks;
	uint32_t wrong_exits;
	uint32_t last_reason, last_port; /* the last such exit's */
};

/* KVM_RUN @n times on @vcpu_fd (whose run structure is @run), each expected to exit on an OUT
 * to @port: 0, or -errno of the first failed KVM_RUN. */
int kvm_run_loop(int vcpu_fd, const volatile struct kvm_run *run, uint16_t port, uint32_t n,
		 struct kvm_run_loop *out);

/* KVM_CREATE_VCPU with ids 0 to @n - 1 on @vm_fd: each new descriptor (-1 where it failed)
 * into @fds, the last failure's -errno into *@err; the gross ticks. */
uint64_t kvm_create_vcpus_loop(int vm_fd, int *fds, uint32_t n, int *err);

/* KVM_SET_CPUID2 of @cpuid on each of the @n vCPUs @fds: the gross ticks; *@failed counts the
 * calls that failed, *@err is the last one's -errno. */
uint64_t kvm_set_cpuid_loop(const int *fds, uint32_t n, const struct kvm_cpuid2 *cpuid, uint32_t *failed, int *err);

#endif
