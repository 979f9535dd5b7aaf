/*
 * xstate_layout.h - the machine's xstate layout, decoded once from CPUID leaf 0xD and
 * passed around: every component's size, standard offset, alignment and attributes; the
 * XSAVE-family capability bits; and buffer sizes for any feature mask in the standard
 * and the compacted formats. Freestanding.
 */
#ifndef XB_KERNELS_XSTATE_LAYOUT_H
#define XB_KERNELS_XSTATE_LAYOUT_H

#include <stdbool.h>
#include <stdint.h>

#include "cpuid.h"
#include "../base/xfeature.h"

#define XSTATE_LEGACY_SIZE 512u
#define XSTATE_HEADER_SIZE 64u
#define XSTATE_EXTENDED_START (XSTATE_LEGACY_SIZE + XSTATE_HEADER_SIZE)
#define XCOMP_BV_COMPACTED (1ULL << 63)
#define XSTATE_MAX_COMPONENTS 64

struct xstate_component {
	bool supported;  /* reported by CPUID.(0DH,0) EDX:EAX or (0DH,1) EDX:ECX */
	bool enabled;    /* set in XCR0, or in the enabled XSS mask */
	bool supervisor; /* CPUID.(0DH,i):ECX[0] */
	bool align64;    /* CPUID.(0DH,i):ECX[1]: 64-byte aligned in the compacted format */
	bool xfd;        /* CPUID.(0DH,i):ECX[2]: IA32_XFD can arm it */
	uint32_t size;   /* CPUID.(0DH,i):EAX */
	uint32_t offset; /* CPUID.(0DH,i):EBX, standard format; 0 for supervisor components */
};

struct xstate_layout {
	/* CPUID.1:ECX[26] XSAVE, [27] OSXSAVE */
	bool xsave, osxsave;
	/* CPUID.(0DH,1):EAX bits 0..4 */
	bool xsaveopt, xsavec, xgetbv1, xsaves, xfd;
	bool fxsr; /* CPUID.1:EDX[24] */

	uint64_t xcr0_supported; /* CPUID.(0DH,0) EDX:EAX */
	uint64_t xss_supported;  /* CPUID.(0DH,1) EDX:ECX */
	uint64_t xcr0;           /* XGETBV(0) */
	uint64_t xss;            /* enabled IA32_XSS features; see xss_known */
	bool xss_known;          /* xss was read (ring 0) or inferred without ambiguity */

	uint32_t size_xcr0_standard; /* CPUID.(0DH,0):EBX, for the current XCR0 */
	uint32_t size_max_standard;  /* CPUID.(0DH,0):ECX, all supported user components */
	uint32_t size_enabled_compacted; /* CPUID.(0DH,1):EBX, XCR0 | IA32_XSS */

	struct xstate_component comp[XSTATE_MAX_COMPONENTS];
};

enum xstate_layout_error {
	XSTATE_LAYOUT_OK = 0,
	XSTATE_LAYOUT_NO_LEAF_D,  /* max basic leaf < 0xD */
	XSTATE_LAYOUT_NO_XSAVE,   /* CPUID.1:ECX[26] clear */
	XSTATE_LAYOUT_NO_OSXSAVE, /* CR4.OSXSAVE clear: XGETBV would #UD */
	XSTATE_LAYOUT_BAD_LEAF_D, /* leaf 0xD contradicts itself */
};

/*
 * Decodes the layout through @p. @xss is the enabled IA32_XSS value when the caller can
 * read it (ring 0), or negative to infer it from CPUID.(0DH,1):EBX.
 */
enum xstate_layout_error xstate_layout_decode(struct xstate_layout *l,
					      const struct cpuid_provider *p, int64_t xss);
const char *xstate_layout_error_str(enum xstate_layout_error e);

/* Bytes an XSAVE/XSAVEOPT (standard format) of @mask needs: max(offset + size), >= 576. */
uint32_t xstate_size_standard(const struct xstate_layout *l, uint64_t mask);
/* Bytes an XSAVEC/XSAVES (compacted format) of @mask needs. */
uint32_t xstate_size_compacted(const struct xstate_layout *l, uint64_t mask);
/* Offset of component @id in a compacted buffer holding @mask; 0 if @id is not in it. */
uint32_t xstate_offset_compacted(const struct xstate_layout *l, uint64_t mask, unsigned int id);
/* Offset of component @id in the format given by @compacted. */
uint32_t xstate_offset(const struct xstate_layout *l, uint64_t mask, unsigned int id,
		       bool compacted);

/* Mask of enabled components that IA32_XFD can arm (the dynamic features). */
uint64_t xstate_xfd_capable(const struct xstate_layout *l);

/*
 * The kernel's default features (Linux 6.1's fpu_kernel_cfg.default_features, what a task's
 * or a fresh guest's fpstate holds): every component XCR0 and IA32_XSS enable but the
 * dynamic ones.
 */
uint64_t xstate_default_features(const struct xstate_layout *l);

#endif
