/*
 * family_kvm_vcpu.c - the guest fpstate's allocation and growth, per fresh vCPU:
 *  - kvm/vcpu/create/<features>: one KVM_CREATE_VCPU (the vCPU and its guest fpstate), in a
 *    process with guest permission for <features>;
 *  - kvm/cpuid/realloc/amx: one KVM_SET_CPUID2 that enables AMX tile data on a new vCPU, so
 *    KVM grows its guest fpstate (fpu_enable_guest_xfd_features); against
 *    kvm/cpuid/set/user, the same ioctl enabling every static feature and no dynamic one. That the guest
 *    buffer grew is confirmed with KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2) on the VM, which must
 *    cover tile data, and with a KVM_GET_XSAVE2 of that size on the vCPU.
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
#include "../kernels/tsc.h"
#include "kvm_case.h"

#define VCPU_OPS 8
#define VCPU_VM_MEMORY (2ull << 20)

enum { OP_CREATE, OP_SET_CPUID };

struct vcpu_state {
	const struct machine *m;
	struct kvm_cpuid2 *cpuid; /* the filtered table each new vCPU gets */
	int xsave2_before, xsave2_after;
};

static int vcpu_plan(const struct machine *m, struct plan *plan)
{
	static const struct {
		const char *id, *features;
		int op;
	} cases[] = {
		{ "kvm/vcpu/create/user", "user", OP_CREATE },
		{ "kvm/vcpu/create/amx", "amx", OP_CREATE },
		{ "kvm/cpuid/realloc/amx", "amx", OP_SET_CPUID },
		{ "kvm/cpuid/set/user", "user", OP_SET_CPUID },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = kvm_case_plan(plan, &family_kvm_vcpu, m, cases[i].id,
				       kvm_feature_mask(m, cases[i].features), 0, false);

		if (rc)
			return rc;
		plan->cases[plan->count - 1].op = cases[i].op;
	}
	return 0;
}

static void vcpu_teardown(struct bench_case *c)
{
	struct vcpu_state *s = c->state;

	if (!s)
		return;
	free(s->cpuid);
	free(s);
	c->state = NULL;
}

static int vcpu_setup(struct bench_case *c, const struct run_env *env)
{
	struct vcpu_state *s = calloc(1, sizeof(*s));
	struct kvm_vm vm;
	int rc;

	if (!s)
		return xb_fail(ENOMEM, "out of memory");
	c->state = s;
	s->m = env->machine;
	rc = kvm_vm_create(&vm, VCPU_VM_MEMORY);
	if (rc)
		goto fail;
	s->xsave2_before = kvm_vm_check_extension(&vm, KVM_CAP_XSAVE2);
	rc = kvm_guest_perm_request();
	if (!rc) {
		s->xsave2_after = kvm_vm_check_extension(&vm, KVM_CAP_XSAVE2);
		rc = kvm_supported_cpuid(vm.kvm_fd, &s->cpuid);
	}
	if (!rc)
		rc = kvm_cpuid_filter(s->cpuid, c->features, 0);
	kvm_vm_destroy(&vm);
	if (rc)
		goto fail;
	if (c->op == OP_SET_CPUID && (uint32_t)s->xsave2_after < xstate_size_standard(&s->m->layout, c->features)) {
		rc = xb_fail(EINVAL, "KVM_CHECK_EXTENSION(KVM_CAP_XSAVE2) on the VM is %d bytes after "
			     "ARCH_REQ_XCOMP_GUEST_PERM, less than the %u that features 0x%" PRIx64 " need",
			     s->xsave2_after, xstate_size_standard(&s->m->layout, c->features), c->features);
		goto fail;
	}
	c->ops_per_batch = env->ops_override ? env->ops_override : VCPU_OPS;
	case_set_attribute(c, "xsave2_bytes_before_perm", "%d", s->xsave2_before);
	case_set_attribute(c, "xsave2_bytes", "%d", s->xsave2_after);
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

/* A KVM_GET_XSAVE2 of the VM's full size on @fd: the guest fpstate holds all of it. */
static int check_fpstate(struct vcpu_state *s, int fd, char *error, size_t size)
{
	void *buf = calloc(1, (size_t)s->xsave2_after);
	int rc = 0;

	if (!buf || ioctl(fd, KVM_GET_XSAVE2, buf)) {
		snprintf(error, size, "KVM_GET_XSAVE2 of %d bytes on a new vCPU: %s: no number reported",
			 s->xsave2_after, buf ? strerror(errno) : "out of memory");
		rc = -1;
	}
	free(buf);
	return rc;
}

static int vcpu_batch(struct bench_case *c, struct batch_result *out)
{
	struct vcpu_state *s = c->state;
	uint32_t ops = c->ops_per_batch;
	int fds[ops];
	uint64_t start = 0, end = 0;
	uint32_t failed = 0;
	struct kvm_vm vm;
	int rc = -1, err = 0;

	memset(fds, -1, sizeof(fds));
	if (kvm_vm_create(&vm, VCPU_VM_MEMORY)) {
		snprintf(out->error, sizeof(out->error), "%s", xb_error_message());
		return -1;
	}
	if (c->op == OP_CREATE) {
		start = tsc_begin();
		for (uint32_t i = 0; i < ops; i++)
			fds[i] = ioctl(vm.vm_fd, KVM_CREATE_VCPU, i);
		end = tsc_end();
	} else {
		for (uint32_t i = 0; i < ops; i++)
			fds[i] = ioctl(vm.vm_fd, KVM_CREATE_VCPU, i);
		start = tsc_begin();
		for (uint32_t i = 0; i < ops; i++) {
			if (ioctl(fds[i], KVM_SET_CPUID2, s->cpuid)) {
				failed++;
				err = errno;
			}
		}
		end = tsc_end();
	}
	for (uint32_t i = 0; i < ops; i++) {
		if (fds[i] < 0) {
			snprintf(out->error, sizeof(out->error), "KVM_CREATE_VCPU %u: %s (errno %d)", i, strerror(errno), errno);
			goto out;
		}
	}
	if (failed) {
		snprintf(out->error, sizeof(out->error), "KVM_SET_CPUID2 failed on %u of %u new vCPUs: %s (errno %d)",
			 failed, ops, strerror(err), err);
		goto out;
	}
	if (check_fpstate(s, fds[ops - 1], out->error, sizeof(out->error)))
		goto out;
	out->gross_ticks = end - start;
	out->ops = ops;
	rc = 0;
out:
	close_all(fds, ops);
	kvm_vm_destroy(&vm);
	return rc;
}

const struct bench_family family_kvm_vcpu = {
	.name = "kvm_vcpu",
	.site = "kvm",
	.plan = vcpu_plan,
	.setup = vcpu_setup,
	.batch = vcpu_batch,
	.teardown = vcpu_teardown,
};
