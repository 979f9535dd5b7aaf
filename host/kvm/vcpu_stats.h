/*
 * vcpu_stats.h - KVM's binary statistics of one vCPU (KVM_GET_STATS_FD, Linux 5.14;
 * virt/kvm/binary_stats.c): the header, the descriptors found by name, and the counters read
 * with pread at data_offset + the descriptor's offset. The VMM's exit counter reads `exits`
 * and, where they exist, the x86 counters of the exits with a reason of their own
 * (arch/x86/kvm/x86.c, kvm_vcpu_stats_desc).
 */
#ifndef XB_HOST_KVM_VCPU_STATS_H
#define XB_HOST_KVM_VCPU_STATS_H

#include <stdbool.h>
#include <stdint.h>

#include "../error.h"

/* The exits KVM counts under a reason of their own (each also counted in `exits`): port
 * I/O, MMIO to user space, external interrupts, HLT, interrupt and NMI windows. */
#define VCPU_STATS_REASONS 6
extern const char *const vcpu_stats_reason_names[VCPU_STATS_REASONS];

struct vcpu_stats {
	int fd;
	int64_t exits_at;                       /* file offset of `exits` */
	int64_t reason_at[VCPU_STATS_REASONS];  /* -1 where this KVM has no such counter */
};

/* Opens the vCPU's statistics and finds the counters; fails when there is no `exits`. */
int vcpu_stats_open(int vcpu_fd, struct vcpu_stats *s) XB_MUST_CHECK;
void vcpu_stats_close(struct vcpu_stats *s);

/* `exits`, and the sum of the reason counters that exist. */
int vcpu_stats_read(const struct vcpu_stats *s, uint64_t *exits, uint64_t *with_reason) XB_MUST_CHECK;

#endif
