/*
 * guest_launcher.h - how the host starts the guest payload and gets its output back, the
 * same for every VMM: a launch description in, an outcome out. Launchers are ops tables
 * (this project's KVM VMM in host/kvm/, QEMU in host/qemu/); `run --vmm` picks one.
 *
 * The boot contract between a launcher and the payload, its output and its end are the
 * guest protocol (base/guest_protocol.h).
 */
#ifndef XB_HOST_GUEST_LAUNCHER_H
#define XB_HOST_GUEST_LAUNCHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../base/guest_protocol.h"

struct guest_launch {
	const char *payload;  /* path of the payload ELF */
	const char *cmdline;  /* the work list, passed on the boot command line */
	uint64_t xcr0;        /* user features the guest may enable (CPUID filtered to them) */
	uint64_t xss;         /* supervisor features the guest may enable */
	uint32_t mem_mib;     /* guest memory */
	int cpu;              /* host PU (OS index) to pin the vCPU thread to, -1 for none */
	double timeout_s;     /* the watchdog: the guest is stopped after this long */
	size_t max_output;    /* bytes of port 0xE9 output kept; the rest is dropped and flagged */
};

enum guest_end {
	GUEST_EXITED,         /* wrote its status to the exit port */
	GUEST_SHUTDOWN,       /* shut down: a triple fault, or QEMU exiting without a status */
	GUEST_TIMEOUT,        /* the watchdog stopped it */
	GUEST_INTERNAL_ERROR, /* KVM_EXIT_INTERNAL_ERROR (e.g. an emulation failure), or a VM
			       * exit the VMM does not handle; detail says which */
	GUEST_VMM_ERROR,      /* the launcher itself failed: an ioctl, a syscall, exec */
};

struct guest_outcome {
	enum guest_end end;
	uint32_t status;       /* the exit-port value when end == GUEST_EXITED */
	char *output;          /* port 0xE9 bytes, NUL-terminated, malloc'd; never NULL after run */
	size_t output_len;
	bool output_truncated; /* more than max_output bytes were written */
	bool accelerated;      /* hardware virtualization (KVM); false under TCG: functional only */
	bool exit_counter;     /* the launcher served the exit counter (the work list said so) */
	char exit_counter_why[160]; /* why it did not */
	char detail[512];      /* what happened, naming the ioctl and errno, or the exit reason,
				* suberror and instruction bytes of an internal error */
};

/* The launchers' names (`--vmm`), each spelled here only, and the default: this project's VMM. */
#define GUEST_LAUNCHER_KVM "kvm"
#define GUEST_LAUNCHER_QEMU "qemu"
#define GUEST_LAUNCHER_DEFAULT GUEST_LAUNCHER_KVM

struct guest_launcher {
	const char *name; /* GUEST_LAUNCHER_* */
	/* Whether this launcher can run ring-0 payload code here; false with the reason. */
	bool (*available)(char *why, size_t size);
	/* Runs the payload to its end; 0 with @out filled (whatever the guest did), or a
	 * negative error when nothing could be started (the message names the call). */
	int (*run)(const struct guest_launch *launch, struct guest_outcome *out);
	/* Whether run() would put the guest on KVM (QEMU: -accel kvm), not on an emulator. */
	bool (*uses_kvm)(void);
};

/* Every launcher built in, NULL-terminated, and their names in the same order (the choices
 * of --vmm); a new launcher is a line in each, in guest_launcher.c. */
extern const struct guest_launcher *const guest_launchers[];
extern const char *const guest_launcher_names[];

/* uses_kvm of a launcher that is always KVM. */
bool guest_launcher_always_kvm(void);

/* The launcher called @name, or NULL. */
const struct guest_launcher *guest_launcher_find(const char *name);

const char *guest_end_name(enum guest_end end);
void guest_outcome_free(struct guest_outcome *out);

#endif
