/*
 * case_matrix.c - the save/restore and switch matrices. Freestanding.
 */
#include "case_matrix.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define EVERY_SITE (MATRIX_NATIVE | MATRIX_RING0 | MATRIX_GUEST)

/* XSAVES and XRSTORS fault outside ring 0; the payload and the module run XSAVE-family
 * instructions in ring 0, where the legacy FXSAVE/FXRSTOR would add nothing. */
static const struct {
	enum xsave_op op;
	unsigned int sites;
} save_rows[] = {
	{ XOP_XSAVE, EVERY_SITE },
	{ XOP_XSAVEOPT, EVERY_SITE },
	{ XOP_XSAVEC, EVERY_SITE },
	{ XOP_XSAVES, MATRIX_RING0 | MATRIX_GUEST },
	{ XOP_FXSAVE, MATRIX_NATIVE },
	{ XOP_XRSTOR, EVERY_SITE },
	{ XOP_XRSTORS, MATRIX_RING0 | MATRIX_GUEST },
	{ XOP_FXRSTOR, MATRIX_NATIVE },
};

/*
 * The reallocation path only natively. Supervisor state is switched only by the payload,
 * whose containers cover XCR0 and IA32_XSS; the module's ring-0 switch, like the native one,
 * holds the task's user state.
 */
static const struct {
	enum fpu_strategy strategy;
	unsigned int sites;
} switch_rows[] = {
	{ FPU_STRATEGY_POINTER_SWAP, EVERY_SITE },
	{ FPU_STRATEGY_THREE_BUFFER, EVERY_SITE },
	{ FPU_STRATEGY_REALLOC, MATRIX_NATIVE },
};
#define SWITCH_SUPERVISOR_SITES MATRIX_GUEST

struct table {
	struct matrix_case *out;
	int max, count;
};

static void add(struct table *t, struct matrix_case c)
{
	if (t->count < t->max)
		t->out[t->count] = c;
	t->count++;
}

/* Whether @op takes the set: within the legacy area for FXSAVE/FXRSTOR, supervisor state
 * only for XSAVES/XRSTORS. */
static bool op_takes_set(const struct xsave_op_info *info, enum feature_set_id fs)
{
	const struct feature_set *s = &feature_sets[fs];

	if (!(s->lists & FS_IN_SAVES))
		return false;
	if (info->legacy_only)
		return s->extent == FS_FIXED && s->components && !(s->components & ~XFEATURES_FP);
	return !feature_set_supervisor(fs) || info->ring0;
}

int save_matrix(enum matrix_site site, struct matrix_case *out, int max)
{
	struct table t = { out, max, 0 };

	for (size_t r = 0; r < N(save_rows); r++) {
		const struct xsave_op_info *info = xsave_op_info(save_rows[r].op);
		unsigned int kind = info->save ? COND_FOR_SAVE : COND_FOR_RESTORE;

		if (!(save_rows[r].sites & site))
			continue;
		for (unsigned int fs = 0; fs < FS_COUNT; fs++) {
			if (!op_takes_set(info, (enum feature_set_id)fs))
				continue;
			for (unsigned int c = 0; c < COND_COUNT; c++)
				if (condition_takes((enum condition)c, kind) && condition_listed((enum condition)c, FS_IN_SAVES))
					add(&t, (struct matrix_case){ save_rows[r].op, FPU_STRATEGY_POINTER_SWAP,
								       (enum feature_set_id)fs, (enum condition)c, 0 });
		}
	}
	return t.count;
}

/* One set of the component list (@added: 0, or the component added) in every condition it takes. */
static void add_component_case(struct table *t, enum xsave_op op, enum feature_set_id fs, unsigned int added)
{
	unsigned int kind = xsave_op_info(op)->save ? COND_FOR_SAVE : COND_FOR_RESTORE;

	for (unsigned int c = 0; c < COND_COUNT; c++)
		if (condition_takes((enum condition)c, kind) && condition_listed((enum condition)c, FS_IN_COMPONENTS))
			add(t, (struct matrix_case){ op, FPU_STRATEGY_POINTER_SWAP, fs, (enum condition)c, added });
}

/* Whether @mask is x87 and SSE with at most one more component: a set the list has already. */
static bool one_component(uint64_t mask)
{
	uint64_t more = mask & ~XFEATURES_FP;

	return (mask & XFEATURES_FP) == XFEATURES_FP && !(more & (more - 1));
}

