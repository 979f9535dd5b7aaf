/*
 * cpuid_dump_file.h - the text format of recorded machines (the .dump files under tests/cpuid):
 *
 *   # comment
 *   xcr0 0x2ff                      XGETBV(0), required
 *   xinuse 0x2a2                    XGETBV(1), optional
 *   xss 0x1800                      enabled IA32_XSS, optional (else inferred)
 *   kernel.release 6.1.0-27-amd64   kernel facts, optional
 *   kernel.xcomp_supp 0x602e7       ARCH_GET_XCOMP_SUPP (also _perm, _guest_perm)
 *   kernel.minsigstksz 3632         AT_MINSIGSTKSZ
 *   kvm.xsave2_size 11008           a /dev/kvm, optional: KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2),
 *   kvm.xcomp_guest_supp 0x602e7    KVM_X86_XCOMP_GUEST_SUPP, the XCOMP_GUEST_PERM attribute's
 *   kvm.xcomp_guest_perm 0x602e7    mask (absent: the attribute answered ENXIO) and the XSS
 *   kvm.supported_xss 0x0           of KVM_GET_SUPPORTED_CPUID; any kvm.* line makes KVM present
 *      0x0000000d 0x01: eax=0x0000000f ebx=0x00000a08 ecx=0x00000000 edx=0x00000000
 *
 * CPUID lines use the layout of `cpuid -r -1`, so that tool's output can be pasted in.
 */
#ifndef XB_HOST_CPUID_DUMP_FILE_H
#define XB_HOST_CPUID_DUMP_FILE_H

#include <stdio.h>

#include "machine.h"

/* Parses @text (from @name, for messages) into the dump, kernel facts and KVM facts. */
int cpuid_dump_parse(const char *text, const char *name, struct cpuid_dump *dump,
		     struct kernel_facts *kernel, struct kvm_info *kvm) XB_MUST_CHECK;

/* Formats the dump and, when known (@kernel and @kvm may be NULL), the kernel and KVM
 * facts. Returns a malloc'd string. */
char *cpuid_dump_format(const struct cpuid_dump *dump, const struct kernel_facts *kernel,
			const struct kvm_info *kvm, const char *comment);

#endif
