/*
 * xstate_require.c - the CPU's part of a case's requirements. Freestanding.
 */
#include "xstate_require.h"

#include "../base/kstring.h"
#include "xstate_image.h"

/* "no <what> <where> (<cpuid>)"; false, for a return. */
static bool why_missing(const struct xstate_cpu *cpu, const char *what, const char *cpuid, char *why, size_t size)
{
	size_t n = kstr_append(why, 0, "no ", size);

	n = kstr_append(why, n, what, size);
	n = kstr_append(why, n, " ", size);
	n = kstr_append(why, n, cpu->where, size);
	n = kstr_append(why, n, " (", size);
	n = kstr_append(why, n, cpuid, size);
	kstr_append(why, n, ")", size);
	return false;
}

bool xstate_require_op(const struct xstate_cpu *cpu, enum xsave_op op, char *why, size_t size)
{
	const struct xstate_layout *l = cpu->layout;

	switch (op) {
	case XOP_XSAVEOPT:
		return l->xsaveopt || why_missing(cpu, "XSAVEOPT", "CPUID.(EAX=0DH,ECX=1):EAX[0]=0", why, size);
	case XOP_XSAVEC:
		return l->xsavec || why_missing(cpu, "XSAVEC", "CPUID.(EAX=0DH,ECX=1):EAX[1]=0", why, size);
	case XOP_XSAVES:
	case XOP_XRSTORS:
		return l->xsaves || why_missing(cpu, "XSAVES/XRSTORS", "CPUID.(EAX=0DH,ECX=1):EAX[3]=0", why, size);
	case XOP_FXSAVE:
	case XOP_FXRSTOR:
		return l->fxsr || why_missing(cpu, "FXSAVE/FXRSTOR", "CPUID.1:EDX[24]=0", why, size);
	default:
		return true;
	}
}

bool xstate_require_cpuid(const struct xstate_cpu *cpu, uint64_t mask, char *why, size_t size)
{
	if ((mask & XFEATURE_MASK(XFEATURE_YMM)) && !cpu->avx)
		return why_missing(cpu, "AVX", "CPUID.1:ECX[28]=0", why, size);
	if ((mask & (XFEATURES_AVX512 & ~XFEATURES_AVX)) && !cpu->avx512f)
		return why_missing(cpu, "AVX-512", "CPUID.(EAX=7,ECX=0):EBX[16]=0", why, size);
	if ((mask & XFEATURE_MASK(XFEATURE_PKRU)) && !cpu->pku)
		return why_missing(cpu, "protection keys", "CPUID.(EAX=7,ECX=0):ECX[3]=0", why, size);
	if ((mask & XFEATURES_AMX_TILES) && !cpu->amx_tile)
		return why_missing(cpu, "AMX", "CPUID.(EAX=7,ECX=0):EDX[24] AMX-TILE=0", why, size);
	return true;
}

bool xstate_why_mask(char *why, size_t size, const char *before, uint64_t mask, const char *after)
{
	size_t n = kstr_append(why, 0, before, size);

	n = kstr_append_hex(why, n, mask, size);
	kstr_append(why, n, after, size);
	return false;
}

bool xstate_require_pattern(uint64_t mask, char *why, size_t size)
{
	return !(mask & ~xstate_pattern_capable()) ||
	       xstate_why_mask(why, size, "no safe non-init values known for components ",
			       mask & ~xstate_pattern_capable(), "");
}
