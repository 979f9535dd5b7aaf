/*
 * families.h - the table of every benchmark family, in run order.
 */
#ifndef XB_BENCH_FAMILIES_H
#define XB_BENCH_FAMILIES_H

#include "case.h"

extern const struct bench_family family_loop;
extern const struct bench_family family_xsave;
extern const struct bench_family family_kvm_run;
/* The feature sets of kvm/run/roundtrip/<f>/{fp,all}-advertised, NULL-terminated (the summary's comparison reads them). */
extern const char *const kvm_advertised_feature_sets[];
extern const struct bench_family family_kvm_xsave;
extern const struct bench_family family_kvm_vcpu;
extern const struct bench_family family_kvm_attr;
extern const struct bench_family family_kvm_perm;
extern const struct bench_family family_guest;
extern const struct bench_family family_switch;
/* The feature sets of the native/switch ids, NULL-terminated (the summary's comparison reads them). */
extern const char *const switch_feature_sets[];
extern const struct bench_family family_ctxsw;
extern const struct bench_family family_xfd;
extern const struct bench_family family_signal;
extern const struct bench_family family_ptrace;
extern const struct bench_family family_amx;
extern const struct bench_family family_ring0;
extern const struct bench_family family_kapi;

/* NULL-terminated. */
extern const struct bench_family *const bench_families[];

#endif
