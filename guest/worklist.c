/*
 * worklist.c - parsing the work list. Freestanding.
 */
#include "worklist.h"

#include "../kernels/kstring.h"

#define DEFAULT_REPS 5
#define DEFAULT_OPS 128
#define DEFAULT_MAX_BATCHES 100000

static bool parse_number(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0, base = 10;

	if (s[0] == '0' && s[1] == 'x') {
		base = 16;
		s += 2;
	}
	if (!*s)
		return false;
	for (; *s; s++) {
		uint64_t d;

		if (*s >= '0' && *s <= '9')
			d = (uint64_t)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (uint64_t)(*s - 'a' + 10);
		else
			return false;
		if (v > (max - d) / base)
			return false;
		v = v * base + d;
	}
	*out = v;
	return true;
}

static bool starts_with(const char *word, const char *prefix)
{
	while (*prefix)
		if (*word++ != *prefix++)
			return false;
	return true;
}

static bool fail(char *err, size_t size, const char *what, const char *word)
{
	size_t n = kstr_append(err, 0, what, size);

	n = kstr_append(err, n, ": '", size);
	n = kstr_append(err, n, word, size);
	kstr_append(err, n, "'", size);
	return false;
}

static bool add_patterns(struct worklist *w, char *list, char *err, size_t size)
{
	char *p = list;

	for (;;) {
		char *end = p;

		while (*end && *end != ',')
			end++;
		if (end == p)
			return fail(err, size, "empty case pattern", list);
		if (w->nr_patterns == WORKLIST_MAX_PATTERNS)
			return fail(err, size, "too many case patterns", p);
		w->patterns[w->nr_patterns++] = p;
		if (!*end)
			return true;
		*end = '\0';
		p = end + 1;
	}
}

static bool number_word(const char *word, const char *key, uint64_t min, uint64_t max,
			uint64_t *out, char *err, size_t size)
{
	if (!parse_number(word + kstr_length(key), max, out) || *out < min)
		return fail(err, size, "bad number", word);
	return true;
}

static bool parse_word(struct worklist *w, char *word, char *err, size_t size)
{
	uint64_t v;

	if (kstr_eqn("probe", word, 5) && !word[5]) {
		w->probe = true;
	} else if (kstr_eqn("nocheck", word, 7) && !word[7]) {
		w->nocheck = true;
	} else if (kstr_eqn("exit_counter", word, 12) && !word[12]) {
		w->exit_counter = true;
	} else if (starts_with(word, "case=")) {
		return add_patterns(w, word + 5, err, size);
	} else if (starts_with(word, "reps=")) {
		if (!number_word(word, "reps=", 1, 1000, &v, err, size))
			return false;
		w->reps = (uint32_t)v;
	} else if (starts_with(word, "ops=")) {
		if (!number_word(word, "ops=", 1, 1u << 20, &v, err, size))
			return false;
		w->ops = (uint32_t)v;
	} else if (starts_with(word, "max_batches=")) {
		if (!number_word(word, "max_batches=", 1, 1000000, &v, err, size))
			return false;
		w->max_batches = (uint32_t)v;
	} else if (starts_with(word, "xcr0=")) {
		return number_word(word, "xcr0=", 1, ~(uint64_t)0, &w->xcr0_limit, err, size);
	} else if (starts_with(word, "min_ticks=")) {
		return number_word(word, "min_ticks=", 0, (uint64_t)1 << 62, &w->min_ticks, err, size);
	} else if (starts_with(word, "selftest=")) {
		const char *t = word + 9;

		if (kstr_eqn("triple", t, 6) && !t[6])
			w->selftest = SELFTEST_TRIPLE;
		else if (kstr_eqn("hang", t, 4) && !t[4])
			w->selftest = SELFTEST_HANG;
		else if (kstr_eqn("ud", t, 2) && !t[2])
			w->selftest = SELFTEST_UD;
		else
			return fail(err, size, "unknown self test", word);
	} else {
		return fail(err, size, "unknown word", word);
	}
	return true;
}

bool worklist_parse(struct worklist *w, const char *cmdline, bool skip_first_word, char *err,
		    size_t size)
{
	char *p;

	kmem_set(w, 0, sizeof(*w));
	w->reps = DEFAULT_REPS;
	w->ops = DEFAULT_OPS;
	w->max_batches = DEFAULT_MAX_BATCHES;
	w->xcr0_limit = ~(uint64_t)0;
	if (kstr_length(cmdline) >= sizeof(w->text))
		return fail(err, size, "work list longer than 8191 bytes", "...");
	kstr_copy(w->text, cmdline, sizeof(w->text));
	p = w->text;
	for (bool first = true;; first = false) {
		char *word;

		while (*p == ' ')
			p++;
		if (!*p)
			return true;
		word = p;
		while (*p && *p != ' ')
			p++;
		if (*p)
			*p++ = '\0';
		if (first && skip_first_word)
			continue;
		if (!parse_word(w, word, err, size))
			return false;
	}
}

/*
 * Greedy matching that backtracks only to the last '*': a later '*' can match whatever an
 * earlier one would have, so time is O(pattern x id) whatever the number of stars.
 */
bool worklist_match(const char *pattern, const char *id)
{
	const char *star = NULL, *resume = id;

	while (*id) {
		if (*pattern == '*') {
			star = ++pattern;
			resume = id;
		} else if (*pattern == *id) {
			pattern++;
			id++;
		} else if (star) {
			pattern = star;
			id = ++resume;
		} else {
			return false;
		}
	}
	while (*pattern == '*')
		pattern++;
	return !*pattern;
}
