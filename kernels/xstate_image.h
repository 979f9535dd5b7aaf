/*
 * xstate_image.h - building and inspecting XSAVE buffers: the header, init images,
 * images full of recognisable non-init values (so XRSTOR puts components "in use"),
 * and comparing two buffers component by component. Freestanding.
 */
#ifndef XB_KERNELS_XSTATE_IMAGE_H
#define XB_KERNELS_XSTATE_IMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "xstate_layout.h"

struct xstate_header {
	uint64_t xstate_bv;
	uint64_t xcomp_bv;
	uint64_t reserved[6];
};

#define FXSAVE_FCW_OFFSET 0
#define FXSAVE_FTW_OFFSET 4
#define FXSAVE_MXCSR_OFFSET 24
#define FXSAVE_ST_OFFSET 32
#define FXSAVE_XMM_OFFSET 160
#define MXCSR_DEFAULT 0x1f80u
#define FCW_DEFAULT 0x037fu

static inline struct xstate_header *xstate_header_of(void *buf)
{
	return (struct xstate_header *)((uint8_t *)buf + XSTATE_LEGACY_SIZE);
}

/* Components this module can fill with safe non-init values: user states, CET, PASID, AMX, APX. */
uint64_t xstate_pattern_capable(void);

/*
 * Writes an image of @mask into @buf (zeroed first, @size bytes), standard or compacted.
 * With @pattern false every component is in its init state (XSTATE_BV = 0, FCW and MXCSR
 * at their defaults); with @pattern true each component holds values derived from @seed
 * and XSTATE_BV = @mask. Returns false when @size is too small or @mask holds a component
 * that cannot be patterned.
 */
bool xstate_image_build(const struct xstate_layout *l, void *buf, uint32_t size, uint64_t mask,
			bool compacted, bool pattern, uint32_t seed);

/*
 * The components outside @mask that must hold a pattern image for @mask's to be in use: the
 * tile configuration for tile data alone (tiles an unconfigured XTILECFG leaves do not hold
 * data), 0 for any other set.
 */
uint64_t xstate_image_support(uint64_t mask);

/* Writes the 512-byte FXSAVE image (x87 and SSE) of the same two kinds. */
void fxsave_image_build(void *buf, bool pattern, uint32_t seed);

/*
 * Compares the register contents of two XSAVE buffers for @mask: XSTATE_BV bits must agree
 * and every component in use must hold the same bytes (x87 instruction and operand pointers
 * are ignored). Returns -1 when equal, else the first differing component id.
 */
int xstate_image_diff(const struct xstate_layout *l, const void *a, bool a_compacted,
		      const void *b, bool b_compacted, uint64_t mask);

/*
 * Whether x87 and SSE, those of them in @mask, hold their init values in the legacy area of
 * @buf whatever XSTATE_BV says: FCW 0x37F, FSW and the abridged tag word 0, ST0-7 zero;
 * MXCSR 0x1F80, XMM0-15 zero.
 */
bool xstate_legacy_holds_init(const void *buf, uint64_t mask);

#endif
