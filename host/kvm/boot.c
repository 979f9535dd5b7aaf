/*
 * boot.c - the boot structures and the registers of the 64-bit entry.
 */
#include "boot.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>

#define PTE_P (1ull << 0)
#define PTE_RW (1ull << 1)
#define PTE_PS (1ull << 7)
#define MIN_MEMORY (2ull << 20)

/* Flat descriptors: 64-bit code (L=1), and 32-bit-style data (D/B=1, 4 GiB, granular). */
static const uint64_t gdt[] = {
	0,
	0x00af9b000000ffffull, /* BOOT_CODE_SELECTOR */
	0x00cf93000000ffffull, /* BOOT_DATA_SELECTOR */
};

int boot_write_tables(uint8_t *mem, uint64_t mem_size, const char *cmdline)
{
	uint64_t *pml4 = (uint64_t *)(mem + BOOT_PML4), *pdpt = (uint64_t *)(mem + BOOT_PDPT);
	uint64_t *pd = (uint64_t *)(mem + BOOT_PD);
	struct hvm_start_info *si = (struct hvm_start_info *)(mem + BOOT_START_INFO);
	struct hvm_memmap_entry *map = (struct hvm_memmap_entry *)(mem + BOOT_MEMMAP);
	size_t len = strlen(cmdline);

	if (mem_size < MIN_MEMORY)
		return xb_fail(EINVAL, "guest memory of %llu bytes: at least %llu are needed",
			       (unsigned long long)mem_size, MIN_MEMORY);
	if (len >= BOOT_CMDLINE_MAX)
		return xb_fail(E2BIG, "the command line is %zu bytes; at most %u fit", len, BOOT_CMDLINE_MAX - 1);
	memset(mem, 0, BOOT_CMDLINE);
	pml4[0] = BOOT_PDPT | PTE_P | PTE_RW;
	for (int i = 0; i < 4; i++)
		pdpt[i] = (BOOT_PD + 0x1000ull * i) | PTE_P | PTE_RW;
	for (uint64_t i = 0; i < 4 * 512; i++)
		pd[i] = (i << 21) | PTE_P | PTE_RW | PTE_PS;
	memcpy(mem + BOOT_GDT, gdt, sizeof(gdt));
	memcpy(mem + BOOT_CMDLINE, cmdline, len + 1);
	map[0] = (struct hvm_memmap_entry){ .addr = 0, .size = mem_size, .type = HVM_MEMMAP_TYPE_RAM };
	*si = (struct hvm_start_info){
		.magic = HVM_START_MAGIC,
		.version = 1,
		.cmdline_paddr = BOOT_CMDLINE,
		.memmap_paddr = BOOT_MEMMAP,
		.memmap_entries = 1,
	};
	return 0;
}

static struct kvm_segment flat_segment(uint16_t selector, uint8_t type, bool code)
{
	return (struct kvm_segment){
		.base = 0,
		.limit = 0xffffffff,
		.selector = selector,
		.type = type,
		.present = 1,
		.s = 1,
		.l = code,
		.db = !code,
		.g = 1,
	};
}

void boot_long_mode_sregs(struct kvm_sregs *s, uint64_t cr4_extra)
{
	struct kvm_segment data = flat_segment(BOOT_DATA_SELECTOR, 3, false);

	s->cr0 = CR0_PE | CR0_MP | CR0_ET | CR0_NE | CR0_WP | CR0_PG;
	s->cr3 = BOOT_PML4;
	s->cr4 = CR4_PAE | cr4_extra;
	s->efer = EFER_LME | EFER_LMA;
	s->gdt.base = BOOT_GDT;
	s->gdt.limit = sizeof(gdt) - 1;
	s->idt.base = 0;
	s->idt.limit = 0;
	s->cs = flat_segment(BOOT_CODE_SELECTOR, 11, true);
	s->ds = s->es = s->fs = s->gs = s->ss = data;
	/* a busy 64-bit TSS and an unusable LDT, as VM entry requires */
	s->tr = (struct kvm_segment){ .limit = 0x67, .type = 11, .present = 1 };
	s->ldt = (struct kvm_segment){ .type = 2, .present = 1, .unusable = 1 };
}

int boot_enter_long_mode(const struct kvm_vcpu *vcpu, uint64_t entry, uint64_t cr4_extra)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs;
	int rc;

	rc = KVM_IOCTL(vcpu->fd, KVM_GET_SREGS, &sregs);
	if (rc < 0)
		return rc;
	boot_long_mode_sregs(&sregs, cr4_extra);
	rc = KVM_IOCTL(vcpu->fd, KVM_SET_SREGS, &sregs);
	if (rc < 0)
		return rc;
	memset(&regs, 0, sizeof(regs));
	regs.rip = entry;
	regs.rflags = 0x2;
	regs.rsi = BOOT_START_INFO;
	rc = KVM_IOCTL(vcpu->fd, KVM_SET_REGS, &regs);
	return rc < 0 ? rc : 0;
}