/* The save/restore matrix's other sets in the conditions only the component list takes. */
static void add_matrix_sets(struct table *t, enum xsave_op op, uint64_t xcr0, uint64_t xss)
{
	const struct xsave_op_info *info = xsave_op_info(op);
	unsigned int kind = info->save ? COND_FOR_SAVE : COND_FOR_RESTORE;

	for (unsigned int fs = 0; fs < FS_COUNT; fs++) {
		if (!op_takes_set(info, (enum feature_set_id)fs) || (feature_sets[fs].lists & FS_IN_COMPONENTS) ||
		    one_component(feature_set_mask((enum feature_set_id)fs, xcr0, xss)))
			continue;
		for (unsigned int c = 0; c < COND_COUNT; c++)
			if (condition_takes((enum condition)c, kind) && condition_listed((enum condition)c, FS_IN_COMPONENTS) &&
			    !condition_listed((enum condition)c, FS_IN_SAVES))
				add(t, (struct matrix_case){ op, FPU_STRATEGY_POINTER_SWAP, (enum feature_set_id)fs,
							     (enum condition)c, 0 });
	}
}

int component_matrix(enum matrix_site site, uint64_t xcr0, uint64_t xss, struct matrix_case *out, int max)
{
	struct table t = { out, max, 0 };

	for (size_t r = 0; r < N(save_rows); r++) {
		const struct xsave_op_info *info = xsave_op_info(save_rows[r].op);
		uint64_t reach = info->ring0 ? xcr0 | xss : xcr0;

		if (!(save_rows[r].sites & site) || info->legacy_only)
			continue;
		for (unsigned int fs = 0; fs < FS_COUNT; fs++) {
			uint64_t base = feature_set_mask((enum feature_set_id)fs, xcr0, xss);

			if (!(feature_sets[fs].lists & FS_IN_COMPONENTS))
				continue;
			add_component_case(&t, save_rows[r].op, (enum feature_set_id)fs, 0);
			for (unsigned int id = 0; id < XFEATURE_COUNT; id++)
				if ((reach & ~base) & XFEATURE_MASK(id))
					add_component_case(&t, save_rows[r].op, (enum feature_set_id)fs, id);
		}
		add_matrix_sets(&t, save_rows[r].op, xcr0, xss);
	}
	return t.count;
}

/* Whether a strategy at @site takes the set: the reallocation path needs a smaller set to grow from. */
static bool strategy_takes_set(enum fpu_strategy s, enum matrix_site site, enum feature_set_id fs)
{
	const struct feature_set *set = &feature_sets[fs];

	if (!(set->lists & FS_IN_SWITCHES) || (feature_set_supervisor(fs) && !(site & SWITCH_SUPERVISOR_SITES)))
		return false;
	return s != FPU_STRATEGY_REALLOC || (set->extent == FS_FIXED && fpu_realloc_base(set->components));
}

int switch_matrix(enum matrix_site site, struct matrix_case *out, int max)
{
	struct table t = { out, max, 0 };

	for (size_t r = 0; r < N(switch_rows); r++) {
		if (!(switch_rows[r].sites & site))
			continue;
		for (unsigned int fs = 0; fs < FS_COUNT; fs++) {
			if (!strategy_takes_set(switch_rows[r].strategy, site, (enum feature_set_id)fs))
				continue;
			for (unsigned int c = 0; c < COND_COUNT; c++)
				if (condition_takes((enum condition)c, COND_FOR_SWITCH))
					add(&t, (struct matrix_case){ XOP_EMPTY, switch_rows[r].strategy,
								       (enum feature_set_id)fs, (enum condition)c, 0 });
		}
	}
	return t.count;
}

struct bench_id matrix_case_id(enum matrix_site site, const struct matrix_case *c)
{
	const struct xsave_op_info *info = xsave_op_info(c->op);

	return (struct bench_id){
		.site = site == MATRIX_GUEST ? SITE_GUEST : SITE_NATIVE,
		.ring0 = site == MATRIX_RING0,
		.group = c->op == XOP_EMPTY ? GROUP_SWITCH : info->save ? GROUP_SAVE : GROUP_RESTORE,
		.op = c->op == XOP_EMPTY ? fpu_strategy_name(c->strategy) : info->name,
		.features = feature_set_name(c->set),
		.cond = c->cond,
	};
}
