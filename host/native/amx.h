/*
 * amx.h - the few AMX steps the native families time: asking the kernel for tile data
 * (arch_prctl(ARCH_REQ_XCOMP_PERM), and for a VMM's guests), and a tile instruction whose
 * first execution in a task takes the XFD #NM and the kernel's fpstate reallocation: one
 * that touches tile data (TILEZERO here, TILELOADD in the kernel's KVM selftest amx_test.c),
 * not LDTILECFG or TILERELEASE, which run without the #NM. Callers must have checked
 * AMX-TILE (CPUID.(EAX=7,ECX=0):EDX[24]); nothing here runs a tile instruction otherwise.
 * No vector code; raw system calls.
 */
#ifndef XB_HOST_NATIVE_AMX_H
#define XB_HOST_NATIVE_AMX_H

#include <stdint.h>

/* A palette-1 tile configuration: 8 tiles of 16 rows by 64 bytes. */
struct amx_tilecfg {
	uint8_t palette, start_row, reserved[14];
	uint16_t colsb[16];
	uint8_t rows[16];
} __attribute__((aligned(64)));

void amx_tilecfg_palette1(struct amx_tilecfg *cfg);

/* LDTILECFG: configures the tiles. It touches XTILECFG only, which is not XFD-capable, so it
 * never takes the XFD #NM. */
void amx_ldtilecfg(const struct amx_tilecfg *cfg);

/* One TILEZERO of tile 0 between serialized time stamps; returns the ticks. It writes tile
 * data, so while IA32_XFD[18] is armed it takes the #NM (the kernel's first use). Needs a
 * tile configuration loaded (amx_ldtilecfg), else #UD. */
uint64_t amx_time_tilezero(void);

/* TILERELEASE: tile configuration and data back to init. Like LDTILECFG, no #NM. */
void amx_tilerelease(void);

/* arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA), timed into *@ticks; 0 or -errno. */
long amx_request_perm(uint64_t *ticks);

/* arch_prctl(ARCH_GET_XCOMP_PERM); 0 or -errno. */
long amx_get_perm(uint64_t *perm);

/* Guest permission for tile data (for a VMM's vCPUs), timed into *@ticks; 0 or -errno:
 * arch_prctl(ARCH_REQ_XCOMP_GUEST_PERM, XFEATURE_XTILEDATA), or the proposed
 * KVM_SET_DEVICE_ATTR(group 0, KVM_X86_XCOMP_GUEST_PERM) on /dev/kvm's @kvm_fd, whose
 * address field holds the feature number (host/kvm/guest_cpuid.h). */
long amx_request_guest_perm(uint64_t *ticks);
long amx_request_guest_perm_attr(int kvm_fd, uint64_t *ticks);

/* arch_prctl(ARCH_GET_XCOMP_GUEST_PERM); 0 or -errno. */
long amx_get_guest_perm(uint64_t *perm);

#endif
