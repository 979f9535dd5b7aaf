/*
 * launcher.c - the "kvm" launcher: the payload ELF in a VM of its own, run to its end on a
 * vCPU thread pinned with hwloc, with the exit counter served from the vCPU's statistics
 * where KVM has them (the work list then says `exit_counter`).
 */
#include "launcher.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../topology.h"
#include "boot.h"
#include "elf_load.h"
#include "guest.h"
#include "run_loop.h"
#include "vcpu_stats.h"

#define MIB (1ull << 20)

struct vcpu_thread {
	const struct guest_launch *launch;
	struct guest_outcome *out;
	int rc;
	char error[512]; /* error messages are per thread: carried back to the caller */
};

/* The work list, with `exit_counter` when the counter is served. */
static int write_cmdline(struct kvm_guest *g, const struct guest_launch *l, bool counter)
{
	const char *given = l->cmdline ? l->cmdline : "";
	size_t size = strlen(given) + sizeof(" exit_counter");
	char *cmdline = malloc(size);
	int rc;

	if (!cmdline)
		return xb_fail(ENOMEM, "out of memory for the command line");
	snprintf(cmdline, size, "%s%s%s", given, counter && *given ? " " : "", counter ? "exit_counter" : "");
	rc = boot_write_tables(g->vm.mem, g->vm.mem_size, cmdline);
	free(cmdline);
	return rc;
}

/* The guest, its statistics (@stats->fd -1 with @why when KVM has none) and its boot state. */
static int prepare(struct kvm_guest *g, struct vcpu_stats *stats, char *why, size_t size,
		   const struct guest_launch *l)
{
	uint64_t entry;
	int rc;

	stats->fd = -1;
	rc = kvm_guest_create(g, (uint64_t)l->mem_mib * MIB, l->xcr0, l->xss);
	if (rc)
		return rc;
	if (vcpu_stats_open(g->vcpu.fd, stats))
		snprintf(why, size, "not available: %s", xb_error_message());
	rc = elf_load_file(l->payload, g->vm.mem, g->vm.mem_size, &entry);
	if (!rc)
		rc = write_cmdline(g, l, stats->fd >= 0);
	if (!rc)
		rc = boot_enter_long_mode(&g->vcpu, entry, 0);
	if (rc) {
		vcpu_stats_close(stats);
		kvm_guest_destroy(g);
	}
	return rc;
}

static void *vcpu_main(void *arg)
{
	struct vcpu_thread *t = arg;
	const struct guest_launch *l = t->launch;
	struct guest_outcome *out = t->out;
	char counter_why[sizeof(out->exit_counter_why)] = "";
	struct vcpu_stats stats;
	struct pin_result pin;
	struct kvm_guest g;

	t->rc = l->cpu >= 0 ? topology_pin_thread(l->cpu, &pin) : 0;
	if (!t->rc)
		t->rc = prepare(&g, &stats, counter_why, sizeof(counter_why), l);
	if (!t->rc) {
		t->rc = run_loop(&g.vm, &g.vcpu, stats.fd >= 0 ? &stats : NULL, l->timeout_s, l->max_output, out);
		out->exit_counter = stats.fd >= 0;
		snprintf(out->exit_counter_why, sizeof(out->exit_counter_why), "%s", counter_why);
		vcpu_stats_close(&stats);
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
