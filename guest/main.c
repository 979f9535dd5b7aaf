/*
 * main.c - the payload: find the work list the loader handed over, set the CPU up (FPU, SSE,
 * XSAVE, XCR0, IA32_XSS, IA32_XFD) from its CPUID, report what it sees, run the cases,
 * and end through the exit port.
 */
#include "../kernels/cpuid.h"
#include "../base/kstring.h"
#include "../kernels/xsave_insn.h"
#include "../kernels/xstate_image.h"
#include "boot.h"
#include "cases.h"
#include "io.h"
#include "out.h"
#include "run.h"
#include "trap.h"
#include "worklist.h"

void guest_main(int protocol, uint64_t info);

/* Room for the standard-format image of every user component (AMX and APX included). */
#define XSTATE_MAX_PROBE 16384

static struct worklist worklist;
static struct guest_cpu cpu;

const char *boot_name(int protocol)
{
	switch (protocol) {
	case BOOT_DIRECT:
		return "direct";
	case BOOT_PVH:
		return "pvh";
	case BOOT_MULTIBOOT:
		return "multiboot";
	}
	return "unknown";
}

/* The NUL-terminated command line, or "" when the loader gave none. */
static const char *boot_cmdline(int protocol, uint64_t info)
{
	if (!info)
		return "";
	if (protocol == BOOT_MULTIBOOT) {
		const struct multiboot_info *mb = (const void *)info;

		return (mb->flags & MULTIBOOT_INFO_CMDLINE) && mb->cmdline ? (const char *)(uint64_t)mb->cmdline : "";
	}
	const struct hvm_start_info *si = (const void *)info;

	return si->magic == HVM_START_MAGIC && si->cmdline_paddr ? (const char *)si->cmdline_paddr : "";
}

static uint64_t wanted_xcr0, wanted_xss;

static int enable_xcr0(void *arg)
{
	(void)arg;
	xsetbv(0, wanted_xcr0);
	return 0;
}

static int enable_xss(void *arg)
{
	(void)arg;
	wrmsr(MSR_IA32_XSS, wanted_xss);
	return 0;
}

static int disarm_xfd(void *arg)
{
	(void)arg;
	wrmsr(MSR_IA32_XFD, 0);
	return 0;
}

/* What an XSAVE reports in use right after an XRSTOR of the init state of every component. */
static uint64_t measure_init_untracked(void)
{
	static uint8_t buf[XSTATE_MAX_PROBE] __attribute__((aligned(64)));
	const struct xstate_layout *l = &cpu.layout;
	uint64_t user = l->xcr0;

	if (cpu.layout_error != XSTATE_LAYOUT_OK || xstate_size_standard(l, user) > sizeof(buf))
		return 0;
	xstate_image_build(l, buf, sizeof(buf), user, false, false, 0);
	xrstor(buf, user);
	xsave(buf, user);
	return xstate_header_of(buf)->xstate_bv & user;
}

/*
 * FPU and SSE on, then XSAVE with what the CPU offers, XCR0 limited to @xcr0_limit (x87
 * always); the `state` record says what took.
 */
static void cpu_setup(uint64_t xcr0_limit)
{
	const struct cpuid_provider *p = &cpuid_live;
	uint64_t xss = 0;
	struct rec r;

	write_cr0((read_cr0() & ~(CR0_EM | CR0_TS)) | CR0_MP | CR0_NE);
	write_cr4(read_cr4() | CR4_OSFXSR | CR4_OSXMMEXCPT);
	rec_begin(&r, "state");
	if (cpuid_bit(p, 1, 0, 'c', 26)) {
		write_cr4(read_cr4() | CR4_OSXSAVE);
		wanted_xcr0 = guest_xcr0_wanted(p) & (xcr0_limit | XFEATURE_MASK(XFEATURE_X87));
		if (wanted_xcr0 && guest_try(enable_xcr0, 0) == GUEST_TRY_FAULTED)
			rec_str(&r, "xcr0_error", "XSETBV of the wanted components faulted");
		wanted_xss = guest_xss_wanted(p);
		if (wanted_xss && guest_try(enable_xss, 0) == GUEST_TRY_FAULTED)
			rec_str(&r, "xss_error", "WRMSR IA32_XSS faulted");
		else
			xss = wanted_xss;
		if (cpuid_bit(p, 0xd, 1, 'a', 4) && guest_try(disarm_xfd, 0) == GUEST_TRY_FAULTED)
			rec_str(&r, "xfd_error", "WRMSR IA32_XFD faulted");
	}
	guest_cpu_decode(&cpu, p, xss);
	cpu.init_untracked = measure_init_untracked();
	rec_hex(&r, "xcr0", cpu.layout.xcr0);
	rec_hex(&r, "xss", xss);
	rec_hex(&r, "init_untracked", cpu.init_untracked);
	rec_hex(&r, "cr4", read_cr4());
	rec_end(&r);
}

