/*
 * cases.c - the guest case table and its requirement checks. Freestanding.
 */
#include "cases.h"

#include "../kernels/kstring.h"
#include "../kernels/xstate_image.h"

static const char *const save_sets[] = { "fp", "avx", "avx512", "user", "amx", "all" };
static const char *const xsetbv_sets[] = { "fp", "avx", "avx512", "user" };
static const enum xsave_op xsave_ops[] = { XOP_XSAVE, XOP_XSAVEOPT, XOP_XSAVEC, XOP_XSAVES,
					   XOP_XRSTOR, XOP_XRSTORS };

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct table {
	struct guest_case *out;
	int max, count;
};

static void add(struct table *t, enum guest_kind kind, enum xsave_op op, const char *features,
		enum xstate_cond cond, const char *const parts[], size_t nr_parts)
{
	struct guest_case *c;
	size_t n = 0;

	if (t->count++ >= t->max)
		return;
	c = &t->out[t->count - 1];
	kmem_set(c, 0, sizeof(*c));
	n = kstr_append(c->id, n, "guest", sizeof(c->id));
	for (size_t i = 0; i < nr_parts; i++) {
		n = kstr_append(c->id, n, "/", sizeof(c->id));
		n = kstr_append(c->id, n, parts[i], sizeof(c->id));
	}
	c->kind = kind;
	c->op = op;
	c->features = features;
	c->cond = cond;
}

static void add_xsave_matrix(struct table *t)
{
	for (size_t o = 0; o < ARRAY_SIZE(xsave_ops); o++) {
		const struct xsave_op_info *info = xsave_op_info(xsave_ops[o]);

		for (size_t f = 0; f < ARRAY_SIZE(save_sets); f++) {
			/* supervisor components ("all") exist only for XSAVES/XRSTORS */
			if (kstr_eqn("all", save_sets[f], 3) && !info->ring0)
				continue;
			for (int cond = 0; cond < XCOND_COUNT; cond++) {
				const char *parts[] = { info->save ? "save" : "restore", info->name,
							save_sets[f], xstate_cond_name(cond) };

				if (cond == XCOND_CLEAN && !info->save)
					continue; /* "clean" is about the save's modified optimization */
				add(t, info->save ? GK_SAVE : GK_RESTORE, xsave_ops[o], save_sets[f], cond,
				    parts, ARRAY_SIZE(parts));
			}
		}
	}
}

static void add_switch_matrix(struct table *t)
{
	static const enum fpu_strategy strategies[] = { FPU_STRATEGY_POINTER_SWAP, FPU_STRATEGY_THREE_BUFFER };

	for (size_t s = 0; s < ARRAY_SIZE(strategies); s++) {
		for (size_t f = 0; f < ARRAY_SIZE(save_sets); f++) {
			for (int cond = 0; cond < FPU_COND_COUNT; cond++) {
				const char *parts[] = { "switch", fpu_strategy_name(strategies[s]), save_sets[f],
							fpu_cond_name(cond) };

				add(t, GK_SWITCH, XOP_EMPTY, save_sets[f], XCOND_INUSE, parts, ARRAY_SIZE(parts));
				if (t->count <= t->max) {
					t->out[t->count - 1].strategy = strategies[s];
					t->out[t->count - 1].switch_cond = cond;
				}
			}
		}
	}
}

int guest_cases_enumerate(struct guest_case *out, int max)
{
	struct table t = { out, max, 0 };
	/* each id names the feature set it is about (DESIGN.md: <site>/<group>/<op>/<features>) */
	static const struct {
		enum guest_kind kind;
		const char *group, *op, *features;
	} single[] = {
		{ GK_CPUID_D, "exit", "cpuid-0xd", "user" },  /* the leaf's sizes follow XCR0 */
		{ GK_WRMSR_XSS, "msr", "wrmsr-xss", "all" },  /* writes the supervisor part of all */
		{ GK_WRMSR_XFD, "msr", "wrmsr-xfd", "amx" },
		{ GK_RDMSR_XFD, "msr", "rdmsr-xfd", "amx" },
		{ GK_RDMSR_XFD_ERR, "msr", "rdmsr-xfd-err", "amx" },
		{ GK_XFD_NM, "xfd", "nm", "amx" },
	};

	add_xsave_matrix(&t);
	for (size_t f = 0; f < ARRAY_SIZE(xsetbv_sets); f++) {
		const char *parts[] = { "exit", "xsetbv", xsetbv_sets[f] };

		add(&t, GK_XSETBV, XOP_EMPTY, xsetbv_sets[f], XCOND_INIT, parts, ARRAY_SIZE(parts));
	}
	for (size_t i = 0; i < ARRAY_SIZE(single); i++) {
		const char *parts[] = { single[i].group, single[i].op, single[i].features };

		add(&t, single[i].kind, XOP_EMPTY, single[i].features, XCOND_INIT, parts, ARRAY_SIZE(parts));
	}
	add_switch_matrix(&t);
	return t.count;
}

