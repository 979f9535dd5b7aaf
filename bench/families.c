/*
 * families.c - the family table. A new family is one line here.
 */
#include "families.h"

const struct bench_family *const bench_families[] = {
	&family_loop,
	&family_xsave,
	&family_kvm_run,
	&family_kvm_xsave,
	&family_kvm_vcpu,
	&family_kvm_attr,
	&family_kvm_perm,
	&family_guest,
	&family_switch,
	&family_ctxsw,
	&family_xfd,
	&family_signal,
	&family_ptrace,
	&family_amx,
	&family_ring0,
	&family_kapi,
	NULL,
};
