/*
 * kvm_case.c - planning, VMs and XSAVE buffers of the kvm/... families.
 */
#include "kvm_case.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "../host/kvm/launcher.h"
#include "../host/xstate_buffer.h"
#include "../kernels/xfeature.h"
#include "../kernels/xstate_image.h"
#include "require.h"

#define KVM_CASE_SEED 0x6b766d

const char *const kvm_feature_sets[] = { "fp", "avx", "avx512", "user", "amx" };
const int kvm_nr_feature_sets = sizeof(kvm_feature_sets) / sizeof(kvm_feature_sets[0]);

const char *kvm_cond_name(int cond)
{
	switch (cond) {
	case KVM_COND_PRE_XSAVE_GUEST:
		return "pre-xsave-guest";
	case KVM_COND_FP_ADVERTISED:
		return "fp-advertised";
	case KVM_COND_ALL_ADVERTISED:
		return "all-advertised";
	default:
		return xstate_cond_name((enum xstate_cond)cond);
	}
}

uint64_t kvm_feature_mask(const struct machine *m, const char *name)
{
	uint64_t mask = 0, user = m->layout.xcr0 & ~xstate_xfd_capable(&m->layout);

	/* `user` of a guest: what XCR0 enables and KVM gives every guest without a permission */
	if (m->kvm.xcomp_guest_supp_known)
		user &= m->kvm.xcomp_guest_supp;
	if (!strcmp(name, "user"))
		return user;
	feature_set_parse(name, m->layout.xcr0, m->layout.xss, &mask);
	return mask;
}

bool kvm_case_require(const struct machine *m, uint64_t mask, char *why, size_t size)
{
	if (!require_features(m, mask, false, why, size))
		return false;
	if (!m->kvm.present) {
		snprintf(why, size, "no KVM here: %s", m->kvm.open_error[0] ? m->kvm.open_error : "/dev/kvm not probed");
		return false;
	}
	if (m->kvm.xsave2_size <= 0) {
		snprintf(why, size, "KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2) is 0: this KVM is older than "
			 "KVM_GET_XSAVE2 (Linux 5.17)");
		return false;
	}
	if (!m->kvm.xcomp_guest_supp_known) {
		snprintf(why, size, "KVM_GET_DEVICE_ATTR(KVM_X86_XCOMP_GUEST_SUPP) failed: this KVM is older "
			 "than KVM_CAP_XSAVE2 (Linux 5.17)");
		return false;
	}
	if (mask & ~m->kvm.xcomp_guest_supp) {
		snprintf(why, size, "KVM does not offer guests components 0x%" PRIx64 " (KVM_X86_XCOMP_GUEST_SUPP = 0x%" PRIx64 ")",
			 mask & ~m->kvm.xcomp_guest_supp, m->kvm.xcomp_guest_supp);
		return false;
	}
	return true;
}

/* The conditions about the guest's CPUID need a KVM whose vCPU keeps the CPUID it is set
 * (a recorded machine's is assumed to). */
static bool require_cpuid_kept(const struct machine *m, char *why, size_t size)
{
	const char *detail;

	if (m->from_dump || kvm_guest_cpuid(&detail) == KVM_GUEST_CPUID_KEPT)
		return true;
	snprintf(why, size, "%s", detail);
	return false;
}

int kvm_case_plan(struct plan *plan, const struct bench_family *f, const struct machine *m, const char *id,
		  uint64_t mask, int condition, bool init_tracking)
{
	char why[CASE_REASON_MAX];
	bool ok = kvm_case_require(m, mask, why, sizeof(why)) &&
		  (!init_tracking || require_init_tracking(m, why, sizeof(why))) &&
		  (condition < KVM_COND_PRE_XSAVE_GUEST || require_cpuid_kept(m, why, sizeof(why)));
	struct bench_case *c = plan_add(plan, f, id, ok ? NULL : "%s", why);

	if (!c)
		return -ENOMEM;
	c->features = mask;
	c->condition = condition;
	return 0;
}

void kvm_case_require_perm_attr(const struct machine *m, struct bench_case *c)
{
	if (!c->skip_reason[0] && !m->kvm.xcomp_guest_perm_known)
		snprintf(c->skip_reason, sizeof(c->skip_reason), "%.120s: this KVM has no such attribute (an RFC of "
			 "August 2022 proposed it; not in Linux 6.1)", m->kvm.xcomp_guest_perm_error);
}

int kvm_case_xsave_alloc(const struct kvm_vm *vm, struct kvm_case_xsave *x)
{
	int size = kvm_vm_check_extension(vm, KVM_CAP_XSAVE2);

	if (size <= 0)
		return xb_fail(ENOTSUP, "KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2) on the VM: %d", size);
	x->size = (uint32_t)size < sizeof(struct kvm_xsave) ? sizeof(struct kvm_xsave) : (uint32_t)size;
	x->buf = aligned_alloc(64, (x->size + 63) & ~63u);
	if (!x->buf)
		return xb_fail(ENOMEM, "out of memory for a %u-byte XSAVE buffer", x->size);
	memset(x->buf, 0, x->size);
	return 0;
}

