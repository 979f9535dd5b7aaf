/*
 * xstate_bench_fresh.c - `xstate-bench-fresh`, the fresh process the AMX benchmarks start
 * for each sample: AMX permission belongs to a process and fork() inherits it, so a first
 * permission request, a first tile instruction or a task the kernel never permitted tile
 * data must start from exec.
 *
 *   xstate-bench-fresh perm
 *       times arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA) in a process that has
 *       never asked: "perm_ticks=N perm_before=0x.. perm_after=0x.."
 *   xstate-bench-fresh first-use
 *       asks, loads a tile configuration (LDTILECFG: no #NM), then times the first TILEZERO
 *       (XFD #NM, fpstate reallocation) and a second one; the signal frame's xstate size
 *       before and after shows the reallocation:
 *       "first_ticks=N second_ticks=N frame_before=N frame_after=N perm_before=0x.. perm_after=0x.."
 *   xstate-bench-fresh guest-perm attr|prctl
 *       asks for guest permission for tile data (a VMM's vCPUs) in a process that never has:
 *       attr through the proposed KVM_SET_DEVICE_ATTR(KVM_X86_XCOMP_GUEST_PERM) on /dev/kvm,
 *       prctl through arch_prctl(ARCH_REQ_XCOMP_GUEST_PERM), timed; then reads the
 *       permission back both ways: "ticks=N perm_before=0x.. perm_after=0x.. attr_after=0x..
 *       supp=0x.." (arch_prctl(ARCH_GET_XCOMP_GUEST_PERM) before and after, the attribute
 *       after, KVM_X86_XCOMP_GUEST_SUPP)
 *   xstate-bench-fresh partner permitted|unpermitted RFD WFD CPU
 *       the ping-pong partner (pingpong.h) on PU CPU with AVX-512 state in use: permitted
 *       asks for tile data and uses it once with TILEZERO, then TILERELEASE (its fpstate
 *       then has room for tiles, XFD disarmed), unpermitted never does (XFD stays armed);
 *       the signal frame's xstate size before and after shows which (it must grow for
 *       permitted, stay for unpermitted), else the partner refuses. Writes 'r' on WFD when
 *       ready.
 *
 * Errors go to stderr with exit status 1; a bad command line exits 2.
 */
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../kernels/cpuid.h"
#include "../../kernels/xstate_layout.h"
#include "../kvm/guest_cpuid.h"
#include "../topology.h"
#include "amx.h"
#include "pingpong.h"
#include "sigframe.h"

#define FRAME_SIGNAL SIGUSR2
#define PARTNER_SEED 0x9a27

static const char usage[] =
	"usage: xstate-bench-fresh perm\n"
	"       xstate-bench-fresh first-use\n"
	"       xstate-bench-fresh guest-perm attr|prctl\n"
	"       xstate-bench-fresh partner permitted|unpermitted RFD WFD CPU\n";

static int fail(const char *what, long err)
{
	fprintf(stderr, "xstate-bench-fresh: %s: %s (errno %ld)\n", what, strerror((int)-err), -err);
	return 1;
}

/* Nothing here may run a tile instruction on a CPU without AMX. */
static int require_amx(void)
{
	if (!cpuid_bit(&cpuid_live, 7, 0, 'd', 24)) {
		fprintf(stderr, "xstate-bench-fresh: no AMX on this CPU (CPUID.(EAX=7,ECX=0):EDX[24] AMX-TILE=0)\n");
		return 1;
	}
	return 0;
}

/* The permission before asking must not hold tile data: the process is fresh. */
static int fresh_perm(uint64_t *perm)
{
	long rc = amx_get_perm(perm);

	if (rc)
		return fail("arch_prctl(ARCH_GET_XCOMP_PERM)", rc);
	if (*perm & XFEATURE_MASK(XFEATURE_XTILEDATA)) {
		fprintf(stderr, "xstate-bench-fresh: not fresh: tile data already permitted (0x%llx)\n",
			(unsigned long long)*perm);
		return 1;
	}
	return 0;
}

static int request(uint64_t *ticks, uint64_t *after)
{
	long rc = amx_request_perm(ticks);

	if (rc)
		return fail("arch_prctl(ARCH_REQ_XCOMP_PERM, XFEATURE_XTILEDATA)", rc);
	rc = amx_get_perm(after);
	return rc ? fail("arch_prctl(ARCH_GET_XCOMP_PERM)", rc) : 0;
}

/* The xstate size of a signal frame delivered now: the task's fpstate user size. */
static int frame_size(uint32_t *size)
{
	long rc;

	sigframe_expect(0, 0);
	rc = sigframe_raise(FRAME_SIGNAL);
	if (rc)
		return fail("tgkill", rc);
	*size = sigframe_seen().xstate_size;
	return 0;
}

static int cmd_perm(void)
{
	uint64_t before, after, ticks;

	if (require_amx() || fresh_perm(&before) || request(&ticks, &after))
		return 1;
	printf("perm_ticks=%llu perm_before=0x%llx perm_after=0x%llx\n", (unsigned long long)ticks,
	       (unsigned long long)before, (unsigned long long)after);
	return 0;
}

static int cmd_first_use(void)
{
	struct amx_tilecfg cfg;
	uint64_t before, after, ticks, first, second;
	uint32_t frame_before, frame_after;

	if (require_amx() || fresh_perm(&before))
		return 1;
	if (sigframe_install(FRAME_SIGNAL))
		return fail("sigaction", -errno);
	if (frame_size(&frame_before) || request(&ticks, &after))
		return 1;
	amx_tilecfg_palette1(&cfg);
	amx_ldtilecfg(&cfg);
	first = amx_time_tilezero();
	second = amx_time_tilezero();
	amx_tilerelease();
	if (frame_size(&frame_after))
		return 1;
	printf("first_ticks=%llu second_ticks=%llu frame_before=%u frame_after=%u perm_before=0x%llx "
	       "perm_after=0x%llx\n", (unsigned long long)first, (unsigned long long)second, frame_before,
	       frame_after, (unsigned long long)before, (unsigned long long)after);
	return 0;
}

