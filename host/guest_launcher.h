/*
 * guest_launcher.h - how the host starts the guest payload and gets its output back, the
 * same for every VMM: a launch description in, an outcome out. Launchers are ops tables
 * (this project's KVM VMM in host/kvm/, QEMU in host/qemu/); `run --vmm` picks one.
 *
 * The boot contract between a launcher and the payload (guest/):
 *  - The payload is an ELF64 executable; its PT_LOAD segments go to their physical
 *    addresses (p_paddr, at or above 1 MiB).
 *  - This project's VMM enters it directly in 64-bit mode at e_entry: CR0 = PE|MP|ET|NE|WP|PG,
 *    CR4 = PAE, EFER = LME|LMA, identity paging of the first 4 GiB
 *    with 2 MiB pages in memory the payload may overwrite (below 1 MiB), a flat 64-bit code
 *    segment and flat data segments, RFLAGS = 0x2 (interrupts off), RSP = 0 (the payload sets
 *    its own stack, GDT, IDT and page tables), and RSI = the guest-physical address (below
 *    1 MiB) of a PVH start-info block (struct hvm_start_info, magic 0x336ec578, version 1)
 *    whose cmdline_paddr points at the NUL-terminated work list.
 *  - QEMU loads it with -kernel through the PVH ELF note (XEN_ELFNOTE_PHYS32_ENTRY: 32-bit
 *    protected mode, EBX = the same start-info block) or through its multiboot header
 *    (EAX = 0x2BADB002, EBX = the multiboot information, whose cmdline field holds the work list).
 *  - The payload writes text records, one per line, to I/O port 0xE9 (QEMU: -debugcon), and
 *    ends with a 32-bit OUT of its status to I/O port 0xF4 (QEMU: isa-debug-exit,
 *    iobase=0xf4, iosize=4; QEMU's own exit code is then status * 2 + 1).
 *  - A launcher that can read KVM's statistics of the guest's vCPU (this project's VMM, where
 *    KVM_GET_STATS_FD works) serves the exit counter and adds the word `exit_counter` to the
 *    work list: a 32-bit OUT to port 0xEA of the guest-physical address of a struct
 *    guest_exit_counts makes it fill that structure before the guest goes on. The OUT is an
 *    exit itself, already counted (as port I/O) in what it reads.
 */
#ifndef XB_HOST_GUEST_LAUNCHER_H
#define XB_HOST_GUEST_LAUNCHER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define GUEST_DEBUGCON_PORT 0xe9
#define GUEST_EXIT_PORT 0xf4
#define GUEST_EXIT_COUNTER_PORT 0xea
/* Bytes a launcher may add to the work list it is given (" exit_counter"). */
#define GUEST_LAUNCHER_WORDS_MAX 16
#define GUEST_PAYLOAD_MIN_PADDR 0x100000u

/* What the exit counter writes (little-endian, as the guest reads it). */
struct guest_exit_counts {
	uint64_t exits;       /* KVM's `exits`: every VM exit of the vCPU so far */
	uint64_t with_reason; /* those KVM counts under a reason of its own as well: port I/O, MMIO,
			       * external interrupts, HLT, interrupt and NMI windows (host/kvm/vcpu_stats.h) */
};

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

struct guest_launcher {
	const char *name; /* "kvm", "qemu" */
	/* Whether this launcher can run ring-0 payload code here; false with the reason. */
	bool (*available)(char *why, size_t size);
	/* Runs the payload to its end; 0 with @out filled (whatever the guest did), or a
	 * negative error when nothing could be started (the message names the call). */
	int (*run)(const struct guest_launch *launch, struct guest_outcome *out);
	/* Whether run() would put the guest on KVM (QEMU: -accel kvm), not on an emulator. */
	bool (*uses_kvm)(void);
};

/* Every launcher built in, NULL-terminated; a new launcher is one line in guest_launcher.c. */
extern const struct guest_launcher *const guest_launchers[];

/* uses_kvm of a launcher that is always KVM. */
bool guest_launcher_always_kvm(void);

/* The launcher called @name, or NULL. */
const struct guest_launcher *guest_launcher_find(const char *name);

const char *guest_end_name(enum guest_end end);
void guest_outcome_free(struct guest_outcome *out);

#endif
