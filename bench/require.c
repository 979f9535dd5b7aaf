/*
 * require.c - the reasons a case cannot run here: the CPU's from kernels/xstate_require.h,
 * the kernel's, the module's and KVM's.
 */
#include "require.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../kernels/xstate_image.h"
#include "../kernels/xstate_require.h"
#include "../kernels/xstate_rewrite.h"

bool require_layout(const struct machine *m, char *why, size_t size)
{
	if (m->layout_error != XSTATE_LAYOUT_OK)
		return WHY("%s", xstate_layout_error_str(m->layout_error));
	return true;
}

/* This CPU (or the recorded one) as kernels/xstate_require.h checks it. */
static struct xstate_cpu machine_xstate_cpu(const struct machine *m)
{
	return (struct xstate_cpu){ &m->layout, cpuid_bit(&m->cpuid, 1, 0, 'c', 28), m->cpu.avx512f, m->cpu.pku,
				    m->cpu.amx_tile, "on this CPU" };
}

bool require_op(const struct machine *m, enum xsave_op op, char *why, size_t size)
{
	struct xstate_cpu cpu = machine_xstate_cpu(m);

	return require_layout(m, why, size) && xstate_require_op(&cpu, op, why, size);
}

bool require_features(const struct machine *m, uint64_t mask, bool supervisor_ok, char *why,
		      size_t size)
{
	const struct xstate_layout *l = &m->layout;
	uint64_t enabled = l->xcr0 | (supervisor_ok ? l->xss : 0);
	struct xstate_cpu cpu = machine_xstate_cpu(m);
	uint64_t dynamic;

	if (!require_layout(m, why, size) || !xstate_require_cpuid(&cpu, mask, why, size))
		return false;
	/* the kernel enables AMX only where it can arm tile data (fpu__init_system_xstate()) */
	if ((mask & XFEATURES_AMX_TILES) && !l->xfd)
		return WHY("AMX without XFD (CPUID.(EAX=0DH,ECX=1):EAX[4]=0): the kernel does not enable it");
	if (mask & ~enabled) {
		if (!supervisor_ok && (mask & l->xss_supported & ~l->xcr0_supported))
			return WHY("supervisor components (mask 0x%" PRIx64 ") need XSAVES in ring 0",
				   mask & l->xss_supported);
		return WHY("components 0x%" PRIx64 " are not enabled (XCR0=0x%" PRIx64 ", XSS=0x%" PRIx64
			   "%s)", mask & ~enabled, l->xcr0, l->xss, l->xss_known ? "" : " inferred");
	}
	if (!xstate_require_pattern(mask, why, size))
		return false;
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

bool require_rewrite(const struct machine *m, uint64_t mask, char *why, size_t size)
{
	uint64_t missing = mask & ~xstate_rewritable();

	if (missing)
		return xstate_why_mask(why, size, "no instruction but XRSTOR writes components ", missing,
				       ", so they cannot be modified after it");
	if ((mask & XFEATURE_MASK(XFEATURE_OPMASK)) && !m->cpu.avx512bw)
		return WHY("no AVX512BW on this CPU for KMOVQ, which rewrites the opmask registers "
			   "(CPUID.(EAX=7,ECX=0):EBX[30]=0)");
	return true;
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
