/*
 * kvm_ioctl_loops.c - the timed KVM ioctl loops.
 */
#include "kvm_ioctl_loops.h"

#include <errno.h>
#include <sys/ioctl.h>

#include "../../kernels/tsc.h"

int kvm_ioctl_loop(int fd, unsigned long request, void *arg, uint32_t n, uint64_t *ticks)
{
	uint64_t start = tsc_begin(), end;

	for (uint32_t i = 0; i < n; i++)
		if (ioctl(fd, request, arg))
			return -errno;
	end = tsc_end();
	*ticks = end - start;
	return 0;
}

int kvm_run_loop(int vcpu_fd, const volatile struct kvm_run *run, uint16_t port, uint32_t n,
		 struct kvm_run_loop *out)
{
	uint64_t start, end;

	out->wrong_exits = out->last_reason = out->last_port = 0;
	start = tsc_begin();
	for (uint32_t i = 0; i < n; i++) {
		if (ioctl(vcpu_fd, KVM_RUN, 0))
			return -errno;
		if (run->exit_reason != KVM_EXIT_IO || run->io.port != port || run->io.direction != KVM_EXIT_IO_OUT) {
			out->wrong_exits++;
			out->last_reason = run->exit_reason;
			out->last_port = run->io.port;
		}
	}
	end = tsc_end();
	out->ticks = end - start;
	return 0;
}

uint64_t kvm_create_vcpus_loop(int vm_fd, int *fds, uint32_t n, int *err)
{
	uint64_t start = tsc_begin(), end;

	for (uint32_t i = 0; i < n; i++)
		fds[i] = ioctl(vm_fd, KVM_CREATE_VCPU, i);
	end = tsc_end();
	*err = -errno; /* the last failed call's: a call that succeeds leaves errno alone */
	return end - start;
}

uint64_t kvm_set_cpuid_loop(const int *fds, uint32_t n, const struct kvm_cpuid2 *cpuid, uint32_t *failed, int *err)
{
	uint64_t start = tsc_begin(), end;

	*failed = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (ioctl(fds[i], KVM_SET_CPUID2, cpuid)) {
			(*failed)++;
			*err = -errno;
		}
	}
	end = tsc_end();
	return end - start;
}
