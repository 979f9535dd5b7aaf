/*
 * kvm_case.h - what the kvm/... families share: whether a case can run on this machine's KVM
 * (the reason names /dev/kvm, the capability or the feature), a VM with one vCPU parked in
 * 64-bit mode on a guest that exits at once through port I/O, and the vCPU's XSAVE buffer
 * (KVM_GET_XSAVE2, sized by KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2) on the VM; KVM_SET_XSAVE).
 */
#ifndef XB_BENCH_KVM_CASE_H
#define XB_BENCH_KVM_CASE_H

#include <stdbool.h>
#include <stdint.h>

#include "../host/kvm/guest.h"
#include "case.h"

#define KVM_CASE_PORT 0x80 /* the round-trip guest's OUT */

/* The feature sets of the kvm/... ids, resolved against this machine; `user` is the part of
 * XCR0 that KVM gives every guest (XCR0 & KVM_X86_XCOMP_GUEST_SUPP, dynamic features left out). */
extern const char *const kvm_feature_sets[];
extern const int kvm_nr_feature_sets;
uint64_t kvm_feature_mask(const struct machine *m, const char *name);

/* True when /dev/kvm is there and the host and KVM offer every component of @mask. */
bool kvm_case_require(const struct machine *m, uint64_t mask, char *why, size_t size);

/* Adds a kvm case with the family parameters, runnable or with the reason; -ENOMEM on failure. */
int kvm_case_plan(struct plan *plan, const struct bench_family *f, const struct machine *m, const char *id,
		  uint64_t mask, int condition) XB_MUST_CHECK;

/* Components whose init state cannot be told after a KVM_RUN (see kvm_case_check_state). */
#define KVM_CASE_INIT_UNTRACKED (XFEATURES_FP | XFEATURE_MASK(XFEATURE_PKRU))

/* Whether this runs under QEMU TCG (CPUID.0x40000000 "TCGTCGTCGTCG"). */
bool kvm_case_under_tcg(const struct machine *m);

/* A VM whose guest may use @mask, its vCPU in 64-bit mode with CR4.OSXSAVE on the
 * round-trip guest (OUT to KVM_CASE_PORT; JMP back). */
int kvm_case_guest(struct kvm_guest *g, uint64_t mask) XB_MUST_CHECK;

/* One XSAVE buffer of the VM's KVM_CAP_XSAVE2 size (at least struct kvm_xsave). */
struct kvm_case_xsave {
	struct kvm_xsave *buf;
	uint32_t size;
};
int kvm_case_xsave_alloc(const struct kvm_guest *g, struct kvm_case_xsave *x) XB_MUST_CHECK;
void kvm_case_xsave_free(struct kvm_case_xsave *x);

/* Fills @x with a standard-format image of @mask: init (XSTATE_BV 0) or in use. */
int kvm_case_xsave_image(const struct machine *m, struct kvm_case_xsave *x, uint64_t mask, bool in_use) XB_MUST_CHECK;

/* kvm_case_guest() for @xcr0, whose vCPU then gets an image of @mask (in use or init) with
 * KVM_SET_XSAVE from @x, allocated here. */
int kvm_case_guest_with_state(const struct machine *m, struct kvm_guest *g, uint64_t xcr0,
			      struct kvm_case_xsave *x, uint64_t mask, bool in_use) XB_MUST_CHECK;

/* XSTATE_BV of a buffer. */
uint64_t kvm_case_xstate_bv(const struct kvm_case_xsave *x);

/* KVM_GET_XSAVE2 into @x and checks its XSTATE_BV against @mask: all of it in use, or none
 * of it beyond x87/SSE; a message for @error otherwise. */
int kvm_case_check_state(const struct kvm_guest *g, struct kvm_case_xsave *x, uint64_t mask, bool in_use,
			 char *error, size_t size) XB_MUST_CHECK;

#endif
