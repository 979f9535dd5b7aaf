/*
 * raw_syscall.h - system calls made with the SYSCALL instruction itself, for code that runs
 * while the extended registers hold state under test: nothing here (no libc wrapper, no
 * errno) can touch a vector register. Return the kernel's value: >= 0, or -errno.
 */
#ifndef XB_HOST_NATIVE_RAW_SYSCALL_H
#define XB_HOST_NATIVE_RAW_SYSCALL_H

#include <stdint.h>

static inline long raw_syscall6(long nr, long a1, long a2, long a3, long a4, long a5, long a6)
{
	register long r10 __asm__("r10") = a4;
	register long r8 __asm__("r8") = a5;
	register long r9 __asm__("r9") = a6;
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"(nr), "D"(a1), "S"(a2), "d"(a3), "r"(r10), "r"(r8), "r"(r9)
			 : "rcx", "r11", "memory");
	return ret;
}

static inline long raw_syscall3(long nr, long a1, long a2, long a3)
{
	return raw_syscall6(nr, a1, a2, a3, 0, 0, 0);
}

#endif
