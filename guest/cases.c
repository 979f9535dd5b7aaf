/*
 * cases.c - the guest case table (its matrices are kernels/case_matrix.h's) and its
 * requirement checks (the CPU's are kernels/xstate_require.h's). Freestanding.
 */
#include "cases.h"

#include "../base/kstring.h"
#include "../kernels/case_matrix.h"
#include "../kernels/xstate_image.h"
#include "../kernels/xstate_require.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct table {
	struct guest_case *out;
	int max, count;
};

/* The next case, zeroed (counted even without room); NULL without room. */
static struct guest_case *next_case(struct table *t, enum guest_kind kind)
{
	struct guest_case *c;

	if (t->count++ >= t->max)
		return NULL;
	c = &t->out[t->count - 1];
	kmem_set(c, 0, sizeof(*c));
	c->kind = kind;
	c->op = XOP_EMPTY;
	c->cond = XCOND_INIT;
	return c;
}

static void add(struct table *t, enum guest_kind kind, const struct bench_id *id, enum feature_set_id set)
{
	struct guest_case *c = next_case(t, kind);

	if (!c)
		return;
	bench_id_format(id, c->id, sizeof(c->id));
	c->features = feature_set_name(set);
}

/* The guest's column of the save/restore matrix or of the switch matrix (kernels/case_matrix.h). */
static void add_matrix(struct table *t, bool switches)
{
	struct matrix_case m[MATRIX_CASES_MAX];
	int n = switches ? switch_matrix(MATRIX_GUEST, m, MATRIX_CASES_MAX) : save_matrix(MATRIX_GUEST, m, MATRIX_CASES_MAX);

	for (int i = 0; i < n && i < MATRIX_CASES_MAX; i++) {
		enum guest_kind kind = switches ? GK_SWITCH : xsave_op_info(m[i].op)->save ? GK_SAVE : GK_RESTORE;
		struct bench_id id = matrix_case_id(MATRIX_GUEST, &m[i]);
		struct guest_case *c = next_case(t, kind);

		if (!c)
			continue;
		bench_id_format(&id, c->id, sizeof(c->id));
		c->op = m[i].op;
		c->features = feature_set_name(m[i].set);
		c->cond = switches ? XCOND_INUSE : (enum xstate_cond)m[i].cond;
		c->strategy = m[i].strategy;
		c->switch_cond = fpu_cond_of(m[i].cond);
	}
}

