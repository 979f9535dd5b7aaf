/*
 * test_kvm_vmm.c - the VMM's plumbing on a real KVM, with small guests that use only port
 * I/O, moves and CPUID (instructions even an emulating KVM handles), built here as ELF
 * files: ELF load, 64-bit entry, the start-info block and command line, output capture and
 * its limit, the exit port, the watchdog on a guest that loops forever, triple fault, HLT,
 * unexpected ports and MMIO, CPUID and XCR0 as filtered for the launch (or the probe saying
 * this KVM replaces the CPUID, with the value the guest saw), the exit counter served from
 * the vCPU's binary statistics (and its refusals), the guest permission for dynamic
 * features and the guest-mode probe asked once, and the error
 * paths (bad ELF, a segment outside memory, missing /dev/kvm). Needs /dev/kvm: on a machine
 * without it only the missing-/dev/kvm test runs; the lab (label `lab`) runs them all.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <asm/prctl.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cmocka.h>

#include "host/kvm/boot.h"
#include "host/kvm/guest.h"
#include "host/kvm/guest_cpuid.h"
#include "host/kvm/launcher.h"
#include "host/kvm/run_loop.h"
#include "host/kvm/vcpu_stats.h"
#include "kernels/xfeature.h"
#include "kernels/xstate_layout.h"
#include "elf_builder.h"

#define LOAD_ADDR 0x100000u
#define MEM_MIB 16

static bool have_kvm(void)
{
	return access("/dev/kvm", R_OK | W_OK) == 0;
}

/* Where /dev/kvm is, a hardware KVM, unless the runner says otherwise: the lab, whose KVM runs
 * on SVM that QEMU's TCG emulates, sets XB_TEST_KVM_ACCELERATED=0. */
static bool expect_accelerated(void)
{
	const char *v = getenv("XB_TEST_KVM_ACCELERATED");

	return !v || strcmp(v, "0");
}

#define NEED_KVM()                                  \
	do {                                        \
		if (!have_kvm()) {                  \
			print_message("no /dev/kvm: skipped\n"); \
			skip();                     \
		}                                   \
	} while (0)

/* Writes an ELF64 executable with one PT_LOAD of @code at @paddr (@memsz bytes in memory). */
static void write_elf(const char *path, uint64_t paddr, uint64_t memsz, const uint8_t *code, size_t n)
{
	struct test_elf e;
	size_t size = test_elf_build(&e, paddr, memsz, code, n);
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(&e, 1, size, f), size);
	fclose(f);
}

static char elf_path[64];

