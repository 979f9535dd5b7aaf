/*
 * tracee.h - the kernel's ptrace view of a stopped task's extended state: a forked child
 * that asks to be traced, loads a hold and stops itself, and the tracer's timed
 * PTRACE_GETREGSET / PTRACE_SETREGSET of NT_X86_XSTATE on it (the kernel copies between
 * the task's fpstate and the UABI buffer, standard format). No vector code; raw system calls.
 */
#ifndef XB_HOST_NATIVE_TRACEE_H
#define XB_HOST_NATIVE_TRACEE_H

#include <stddef.h>
#include <stdint.h>

#include "xstate_hold.h"

/* The child's side after fork(): PTRACE_TRACEME, load @h, stop with SIGSTOP; never returns. */
void tracee_run(const struct xstate_hold *h) __attribute__((noreturn));

enum regset_op { REGSET_GET, REGSET_SET };

struct regset_result {
	uint64_t gross_ticks;
	size_t len;  /* bytes the kernel transferred (iov_len after the last call) */
	long error;  /* -errno of a failed ptrace, else 0 */
};

/* Times @n GETREGSET or SETREGSET calls of NT_X86_XSTATE on @pid with @buf (@size bytes). */
void tracee_time_regset(int pid, enum regset_op op, void *buf, size_t size, uint32_t warmup,
			uint32_t n, struct regset_result *out);

#endif
