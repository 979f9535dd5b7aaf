/*
 * run_loop.h - runs a vCPU until the guest ends: port 0xE9 output is collected, a 32-bit
 * OUT to port 0xF4 ends it with a status, a 32-bit OUT to port 0xEA is served from the
 * vCPU's statistics when the caller gives them (the exit counter, guest_launcher.h), a triple fault (KVM_EXIT_SHUTDOWN) or HLT ends it
 * without one, KVM_EXIT_INTERNAL_ERROR is described (suberror, data, the instruction bytes
 * of an emulation failure), anything else is an unexpected exit, and the watchdog stops a
 * guest that runs too long.
 */
#ifndef XB_HOST_KVM_RUN_LOOP_H
#define XB_HOST_KVM_RUN_LOOP_H

#include <stddef.h>

#include "../guest_launcher.h"
#include "vcpu_stats.h"
#include "vm.h"

/* Runs @vcpu on the calling thread; fills @out (output malloc'd, never NULL). @stats, when
 * not NULL, serves the exit counter. Returns 0, or a negative error when not even the output
 * buffer could be allocated. */
int run_loop(struct kvm_vm *vm, struct kvm_vcpu *vcpu, const struct vcpu_stats *stats, double timeout_s,
	     size_t max_output, struct guest_outcome *out) XB_MUST_CHECK;

/* Describes the exit in @run (reason, port, suberror, instruction bytes) into @buf. */
void run_loop_describe_exit(const struct kvm_vm *vm, const struct kvm_vcpu *vcpu, char *buf, size_t size);

#endif
