/*
 * ids.c - the sites, feature sets and conditions of ids, and the id builder and parser.
 * Freestanding.
 */
#include "ids.h"

#include "kstring.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const char *const sites[SITE_COUNT] = {
	[SITE_NATIVE] = SITE_NAME_NATIVE,
	[SITE_KVM] = SITE_NAME_KVM,
	[SITE_GUEST] = SITE_NAME_GUEST,
	[SITE_KAPI] = SITE_NAME_KAPI,
};

#define RING0 "ring0"

/* "native", "kvm", "guest", "kapi"; NULL past the end. */
static const char *site_name(enum site s)
{
	return s < SITE_COUNT ? sites[s] : NULL;
}

/* The site called @name, or SITE_COUNT. */
static enum site site_find(const char *name)
{
	unsigned int s = 0;

	while (s < SITE_COUNT && !kstr_eqn(sites[s], name, kstr_length(name)))
		s++;
	return (enum site)s;
}

#define EVERY_LIST (FS_IN_SAVES | FS_IN_SWITCHES | FS_IN_KVM | FS_IN_SIZES)

const struct feature_set feature_sets[FS_COUNT] = {
	[FS_NONE] = { "none", FS_FIXED, 0, FS_IN_KPATHS },
	[FS_FP] = { "fp", FS_FIXED, XFEATURES_FP, EVERY_LIST | FS_IN_KPATHS | FS_IN_KAPI | FS_IN_XSETBV },
	[FS_AVX] = { "avx", FS_FIXED, XFEATURES_AVX, EVERY_LIST | FS_IN_KPATHS | FS_IN_KAPI | FS_IN_XSETBV },
	[FS_AVX512] = { "avx512", FS_FIXED, XFEATURES_AVX512, EVERY_LIST | FS_IN_KPATHS | FS_IN_KAPI | FS_IN_XSETBV },
	[FS_USER] = { "user", FS_XCR0, 0, EVERY_LIST | FS_IN_XSETBV },
	[FS_AMX] = { "amx", FS_FIXED, XFEATURES_AMX, EVERY_LIST | FS_IN_KPATHS | FS_IN_KAPI },
	[FS_ALL] = { "all", FS_XCR0_XSS, 0, FS_IN_SAVES | FS_IN_SWITCHES | FS_IN_SIZES },
};

const char *feature_set_name(enum feature_set_id fs)
{
	return fs < FS_COUNT ? feature_sets[fs].name : NULL;
}

uint64_t feature_set_mask(enum feature_set_id fs, uint64_t xcr0, uint64_t xss)
{
	switch (fs < FS_COUNT ? feature_sets[fs].extent : FS_FIXED) {
	case FS_XCR0:
		return xcr0;
	case FS_XCR0_XSS:
		return xcr0 | xss;
	case FS_FIXED:
		break;
	}
	return fs < FS_COUNT ? feature_sets[fs].components : 0;
}

bool feature_set_supervisor(enum feature_set_id fs)
{
	return fs < FS_COUNT &&
	       (feature_sets[fs].extent == FS_XCR0_XSS || (feature_sets[fs].components & XFEATURES_SUPERVISOR));
}

/* One '+'-separated part: a row's name or a component's short name. */
static bool parse_part(const char *text, size_t len, uint64_t xcr0, uint64_t xss, uint64_t *mask)
{
	for (unsigned int fs = 0; fs < FS_COUNT; fs++) {
		if (kstr_eqn(feature_sets[fs].name, text, len)) {
			*mask = feature_set_mask((enum feature_set_id)fs, xcr0, xss);
			return true;
		}
	}
	for (unsigned int id = 0; id < XFEATURE_COUNT; id++) {
		if (kstr_eqn(xfeature_short_name(id), text, len)) {
			*mask = XFEATURE_MASK(id);
			return true;
		}
	}
	return false;
}

bool feature_set_parse(const char *text, uint64_t xcr0, uint64_t xss, uint64_t *mask)
{
	uint64_t result = 0;
	const char *p = text;

	if (!*text)
		return false;
	for (;;) {
		const char *end = p;
		uint64_t part;

		while (*end && *end != '+')
			end++;
		if (end == p || !parse_part(p, (size_t)(end - p), xcr0, xss, &part))
			return false;
		result |= part;
		if (!*end)
			break;
		p = end + 1;
	}
	*mask = result;
	return true;
}

/* The row whose set @mask is exactly: fixed rows first, then the machine's ("all" only where
 * it differs from "user"); FS_COUNT when none is. */
static enum feature_set_id exact_row(uint64_t mask, uint64_t xcr0, uint64_t xss)
{
	for (int pass = 0; pass < 2; pass++) {
		for (unsigned int fs = 0; fs < FS_COUNT; fs++) {
			const struct feature_set *s = &feature_sets[fs];

			if ((s->extent == FS_FIXED) != (pass == 0) || (s->extent == FS_XCR0_XSS && !xss))
				continue;
			if (feature_set_mask((enum feature_set_id)fs, xcr0, xss) == mask)
				return (enum feature_set_id)fs;
		}
	}
	return FS_COUNT;
}

static int count_components(uint64_t mask)
{
	int n = 0;

	for (; mask; mask &= mask - 1)
		n++;
	return n;
}

/* The fixed row with the most components that @mask holds all of; FS_COUNT when none does. */
static enum feature_set_id largest_fixed_row(uint64_t mask)
{
	enum feature_set_id best = FS_COUNT;

	for (unsigned int fs = 0; fs < FS_COUNT; fs++) {
		uint64_t c = feature_sets[fs].components;

		if (feature_sets[fs].extent != FS_FIXED || !c || (c & ~mask))
			continue;
		if (best == FS_COUNT || count_components(c) > count_components(feature_sets[best].components))
			best = (enum feature_set_id)fs;
	}
	return best;
}

