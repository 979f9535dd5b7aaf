/*
 * vm.h - a KVM virtual machine of this project's VMM: /dev/kvm, the VM, one slot of guest
 * memory at guest-physical 0, and its vCPUs. Every function that can fail records a
 * message naming the ioctl or syscall and errno (base/error.h) and returns a negative errno.
 */
#ifndef XB_HOST_KVM_VM_H
#define XB_HOST_KVM_VM_H

#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>

#include "../../base/error.h"

struct kvm_vm {
	int kvm_fd;      /* /dev/kvm */
	int vm_fd;
	uint8_t *mem;    /* guest-physical 0 .. mem_size, mapped here */
	uint64_t mem_size;
	size_t run_size; /* KVM_GET_VCPU_MMAP_SIZE */
};

struct kvm_vcpu {
	int fd;
	struct kvm_run *run; /* the shared run structure, run_size bytes */
	size_t run_size;
};

/* An ioctl whose failure is recorded under its own name, e.g. "KVM_RUN: Interrupted ...". */
#define KVM_IOCTL(fd, request, arg) kvm_ioctl(fd, request, (unsigned long)(arg), #request)
int kvm_ioctl(int fd, unsigned long request, unsigned long arg, const char *name) XB_MUST_CHECK;

/* Opens /dev/kvm (API version 12 required). */
int kvm_open(int *kvm_fd) XB_MUST_CHECK;

/* Opens /dev/kvm, creates a VM with @mem_size bytes of memory at guest-physical 0. */
int kvm_vm_create(struct kvm_vm *vm, uint64_t mem_size) XB_MUST_CHECK;
void kvm_vm_destroy(struct kvm_vm *vm);

/* KVM_CHECK_EXTENSION on the VM (per-VM answers such as KVM_CAP_XSAVE2's size). */
int kvm_vm_check_extension(const struct kvm_vm *vm, long cap);

/* Creates vCPU @id and maps its run structure. */
int kvm_vcpu_create(struct kvm_vm *vm, int id, struct kvm_vcpu *vcpu) XB_MUST_CHECK;
void kvm_vcpu_destroy(struct kvm_vcpu *vcpu);

#endif