static int make_path(void **state)
{
	int fd;

	(void)state;
	snprintf(elf_path, sizeof(elf_path), "/tmp/xb-vmm-test-XXXXXX");
	fd = mkstemp(elf_path);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

static int remove_path(void **state)
{
	(void)state;
	unlink(elf_path);
	return 0;
}

/* Launches @code through the "kvm" launcher; returns the launcher's status. */
static int launch(const uint8_t *code, size_t n, const char *cmdline, double timeout_s, size_t max_output,
		  struct guest_outcome *out)
{
	struct guest_launch l = {
		.payload = elf_path,
		.cmdline = cmdline,
		.xcr0 = XFEATURES_FP,
		.mem_mib = MEM_MIB,
		.cpu = -1,
		.timeout_s = timeout_s,
		.max_output = max_output,
	};

	write_elf(elf_path, LOAD_ADDR, 0, code, n);
	return guest_launcher_find("kvm")->run(&l, out);
}

/* Checks the start-info magic, echoes the command line to port 0xE9, exits with 42. */
static const uint8_t echo_guest[] = {
	0x81, 0x3e, 0x78, 0xc5, 0x6e, 0x33, /* cmpl $0x336ec578, (%rsi) */
	0x75, 0x1a,                         /* jne bad */
	0x48, 0x8b, 0x7e, 0x18,             /* mov 0x18(%rsi), %rdi: cmdline_paddr */
	0x0f, 0xb6, 0x07,                   /* loop: movzbl (%rdi), %eax */
	0x84, 0xc0,                         /* test %al, %al */
	0x74, 0x07,                         /* je done */
	0xe6, 0xe9,                         /* out %al, $0xe9 */
	0x48, 0xff, 0xc7,                   /* inc %rdi */
	0xeb, 0xf2,                         /* jmp loop */
	0xb8, 0x2a, 0x00, 0x00, 0x00,       /* done: mov $42, %eax */
	0xe7, 0xf4,                         /* out %eax, $0xf4 */
	0xf4,                               /* hlt */
	0xb8, 0x01, 0x00, 0x00, 0x00,       /* bad: mov $1, %eax */
	0xe7, 0xf4,                         /* out %eax, $0xf4 */
	0xf4,
};

static void test_output_and_exit_port(void **state)
{
	struct guest_outcome out;

	(void)state;
	NEED_KVM();
	assert_int_equal(launch(echo_guest, sizeof(echo_guest), "case=a b", 30, 4096, &out), 0);
	assert_string_equal(guest_end_name(out.end), "exited");
	assert_int_equal(out.status, 42);
	/* every KVM since 5.14 has binary statistics: the launcher serves the exit counter */
	assert_true(out.exit_counter);
	assert_string_equal(out.output, "case=a b exit_counter");
	assert_int_equal(out.output_len, 21);
	assert_false(out.output_truncated);
	assert_int_equal(out.accelerated, expect_accelerated());
	guest_outcome_free(&out);
}

static void test_output_limit(void **state)
{
	struct guest_outcome out;

	(void)state;
	NEED_KVM();
	assert_int_equal(launch(echo_guest, sizeof(echo_guest), "0123456789", 30, 4, &out), 0);
	assert_int_equal(out.end, GUEST_EXITED);
	assert_string_equal(out.output, "0123");
	assert_true(out.output_truncated);
	guest_outcome_free(&out);
}

/* 64-bit registers only: the status is 1 only if this ran in 64-bit mode. */
static const uint8_t long_mode_guest[] = {
	0x48, 0xb8, 0x89, 0x67, 0x45, 0x23, 0x01, 0x00, 0x00, 0x00, /* movabs $0x123456789, %rax */
	0x48, 0xc1, 0xe8, 0x20,             /* shr $32, %rax */
	0xe7, 0xf4,                         /* out %eax, $0xf4 */
	0xf4,
};

static void test_long_mode_entry(void **state)
{
	struct guest_outcome out;
	struct kvm_sregs sregs;
	struct kvm_guest g;

	(void)state;
	NEED_KVM();
	assert_int_equal(launch(long_mode_guest, sizeof(long_mode_guest), "", 30, 64, &out), 0);
	assert_int_equal(out.end, GUEST_EXITED);
	assert_int_equal(out.status, 1);
	guest_outcome_free(&out);

	/* the registers as the contract gives them */
	assert_int_equal(kvm_guest_create(&g, MEM_MIB << 20, XFEATURES_FP, 0), 0);
	assert_int_equal(boot_write_tables(g.vm.mem, g.vm.mem_size, ""), 0);
	assert_int_equal(boot_enter_long_mode(&g.vcpu, LOAD_ADDR, 0), 0);
	assert_int_equal(ioctl(g.vcpu.fd, KVM_GET_SREGS, &sregs), 0);
	assert_true(sregs.efer & EFER_LMA);
	assert_true(sregs.cs.l);
	assert_int_equal(sregs.cr3, BOOT_PML4);
	assert_int_equal(sregs.cr0 & (CR0_PE | CR0_PG), CR0_PE | CR0_PG);
	kvm_guest_destroy(&g);
}

/* CPUID.(0DH,0):EAX, i.e. the guest's allowed XCR0, to the exit port. */
static const uint8_t cpuid_guest[] = {
	0xb8, 0x0d, 0x00, 0x00, 0x00, /* mov $0xd, %eax */
	0x31, 0xc9,                   /* xor %ecx, %ecx */
	0x0f, 0xa2,                   /* cpuid */
	0xe7, 0xf4,                   /* out %eax, $0xf4 */
	0xf4,
};

/* XCR0 as set; the guest's CPUID.(0DH,0):EAX as filtered where the KVM keeps a vCPU's CPUID,
 * and where it does not (kvm_pvm) the probe says so, naming the very value the guest saw. */
static void test_cpuid_and_xcr0(void **state)
{
	struct guest_outcome out;
	struct kvm_xcrs xcrs;
	struct kvm_guest g;
	const char *why;
	char seen[64];

	(void)state;
	NEED_KVM();
	assert_int_equal(kvm_guest_create(&g, MEM_MIB << 20, XFEATURES_FP, 0), 0);
	assert_int_equal(ioctl(g.vcpu.fd, KVM_GET_XCRS, &xcrs), 0);
	assert_int_equal(xcrs.xcrs[0].value, XFEATURES_FP);
	kvm_guest_destroy(&g);

	assert_int_equal(launch(cpuid_guest, sizeof(cpuid_guest), "", 30, 64, &out), 0);
	assert_int_equal(out.end, GUEST_EXITED);
	switch (kvm_guest_cpuid(&why)) {
	case KVM_GUEST_CPUID_KEPT:
		assert_int_equal(out.status, XFEATURES_FP);
		break;
	case KVM_GUEST_CPUID_REPLACED:
		print_message("%s\n", why);
		/* where KVM replaced leaf 0xD itself, the probe names what the guest saw */
		snprintf(seen, sizeof(seen), "CPUID.(0DH,0):EDX:EAX 0x%x,", out.status);
		if (out.status != XFEATURES_FP)
			assert_non_null(strstr(why, seen));
		break;
	default:
		fail_msg("the guest-CPUID probe failed: %s", why);
	}
	guest_outcome_free(&out);
}

#define COUNTS_AT 0x200000u /* three struct guest_exit_counts */
#define COUNTED_OPS 20

/* Reads the exit counter, runs 20 INs from port 0xE9 (port I/O: exits with a reason of their
 * own), reads it, runs 20 CPUIDs (exits with none, where KVM intercepts CPUID), reads it. */
static const uint8_t counted_guest[] = {
	0xb8, 0x00, 0x00, 0x20, 0x00,             /* mov $0x200000, %eax */
	0xe7, GUEST_EXIT_COUNTER_PORT,            /* out %eax, $0xea */
	0xbd, COUNTED_OPS, 0x00, 0x00, 0x00,      /* mov $20, %ebp */
	0xe4, GUEST_DEBUGCON_PORT,                /* 1: in $0xe9, %al */
	0xff, 0xcd,                               /* dec %ebp */
	0x75, 0xfa,                               /* jnz 1b */
	0xb8, 0x10, 0x00, 0x20, 0x00,             /* mov $0x200010, %eax */
	0xe7, GUEST_EXIT_COUNTER_PORT,            /* out %eax, $0xea */
	0xbd, COUNTED_OPS, 0x00, 0x00, 0x00,      /* mov $20, %ebp */
	0x31, 0xc0,                               /* 2: xor %eax, %eax */
	0x31, 0xc9,                               /* xor %ecx, %ecx */
	0x0f, 0xa2,                               /* cpuid */
	0xff, 0xcd,                               /* dec %ebp */
	0x75, 0xf6,                               /* jnz 2b */
	0xb8, 0x20, 0x00, 0x20, 0x00,             /* mov $0x200020, %eax */
	0xe7, GUEST_EXIT_COUNTER_PORT,            /* out %eax, $0xea */
	0xe7, GUEST_EXIT_PORT,                    /* out %eax, $0xf4 */
	0xf4,
};

static void test_exit_counter(void **state)
{
	static const uint8_t outside[] = {
		0xb8, 0x00, 0x00, 0x00, 0x40,  /* mov $0x40000000, %eax: past the 16 MiB */
		0xe7, GUEST_EXIT_COUNTER_PORT, /* out %eax, $0xea */
		0xf4,
	};
	struct guest_exit_counts c[3];
	struct guest_outcome out;
	struct vcpu_stats stats;
	struct kvm_guest g;
	const char *why;

	(void)state;
	NEED_KVM();
	assert_int_equal(kvm_guest_create_code(&g, XFEATURES_FP, counted_guest, sizeof(counted_guest)), 0);
	assert_int_equal(vcpu_stats_open(g.vcpu.fd, &stats), 0);
	assert_int_equal(run_loop(&g.vm, &g.vcpu, &stats, 30, 64, &out), 0);
	assert_int_equal(out.end, GUEST_EXITED);
	assert_int_equal(out.output_len, 0); /* IN writes nothing */
	guest_outcome_free(&out);
	memcpy(c, g.vm.mem + COUNTS_AT, sizeof(c));
	/* every IN exits, and so does the second read's OUT */
	assert_true(c[1].exits - c[0].exits >= COUNTED_OPS + 1);
	if (kvm_guest_mode(&why) == KVM_GUEST_HARDWARE) {
		/* VMX's handle_io() and SVM's io_interception() count port I/O in io_exits ... */
		assert_true(c[1].with_reason - c[0].with_reason >= COUNTED_OPS + 1);
		/* ... so nothing is left but, at most, the first touches of pages */
		assert_in_range((c[1].exits - c[0].exits) - (c[1].with_reason - c[0].with_reason), 0, 4);
		/* and both intercept every CPUID */
		assert_in_range((c[2].exits - c[1].exits) - (c[2].with_reason - c[1].with_reason), COUNTED_OPS,
				COUNTED_OPS + 4);
	} else {
		/* kvm_pvm, for one, counts no io_exits and runs CPUID without an exit */
		print_message("port I/O and CPUID as counted by a KVM without VMX or SVM not checked: %s\n", why);
	}

	/* an address outside the guest's memory stops it */
	memcpy(g.vm.mem + GUEST_PAYLOAD_MIN_PADDR, outside, sizeof(outside));
	assert_int_equal(boot_enter_long_mode(&g.vcpu, GUEST_PAYLOAD_MIN_PADDR, 0), 0);
	assert_int_equal(run_loop(&g.vm, &g.vcpu, &stats, 30, 64, &out), 0);
	assert_int_equal(out.end, GUEST_INTERNAL_ERROR);
	assert_non_null(strstr(out.detail, "the exit counter's address 0x40000000 is outside"));
	guest_outcome_free(&out);

	/* and without the counter, port 0xEA is not the protocol's */
	assert_int_equal(boot_enter_long_mode(&g.vcpu, GUEST_PAYLOAD_MIN_PADDR, 0), 0);
	assert_int_equal(run_loop(&g.vm, &g.vcpu, NULL, 30, 64, &out), 0);
	assert_int_equal(out.end, GUEST_INTERNAL_ERROR);
	assert_non_null(strstr(out.detail, "OUT to port 0xea"));
	guest_outcome_free(&out);
	vcpu_stats_close(&stats);
	kvm_guest_destroy(&g);
}

static void test_watchdog(void **state)
{
	static const uint8_t forever[] = { 0xeb, 0xfe }; /* jmp . */
	struct guest_outcome out;

	(void)state;
	NEED_KVM();
	assert_int_equal(launch(forever, sizeof(forever), "", 0.5, 64, &out), 0);
	assert_string_equal(guest_end_name(out.end), "timeout");
	assert_non_null(strstr(out.detail, "watchdog"));
	guest_outcome_free(&out);
}

static void test_triple_fault(void **state)
{
	/* a load from a non-canonical address: #GP with no IDT, then #DF, then shutdown */
	static const uint8_t fault[] = { 0x48, 0xa1, 0, 0, 0, 0, 0, 0, 0, 0x80 };
	struct guest_outcome out;

	(void)state;
	NEED_KVM();
	assert_int_equal(launch(fault, sizeof(fault), "", 30, 64, &out), 0);
	assert_string_equal(guest_end_name(out.end), "shutdown");
	assert_non_null(strstr(out.detail, "KVM_EXIT_SHUTDOWN"));
	guest_outcome_free(&out);
}

static void test_hlt(void **state)
{
	static const uint8_t hlt[] = { 0xf4 };
	struct guest_outcome out;

	(void)state;
	NEED_KVM();
	assert_int_equal(launch(hlt, sizeof(hlt), "", 30, 64, &out), 0);
	assert_int_equal(out.end, GUEST_SHUTDOWN);
	assert_non_null(strstr(out.detail, "KVM_EXIT_HLT"));
	guest_outcome_free(&out);
}

static void test_unexpected_exits(void **state)
{
	static const uint8_t port80[] = { 0xe6, 0x80, 0xf4 };                  /* out %al, $0x80 */
	static const uint8_t mmio[] = { 0x89, 0x04, 0x25, 0, 0, 0, 0x40, 0xf4 }; /* mov %eax, 0x40000000 */
	struct guest_outcome out;

	(void)state;
	NEED_KVM();
	assert_int_equal(launch(port80, sizeof(port80), "", 30, 64, &out), 0);
	assert_int_equal(out.end, GUEST_INTERNAL_ERROR);
	assert_non_null(strstr(out.detail, "OUT to port 0x80"));
	guest_outcome_free(&out);
	assert_int_equal(launch(mmio, sizeof(mmio), "", 30, 64, &out), 0);
	assert_int_equal(out.end, GUEST_INTERNAL_ERROR);
	assert_non_null(strstr(out.detail, "write to guest-physical 0x40000000"));
	guest_outcome_free(&out);
}

static void test_bad_elf(void **state)
{
	struct guest_launch l = { .payload = elf_path, .cmdline = "", .xcr0 = XFEATURES_FP, .mem_mib = MEM_MIB,
				  .cpu = -1, .timeout_s = 5, .max_output = 64 };
	struct guest_outcome out;
	FILE *f;

	(void)state;
	NEED_KVM();
	f = fopen(elf_path, "wb");
	assert_non_null(f);
	fputs("#!/bin/sh\nthis is no ELF file\n", f);
	fclose(f);
	assert_int_equal(guest_launcher_find("kvm")->run(&l, &out), -ENOEXEC);
	assert_non_null(strstr(xb_error_message(), "not an ELF file"));
	assert_non_null(strstr(xb_error_message(), elf_path));

	/* a segment that ends past the guest's 16 MiB */
	write_elf(elf_path, LOAD_ADDR, MEM_MIB << 20, echo_guest, sizeof(echo_guest));
	assert_int_equal(guest_launcher_find("kvm")->run(&l, &out), -ERANGE);
	assert_non_null(strstr(xb_error_message(), "outside the payload's memory"));

	/* and one below 1 MiB, over the boot structures */
	write_elf(elf_path, 0x8000, 0, echo_guest, sizeof(echo_guest));
	assert_int_equal(guest_launcher_find("kvm")->run(&l, &out), -ERANGE);
	assert_non_null(strstr(xb_error_message(), "segment 0 at guest-physical 0x8000"));
}

static void test_missing_dev_kvm(void **state)
{
	struct guest_outcome out;
	char why[256];

	(void)state;
	if (have_kvm()) {
		print_message("/dev/kvm present: the missing-device path cannot be taken here\n");
		skip();
	}
	assert_int_equal(launch(echo_guest, sizeof(echo_guest), "", 5, 64, &out), -ENOENT);
	assert_string_equal(xb_error_message(), "open /dev/kvm: No such file or directory (errno 2)");
	assert_false(guest_launcher_find("kvm")->available(why, sizeof(why)));
	assert_non_null(strstr(why, "open /dev/kvm"));
}

/* The kernel locks a process's guest permissions at its first vCPU: by then every dynamic
 * feature KVM offers is permitted, and asking again does not fail (no EBUSY). */
static void test_guest_perm(void **state)
{
	unsigned long long perm = 0;
	struct xstate_layout l;
	struct kvm_guest g;
	uint64_t supp = 0;

	(void)state;
	NEED_KVM();
	assert_int_equal(kvm_guest_create(&g, MEM_MIB << 20, XFEATURES_FP, 0), 0);
	assert_int_equal(kvm_xcomp_guest_supp(g.vm.kvm_fd, &supp), 0);
	kvm_guest_destroy(&g);
	assert_int_equal(xstate_layout_decode(&l, &cpuid_live, -1), XSTATE_LAYOUT_OK);
	assert_int_equal(syscall(SYS_arch_prctl, ARCH_GET_XCOMP_GUEST_PERM, &perm), 0);
	assert_int_equal(supp & xstate_xfd_capable(&l) & ~perm, 0);
	assert_int_equal(kvm_guest_perm_request(), 0);
}

static void test_guest_mode(void **state)
{
	enum kvm_guest_mode mode;
	const char *why, *again;
	char avail_why[256] = "";

	(void)state;
	NEED_KVM();
	/* hardware in the lab (emulated SVM); an emulation-only KVM must say so plainly */
	mode = kvm_guest_mode(&why);
	assert_int_not_equal(mode, KVM_GUEST_UNKNOWN);
	/* asked once per process: the same answer, the same sentence */
	assert_int_equal(kvm_guest_mode(&again), mode);
	assert_ptr_equal(again, why);
	assert_int_equal(guest_launcher_find("kvm")->available(avail_why, sizeof(avail_why)),
			 mode == KVM_GUEST_HARDWARE && kvm_guest_cpuid(&again) == KVM_GUEST_CPUID_KEPT);
	if (mode == KVM_GUEST_HARDWARE && kvm_guest_cpuid(&again) == KVM_GUEST_CPUID_REPLACED)
		assert_string_equal(avail_why, again);
	if (mode == KVM_GUEST_CLASSIC) {
		assert_non_null(strstr(why, "the guest suite needs VMX or SVM; the kvm suite still runs"));
		assert_string_equal(avail_why, why);
	} else {
		assert_non_null(strstr(why, "XGETBV natively"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing_dev_kvm),
		cmocka_unit_test(test_output_and_exit_port),
		cmocka_unit_test(test_output_limit),
		cmocka_unit_test(test_long_mode_entry),
		cmocka_unit_test(test_cpuid_and_xcr0),
		cmocka_unit_test(test_exit_counter),
		cmocka_unit_test(test_watchdog),
		cmocka_unit_test(test_triple_fault),
		cmocka_unit_test(test_hlt),
		cmocka_unit_test(test_unexpected_exits),
		cmocka_unit_test(test_bad_elf),
		cmocka_unit_test(test_guest_perm),
		cmocka_unit_test(test_guest_mode),
	};

	return cmocka_run_group_tests(tests, make_path, remove_path);
}
