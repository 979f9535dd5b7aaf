/*
 * xfeature.h - the xstate components by number, their names, and the named feature sets
 * used in benchmark ids (fp, avx, avx512, amx, user, all, or components joined by '+').
 * Freestanding.
 */
#ifndef XB_KERNELS_XFEATURE_H
#define XB_KERNELS_XFEATURE_H

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

/* The kernel's name for a component ("AVX-512 opmask", "AMX Tile data", ...). */
const char *xfeature_name(unsigned int id);
/* A short, lower-case name used in feature-set strings ("opmask", "xtiledata", ...). */
const char *xfeature_short_name(unsigned int id);

/*
 * A feature set as named in benchmark ids. `user` and `all` depend on the machine, so
 * they are resolved against XCR0 and the enabled XSS mask.
 */
struct feature_set {
	const char *name;
	uint64_t mask;
};

/*
 * Parses "fp", "avx", "avx512", "amx", "user", "all" or short component names joined by
 * '+' ("sse+ymm+pkru"). Returns false on an unknown name.
 */
bool feature_set_parse(const char *text, uint64_t xcr0, uint64_t xss, uint64_t *mask);

/* The canonical name of a mask: a named set when one matches exactly, else a '+' list. */
void feature_set_format(uint64_t mask, uint64_t xcr0, uint64_t xss, char *out, size_t size);

#endif
