/*
 * guest_protocol.h - the contract between the guest payload (guest/) and the launchers that
 * boot it (host/kvm/, host/qemu/, host/guest_launcher.h), in one place: how it is booted
 * (with pvh.h and cr.h), the work list it is given, the text records it writes, the exit
 * counter a launcher may serve, and how it ends. Freestanding; nothing here runs.
 *
 * Booting:
 *  - The payload is an ELF64 executable; its PT_LOAD segments go to their physical
 *    addresses (p_paddr, at or above GUEST_PAYLOAD_MIN_PADDR).
 *  - This project's VMM enters it directly in 64-bit mode at e_entry: CR0 = PE|MP|ET|NE|WP|PG,
 *    CR4 = PAE, EFER = LME|LMA (cr.h), identity paging of the first 4 GiB with 2 MiB pages in
 *    memory the payload may overwrite (below 1 MiB), a flat 64-bit code segment and flat data
 *    segments, RFLAGS = 0x2 (interrupts off), RSP = 0 (the payload sets its own stack, GDT,
 *    IDT and page tables), and RSI = the guest-physical address (below 1 MiB) of a PVH
 *    start-info block (pvh.h: struct hvm_start_info, magic 0x336ec578, version 1) whose
 *    cmdline_paddr points at the NUL-terminated work list.
 *  - QEMU loads it with -kernel through the PVH ELF note (XEN_ELFNOTE_PHYS32_ENTRY: 32-bit
 *    protected mode, EBX = the same start-info block) or through its multiboot header
 *    (EAX = 0x2BADB002, EBX = the multiboot information, whose cmdline field holds the work list).
 *
 * Output: text records, one per line, written to I/O port GUEST_DEBUGCON_PORT (QEMU:
 * -debugcon), parsed by one host parser (host/guest_records.c) that rejects anything malformed:
 *
 *   record = kind *( " " key "=" value ) LF
 *   kind   = lower-case letter *( lower-case letter / digit / "-" )      at most 15 bytes
 *   key    = lower-case letter *( lower-case letter / digit / "_" )      at most 31 bytes
 *   value  = bare / quoted
 *   bare   = 1*( printable ASCII other than space, '"' and '\' )
 *   quoted = '"' *( printable ASCII other than '"' and '\' / "\\" / '\"' ) '"'
 *
 * A line holds at most GUEST_RECORD_MAX bytes before its LF and at most
 * GUEST_RECORD_MAX_FIELDS fields, each key once. Numbers are decimal ("-12") or hex ("0x1f").
 * The kinds and their fields are listed in README.md ("Guest records") and checked by the parser.
 *
 * The end: a 32-bit OUT of the status (GUEST_STATUS_*) to I/O port GUEST_EXIT_PORT (QEMU:
 * isa-debug-exit, iobase=0xf4, iosize=4; QEMU's own exit code is then status * 2 + 1).
 *
 * The exit counter: a launcher that can read KVM's statistics of the guest's vCPU (this
 * project's VMM, where KVM_GET_STATS_FD works) serves it and adds the word `exit_counter` to
 * the work list: a 32-bit OUT to port GUEST_EXIT_COUNTER_PORT of the guest-physical address of
 * a struct guest_exit_counts makes it fill that structure before the guest goes on. The OUT is
 * an exit itself, already counted (as port I/O) in what it reads.
 */
#ifndef XB_BASE_GUEST_PROTOCOL_H
#define XB_BASE_GUEST_PROTOCOL_H

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

#define GUEST_RECORD_MAX 480
#define GUEST_RECORD_MAX_FIELDS 20
#define GUEST_RECORD_KIND_MAX 15
#define GUEST_RECORD_KEY_MAX 31
/* In the `hello` record; the host reads only its own build's version. */
#define GUEST_PROTOCOL_VERSION 3

/* The payload's exit-port status. */
#define GUEST_STATUS_OK 0          /* every case ran or was skipped with its reason */
#define GUEST_STATUS_CASE_FAILED 1 /* at least one case reported an error record */
#define GUEST_STATUS_BAD_WORKLIST 2
#define GUEST_STATUS_CRASHED 3     /* an exception outside any case */

#endif
