/*
 * require.c - the reasons a case cannot run here.
 */
#include "require.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../kernels/xstate_image.h"

bool require_layout(const struct machine *m, char *why, size_t size)
{
	if (m->layout_error != XSTATE_LAYOUT_OK)
		return WHY("%s", xstate_layout_error_str(m->layout_error));
	return true;
}

bool require_op(const struct machine *m, enum xsave_op op, char *why, size_t size)
{
	const struct xstate_layout *l = &m->layout;

	if (!require_layout(m, why, size))
		return false;
	switch (op) {
	case XOP_XSAVEOPT:
		return l->xsaveopt || WHY("no XSAVEOPT on this CPU (CPUID.(EAX=0DH,ECX=1):EAX[0]=0)");
	case XOP_XSAVEC:
		return l->xsavec || WHY("no XSAVEC on this CPU (CPUID.(EAX=0DH,ECX=1):EAX[1]=0)");
	case XOP_XSAVES:
	case XOP_XRSTORS:
		return l->xsaves || WHY("no XSAVES/XRSTORS on this CPU (CPUID.(EAX=0DH,ECX=1):EAX[3]=0)");
	case XOP_FXSAVE:
	case XOP_FXRSTOR:
		return l->fxsr || WHY("no FXSAVE/FXRSTOR on this CPU (CPUID.1:EDX[24]=0)");
	default:
		return true;
	}
}

/* The CPUID bit that advertises a component's instructions, for a reason that names it. */
static bool cpu_feature_for(const struct machine *m, unsigned int id, char *why, size_t size)
{
	switch (id) {
	case XFEATURE_YMM:
		return cpuid_bit(&m->cpuid, 1, 0, 'c', 28) || WHY("no AVX on this CPU (CPUID.1:ECX[28]=0)");
	case XFEATURE_OPMASK:
	case XFEATURE_ZMM_HI256:
	case XFEATURE_HI16_ZMM:
		return m->cpu.avx512f || WHY("no AVX-512 on this CPU (CPUID.(EAX=7,ECX=0):EBX[16]=0)");
	case XFEATURE_PKRU:
		return m->cpu.pku || WHY("no protection keys on this CPU (CPUID.(EAX=7,ECX=0):ECX[3]=0)");
	case XFEATURE_XTILECFG:
	case XFEATURE_XTILEDATA:
		if (!m->cpu.amx_tile)
			return WHY("no AMX on this CPU (CPUID.(EAX=7,ECX=0):EDX[24] AMX-TILE=0)");
		return m->layout.xfd || WHY("AMX without XFD (CPUID.(EAX=0DH,ECX=1):EAX[4]=0): the "
					    "kernel does not enable it");
	default:
		return true;
	}
}

bool require_features(const struct machine *m, uint64_t mask, bool supervisor_ok, char *why,
		      size_t size)
{
	const struct xstate_layout *l = &m->layout;
	uint64_t enabled = l->xcr0 | (supervisor_ok ? l->xss : 0);
	uint64_t dynamic;

	if (!require_layout(m, why, size))
		return false;
	for (unsigned int id = 0; id < XFEATURE_COUNT; id++)
		if ((mask >> id) & 1 && !cpu_feature_for(m, id, why, size))
			return false;
	if (mask & ~enabled) {
		if (!supervisor_ok && (mask & l->xss_supported & ~l->xcr0_supported))
			return WHY("supervisor components (mask 0x%" PRIx64 ") need XSAVES in ring 0",
				   mask & l->xss_supported);
		return WHY("components 0x%" PRIx64 " are not enabled (XCR0=0x%" PRIx64 ", XSS=0x%" PRIx64
			   "%s)", mask & ~enabled, l->xcr0, l->xss, l->xss_known ? "" : " inferred");
	}
	if (mask & ~xstate_pattern_capable())
		return WHY("no safe non-init values known for components 0x%" PRIx64,
			   mask & ~xstate_pattern_capable());
	dynamic = mask & xstate_xfd_capable(l);
	if (dynamic) {
		if (!m->kernel.known || !m->kernel.xcomp_known)
			return WHY("dynamic features 0x%" PRIx64 " need the kernel's arch_prctl(ARCH_GET_XCOMP_SUPP), "
				   "which %s", dynamic, m->from_dump ? "this dump did not record" : "failed");
		if (dynamic & ~m->kernel.xcomp_supp)
			return WHY("the kernel does not offer dynamic features 0x%" PRIx64
				   " (arch_prctl(ARCH_GET_XCOMP_SUPP)=0x%" PRIx64 ")", dynamic & ~m->kernel.xcomp_supp,
				   m->kernel.xcomp_supp);
	}
	return true;
}

bool require_xfd(const struct machine *m, char *why, size_t size)
{
	if (!require_layout(m, why, size))
		return false;
	if (!m->layout.xfd)
		return WHY("no XFD on this CPU (CPUID.(EAX=0DH,ECX=1):EAX[4]=0)");
	return xstate_xfd_capable(&m->layout) ||
	       WHY("no component enabled in XCR0=0x%" PRIx64 " that XFD can arm (CPUID.(EAX=0DH,ECX=i):ECX[2])",
		   m->layout.xcr0);
}

bool require_init_tracking(const struct machine *m, char *why, size_t size)
{
	if (!machine_under_tcg(m))
		return true;
	snprintf(why, size, "QEMU TCG does not track XINUSE (every component reads in use), so "
		 "components cannot be held in their init state");
	return false;
}

#define MODULE_REASON "needs the xstate_bench kernel module (host/module)"

bool require_module(const struct machine *m, char *why, size_t size)
{
	return m->module.present || WHY(MODULE_REASON ": %s", m->module.error);
}

const char *require_hint(const char *reason)
{
	if (!strncmp(reason, MODULE_REASON, strlen(MODULE_REASON)))
		return "build it with host/module/build.sh (installed: xstate-bench-build-module), then insmod "
		       "the xstate_bench.ko it writes";
	return NULL;
}