static void cpuid_record(uint32_t leaf, uint32_t sub)
{
	struct cpuid_regs regs;
	struct rec r;

	cpuid_read(&cpuid_live, leaf, sub, &regs);
	rec_begin(&r, "cpuid");
	rec_hex(&r, "leaf", leaf);
	rec_hex(&r, "sub", sub);
	rec_hex(&r, "eax", regs.eax);
	rec_hex(&r, "ebx", regs.ebx);
	rec_hex(&r, "ecx", regs.ecx);
	rec_hex(&r, "edx", regs.edx);
	rec_end(&r);
}

/* The leaves the host needs to plan exactly what this guest can run (cases.c). */
static void probe(void)
{
	struct cpuid_regs r;
	uint64_t components;

	cpuid_read(&cpuid_live, 0, 0, &r);
	cpuid_record(0, 0);
	cpuid_record(1, 0);
	if (r.eax >= 7)
		cpuid_record(7, 0);
	if (r.eax >= 0xd) {
		cpuid_record(0xd, 0);
		cpuid_record(0xd, 1);
		components = guest_xcr0_wanted(&cpuid_live) | cpu.layout.xss_supported;
		for (uint32_t id = 2; id < 64; id++)
			if (components & (1ULL << id))
				cpuid_record(0xd, id);
	}
	cpuid_read(&cpuid_live, 0x80000000, 0, &r);
	cpuid_record(0x80000000, 0);
	if (r.eax >= 0x80000001 && r.eax < 0x800000ff)
		cpuid_record(0x80000001, 0);
}

static void end_record(uint32_t status, const struct run_totals *t)
{
	struct rec r;

	rec_begin(&r, "end");
	rec_u64(&r, "status", status);
	rec_u64(&r, "cases", (uint64_t)t->cases);
	rec_u64(&r, "ok", (uint64_t)t->ok);
	rec_u64(&r, "skipped", (uint64_t)t->skipped);
	rec_u64(&r, "failed", (uint64_t)t->failed);
	rec_end(&r);
}

static void selftest(enum selftest which)
{
	struct rec r;

	if (which == SELFTEST_NONE)
		return;
	rec_begin(&r, "selftest");
	rec_str(&r, "what", which == SELFTEST_TRIPLE ? "triple" : which == SELFTEST_HANG ? "hang" : "ud");
	rec_end(&r);
	if (which == SELFTEST_TRIPLE)
		trap_selftest_triple_fault();
	if (which == SELFTEST_HANG)
		trap_selftest_hang();
	__asm__ volatile("ud2"); /* outside any case: an exception record, then the crash status */
}

void guest_main(int protocol, uint64_t info)
{
	const char *cmdline = boot_cmdline(protocol, info);
	struct run_totals totals = { 0 };
	uint32_t status = GUEST_STATUS_OK;
	char err[160];
	bool parsed;
	struct rec r;

	trap_init();
	rec_begin(&r, "hello");
	rec_u64(&r, "version", GUEST_PROTOCOL_VERSION);
	rec_str(&r, "boot", boot_name(protocol));
	rec_u64(&r, "cmdline_bytes", kstr_length(cmdline));
	rec_end(&r);
	parsed = worklist_parse(&worklist, cmdline, protocol == BOOT_MULTIBOOT, err, sizeof(err));
	cpu_setup(parsed ? worklist.xcr0_limit : ~(uint64_t)0);
	if (!parsed) {
		rec_begin(&r, "error");
		rec_str(&r, "reason", err);
		rec_end(&r);
		status = GUEST_STATUS_BAD_WORKLIST;
	} else if (worklist.probe) {
		probe();
	} else {
		selftest(worklist.selftest);
		run_worklist(&cpu, &worklist, &totals);
		if (totals.failed)
			status = GUEST_STATUS_CASE_FAILED;
	}
	end_record(status, &totals);
	guest_exit(status);
}