void feature_set_format(uint64_t mask, uint64_t xcr0, uint64_t xss, char *out, size_t size)
{
	enum feature_set_id fs = exact_row(mask, xcr0, xss);
	size_t used = 0;

	if (!size)
		return;
	out[0] = '\0';
	if (fs != FS_COUNT) {
		kstr_copy(out, feature_sets[fs].name, size);
		return;
	}
	fs = largest_fixed_row(mask);
	if (fs != FS_COUNT) {
		used = kstr_append(out, used, feature_sets[fs].name, size);
		mask &= ~feature_sets[fs].components;
	}
	for (unsigned int id = 0; id < 64; id++) {
		if (!(mask & (1ULL << id)))
			continue;
		if (used)
			used = kstr_append(out, used, "+", size);
		used = kstr_append(out, used, xfeature_short_name(id), size);
	}
}

const struct condition_word condition_words[COND_COUNT] = {
	[COND_INIT] = { "init", COND_FOR_SAVE | COND_FOR_RESTORE },
	[COND_INUSE] = { "inuse", COND_FOR_SAVE | COND_FOR_RESTORE },
	/* the save's modified optimization: a restore has none */
	[COND_CLEAN] = { "clean", COND_FOR_SAVE },
	[COND_NONE] = { NULL, 0 },
	[COND_NEED_LOAD] = { "need-load", COND_FOR_SWITCH },
	[COND_LIVE] = { "live", COND_FOR_SWITCH },
	[COND_PRE_XSAVE_GUEST] = { "pre-xsave-guest", 0 },
	[COND_FP_ADVERTISED] = { "fp-advertised", 0 },
	[COND_ALL_ADVERTISED] = { "all-advertised", 0 },
	[COND_MIXED] = { "mixed", 0 },
	[COND_PERMITTED] = { "permitted", 0 },
};

const char *condition_name(enum condition c)
{
	return c < COND_COUNT ? condition_words[c].name : NULL;
}

bool condition_takes(enum condition c, unsigned int kind)
{
	return c < COND_COUNT && (condition_words[c].takes & kind);
}

static size_t append_part(char *out, size_t used, const char *part, size_t size)
{
	if (used)
		used = kstr_append(out, used, "/", size);
	return kstr_append(out, used, part, size);
}

bool bench_id_format(const struct bench_id *id, char *out, size_t size)
{
	const char *parts[] = { site_name(id->site), id->ring0 ? RING0 : NULL, id->group, id->op, id->features,
				condition_name(id->cond) };
	size_t used = 0, want = 0;

	if (!size)
		return false;
	out[0] = '\0';
	for (size_t i = 0; i < N(parts); i++) {
		if (!parts[i])
			continue;
		want += (want ? 1 : 0) + kstr_length(parts[i]);
		used = append_part(out, used, parts[i], size);
	}
	return want < size && parts[0] && id->group && id->op && id->features;
}

/* Copies the part at @text up to the next '/' or the end into @out; returns its end, or NULL
 * when it is empty or does not fit. */
static const char *take_part(const char *text, char *out, size_t size)
{
	size_t n = 0;

	while (text[n] && text[n] != '/')
		n++;
	if (!n || n >= size)
		return NULL;
	kmem_copy(out, text, n);
	out[n] = '\0';
	return text + n;
}

static enum condition condition_find(const char *word)
{
	unsigned int c = 0;

	if (!*word)
		return COND_NONE;
	while (c < COND_COUNT && !(condition_words[c].name && kstr_eqn(condition_words[c].name, word, kstr_length(word))))
		c++;
	return (enum condition)c;
}

bool bench_id_parse(const char *text, struct bench_id_parts *out)
{
	char *const fields[] = { out->group, out->op, out->features, out->condition };
	const size_t sizes[] = { sizeof(out->group), sizeof(out->op), sizeof(out->features), sizeof(out->condition) };
	const char *p = take_part(text, out->site_word, sizeof(out->site_word));
	size_t i;

	kmem_set(out->condition, 0, sizeof(out->condition));
	if (!p)
		return false;
	out->site = site_find(out->site_word);
	/* native/ring0/...: "/ring0/" and at least one more character */
	out->ring0 = out->site == SITE_NATIVE && kstr_length(p) > 7 && kmem_equal(p, "/" RING0 "/", 7);
	if (out->ring0)
		p += 6;
	for (i = 0; i < N(fields) && *p == '/'; i++)
		if (!(p = take_part(p + 1, fields[i], sizes[i])))
			return false;
	if (*p || i < 3)
		return false;
	out->cond = condition_find(out->condition);
	return true;
}

bool bench_id_instruction_loop(const struct bench_id_parts *p)
{
	const char *g = p->group;

	if (kstr_eqn(GROUP_SAVE, g, kstr_length(g)) || kstr_eqn(GROUP_RESTORE, g, kstr_length(g)))
		return true;
	if (kstr_eqn(GROUP_SWITCH, g, kstr_length(g)))
		return !kstr_eqn(SWITCH_OP_REALLOC, p->op, kstr_length(p->op));
	return p->site == SITE_NATIVE && kstr_eqn(GROUP_LOOP, g, kstr_length(g));
}

void bench_id_operation(const struct bench_id_parts *p, char *out, size_t size)
{
	size_t used = kstr_append(out, 0, p->site_word, size);

	if (p->ring0)
		used = append_part(out, used, RING0, size);
	used = append_part(out, used, p->group, size);
	append_part(out, used, p->op, size);
}
