/*
 * trap.c - the IDT, the TSS (a separate stack for #DF and NMI) and what each exception does.
 */
#include "trap.h"

#include "../base/kstring.h"
#include "../kernels/xsave_insn.h"
#include "boot.h"
#include "out.h"

struct idt_gate {
	uint16_t offset_low, selector;
	uint8_t ist, type_attr;
	uint16_t offset_mid;
	uint32_t offset_high, reserved;
} __attribute__((packed));

struct tss64 {
	uint32_t reserved0;
	uint64_t rsp[3];
	uint64_t reserved1;
	uint64_t ist[7];
	uint64_t reserved2;
	uint16_t reserved3, iomap_base;
} __attribute__((packed));

struct table_ptr {
	uint16_t limit;
	uint64_t base;
} __attribute__((packed));

#define GATE_INTERRUPT 0x8e /* present, DPL 0, 64-bit interrupt gate */
#define IST_EMERGENCY 1
#define VEC_NMI 2
#define VEC_NM 7
#define VEC_DF 8
#define VEC_PF 14

extern const uint64_t trap_stubs[TRAP_VECTORS];
extern uint64_t guest_gdt[];
extern uint64_t guest_try_rsp;
extern char guest_try_landing[];
extern void guest_halt(void) __attribute__((noreturn));

static struct idt_gate idt[TRAP_VECTORS] __attribute__((aligned(16)));
static struct tss64 tss __attribute__((aligned(16)));
static uint8_t emergency_stack[16384] __attribute__((aligned(16)));

struct exception_info guest_last_exception;
volatile struct xfd_nm_state guest_xfd_nm;
const char *guest_current_case;

const char *trap_name(uint32_t vector)
{
	static const char *const names[TRAP_VECTORS] = {
		"#DE", "#DB", "NMI", "#BP", "#OF", "#BR", "#UD", "#NM", "#DF", "CSO", "#TS",
		"#NP", "#SS", "#GP", "#PF", "15",  "#MF", "#AC", "#MC", "#XM", "#VE", "#CP",
		"22",  "23",  "24",  "25",  "26",  "27",  "#HV", "#VC", "#SX", "31",
	};

	return vector < TRAP_VECTORS ? names[vector] : "?";
}

void trap_init(void)
{
	uint64_t base = (uint64_t)&tss, limit = sizeof(tss) - 1;
	struct table_ptr idtr = { sizeof(idt) - 1, (uint64_t)idt };

	for (unsigned int v = 0; v < TRAP_VECTORS; v++) {
		uint64_t addr = trap_stubs[v];

		idt[v] = (struct idt_gate){
			.offset_low = (uint16_t)addr,
			.selector = GUEST_CS,
			.ist = (v == VEC_DF || v == VEC_NMI) ? IST_EMERGENCY : 0,
			.type_attr = GATE_INTERRUPT,
			.offset_mid = (uint16_t)(addr >> 16),
			.offset_high = (uint32_t)(addr >> 32),
		};
	}
	tss.ist[IST_EMERGENCY - 1] = (uint64_t)(emergency_stack + sizeof(emergency_stack));
	tss.iomap_base = sizeof(tss);
	/* 64-bit available TSS descriptor: two GDT slots */
	guest_gdt[GUEST_TSS / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) | (0x89ull << 40) |
				   ((limit >> 16) & 0xf) << 48 | ((base >> 24) & 0xff) << 56;
	guest_gdt[GUEST_TSS / 8 + 1] = base >> 32;
	__asm__ volatile("ltr %w0" : : "r"(GUEST_TSS));
	__asm__ volatile("lidt %0" : : "m"(idtr));
}

/* A #NM from an armed IA32_XFD: note it, clear XFD_ERR, disarm the feature, run it again. */
static bool handle_xfd_nm(void)
{
	uint64_t err = rdmsr(MSR_IA32_XFD_ERR);

	if (!err)
		return false;
	guest_xfd_nm.count++;
	guest_xfd_nm.err_seen |= err;
	wrmsr(MSR_IA32_XFD_ERR, 0);
	wrmsr(MSR_IA32_XFD, guest_xfd_nm.armed & ~err);
	return true;
}

static void report(const struct trap_frame *f, bool fatal)
{
	struct rec r;
	uint64_t cr2;

	rec_begin(&r, "exception");
	rec_u64(&r, "vector", f->vector);
	rec_str(&r, "name", trap_name((uint32_t)f->vector));
	rec_hex(&r, "error", f->error);
	rec_hex(&r, "rip", f->rip);
	if (f->vector == VEC_PF) {
		__asm__ volatile("mov %%cr2, %0" : "=r"(cr2));
		rec_hex(&r, "cr2", cr2);
	}
	if (guest_current_case)
		rec_str(&r, "id", guest_current_case);
	rec_str(&r, "action", fatal ? "fatal" : "case-abandoned");
	rec_end(&r);
}

void trap_dispatch(struct trap_frame *f);

void trap_dispatch(struct trap_frame *f)
{
	if (f->vector == VEC_NM && guest_xfd_nm.handling && handle_xfd_nm())
		return;
	if (guest_try_rsp && f->vector != VEC_DF && f->vector != VEC_NMI) {
		report(f, false);
		guest_last_exception = (struct exception_info){ (uint32_t)f->vector, f->error, f->rip };
		f->rip = (uint64_t)guest_try_landing;
		f->rsp = guest_try_rsp;
		return;
	}
	report(f, true);
	guest_exit(GUEST_STATUS_CRASHED);
	guest_halt();
}

void trap_selftest_triple_fault(void)
{
	struct table_ptr empty = { 0, 0 };

	/* With no IDT, the breakpoint cannot be delivered: #GP, then #DF, then shutdown. */
	__asm__ volatile("lidt %0\n\tint3" : : "m"(empty));
	guest_halt();
}

void trap_selftest_hang(void)
{
	for (;;)
		__asm__ volatile("cli\n\thlt");
}
