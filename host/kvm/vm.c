/*
 * vm.c - creating and destroying the VM, its memory and its vCPUs.
 */
#include "vm.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

int kvm_ioctl(int fd, unsigned long request, unsigned long arg, const char *name)
{
	int ret = ioctl(fd, request, arg);

	return ret < 0 ? xb_fail_errno("%s", name) : ret;
}

int kvm_open(int *kvm_fd)
{
	int fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int version;

	if (fd < 0)
		return xb_fail_errno("open /dev/kvm");
	version = KVM_IOCTL(fd, KVM_GET_API_VERSION, 0);
	if (version != KVM_API_VERSION) {
		close(fd);
		return version < 0 ? version : xb_fail(ENOTSUP, "KVM_GET_API_VERSION: %d, this VMM speaks %d",
						       version, KVM_API_VERSION);
	}
	*kvm_fd = fd;
	return 0;
}

int kvm_vm_create(struct kvm_vm *vm, uint64_t mem_size)
{
	struct kvm_userspace_memory_region region;
	int rc;

	*vm = (struct kvm_vm){ .kvm_fd = -1, .vm_fd = -1 };
	rc = kvm_open(&vm->kvm_fd);
	if (rc)
		return rc;
	rc = KVM_IOCTL(vm->kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (rc < 0)
		goto fail;
	vm->run_size = (size_t)rc;
	rc = vm->vm_fd = KVM_IOCTL(vm->kvm_fd, KVM_CREATE_VM, 0);
	if (rc < 0)
		goto fail;
	vm->mem = mmap(NULL, mem_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (vm->mem == MAP_FAILED) {
		vm->mem = NULL;
		rc = xb_fail_errno("mmap %llu bytes of guest memory", (unsigned long long)mem_size);
		goto fail;
	}
	vm->mem_size = mem_size;
	region = (struct kvm_userspace_memory_region){
		.slot = 0,
		.guest_phys_addr = 0,
		.memory_size = mem_size,
		.userspace_addr = (uint64_t)(uintptr_t)vm->mem,
	};
	rc = KVM_IOCTL(vm->vm_fd, KVM_SET_USER_MEMORY_REGION, &region);
	if (rc < 0)
		goto fail;
	return 0;
fail:
	kvm_vm_destroy(vm);
	return rc;
}

void kvm_vm_destroy(struct kvm_vm *vm)
{
	if (vm->mem)
		munmap(vm->mem, vm->mem_size);
	if (vm->vm_fd >= 0)
		close(vm->vm_fd);
	if (vm->kvm_fd >= 0)
		close(vm->kvm_fd);
	*vm = (struct kvm_vm){ .kvm_fd = -1, .vm_fd = -1 };
}

int kvm_vm_check_extension(const struct kvm_vm *vm, long cap)
{
	return ioctl(vm->vm_fd, KVM_CHECK_EXTENSION, cap);
}

int kvm_vcpu_create(struct kvm_vm *vm, int id, struct kvm_vcpu *vcpu)
{
	*vcpu = (struct kvm_vcpu){ .fd = -1 };
	vcpu->fd = KVM_IOCTL(vm->vm_fd, KVM_CREATE_VCPU, id);
	if (vcpu->fd < 0)
		return vcpu->fd;
	vcpu->run = mmap(NULL, vm->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		int rc = xb_fail_errno("mmap of the vCPU run structure (%zu bytes)", vm->run_size);

		vcpu->run = NULL;
		kvm_vcpu_destroy(vcpu);
		return rc;
	}
	vcpu->run_size = vm->run_size;
	return 0;
}

void kvm_vcpu_destroy(struct kvm_vcpu *vcpu)
{
	if (vcpu->run)
		munmap(vcpu->run, vcpu->run_size);
	if (vcpu->fd >= 0)
		close(vcpu->fd);
	*vcpu = (struct kvm_vcpu){ .fd = -1 };
}
