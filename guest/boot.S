/*
 * boot.S - every way into the payload, down to guest_main() in 64-bit mode on its own
 * stack, GDT and identity page tables: the multiboot header and 32-bit multiboot entry,
 * the PVH note and 32-bit PVH entry, and the direct 64-bit entry (e_entry) used by this
 * project's VMM. Also the exception stubs and guest_try(), which turns an exception inside
 * a guarded call into an ordinary return.
 */
#include "boot.h"
#include "../base/cr.h"
#include "trap_stub.h"

#define MSR_EFER 0xc0000080
#define PTE_PRESENT_RW 0x3
#define PDE_2M (PTE_PRESENT_RW | 0x80)

	.section .multiboot, "a"
	.p2align 2
mb_header:
	.long MULTIBOOT_HEADER_MAGIC
	.long MULTIBOOT_AOUT_KLUDGE
	.long -(MULTIBOOT_HEADER_MAGIC + MULTIBOOT_AOUT_KLUDGE)
	.long mb_header		/* header_addr */
	.long _load_start	/* load_addr */
	.long _load_end		/* load_end_addr */
	.long _bss_end		/* bss_end_addr */
	.long mb_entry32	/* entry_addr */

	.section .note.Xen, "a"
	.p2align 2
	.long 4			/* namesz: "Xen\0" */
	.long 8			/* descsz */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.p2align 2
	.quad pvh_entry32

	.section .text.boot, "ax"
	.code32
mb_entry32:
	cmpl $MULTIBOOT_BOOTLOADER_MAGIC, %eax
	jne halt32
	movl $BOOT_MULTIBOOT, %edi
	jmp to_long_mode

pvh_entry32:
	movl $BOOT_PVH, %edi

/* EDI = protocol, EBX = the loader's information block. */
to_long_mode:
	cli
	lgdt gdt_ptr
	movl %cr4, %eax
	orl $CR4_PAE, %eax
	movl %eax, %cr4
	movl $pml4, %eax
	movl %eax, %cr3
	movl $MSR_EFER, %ecx
	rdmsr
	orl $EFER_LME, %eax
	wrmsr
	movl %cr0, %eax
	orl $(CR0_PG | CR0_PE), %eax
	movl %eax, %cr0
	ljmp $GUEST_CS, $long_common

halt32:
	cli
	hlt
	jmp halt32

	.code64
	.globl guest_entry64
guest_entry64:
	cli
	movl %esi, %ebx
	movl $BOOT_DIRECT, %edi

/* 64-bit mode; EDI = protocol, EBX = information block; no usable stack yet. */
long_common:
	movl %edi, %r12d
	movl %ebx, %r13d
	cld
	movq $__bss_start, %rdi
	movq $_bss_end, %rcx
	subq %rdi, %rcx
	xorl %eax, %eax
	rep stosb
	movq $guest_stack_top, %rsp
	lgdt gdt_ptr
	movl $GUEST_DS, %eax
	movl %eax, %ds
	movl %eax, %es
	movl %eax, %ss
	movl %eax, %fs
	movl %eax, %gs
	pushq $GUEST_CS
	pushq $1f
	lretq
1:	movq $pml4, %rax
	movq %rax, %cr3
	movl %r12d, %edi
	movl %r13d, %esi
	call guest_main
	.globl guest_halt
guest_halt:
	cli
	hlt
	jmp guest_halt

/*
 * Exception stubs: each pushes a zero error code when the CPU pushes none, then its vector,
 * and joins trap_common, which saves the general registers (struct trap_frame) and calls
 * trap_dispatch(frame). RSP is 16-byte aligned at the call: the CPU aligns it before its
 * 40-byte frame, and 8 (error) + 8 (vector) + 15 * 8 (registers) brings it back.
 */
	.text
	.macro TRAP_STUB vector
	.p2align 4
trap_stub_\vector:
	.if !((TRAP_ERRCODE_MASK >> \vector) & 1)
	pushq $0
	.endif
	pushq $\vector
	jmp trap_common
	.endm

	.altmacro
	.set vec, 0
	.rept TRAP_VECTORS
	TRAP_STUB %vec
	.set vec, vec + 1
	.endr

	.section .rodata
	.p2align 3
	.globl trap_stubs
trap_stubs:
	.macro TRAP_STUB_ADDR vector
	.quad trap_stub_\vector
	.endm
	.set vec, 0
	.rept TRAP_VECTORS
	TRAP_STUB_ADDR %vec
	.set vec, vec + 1
	.endr
	.noaltmacro

	.text
trap_common:
	pushq %rax
	pushq %rbx
	pushq %rcx
	pushq %rdx
	pushq %rsi
	pushq %rdi
	pushq %rbp
	pushq %r8
	pushq %r9
	pushq %r10
	pushq %r11
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	movq %rsp, %rdi
	call trap_dispatch
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %r11
	popq %r10
	popq %r9
	popq %r8
	popq %rbp
	popq %rdi
	popq %rsi
	popq %rdx
	popq %rcx
	popq %rbx
	popq %rax
	addq $16, %rsp
	iretq

/*
 * int guest_try(int (*fn)(void *), void *arg): calls fn(arg) with a recovery point armed.
 * An exception inside it makes trap_dispatch resume at guest_try_landing on the saved
 * stack, and guest_try returns GUEST_TRY_FAULTED.
 */
	.globl guest_try
guest_try:
	pushq %rbx
	pushq %rbp
	pushq %r12
	pushq %r13
	pushq %r14
	pushq %r15
	pushq guest_try_rsp
	movq %rsp, guest_try_rsp
	movq %rdi, %rax
	movq %rsi, %rdi
	call *%rax
try_return:
	popq guest_try_rsp
	popq %r15
	popq %r14
	popq %r13
	popq %r12
	popq %rbp
	popq %rbx
	ret

	.globl guest_try_landing
guest_try_landing:
	movl $GUEST_TRY_FAULTED, %eax
	jmp try_return

	.data
	.globl guest_try_rsp
	.p2align 3
guest_try_rsp:
	.quad 0

	.p2align 4
	.globl guest_gdt
guest_gdt:
	.quad 0
	.quad 0x00af9a000000ffff	/* GUEST_CS: 64-bit code, DPL 0 */
	.quad 0x00cf92000000ffff	/* GUEST_DS: flat data */
	.quad 0, 0			/* GUEST_TSS: filled by trap_init() */
gdt_end:
	.p2align 3
	.word 0, 0, 0
gdt_ptr:
	.word gdt_end - guest_gdt - 1
	.quad guest_gdt

/* Identity map of the first 4 GiB with 2 MiB pages. */
	.section .data.pagetables, "aw"
	.p2align 12
pml4:
	.quad pdpt + PTE_PRESENT_RW
	.fill 511, 8, 0
pdpt:
	.quad pd + PTE_PRESENT_RW
	.quad pd + 0x1000 + PTE_PRESENT_RW
	.quad pd + 0x2000 + PTE_PRESENT_RW
	.quad pd + 0x3000 + PTE_PRESENT_RW
	.fill 508, 8, 0
pd:
	.set addr, 0
	.rept 2048
	.quad addr + PDE_2M
	.set addr, addr + 0x200000
	.endr

	.bss
	.p2align 12
	.space 65536
	.globl guest_stack_top
guest_stack_top:
