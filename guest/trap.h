/*
 * trap.h - exceptions in the payload. Every exception becomes an `exception` record. Inside
 * guest_try() the guarded call is abandoned and guest_try() returns GUEST_TRY_FAULTED, with
 * the exception in guest_last_exception (run.c: an error, or a skip for a #UD or #GP of a
 * case that runs only because of `nocheck`). A #NM raised by an armed IA32_XFD while
 * xfd_nm_handling is on is the measured event of guest/xfd/nm/amx: it is counted, XFD is
 * disarmed for the faulting feature and the instruction runs again, as the kernel's handler
 * does. Anything else ends the payload.
 */
#ifndef XB_GUEST_TRAP_H
#define XB_GUEST_TRAP_H

#include <stdbool.h>
#include <stdint.h>

#include "trap_stub.h"

struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8, rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector, error;
	uint64_t rip, cs, rflags, rsp, ss; /* pushed by the CPU */
};

struct exception_info {
	uint32_t vector;
	uint64_t error, rip;
};

struct xfd_nm_state {
	bool handling;     /* #NM with IA32_XFD_ERR set is expected and handled */
	uint64_t armed;    /* IA32_XFD as the timed loop writes it: the handler writes this less
			    * the faulting feature, as the kernel writes from its per-CPU copy */
	uint64_t count;    /* #NM events handled */
	uint64_t err_seen; /* OR of every IA32_XFD_ERR value read in the handler */
};

extern struct exception_info guest_last_exception;
extern volatile struct xfd_nm_state guest_xfd_nm;
/* The case being run, named in exception records; NULL outside cases. */
extern const char *guest_current_case;

void trap_init(void);
const char *trap_name(uint32_t vector);

/* Calls fn(arg); returns its result, or GUEST_TRY_FAULTED after an exception. */
int guest_try(int (*fn)(void *), void *arg);

/* The self tests of the exception paths (selftest= on the work list); they do not return. */
void trap_selftest_triple_fault(void) __attribute__((noreturn));
void trap_selftest_hang(void) __attribute__((noreturn));

#endif