void kvm_case_xsave_free(struct kvm_case_xsave *x)
{
	free(x->buf);
	x->buf = NULL;
}

int kvm_case_xsave_image(const struct machine *m, struct kvm_case_xsave *x, uint64_t mask, bool in_use)
{
	if (!xstate_image_build(&m->layout, x->buf, x->size, mask, false, in_use, KVM_CASE_SEED))
		return xb_fail(EINVAL, "cannot build a %u-byte image of mask 0x%" PRIx64, x->size, mask);
	return 0;
}

int kvm_case_get_xsave2_bytes(const struct kvm_case_state *s, uint32_t *bytes)
{
	static const uint8_t canaries[] = { 0xa5, 0x5a };
	uint32_t size = s->read.size + 4096;
	uint8_t *buf = aligned_alloc(64, size);

	if (!buf)
		return xb_fail(ENOMEM, "out of memory for a %u-byte buffer", size);
	*bytes = 0;
	/* a byte KVM wrote differs from at least one of the two canaries */
	for (size_t k = 0; k < sizeof(canaries); k++) {
		uint32_t end = size;

		memset(buf, canaries[k], size);
		if (ioctl(s->guest.vcpu.fd, KVM_GET_XSAVE2, buf)) {
			free(buf);
			return xb_fail_errno("KVM_GET_XSAVE2");
		}
		while (end > 0 && buf[end - 1] == canaries[k])
			end--;
		if (end > *bytes)
			*bytes = end;
	}
	free(buf);
	if (*bytes == size)
		return xb_fail(EOVERFLOW, "KVM_GET_XSAVE2 wrote past the %u bytes of KVM_CAP_XSAVE2 and 4 KiB more",
			       s->read.size);
	return 0;
}

uint64_t kvm_case_xstate_bv(const struct kvm_case_xsave *x)
{
	return xstate_header_of(x->buf)->xstate_bv;
}

/* A VM whose guest may use @xcr0, its vCPU in 64-bit mode on the round-trip guest. */
static int round_trip_guest(struct kvm_guest *g, uint64_t xcr0)
{
	static const uint8_t code[] = {
		0xe6, KVM_CASE_PORT, /* 1: out %al, $0x80 */
		0xeb, 0xfc,          /* jmp 1b */
	};

	return kvm_guest_create_code(g, xcr0, code, sizeof(code));
}

uint64_t kvm_case_host_mask(const struct machine *m)
{
	return kvm_feature_mask(m, "user") & ~XFEATURE_MASK(XFEATURE_PKRU);
}

int kvm_case_hold_host(struct kvm_case_state *s, const struct machine *m, uint64_t in_use)
{
	uint64_t mask = kvm_case_host_mask(m);
	uint32_t hold_bytes = xstate_hold_bytes(&m->layout, mask);

	s->host_mem = xstate_buffer_alloc(hold_bytes + ((xstate_size_standard(&m->layout, mask) + 63) & ~63u));
	if (!s->host_mem)
		return xb_fail(ENOMEM, "out of memory for the VMM thread's xstate");
	s->host_caller = (uint8_t *)s->host_mem + hold_bytes;
	if (!xstate_hold_init(&s->host, &m->layout, in_use & mask, mask, KVM_CASE_SEED + 1, s->host_mem))
		return xb_fail(EINVAL, "cannot hold 0x%" PRIx64 " in the VMM thread's registers (load mask 0x%" PRIx64 ")",
			       in_use, mask);
	return 0;
}

void kvm_case_state_teardown(struct bench_case *c)
{
	struct kvm_case_state *s = c->state;

	if (!s)
		return;
	xstate_buffer_free(s->host_mem);
	kvm_case_xsave_free(&s->image);
	kvm_case_xsave_free(&s->read);
	kvm_guest_destroy(&s->guest);
	free(s);
	c->state = NULL;
}

