/*
 * amx.c - tile configuration, the timed first use and the permission request. No vector code.
 */
#include "amx.h"

#include <asm/prctl.h>
#include <errno.h>
#include <linux/kvm.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>

#include "../../kernels/tsc.h"
#include "../../kernels/xfeature.h"
#include "../kvm/guest_cpuid.h"
#include "raw_syscall.h"

#define PALETTE1_TILES 8
#define PALETTE1_ROWS 16
#define PALETTE1_COLSB 64

void amx_tilecfg_palette1(struct amx_tilecfg *cfg)
{
	*cfg = (struct amx_tilecfg){ .palette = 1 };
	for (int t = 0; t < PALETTE1_TILES; t++) {
		cfg->colsb[t] = PALETTE1_COLSB;
		cfg->rows[t] = PALETTE1_ROWS;
	}
}

void amx_ldtilecfg(const struct amx_tilecfg *cfg)
{
	__asm__ volatile("ldtilecfg (%0)" : : "r"(cfg) : "memory");
}

uint64_t amx_time_tilezero(void)
{
	uint64_t t0, t1;

	t0 = tsc_begin();
	__asm__ volatile("tilezero %%tmm0" : : : "memory");
	t1 = tsc_end();
	return t1 - t0;
}

void amx_tilerelease(void)
{
	__asm__ volatile("tilerelease" : : : "memory");
}

/* arch_prctl(@option, XFEATURE_XTILEDATA), timed. */
static long timed_request(int option, uint64_t *ticks)
{
	uint64_t t0, t1;
	long rc;

	t0 = tsc_begin();
	rc = raw_syscall3(SYS_arch_prctl, option, XFEATURE_XTILEDATA, 0);
	t1 = tsc_end();
	*ticks = t1 - t0;
	return rc;
}

long amx_request_perm(uint64_t *ticks)
{
	return timed_request(ARCH_REQ_XCOMP_PERM, ticks);
}

long amx_get_perm(uint64_t *perm)
{
	return raw_syscall3(SYS_arch_prctl, ARCH_GET_XCOMP_PERM, (long)perm, 0);
}

long amx_request_guest_perm(uint64_t *ticks)
{
	return timed_request(ARCH_REQ_XCOMP_GUEST_PERM, ticks);
}

long amx_request_guest_perm_attr(int kvm_fd, uint64_t *ticks)
{
	struct kvm_device_attr attr = { .group = 0, .attr = KVM_X86_XCOMP_GUEST_PERM, .addr = XFEATURE_XTILEDATA };
	uint64_t t0, t1;
	int rc;

	/* through the C library's ioctl(): no register state is held here */
	t0 = tsc_begin();
	rc = ioctl(kvm_fd, KVM_SET_DEVICE_ATTR, &attr);
	t1 = tsc_end();
	*ticks = t1 - t0;
	return rc ? -errno : 0;
}

long amx_get_guest_perm(uint64_t *perm)
{
	return raw_syscall3(SYS_arch_prctl, ARCH_GET_XCOMP_GUEST_PERM, (long)perm, 0);
}
