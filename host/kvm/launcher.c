/*
 * launcher.c - the "kvm" launcher: the payload ELF in a VM of its own, run to its end on a
 * vCPU thread pinned with hwloc.
 */
#include "launcher.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "../topology.h"
#include "boot.h"
#include "elf_load.h"
#include "guest.h"
#include "run_loop.h"

#define MIB (1ull << 20)

struct vcpu_thread {
	const struct guest_launch *launch;
	struct guest_outcome *out;
	int rc;
	char error[512]; /* error messages are per thread: carried back to the caller */
};

static int prepare(struct kvm_guest *g, const struct guest_launch *l)
{
	uint64_t entry;
	int rc;

	rc = kvm_guest_create(g, (uint64_t)l->mem_mib * MIB, l->xcr0, l->xss);
	if (rc)
		return rc;
	rc = elf_load_file(l->payload, g->vm.mem, g->vm.mem_size, &entry);
	if (!rc)
		rc = boot_write_tables(g->vm.mem, g->vm.mem_size, l->cmdline ? l->cmdline : "");
	if (!rc)
		rc = boot_enter_long_mode(&g->vcpu, entry, 0);
	if (rc)
		kvm_guest_destroy(g);
	return rc;
}

static void *vcpu_main(void *arg)
{
	struct vcpu_thread *t = arg;
	const struct guest_launch *l = t->launch;
	struct pin_result pin;
	struct kvm_guest g;

	t->rc = l->cpu >= 0 ? topology_pin_thread(l->cpu, &pin) : 0;
	if (!t->rc)
		t->rc = prepare(&g, l);
	if (!t->rc) {
		t->rc = run_loop(&g.vm, &g.vcpu, l->timeout_s, l->max_output, t->out);
		kvm_guest_destroy(&g);
	}
	if (t->rc)
		snprintf(t->error, sizeof(t->error), "%s", xb_error_message());
	return NULL;
}

static int kvm_launcher_run(const struct guest_launch *l, struct guest_outcome *out)
{
	struct vcpu_thread t = { .launch = l, .out = out };
	pthread_t thread;
	int rc;

	memset(out, 0, sizeof(*out));
	rc = pthread_create(&thread, NULL, vcpu_main, &t);
	if (rc)
		return xb_fail(rc, "pthread_create for the vCPU thread: %s", strerror(rc));
	pthread_join(thread, NULL);
	if (t.rc)
		return xb_fail(-t.rc, "%s", t.error);
	return 0;
}

static bool kvm_launcher_available(char *why, size_t size)
{
	const char *detail;

	if (kvm_guest_mode(&detail) == KVM_GUEST_HARDWARE && kvm_guest_cpuid(&detail) == KVM_GUEST_CPUID_KEPT)
		return true;
	snprintf(why, size, "%s", detail);
	return false;
}

const struct guest_launcher kvm_launcher = {
	.name = "kvm",
	.available = kvm_launcher_available,
	.run = kvm_launcher_run,
	.uses_kvm = guest_launcher_always_kvm,
};