/* The vCPU's first KVM_SET_XSAVE, its result recorded as the attribute set_xsave. */
static int first_set_xsave(struct bench_case *c, struct kvm_case_state *s, uint64_t xcr0)
{
	uint64_t bv = kvm_case_xstate_bv(&s->image);
	int err;

	if (!ioctl(s->guest.vcpu.fd, KVM_SET_XSAVE, s->image.buf)) {
		case_set_attribute(c, "set_xsave", "0");
		return 0;
	}
	err = errno;
	case_set_attribute(c, "set_xsave", "%s (errno %d)", strerrorname_np(err) ?: "?", err);
	if (xcr0 == KVM_GUEST_NO_XSAVE)
		return xb_fail(err, "KVM_SET_XSAVE of XSTATE_BV 0x%" PRIx64 " into a vCPU whose CPUID has no XSAVE: "
			       "%s (errno %d): this kernel refuses the x87 and SSE state QEMU sends after migrating "
			       "from a host without XSAVE (validate_user_xstate_header(): XSTATE_BV outside the "
			       "fpstate's user_xfeatures; fixed by \"KVM: x86: Always enable legacy FP/SSE in "
			       "allowed user XFEATURES\")", bv, strerror(err), err);
	return xb_fail(err, "KVM_SET_XSAVE of XSTATE_BV 0x%" PRIx64 " into a vCPU whose guest may use XCR0 0x%"
		       PRIx64 ": %s (errno %d)", bv, xcr0, strerror(err), err);
}

int kvm_case_state_setup(struct bench_case *c, const struct run_env *env, uint64_t xcr0, uint32_t default_ops)
{
	struct kvm_case_state *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return xb_fail(ENOMEM, "out of memory");
	s->layout = &env->machine->layout;
	s->xcr0 = xcr0;
	rc = round_trip_guest(&s->guest, xcr0);
	if (rc) {
		free(s);
		return rc;
	}
	c->state = s;
	rc = kvm_case_xsave_alloc(&s->guest.vm, &s->image);
	if (!rc)
		rc = kvm_case_xsave_alloc(&s->guest.vm, &s->read);
	if (!rc)
		rc = kvm_case_xsave_image(env->machine, &s->image, c->features, c->condition != XCOND_INIT);
	if (!rc)
		rc = first_set_xsave(c, s, xcr0);
	if (rc) {
		kvm_case_state_teardown(c);
		return rc;
	}
	c->ops_per_batch = env->ops_override ? env->ops_override : default_ops;
	if (xcr0 == KVM_GUEST_NO_XSAVE)
		case_set_attribute(c, "guest_xcr0", "none: no XSAVE in the guest's CPUID");
	else
		case_set_attribute(c, "guest_xcr0", "0x%llx", (unsigned long long)xcr0);
	case_set_attribute(c, "xsave2_bytes", "%u", s->image.size);
	return 0;
}

/* The id of the first x87 or SSE register of @buf's legacy area that is not in its init state
 * (FCW 0x37f, MXCSR 0x1f80, the rest 0), whatever XSTATE_BV says; -1 when none. */
static int legacy_not_init(const struct xstate_layout *l, const struct kvm_xsave *buf)
{
	struct kvm_xsave init, got;

	fxsave_image_build(&init, false, 0);
	memcpy(&got, buf, XSTATE_LEGACY_SIZE);
	*xstate_header_of(&init) = *xstate_header_of(&got) = (struct xstate_header){ .xstate_bv = XFEATURES_FP };
	return xstate_image_diff(l, &init, false, &got, false, XFEATURES_FP);
}

int kvm_case_check_state(struct kvm_case_state *s, uint64_t mask, bool in_use, char *error, size_t size)
{
	uint64_t bv, wrong;
	int id;

	if (ioctl(s->guest.vcpu.fd, KVM_GET_XSAVE2, s->read.buf)) {
		snprintf(error, size, "KVM_GET_XSAVE2: %s (errno %d)", strerror(errno), errno);
		return -1;
	}
	bv = kvm_case_xstate_bv(&s->read);
	/* Nothing outside the buffer's components. In the init condition x87 and SSE may read in
	 * use (AMD reports them in use once touched), and so may PKRU after a KVM_RUN: KVM keeps
	 * the guest's PKRU outside the buffer, whose slot is saved with whatever the register held. */
	if (bv & ~mask) {
		snprintf(error, size, "the vCPU's XSTATE_BV is 0x%" PRIx64 ": components 0x%" PRIx64 " are in use beyond "
			 "0x%" PRIx64 ": no number reported", bv, bv & ~mask, mask);
		return -1;
	}
	wrong = in_use ? mask & ~bv : bv & mask & ~KVM_CASE_INIT_UNTRACKED;
	if (wrong) {
		snprintf(error, size, "the vCPU's XSTATE_BV is 0x%" PRIx64 ": components 0x%" PRIx64 " are %s: "
			 "no number reported", bv, wrong, in_use ? "not in use" : "in use");
		return -1;
	}
	/* in use: the values set; init: x87 and SSE hold their init values, in use or not */
	id = in_use ? xstate_image_diff(s->layout, s->read.buf, false, s->image.buf, false, mask)
		    : legacy_not_init(s->layout, s->read.buf);
	if (id >= 0) {
		snprintf(error, size, "the vCPU's %s (component %d) read back is not %s: no number reported",
			 xfeature_name((unsigned int)id), id, in_use ? "the value set" : "in its init state");
		return -1;
	}
	return 0;
}