static int cmd_guest_perm(bool attr)
{
	uint64_t before, after, ticks, supp, from_attr;
	long rc;
	int fd;

	if (require_amx())
		return 1;
	rc = amx_get_guest_perm(&before);
	if (rc)
		return fail("arch_prctl(ARCH_GET_XCOMP_GUEST_PERM)", rc);
	if (before & XFEATURE_MASK(XFEATURE_XTILEDATA)) {
		fprintf(stderr, "xstate-bench-fresh: not fresh: guest tile data already permitted (0x%llx)\n",
			(unsigned long long)before);
		return 1;
	}
	if (kvm_open(&fd) || kvm_xcomp_guest_supp(fd, &supp))
		return fprintf(stderr, "xstate-bench-fresh: %s\n", xb_error_message()), 1;
	if (!(supp & XFEATURE_MASK(XFEATURE_XTILEDATA))) {
		fprintf(stderr, "xstate-bench-fresh: KVM does not offer guests tile data (KVM_X86_XCOMP_GUEST_SUPP "
			"= 0x%llx)\n", (unsigned long long)supp);
		return 1;
	}
	rc = attr ? amx_request_guest_perm_attr(fd, &ticks) : amx_request_guest_perm(&ticks);
	if (rc)
		return fail(attr ? "KVM_SET_DEVICE_ATTR(group 0, attribute 1 KVM_X86_XCOMP_GUEST_PERM, XFEATURE_XTILEDATA)"
				 : "arch_prctl(ARCH_REQ_XCOMP_GUEST_PERM, XFEATURE_XTILEDATA)", rc);
	rc = amx_get_guest_perm(&after);
	if (rc)
		return fail("arch_prctl(ARCH_GET_XCOMP_GUEST_PERM)", rc);
	if (kvm_xcomp_guest_perm(fd, &from_attr))
		return fprintf(stderr, "xstate-bench-fresh: %s\n", xb_error_message()), 1;
	close(fd);
	printf("ticks=%llu perm_before=0x%llx perm_after=0x%llx attr_after=0x%llx supp=0x%llx\n",
	       (unsigned long long)ticks, (unsigned long long)before, (unsigned long long)after,
	       (unsigned long long)from_attr, (unsigned long long)supp);
	return 0;
}

static int cmd_partner(bool permitted, int rfd, int wfd, int cpu)
{
	struct xstate_layout l;
	struct xstate_hold hold;
	struct amx_tilecfg cfg;
	struct pin_result pin;
	uint64_t perm = 0, ticks;
	uint32_t frame_before, frame_after;
	void *mem;
	int rc;

	if (xstate_layout_decode(&l, &cpuid_live, -1) != XSTATE_LAYOUT_OK)
		return fprintf(stderr, "xstate-bench-fresh: no usable XSAVE\n"), 1;
	if (require_amx() || fresh_perm(&perm))
		return 1;
	if (sigframe_install(FRAME_SIGNAL))
		return fail("sigaction", -errno);
	if (frame_size(&frame_before))
		return 1;
	if (permitted) {
		if (request(&ticks, &perm))
			return 1;
		/* the first use of tile data: the kernel gives this task room for it */
		amx_tilecfg_palette1(&cfg);
		amx_ldtilecfg(&cfg);
		amx_time_tilezero();
		amx_tilerelease();
	}
	if (frame_size(&frame_after))
		return 1;
	/* what tells the two partners apart: only the permitted one's fpstate grew for tile data */
	if (permitted ? frame_after <= frame_before : frame_after != frame_before)
		return fprintf(stderr, "xstate-bench-fresh: the %s partner's signal frame went from %u to %u "
			       "bytes of xstate\n", permitted ? "permitted" : "unpermitted", frame_before,
			       frame_after), 1;
	if (topology_pin_thread(cpu, &pin))
		return fprintf(stderr, "xstate-bench-fresh: %s\n", xb_error_message()), 1;
	mem = aligned_alloc(64, xstate_hold_bytes(&l, XFEATURES_AVX512 | XFEATURES_FP));
	if (!mem || !xstate_hold_init(&hold, &l, XFEATURES_AVX512, xstate_hold_load_mask(&l, XFEATURES_AVX512, 0),
				      PARTNER_SEED, mem))
		return fprintf(stderr, "xstate-bench-fresh: cannot build the AVX-512 state\n"), 1;
	if (write(wfd, "r", 1) != 1)
		return fail("write", -errno);
	rc = pingpong_partner(&(struct pingpong_end){ rfd, wfd, &hold });
	free(mem);
	return rc ? fail("the ping-pong pipe", rc) : 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "--help"))
		return fputs(usage, stdout) < 0;
	if (argc == 2 && !strcmp(argv[1], "perm"))
		return cmd_perm();
	if (argc == 2 && !strcmp(argv[1], "first-use"))
		return cmd_first_use();
	if (argc == 3 && !strcmp(argv[1], "guest-perm") && (!strcmp(argv[2], "attr") || !strcmp(argv[2], "prctl")))
		return cmd_guest_perm(!strcmp(argv[2], "attr"));
	if (argc == 6 && !strcmp(argv[1], "partner") &&
	    (!strcmp(argv[2], "permitted") || !strcmp(argv[2], "unpermitted")))
		return cmd_partner(!strcmp(argv[2], "permitted"), atoi(argv[3]), atoi(argv[4]), atoi(argv[5]));
	fputs(usage, stderr);
	return 2;
}
