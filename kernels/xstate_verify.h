/*
 * xstate_verify.h - the xstate layout CPUID states, checked on the silicon one user component
 * at a time (SDM vol. 1, 13.7 to 13.10):
 *   XSAVE  of the component alone (RFBM = its bit, the component in use) into a
 *          sentinel-filled buffer changes exactly its bytes at its standard offset and nothing
 *          else, besides what the SDM says it writes: XSTATE_BV[i] = XINUSE[i] (the other bits
 *          as they were), MXCSR and MXCSR_MASK when RFBM[1] or RFBM[2] is set (MXCSR must be
 *          there); bytes 463:416 are reserved (written or not), the rest of the header never;
 *  XSAVEC  of every enabled component up to it (RFBM = XCR0 & bits 0..i; only it and its
 *          companions in use) writes it at the compacted offset the layout computes (the
 *          64-byte alignment bits of it and the components below it honoured), XSTATE_BV =
 *          RFBM & XINUSE, XCOMP_BV = bit 63 | RFBM, MXCSR when RFBM[1], nothing else;
 *  XRSTOR  of the component alone loads it and leaves every other component as it was: in
 *          the standard form from its standard offset, in the compacted form (with XSAVEC)
 *          from its compacted offset in an area of the enabled components up to it.
 *  XSAVES  (ring 0) as XSAVEC, over the components of XCR0 and IA32_XSS up to it, user or
 *          supervisor, the component loaded alone by XRSTORS: it is written (XSTATE_BV[i] = 1)
 *          at its compacted offset; a supervisor component XRSTORS initialized may be written
 *          or not (XGETBV(1) shows XINUSE for XCR0's components only), nothing else;
 *  XRSTORS (ring 0) of the component alone from its compacted offset in an area of the
 *          components up to it loads it and leaves every other one, supervisor ones included.
 * Supervisor components are loaded only with values xstate_image.c knows are safe, and the
 * caller's state, supervisor components included, is put back (XSAVES/XRSTORS) after each
 * check. Freestanding: nothing but the instructions under check touches the registers
 * between the load and the check.
 */
#ifndef XB_KERNELS_XSTATE_VERIFY_H
#define XB_KERNELS_XSTATE_VERIFY_H

#include <stdbool.h>
#include <stdint.h>

#include "xstate_layout.h"

/* XV_XRSTOR_COMPACTED: XRSTOR's compacted form, from an area of the enabled components up to it.
 * XV_XSAVES and XV_XRSTORS need ring 0 (struct xstate_verify.ring0). */
enum xstate_verify_insn { XV_XSAVE, XV_XSAVEC, XV_XRSTOR, XV_XRSTOR_COMPACTED, XV_XSAVES, XV_XRSTORS, XV_INSN_COUNT };

enum xstate_verify_outcome {
	XV_OK,
	XV_NOT_IN_USE,  /* the component did not come into use (XINUSE[i] = 0): nothing to check */
	XV_STRAY_WRITE, /* a byte outside what the instruction may write changed */
	XV_CONTENT,     /* a component does not hold the loaded values where the layout puts it */
	XV_XSTATE_BV,   /* the header's XSTATE_BV is not what the SDM says */
	XV_XCOMP_BV,    /* XCOMP_BV is not bit 63 | RFBM */
	XV_DISTURBED,   /* XINUSE changed across the instruction (a context switch, the
			 * hypervisor): the attempt says nothing, run it again */
	XV_BAD_ARGS,    /* not a component the caller may load, a supervisor component with
			 * other than XSAVES/XRSTORS, or the instruction missing (XSAVEC; XSAVES
			 * or not ring 0) */
};

struct xstate_verify_result {
	enum xstate_verify_outcome outcome;
	uint64_t rfbm;
	uint64_t xinuse;       /* XGETBV(1) before the instruction (the loaded set without XGETBV1) */
	uint32_t offset;       /* where the layout puts the component for this instruction */
	uint32_t stray_offset; /* XV_STRAY_WRITE: the first byte changed outside */
	uint32_t stray_bytes;  /* and how many changed outside */
	int content_component; /* XV_CONTENT: the component whose bytes differ */
	uint64_t expected, actual; /* XV_XSTATE_BV, XV_XCOMP_BV */
};

struct xstate_verify {
	const struct xstate_layout *layout; /* the layout checked: CPUID's, or a planted one */
	uint64_t user_mask;   /* the components the process may load: XCR0 with its permissions */
	uint64_t supervisor_mask; /* the IA32_XSS components it may load (ring 0; else 0) */
	uint64_t caller_mask; /* the caller's user state, saved before and restored after (in
			       * ring 0 with XSAVES, with @supervisor_mask) */
	bool ring0;           /* running in ring 0: XSAVES and XRSTORS can be checked */
	/* 64-byte aligned, @bytes (xstate_verify_buffer_bytes() of the machine's layout) each */
	void *area, *image, *other, *caller;
	uint32_t bytes;
};

/* The size of each buffer: the largest standard or compacted area of XCR0 (and IA32_XSS with
 * XSAVES), a guard beyond. */
uint32_t xstate_verify_buffer_bytes(const struct xstate_layout *l);

/* What is loaded with component @id so that it can be in use: tile data needs a tile
 * configuration (palette 0 is the init state of both). */
uint64_t xstate_verify_loaded(unsigned int id);

/* The mask a compacted check of @id runs with: the enabled components 0..@id the caller may
 * load (@supervisor_mask 0: XSAVEC's, user components only). */
uint64_t xstate_verify_compacted_rfbm(const struct xstate_layout *l, uint64_t user_mask, uint64_t supervisor_mask,
				      unsigned int id);

/* Checks component @id with @insn; the outcome is also in @out. */
enum xstate_verify_outcome xstate_verify_run(const struct xstate_verify *v, unsigned int id,
					     enum xstate_verify_insn insn, struct xstate_verify_result *out);

const char *xstate_verify_insn_name(enum xstate_verify_insn insn);

#endif