int guest_cases_enumerate(struct guest_case *out, int max)
{
	struct table t = { out, max, 0 };
	/* each id names the feature set it is about (DESIGN.md: <site>/<group>/<op>/<features>) */
	static const struct {
		enum guest_kind kind;
		const char *group, *op;
		enum feature_set_id features;
	} single[] = {
		{ GK_CPUID_D, "exit", "cpuid-0xd", FS_USER },  /* the leaf's sizes follow XCR0 */
		{ GK_WRMSR_XSS, "msr", "wrmsr-xss", FS_ALL },  /* writes the supervisor part of all */
		{ GK_WRMSR_XFD, "msr", "wrmsr-xfd", FS_AMX },
		{ GK_RDMSR_XFD, "msr", "rdmsr-xfd", FS_AMX },
		{ GK_RDMSR_XFD_ERR, "msr", "rdmsr-xfd-err", FS_AMX },
		{ GK_XFD_NM, "xfd", "nm", FS_AMX },
	};

	add_matrix(&t, false);
	for (unsigned int fs = 0; fs < FS_COUNT; fs++) {
		struct bench_id id = { SITE_GUEST, false, "exit", "xsetbv", feature_set_name(fs), COND_NONE };

		if (feature_sets[fs].lists & FS_IN_XSETBV)
			add(&t, GK_XSETBV, &id, (enum feature_set_id)fs);
	}
	for (size_t i = 0; i < ARRAY_SIZE(single); i++) {
		struct bench_id id = { SITE_GUEST, false, single[i].group, single[i].op,
				       feature_set_name(single[i].features), COND_NONE };

		add(&t, single[i].kind, &id, single[i].features);
	}
	add_matrix(&t, true);
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

/* @text into @why; false, for a return. */
static bool why_text(char *why, size_t size, const char *text)
{
	kstr_copy(why, text, size);
	return false;
}

static struct xstate_cpu guest_xstate_cpu(const struct guest_cpu *g)
{
	return (struct xstate_cpu){ &g->layout, g->avx, g->avx512f, g->pku, g->amx_tile, "in the guest" };
}

/* The CPU's bits (kernels/xstate_require.h), and the payload enabled every component. */
static bool features_usable(const struct guest_cpu *g, uint64_t mask, bool need_pattern, char *why,
			    size_t size)
{
	const struct xstate_layout *l = &g->layout;
	struct xstate_cpu cpu = guest_xstate_cpu(g);

	if (!xstate_require_cpuid(&cpu, mask, why, size))
		return false;
	if (mask & ~(l->xcr0_supported | l->xss_supported))
		return xstate_why_mask(why, size, "components ", mask & ~(l->xcr0_supported | l->xss_supported),
				       " are not supported in the guest (CPUID.(EAX=0DH,ECX=0/1))");
	if (mask & ~(l->xcr0 | l->xss))
		return xstate_why_mask(why, size, "components ", mask & ~(l->xcr0 | l->xss),
				       " are not enabled in the guest's XCR0/IA32_XSS (xcr0= on the work list?)");
	return !need_pattern || xstate_require_pattern(mask, why, size);
}

static bool xfd_usable(const struct guest_cpu *g, char *why, size_t size)
{
	if (!g->layout.xfd)
		return why_text(why, size, "no XFD in the guest (CPUID.(EAX=0DH,ECX=1):EAX[4]=0)");
	if (!features_usable(g, XFEATURES_AMX, false, why, size))
		return false;
	if (!g->layout.comp[XFEATURE_XTILEDATA].xfd)
		return why_text(why, size, "AMX tile data is not XFD-capable in the guest (CPUID.(EAX=0DH,ECX=18):ECX[2]=0)");
	return true;
}

bool guest_case_check(const struct guest_cpu *g, const struct guest_case *c, uint64_t *mask,
		      char *why, size_t size)
{
	const struct xstate_layout *l = &g->layout;
	struct xstate_cpu cpu = guest_xstate_cpu(g);

	*mask = 0;
	if (g->layout_error != XSTATE_LAYOUT_OK)
		return why_text(why, size, xstate_layout_error_str(g->layout_error));
	if (!feature_set_parse(c->features, l->xcr0, l->xss, mask))
		return why_text(why, size, "unknown feature set");
	switch (c->kind) {
	case GK_SWITCH:
		/* containers holding patterned state, switched with XSAVES/XRSTORS, or where the
		 * guest has no XSAVES with XSAVEOPT (or XSAVE) and XRSTOR, as the kernel falls back */
		return features_usable(g, *mask, true, why, size);
	case GK_SAVE:
	case GK_RESTORE:
		if (!xstate_require_op(&cpu, c->op, why, size) ||
		    !features_usable(g, *mask, c->cond != XCOND_INIT, why, size))
			return false;
		if (c->cond == XCOND_INIT && (g->init_untracked & *mask))
			return xstate_why_mask(why, size, "the guest does not track the init state: components ",
					g->init_untracked & *mask, " stay in use after XRSTOR of their init "
					"state (QEMU TCG does not track it)");
		return true;
	case GK_XSETBV:
		return features_usable(g, *mask, false, why, size);
	case GK_CPUID_D:
		return true;
	case GK_WRMSR_XSS:
		return l->xsaves ||
		       why_text(why, size, "no IA32_XSS without XSAVES in the guest (CPUID.(EAX=0DH,ECX=1):EAX[3]=0)");
	case GK_WRMSR_XFD:
	case GK_RDMSR_XFD:
	case GK_RDMSR_XFD_ERR:
	case GK_XFD_NM:
		return xfd_usable(g, why, size);
	}
	return why_text(why, size, "unknown case kind");
}
