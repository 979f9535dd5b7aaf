/*
 * families.h - every benchmark family, in run order. A new family is its file,
 * bench/family_<name>.c (the build takes every such file), defining
 * `const struct bench_family family_<name>`, and one line in BENCH_FAMILIES.
 */
#ifndef XB_BENCH_FAMILIES_H
#define XB_BENCH_FAMILIES_H

#include "case.h"

#define BENCH_FAMILIES(F) \
	F(loop)           \
	F(xsave)          \
	F(kvm_run)        \
	F(kvm_xsave)      \
	F(kvm_vcpu)       \
	F(kvm_attr)       \
	F(kvm_perm)       \
	F(guest)          \
	F(switch)         \
	F(ctxsw)          \
	F(xfd)            \
	F(signal)         \
	F(ptrace)         \
	F(amx)            \
	F(ring0)          \
	F(kapi)

#define BENCH_FAMILY_DECLARATION(name) extern const struct bench_family family_##name;
BENCH_FAMILIES(BENCH_FAMILY_DECLARATION)

/* NULL-terminated, in run order. */
extern const struct bench_family *const bench_families[];

#endif
