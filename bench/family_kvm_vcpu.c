/*
 * family_kvm_vcpu.c - the guest fpstate's allocation and growth, per fresh vCPU:
 *  - kvm/vcpu/create/user: one KVM_CREATE_VCPU (the vCPU and its guest fpstate, which KVM
 *    allocates at the default size whatever guest permission the process has);
 *  - kvm/cpuid/realloc/amx: one KVM_SET_CPUID2 that enables AMX tile data on a new vCPU, so
 *    KVM grows its guest fpstate (fpu_enable_guest_xfd_features); against
 *    kvm/cpuid/set/user, the same ioctl enabling every static feature and no dynamic one.
 * After each batch the last new vCPU must take an image of <features> in use with
 * KVM_SET_XSAVE, of the VM's KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2) size (which must cover
 * them): the kernel refuses (EINVAL) components its fpstate does not hold, so for
 * realloc/amx this proves that the fpstate grew for tile data.
 * Each batch uses a new VM (untimed), because a VM's vCPUs live until it is destroyed.
 */
#include "families.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "../host/kvm/guest_cpuid.h"
#include "../host/native/kvm_ioctl_loops.h"
#include "kvm_case.h"

#define VCPU_OPS 8
#define VCPU_VM_MEMORY (2ull << 20)

enum { OP_CREATE, OP_SET_CPUID };

struct vcpu_state {
	struct kvm_cpuid2 *cpuid;    /* the filtered table each new vCPU gets */
	struct kvm_case_xsave image; /* <features> in use, for the last new vCPU */
};

static int vcpu_plan(const struct machine *m, struct plan *plan)
{
	static const struct {
		const char *group, *op;
		enum feature_set_id features;
		int kind;
	} cases[] = {
		{ "vcpu", "create", FS_USER, OP_CREATE },
		{ "cpuid", "realloc", FS_AMX, OP_SET_CPUID },
		{ "cpuid", "set", FS_USER, OP_SET_CPUID },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct bench_id id = { SITE_KVM, false, cases[i].group, cases[i].op, feature_set_name(cases[i].features),
				       COND_NONE };
		struct bench_case *c = kvm_case_plan(plan, &family_kvm_vcpu, m, &id, kvm_feature_mask(m, cases[i].features),
						     false);

		if (!c)
			return -ENOMEM;
		c->op = cases[i].kind;
	}
	return 0;
}

static void vcpu_teardown(struct bench_case *c)
{
	struct vcpu_state *s = c->state;

	if (!s)
		return;
	free(s->cpuid);
	kvm_case_xsave_free(&s->image);
	free(s);
	c->state = NULL;
}

static int vcpu_setup(struct bench_case *c, const struct run_env *env)
{
	const struct machine *m = env->machine;
	struct vcpu_state *s = calloc(1, sizeof(*s));
	uint32_t need = xstate_size_standard(&m->layout, c->features);
	struct kvm_vm vm;
	int rc;

	if (!s)
		return xb_fail(ENOMEM, "out of memory");
	c->state = s;
	rc = kvm_guest_perm_request(); /* the probe asked already, before any vCPU */
	if (!rc)
		rc = kvm_vm_create(&vm, VCPU_VM_MEMORY);
	if (rc)
		goto fail;
	rc = kvm_case_xsave_alloc(&vm, &s->image);
	if (!rc)
		rc = kvm_supported_cpuid(vm.kvm_fd, &s->cpuid);
	kvm_vm_destroy(&vm);
	if (!rc)
		rc = kvm_cpuid_filter(s->cpuid, c->features, 0);
	if (!rc && s->image.size < need)
		rc = xb_fail(EINVAL, "KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2) on the VM is %u bytes after "
			     "ARCH_REQ_XCOMP_GUEST_PERM, less than the %u that features 0x%" PRIx64 " need",
			     s->image.size, need, c->features);
	if (!rc)
		rc = kvm_case_xsave_image(m, &s->image, c->features, true);
	if (rc)
		goto fail;
	c->ops_per_batch = env->ops_override ? env->ops_override : VCPU_OPS;
	case_set_attribute(c, ATTR_XSAVE2_BYTES, "%u", s->image.size);
	return 0;
fail:
	vcpu_teardown(c);
	return rc;
}

static void close_all(int *fds, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (fds[i] >= 0)
			close(fds[i]);
}

static int vcpu_batch(struct bench_case *c, struct batch_result *out)
{
	struct vcpu_state *s = c->state;
	uint32_t ops = c->ops_per_batch;
	int fds[ops];
	uint64_t ticks;
	uint32_t failed = 0;
	struct kvm_vm vm;
	int rc = -1, err;

	memset(fds, -1, sizeof(fds));
	if (kvm_vm_create(&vm, VCPU_VM_MEMORY)) {
		snprintf(out->error, sizeof(out->error), "%s", xb_error_message());
		return -1;
	}
	ticks = kvm_create_vcpus_loop(vm.vm_fd, fds, ops, &err);
	for (uint32_t i = ops; i-- > 0;) {
		if (fds[i] < 0) {
			snprintf(out->error, sizeof(out->error), "KVM_CREATE_VCPU %u: %s (errno %d)", i, strerror(-err), -err);
			goto out;
		}
	}
	if (c->op == OP_SET_CPUID)
		ticks = kvm_set_cpuid_loop(fds, ops, s->cpuid, &failed, &err);
	if (failed) {
		snprintf(out->error, sizeof(out->error), "KVM_SET_CPUID2 failed on %u of %u new vCPUs: %s (errno %d)",
			 failed, ops, strerror(-err), -err);
		goto out;
	}
	if (ioctl(fds[ops - 1], KVM_SET_XSAVE, s->image.buf)) {
		snprintf(out->error, sizeof(out->error), "KVM_SET_XSAVE of features 0x%" PRIx64 " in use on the "
			 "last new vCPU: %s (errno %d): no number reported", c->features, strerror(errno), errno);
		goto out;
	}
	out->gross_ticks = ticks;
	out->ops = ops;
	rc = 0;
out:
	close_all(fds, ops);
	kvm_vm_destroy(&vm);
	return rc;
}

const struct bench_family family_kvm_vcpu = {
	.name = "kvm_vcpu",
	.site = SITE_KVM,
	.plan = vcpu_plan,
	.setup = vcpu_setup,
	.batch = vcpu_batch,
	.teardown = vcpu_teardown,
};