enum guest_exit_claim guest_case_exit_claim(enum guest_kind kind)
{
	switch (kind) {
	case GK_XSETBV:
	case GK_CPUID_D:
	case GK_WRMSR_XSS:
		return EXITS_EVERY_OP;
	case GK_WRMSR_XFD:
	case GK_RDMSR_XFD:
	case GK_RDMSR_XFD_ERR:
		return EXITS_COUNTED;
	default:
		return EXITS_NOT_COUNTED;
	}
}

bool guest_exits_keep_claim(enum guest_exit_claim claim, uint64_t ops, uint64_t exits, uint64_t with_reason)
{
	return claim != EXITS_EVERY_OP || (with_reason <= exits && exits - with_reason >= ops);
}

static uint64_t leaf_d_mask(const struct cpuid_provider *p, uint32_t sub, bool user)
{
	struct cpuid_regs r;

	cpuid_read(p, 0, 0, &r);
	if (r.eax < 0xd || !cpuid_bit(p, 1, 0, 'c', 26))
		return 0;
	cpuid_read(p, 0xd, sub, &r);
	return user ? ((uint64_t)r.edx << 32 | r.eax) : ((uint64_t)r.edx << 32 | r.ecx);
}

uint64_t guest_xcr0_wanted(const struct cpuid_provider *p)
{
	return leaf_d_mask(p, 0, true);
}

uint64_t guest_xss_wanted(const struct cpuid_provider *p)
{
	if (!cpuid_bit(p, 0xd, 1, 'a', 3))
		return 0; /* no XSAVES: IA32_XSS does not exist */
	return leaf_d_mask(p, 1, false) & xstate_pattern_capable();
}

void guest_cpu_decode(struct guest_cpu *g, const struct cpuid_provider *p, uint64_t xss)
{
	struct cpuid_regs r;

	kmem_set(g, 0, sizeof(*g));
	g->layout_error = xstate_layout_decode(&g->layout, p, (int64_t)xss);
	g->avx = cpuid_bit(p, 1, 0, 'c', 28);
	cpuid_read(p, 0, 0, &r);
	if (r.eax >= 7) {
		g->avx512f = cpuid_bit(p, 7, 0, 'b', 16);
		g->pku = cpuid_bit(p, 7, 0, 'c', 3);
		g->amx_tile = cpuid_bit(p, 7, 0, 'd', 24);
	}
}

#define WHY(text) (kstr_copy(why, text, size), false)

static bool why_mask(char *why, size_t size, const char *before, uint64_t mask, const char *after)
{
	size_t n = kstr_append(why, 0, before, size);

	n = kstr_append_hex(why, n, mask, size);
	kstr_append(why, n, after, size);
	return false;
}

static bool op_available(const struct guest_cpu *g, enum xsave_op op, char *why, size_t size)
{
	const struct xstate_layout *l = &g->layout;

	switch (op) {
	case XOP_XSAVEOPT:
		return l->xsaveopt || WHY("no XSAVEOPT in the guest (CPUID.(EAX=0DH,ECX=1):EAX[0]=0)");
	case XOP_XSAVEC:
		return l->xsavec || WHY("no XSAVEC in the guest (CPUID.(EAX=0DH,ECX=1):EAX[1]=0)");
	case XOP_XSAVES:
	case XOP_XRSTORS:
		return l->xsaves || WHY("no XSAVES/XRSTORS in the guest (CPUID.(EAX=0DH,ECX=1):EAX[3]=0)");
	default:
		return true;
	}
}

