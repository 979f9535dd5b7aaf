/*
 * xstate_rewrite.c - the registers of a set rewritten by ordinary instructions. Freestanding;
 * the asm names the registers, so the compiler (-mgeneral-regs-only) never holds a value in
 * them.
 */
#include "xstate_rewrite.h"
#include "../base/kstring.h"

#define REGS_0_15 "0,1,2,3,4,5,6,7,8,9,10,11,12,13,14,15"
#define REGS_16_31 "16,17,18,19,20,21,22,23,24,25,26,27,28,29,30,31"
#define AMX_TILE_STRIDE 64 /* palette 1 as the images configure it: 16 rows of 64 bytes */

uint64_t xstate_rewritable(void)
{
	return XFEATURES_AVX512 | XFEATURE_MASK(XFEATURE_PKRU) | XFEATURES_AMX_TILES;
}

/* x87 and SSE (MXCSR, XMM0-15 bits 127:0) from the legacy area; the upper bits stay. */
static void rewrite_legacy(const uint8_t *legacy)
{
	__asm__ volatile("fxrstor64 (%0)" : : "r"(legacy) : "memory");
}

/* One @insn for each register \r of @regs (an .irp list), its memory operand based at @p. */
#define EACH_REGISTER(regs, insn, p) \
	__asm__ volatile(".irp r," regs "\n\t" insn "\n\t.endr" : : "r"(p) : "memory")

/* YMM0-15 bits 255:128; VEX.256 also zeroes bits 511:256, written after this. */
static void rewrite_ymm_hi128(const uint8_t *p)
{
	EACH_REGISTER(REGS_0_15, "vinsertf128 $1, 16*\\r(%0), %%ymm\\r, %%ymm\\r", p);
}

/* ZMM0-15 bits 511:256. */
static void rewrite_zmm_hi256(const uint8_t *p)
{
	EACH_REGISTER(REGS_0_15, "vinserti64x4 $1, 32*\\r(%0), %%zmm\\r, %%zmm\\r", p);
}

/* ZMM16-31, whole. */
static void rewrite_hi16_zmm(const uint8_t *p)
{
	EACH_REGISTER(REGS_16_31, "vmovdqu64 64*\\r-1024(%0), %%zmm\\r", p);
}

/* k0-7, 64 bits each. */
static void rewrite_opmask(const uint8_t *p)
{
	EACH_REGISTER("0,1,2,3,4,5,6,7", "kmovq 8*\\r(%0), %%k\\r", p);
}

static void rewrite_pkru(const uint8_t *p)
{
	uint32_t pkru;

	kmem_copy(&pkru, p, sizeof(pkru));
	__asm__ volatile("wrpkru" : : "a"(pkru), "c"(0), "d"(0) : "memory");
}

/* LDTILECFG also zeroes the tile data, written after it. */
static void rewrite_tilecfg(const uint8_t *p)
{
	__asm__ volatile("ldtilecfg (%0)" : : "r"(p) : "memory");
}

/* TMM0-7, 1 KiB each, on the configured tiles. */
static void rewrite_tiledata(const uint8_t *p)
{
	__asm__ volatile(".irp r,0,1,2,3,4,5,6,7\n\t"
			 "tileloadd 1024*\\r(%0,%1,1), %%tmm\\r\n\t"
			 ".endr"
			 : : "r"(p), "r"((uint64_t)AMX_TILE_STRIDE) : "memory");
}

void xstate_rewrite(const struct xstate_layout *l, const void *buf, bool compacted, uint64_t mask)
{
	/* in the order the header comment gives: each after those whose writes would undo it */
	static const struct {
		unsigned int id;
		void (*write)(const uint8_t *p);
	} steps[] = {
		{ XFEATURE_YMM, rewrite_ymm_hi128 },	 { XFEATURE_ZMM_HI256, rewrite_zmm_hi256 },
		{ XFEATURE_HI16_ZMM, rewrite_hi16_zmm }, { XFEATURE_OPMASK, rewrite_opmask },
		{ XFEATURE_PKRU, rewrite_pkru },	 { XFEATURE_XTILECFG, rewrite_tilecfg },
		{ XFEATURE_XTILEDATA, rewrite_tiledata },
	};
	const uint8_t *base = buf;

	if (mask & XFEATURES_FP)
		rewrite_legacy(base);
	for (unsigned int i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (mask & XFEATURE_MASK(steps[i].id))
			steps[i].write(base + xstate_offset(l, mask, steps[i].id, compacted));
}
