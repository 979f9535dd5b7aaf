/*
 * amx.c - tile configuration, the timed first use and the permission request. No vector code.
 */
#include "amx.h"

#include <asm/prctl.h>
#include <sys/syscall.h>

#include "../../kernels/tsc.h"
#include "../../kernels/xfeature.h"
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

long amx_request_perm(uint64_t *ticks)
{
	uint64_t t0, t1;
	long rc;

	t0 = tsc_begin();
	rc = raw_syscall3(SYS_arch_prctl, ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA, 0);
	t1 = tsc_end();
	*ticks = t1 - t0;
	return rc;
}

long amx_get_perm(uint64_t *perm)
{
	return raw_syscall3(SYS_arch_prctl, ARCH_GET_XCOMP_PERM, (long)perm, 0);
}
