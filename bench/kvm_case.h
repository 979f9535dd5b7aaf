/*
 * kvm_case.h - what the kvm/... families share: whether a case can run on this machine's KVM
 * (the reason names /dev/kvm, the capability or the feature), the vCPU's XSAVE buffers
 * (KVM_GET_XSAVE2, sized by KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2) on the VM; KVM_SET_XSAVE),
 * and a case's VM with one vCPU parked in 64-bit mode on a guest that exits at once through
 * port I/O, given its state with KVM_SET_XSAVE and checked against it afterwards.
 */
#ifndef XB_BENCH_KVM_CASE_H
#define XB_BENCH_KVM_CASE_H

#include <stdbool.h>
#include <stdint.h>

#include "../host/kvm/guest.h"
#include "../host/native/xstate_hold.h"
#include "../kernels/xsave_bench.h"
#include "case.h"

#define KVM_CASE_PORT 0x80 /* the round-trip guest's OUT */

/*
 * The kvm/... conditions beyond those of kernels/xsave_bench.h (init, inuse, clean): what
 * the guest's CPUID offers. The guest's state is in use in each.
 */
enum kvm_case_cond {
	KVM_COND_PRE_XSAVE_GUEST = XCOND_COUNT, /* no XSAVE at all (kvm_cpuid_without_xsave) */
	KVM_COND_FP_ADVERTISED,                 /* x87 and SSE only: guest XCR0 0x3 */
	KVM_COND_ALL_ADVERTISED,                /* everything the host enables and KVM offers */
};
/* The id's word for @cond: xstate_cond_name() or pre-xsave-guest, fp-advertised, all-advertised. */
const char *kvm_cond_name(int cond);

/* The feature sets of the kvm/... ids, resolved against this machine; `user` is the part of
 * XCR0 that KVM gives every guest (XCR0 & KVM_X86_XCOMP_GUEST_SUPP, dynamic features left out). */
extern const char *const kvm_feature_sets[];
extern const int kvm_nr_feature_sets;
uint64_t kvm_feature_mask(const struct machine *m, const char *name);

/* True when /dev/kvm is there and the host and KVM offer every component of @mask. */
bool kvm_case_require(const struct machine *m, uint64_t mask, char *why, size_t size);

/* Adds a kvm case with the family parameters, runnable or with the reason; with
 * @init_tracking it also needs a CPU that tracks XINUSE (require_init_tracking), and with a
 * kvm_case_cond a KVM whose vCPU keeps the CPUID it is set (kvm_guest_cpuid). -ENOMEM on
 * failure. */
int kvm_case_plan(struct plan *plan, const struct bench_family *f, const struct machine *m, const char *id,
		  uint64_t mask, int condition, bool init_tracking) XB_MUST_CHECK;

/* Turns runnable @c into a skip when KVM has no XCOMP_GUEST_PERM attribute (the probe's
 * KVM_GET_DEVICE_ATTR error, and where it was proposed). */
void kvm_case_require_perm_attr(const struct machine *m, struct bench_case *c);

/* Components whose init state cannot be told after a KVM_RUN (see kvm_case_check_state). */
#define KVM_CASE_INIT_UNTRACKED (XFEATURES_FP | XFEATURE_MASK(XFEATURE_PKRU))

/* One XSAVE buffer of the VM's KVM_CAP_XSAVE2 size (at least struct kvm_xsave). */
struct kvm_case_xsave {
	struct kvm_xsave *buf;
	uint32_t size;
};
int kvm_case_xsave_alloc(const struct kvm_vm *vm, struct kvm_case_xsave *x) XB_MUST_CHECK;
void kvm_case_xsave_free(struct kvm_case_xsave *x);

/* Fills @x with a standard-format image of @mask: init (XSTATE_BV 0) or in use. */
int kvm_case_xsave_image(const struct machine *m, struct kvm_case_xsave *x, uint64_t mask, bool in_use) XB_MUST_CHECK;

/* XSTATE_BV of a buffer. */
uint64_t kvm_case_xstate_bv(const struct kvm_case_xsave *x);

/* A case's c->state: its VM, the image it set and the buffer it reads back into, and the
 * state the VMM thread's registers hold, for cases that set one (kvm_case_hold_host). */
struct kvm_case_state {
	const struct xstate_layout *layout;
	struct kvm_guest guest;
	uint64_t xcr0;               /* the guest's (KVM_GUEST_NO_XSAVE: none) */
	struct kvm_case_xsave image; /* set with KVM_SET_XSAVE */
	struct kvm_case_xsave read;  /* for KVM_GET_XSAVE2 */
	struct xstate_hold host;
	void *host_mem;              /* the hold's buffers, then the caller's (host.load_mask) */
	void *host_caller;
};

/* The bytes KVM_GET_XSAVE2 writes for the vCPU: its guest fpstate's UABI size
 * (guest_fpu.uabi_size), told by two canaries in a buffer 4 KiB larger than s->read. */
int kvm_case_get_xsave2_bytes(const struct kvm_case_state *s, uint32_t *bytes) XB_MUST_CHECK;

/* What a VMM thread's hold loads: every component KVM gives guests (`user`), PKRU left out
 * (the kernel rewrites it on the way back to user space). */
uint64_t kvm_case_host_mask(const struct machine *m);

/* Makes s->host hold @in_use in use and the rest of kvm_case_host_mask() in init. */
int kvm_case_hold_host(struct kvm_case_state *s, const struct machine *m, uint64_t in_use) XB_MUST_CHECK;

/*
 * Setup of a case on the round-trip guest (OUT to KVM_CASE_PORT; JMP back; CR4.OSXSAVE on
 * unless KVM_GUEST_NO_XSAVE): a VM whose guest may use @xcr0, its vCPU given an image of
 * c->features, in use or (for XCOND_INIT) init, with KVM_SET_XSAVE, whose result is the
 * attribute set_xsave (a refusal fails the setup with the reason); c->ops_per_batch is --ops
 * or @default_ops.
 */
int kvm_case_state_setup(struct bench_case *c, const struct run_env *env, uint64_t xcr0,
			 uint32_t default_ops) XB_MUST_CHECK;
void kvm_case_state_teardown(struct bench_case *c);

/*
 * KVM_GET_XSAVE2 into s->read, checked against @mask: in use, every component of @mask is
 * in XSTATE_BV and holds the values of s->image; init, none of it is in use beyond x87,
 * SSE and PKRU, and x87 and SSE hold their init values. A message for @error otherwise.
 */
int kvm_case_check_state(struct kvm_case_state *s, uint64_t mask, bool in_use, char *error,
			 size_t size) XB_MUST_CHECK;

#endif
