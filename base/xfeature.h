/*
 * xfeature.h - the xstate components by number, their masks and their names: the kernel's
 * ("AVX-512 opmask") and the short ones that feature-set names are made of ("opmask";
 * ids.h). Freestanding.
 */
#ifndef XB_BASE_XFEATURE_H
#define XB_BASE_XFEATURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum xfeature {
	XFEATURE_X87 = 0,
	XFEATURE_SSE = 1,
	XFEATURE_YMM = 2,
	XFEATURE_BNDREGS = 3,
	XFEATURE_BNDCSR = 4,
	XFEATURE_OPMASK = 5,
	XFEATURE_ZMM_HI256 = 6,
	XFEATURE_HI16_ZMM = 7,
	XFEATURE_PT = 8,
	XFEATURE_PKRU = 9,
	XFEATURE_PASID = 10,
	XFEATURE_CET_USER = 11,
	XFEATURE_CET_KERNEL = 12,
	XFEATURE_HDC = 13,
	XFEATURE_UINTR = 14,
	XFEATURE_LBR = 15,
	XFEATURE_HWP = 16,
	XFEATURE_XTILECFG = 17,
	XFEATURE_XTILEDATA = 18,
	XFEATURE_APX = 19,
	XFEATURE_COUNT = 20,
};

#define XFEATURE_MASK(f) (1ULL << (f))

#define XFEATURES_FP (XFEATURE_MASK(XFEATURE_X87) | XFEATURE_MASK(XFEATURE_SSE))
#define XFEATURES_AVX (XFEATURES_FP | XFEATURE_MASK(XFEATURE_YMM))
#define XFEATURES_AVX512                                                                  \
	(XFEATURES_AVX | XFEATURE_MASK(XFEATURE_OPMASK) | XFEATURE_MASK(XFEATURE_ZMM_HI256) |     \
	 XFEATURE_MASK(XFEATURE_HI16_ZMM))
#define XFEATURES_AMX_TILES (XFEATURE_MASK(XFEATURE_XTILECFG) | XFEATURE_MASK(XFEATURE_XTILEDATA))
#define XFEATURES_AMX (XFEATURES_AVX512 | XFEATURES_AMX_TILES)
/* The supervisor components (IA32_XSS): XSAVES and XRSTORS reach them, nothing else does. */
#define XFEATURES_SUPERVISOR                                                                  \
	(XFEATURE_MASK(XFEATURE_PT) | XFEATURE_MASK(XFEATURE_PASID) | XFEATURE_MASK(XFEATURE_CET_USER) | \
	 XFEATURE_MASK(XFEATURE_CET_KERNEL) | XFEATURE_MASK(XFEATURE_HDC) | XFEATURE_MASK(XFEATURE_UINTR) | \
	 XFEATURE_MASK(XFEATURE_LBR) | XFEATURE_MASK(XFEATURE_HWP))

/* The kernel's name for a component ("AVX-512 opmask", "AMX Tile data", ...). */
const char *xfeature_name(unsigned int id);
/* A short, lower-case name used in feature-set strings ("opmask", "xtiledata", ...). */
const char *xfeature_short_name(unsigned int id);

#endif
