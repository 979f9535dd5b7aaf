/*
 * tracee.c - the stopped child and the timed regset calls. No vector code.
 */
#include "tracee.h"

#include <elf.h>
#include <signal.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include "../../kernels/tsc.h"
#include "raw_syscall.h"

void tracee_run(const struct xstate_hold *h)
{
	long pid = raw_syscall3(SYS_getpid, 0, 0, 0);

	if (raw_syscall6(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0, 0, 0) < 0)
		raw_syscall3(SYS_exit_group, 1, 0, 0);
	xstate_hold_load(h);
	for (;;) /* each continue stops again; the tracer ends it with SIGKILL */
		raw_syscall3(SYS_tgkill, pid, pid, SIGSTOP);
}

static long regset(int pid, enum regset_op op, struct iovec *iov)
{
	long req = op == REGSET_GET ? PTRACE_GETREGSET : PTRACE_SETREGSET;

	return raw_syscall6(SYS_ptrace, req, pid, NT_X86_XSTATE, (long)iov, 0, 0);
}

static long regset_n(int pid, enum regset_op op, void *buf, size_t size, uint32_t n, size_t *len)
{
	struct iovec iov;
	long err = 0;

	for (uint32_t i = 0; i < n && !err; i++) {
		iov = (struct iovec){ buf, size };
		err = regset(pid, op, &iov);
		*len = iov.iov_len;
	}
	return err;
}

void tracee_time_regset(int pid, enum regset_op op, void *buf, size_t size, uint32_t warmup,
			uint32_t n, struct regset_result *out)
{
	uint64_t t0, t1;

	*out = (struct regset_result){ 0 };
	out->error = regset_n(pid, op, buf, size, warmup, &out->len);
	t0 = tsc_begin();
	if (!out->error)
		out->error = regset_n(pid, op, buf, size, n, &out->len);
	t1 = tsc_end();
	out->gross_ticks = t1 - t0;
}
