/*
 * run_loop.c - the VMM's run loop.
 */
#include "run_loop.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "../machine.h"
#include "watchdog.h"

struct output {
	char *buf;
	size_t len, max;
	bool truncated;
};

static void output_append(struct output *o, const uint8_t *bytes, size_t n)
{
	size_t room = o->max - o->len;

	if (n > room) {
		o->truncated = true;
		n = room;
	}
	memcpy(o->buf + o->len, bytes, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static const char *exit_reason_name(uint32_t reason)
{
	switch (reason) {
	case KVM_EXIT_IO: return "KVM_EXIT_IO";
	case KVM_EXIT_HLT: return "KVM_EXIT_HLT";
	case KVM_EXIT_MMIO: return "KVM_EXIT_MMIO";
	case KVM_EXIT_SHUTDOWN: return "KVM_EXIT_SHUTDOWN";
	case KVM_EXIT_FAIL_ENTRY: return "KVM_EXIT_FAIL_ENTRY";
	case KVM_EXIT_INTERNAL_ERROR: return "KVM_EXIT_INTERNAL_ERROR";
	case KVM_EXIT_DEBUG: return "KVM_EXIT_DEBUG";
	case KVM_EXIT_EXCEPTION: return "KVM_EXIT_EXCEPTION";
	case KVM_EXIT_X86_RDMSR: return "KVM_EXIT_X86_RDMSR";
	case KVM_EXIT_X86_WRMSR: return "KVM_EXIT_X86_WRMSR";
	default: return "an unknown exit";
	}
}

/* The instruction bytes of an emulation failure: from KVM when it gave them, else read at
 * RIP through the identity map the guest was entered with. */
static size_t insn_bytes(const struct kvm_vm *vm, const struct kvm_vcpu *vcpu, const uint8_t **bytes)
{
	const struct kvm_run *run = vcpu->run;
	struct kvm_regs regs;

	if (run->emulation_failure.suberror == KVM_INTERNAL_ERROR_EMULATION &&
	    run->emulation_failure.ndata >= 3 &&
	    run->emulation_failure.flags & KVM_INTERNAL_ERROR_EMULATION_FLAG_INSTRUCTION_BYTES) {
		*bytes = run->emulation_failure.insn_bytes;
		return run->emulation_failure.insn_size;
	}
	if (ioctl(vcpu->fd, KVM_GET_REGS, &regs) || regs.rip >= vm->mem_size - 15)
		return 0;
	*bytes = vm->mem + regs.rip;
	return 15;
}

void run_loop_describe_exit(const struct kvm_vm *vm, const struct kvm_vcpu *vcpu, char *buf, size_t size)
{
	const struct kvm_run *run = vcpu->run;
	struct kvm_regs regs;
	size_t used;
	int n;

	n = snprintf(buf, size, "%s (exit reason %u)", exit_reason_name(run->exit_reason), run->exit_reason);
	used = n > 0 ? (size_t)n : 0;
#define ADD(...) (used += (size_t)snprintf(buf + used, used < size ? size - used : 0, __VA_ARGS__))
	if (!ioctl(vcpu->fd, KVM_GET_REGS, &regs))
		ADD(" at RIP 0x%llx", (unsigned long long)regs.rip);
	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		ADD(": %s port 0x%x, size %u, count %u", run->io.direction == KVM_EXIT_IO_OUT ? "OUT to" : "IN from",
		    run->io.port, run->io.size, run->io.count);
		break;
	case KVM_EXIT_MMIO:
		ADD(": %s guest-physical 0x%llx, %u bytes", run->mmio.is_write ? "write to" : "read from",
		    (unsigned long long)run->mmio.phys_addr, run->mmio.len);
		break;
	case KVM_EXIT_FAIL_ENTRY:
		ADD(": hardware entry failure reason 0x%llx",
		    (unsigned long long)run->fail_entry.hardware_entry_failure_reason);
		break;
	case KVM_EXIT_INTERNAL_ERROR: {
		const uint8_t *bytes = NULL;
		size_t nbytes;

		ADD(": suberror %u%s, data", run->internal.suberror,
		    run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION ? " (emulation failure)" : "");
		for (uint32_t i = 0; i < run->internal.ndata && i < 16; i++)
			ADD(" 0x%llx", (unsigned long long)run->internal.data[i]);
		if (run->internal.suberror != KVM_INTERNAL_ERROR_EMULATION)
			break;
		nbytes = insn_bytes(vm, vcpu, &bytes);
		ADD("; instruction bytes");
		for (size_t i = 0; i < nbytes; i++)
			ADD(" %02x", bytes[i]);
		break;
	}
	}
#undef ADD
}

/* The exit counter: the counts written at the guest-physical address the guest sent; false
 * with @out's detail when the address or the read is bad (the guest is stopped). */
static bool serve_exit_counter(const struct kvm_vm *vm, const struct vcpu_stats *stats, uint32_t gpa,
			       struct guest_outcome *out)
{
	struct guest_exit_counts counts;

	if ((uint64_t)gpa + sizeof(counts) > vm->mem_size) {
		snprintf(out->detail, sizeof(out->detail), "the exit counter's address 0x%x is outside the guest's "
			 "%llu bytes", gpa, (unsigned long long)vm->mem_size);
		return false;
	}
	if (vcpu_stats_read(stats, &counts.exits, &counts.with_reason)) {
		snprintf(out->detail, sizeof(out->detail), "the exit counter: %s", xb_error_message());
		return false;
	}
	memcpy(vm->mem + gpa, &counts, sizeof(counts));
	return true;
}

/* Handles an I/O exit; false when it is not one the guest protocol has, or it failed (the
 * detail then says why). */
static bool handle_io(const struct kvm_vm *vm, struct kvm_run *run, const struct vcpu_stats *stats,
		      struct output *o, struct guest_outcome *out, bool *done)
{
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	size_t bytes = (size_t)run->io.size * run->io.count;

	if (run->io.port == GUEST_DEBUGCON_PORT) {
		if (run->io.direction == KVM_EXIT_IO_OUT)
			output_append(o, data, bytes);
		else
			memset(data, GUEST_DEBUGCON_PORT, bytes); /* QEMU's debugcon reads back 0xe9 */
		return true;
	}
	if (run->io.port == GUEST_EXIT_PORT && run->io.direction == KVM_EXIT_IO_OUT) {
		uint32_t status = 0;

		memcpy(&status, data, run->io.size < 4 ? run->io.size : 4);
		out->end = GUEST_EXITED;
		out->status = status;
		*done = true;
		return true;
	}
	if (run->io.port == GUEST_EXIT_COUNTER_PORT && stats && run->io.direction == KVM_EXIT_IO_OUT &&
	    run->io.size == 4 && run->io.count == 1) {
		uint32_t gpa;

		memcpy(&gpa, data, sizeof(gpa));
		return serve_exit_counter(vm, stats, gpa, out);
	}
	return false;
}

int run_loop(struct kvm_vm *vm, struct kvm_vcpu *vcpu, const struct vcpu_stats *stats, double timeout_s,
	     size_t max_output, struct guest_outcome *out)
{
	struct output o = { .max = max_output };
	struct kvm_run *run = vcpu->run;
	struct watchdog w;
	bool done = false;
	int rc;

	memset(out, 0, sizeof(*out));
	o.buf = malloc(max_output + 1);
	if (!o.buf)
		return xb_fail(ENOMEM, "out of memory for %zu bytes of guest output", max_output);
	o.buf[0] = '\0';
	out->accelerated = !cpuid_under_tcg(&cpuid_live);
	rc = watchdog_arm(&w, run, timeout_s);
	if (rc) {
		out->end = GUEST_VMM_ERROR;
		snprintf(out->detail, sizeof(out->detail), "%s", xb_error_message());
		done = true;
	}
	while (!done) {
		if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
			if (errno == EINTR && watchdog_fired()) {
				out->end = GUEST_TIMEOUT;
				snprintf(out->detail, sizeof(out->detail), "the watchdog stopped the guest after %g s",
					 timeout_s);
				break;
			}
			if (errno == EINTR || errno == EAGAIN)
				continue;
			out->end = GUEST_VMM_ERROR;
			snprintf(out->detail, sizeof(out->detail), "KVM_RUN: %s (errno %d)", strerror(errno), errno);
			break;
		}
		switch (run->exit_reason) {
		case KVM_EXIT_IO:
			if (handle_io(vm, run, stats, &o, out, &done))
				continue;
			out->end = GUEST_INTERNAL_ERROR;
			if (out->detail[0]) { /* a bad exit-counter request: the detail says why */
				done = true;
				continue;
			}
			break;
		case KVM_EXIT_SHUTDOWN:
		case KVM_EXIT_HLT: /* interrupts are off: nothing would ever wake it */
			out->end = GUEST_SHUTDOWN;
			break;
		default:
			out->end = GUEST_INTERNAL_ERROR;
			break;
		}
		run_loop_describe_exit(vm, vcpu, out->detail, sizeof(out->detail));
		if (run->exit_reason == KVM_EXIT_IO)
			snprintf(out->detail + strlen(out->detail), sizeof(out->detail) - strlen(out->detail),
				 " (the guest protocol has ports 0x%x and 0x%x, and 0x%x for a 32-bit OUT when the exit "
				 "counter is served)", GUEST_DEBUGCON_PORT, GUEST_EXIT_PORT, GUEST_EXIT_COUNTER_PORT);
		done = true;
	}
	watchdog_disarm(&w);
	if (out->end == GUEST_EXITED)
		snprintf(out->detail, sizeof(out->detail), "the guest wrote status %u to port 0x%x",
			 out->status, GUEST_EXIT_PORT);
	out->output = o.buf;
	out->output_len = o.len;
	out->output_truncated = o.truncated;
	return 0;
}