/* The CPUID bit that advertises the instructions of the components in @mask. */
static bool cpu_features(const struct guest_cpu *g, uint64_t mask, char *why, size_t size)
{
	if ((mask & XFEATURE_MASK(XFEATURE_YMM)) && !g->avx)
		return WHY("no AVX in the guest (CPUID.1:ECX[28]=0)");
	if ((mask & (XFEATURES_AVX512 & ~XFEATURES_AVX)) && !g->avx512f)
		return WHY("no AVX-512 in the guest (CPUID.(EAX=7,ECX=0):EBX[16]=0)");
	if ((mask & XFEATURE_MASK(XFEATURE_PKRU)) && !g->pku)
		return WHY("no protection keys in the guest (CPUID.(EAX=7,ECX=0):ECX[3]=0)");
	if ((mask & XFEATURES_AMX_TILES) && !g->amx_tile)
		return WHY("no AMX in the guest (CPUID.(EAX=7,ECX=0):EDX[24] AMX-TILE=0)");
	return true;
}

static bool features_usable(const struct guest_cpu *g, uint64_t mask, bool need_pattern, char *why,
			    size_t size)
{
	const struct xstate_layout *l = &g->layout;

	if (!cpu_features(g, mask, why, size))
		return false;
	if (mask & ~(l->xcr0_supported | l->xss_supported))
		return why_mask(why, size, "components ", mask & ~(l->xcr0_supported | l->xss_supported),
				" are not supported in the guest (CPUID.(EAX=0DH,ECX=0/1))");
	if (mask & ~(l->xcr0 | l->xss))
		return why_mask(why, size, "components ", mask & ~(l->xcr0 | l->xss),
				" are not enabled in the guest's XCR0/IA32_XSS (xcr0= on the work list?)");
	if (need_pattern && (mask & ~xstate_pattern_capable()))
		return why_mask(why, size, "no safe non-init values known for components ",
				mask & ~xstate_pattern_capable(), "");
	return true;
}

static bool xfd_usable(const struct guest_cpu *g, char *why, size_t size)
{
	if (!g->layout.xfd)
		return WHY("no XFD in the guest (CPUID.(EAX=0DH,ECX=1):EAX[4]=0)");
	if (!features_usable(g, XFEATURES_AMX, false, why, size))
		return false;
	if (!g->layout.comp[XFEATURE_XTILEDATA].xfd)
		return WHY("AMX tile data is not XFD-capable in the guest (CPUID.(EAX=0DH,ECX=18):ECX[2]=0)");
	return true;
}

bool guest_case_check(const struct guest_cpu *g, const struct guest_case *c, uint64_t *mask,
		      char *why, size_t size)
{
	const struct xstate_layout *l = &g->layout;

	*mask = 0;
	if (g->layout_error != XSTATE_LAYOUT_OK)
		return WHY(xstate_layout_error_str(g->layout_error));
	if (!feature_set_parse(c->features, l->xcr0, l->xss, mask))
		return WHY("unknown feature set");
	switch (c->kind) {
	case GK_SWITCH:
		/* containers holding patterned state, switched with XSAVES/XRSTORS, or where the
		 * guest has no XSAVES with XSAVEOPT (or XSAVE) and XRSTOR, as the kernel falls back */
		return features_usable(g, *mask, true, why, size);
	case GK_SAVE:
	case GK_RESTORE:
		if (!op_available(g, c->op, why, size) ||
		    !features_usable(g, *mask, c->cond != XCOND_INIT, why, size))
			return false;
		if (c->cond == XCOND_INIT && (g->init_untracked & *mask))
			return why_mask(why, size, "the guest does not track the init state: components ",
					g->init_untracked & *mask, " stay in use after XRSTOR of their init "
					"state (QEMU TCG does not track it)");
		return true;
	case GK_XSETBV:
		return features_usable(g, *mask, false, why, size);
	case GK_CPUID_D:
		return true;
	case GK_WRMSR_XSS:
		return l->xsaves || WHY("no IA32_XSS without XSAVES in the guest (CPUID.(EAX=0DH,ECX=1):EAX[3]=0)");
	case GK_WRMSR_XFD:
	case GK_RDMSR_XFD:
	case GK_RDMSR_XFD_ERR:
	case GK_XFD_NM:
		return xfd_usable(g, why, size);
	}
	return WHY("unknown case kind");
}
