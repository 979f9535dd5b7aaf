/*
 * xfeature.c - component names and feature-set parsing. Freestanding.
 */
#include "xfeature.h"
#include "kstring.h"

/* The kernel's strings, from arch/x86/kernel/fpu/xstate.c, with its numbering quirk:
 * component 6 (ZMM_Hi256) is "AVX-512 Hi256", component 7 (Hi16_ZMM) "AVX-512 ZMM_Hi256". */
static const char *const kernel_names[XFEATURE_COUNT] = {
	"x87 floating point registers",
	"SSE registers",
	"AVX registers",
	"MPX bounds registers",
	"MPX CSR",
	"AVX-512 opmask",
	"AVX-512 Hi256",
	"AVX-512 ZMM_Hi256",
	"Processor Trace (unused)",
	"Protection Keys User registers",
	"PASID state",
	"Control-flow User registers",
	"Control-flow Kernel registers (unused)",
	"unknown xstate feature",
	"unknown xstate feature",
	"unknown xstate feature",
	"unknown xstate feature",
	"AMX Tile config",
	"AMX Tile data",
	"APX registers",
};

static const char *const short_names[XFEATURE_COUNT] = {
	"x87",	 "sse",	  "ymm",   "bndregs", "bndcsr",	   "opmask",	"zmm_hi256",
	"hi16_zmm", "pt", "pkru",  "pasid",   "cet_user",  "cet_kernel", "hdc",
	"uintr", "lbr",	  "hwp",   "xtilecfg", "xtiledata", "apx",
};

const char *xfeature_name(unsigned int id)
{
	return id < XFEATURE_COUNT ? kernel_names[id] : "unknown xstate feature";
}

const char *xfeature_short_name(unsigned int id)
{
	return id < XFEATURE_COUNT ? short_names[id] : "unknown";
}

static const struct feature_set fixed_sets[] = {
	{ "fp", XFEATURES_FP },
	{ "avx", XFEATURES_AVX },
	{ "avx512", XFEATURES_AVX512 },
	{ "amx", XFEATURES_AMX },
};

static bool parse_one(const char *text, size_t len, uint64_t xcr0, uint64_t xss, uint64_t *mask)
{
	for (size_t i = 0; i < sizeof(fixed_sets) / sizeof(fixed_sets[0]); i++) {
		if (kstr_eqn(fixed_sets[i].name, text, len)) {
			*mask = fixed_sets[i].mask;
			return true;
		}
	}
	if (kstr_eqn("user", text, len)) {
		*mask = xcr0;
		return true;
	}
	if (kstr_eqn("all", text, len)) {
		*mask = xcr0 | xss;
		return true;
	}
	for (unsigned int id = 0; id < XFEATURE_COUNT; id++) {
		if (kstr_eqn(short_names[id], text, len)) {
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
		if (end == p || !parse_one(p, (size_t)(end - p), xcr0, xss, &part))
			return false;
		result |= part;
		if (!*end)
			break;
		p = end + 1;
	}
	*mask = result;
	return true;
}

void feature_set_format(uint64_t mask, uint64_t xcr0, uint64_t xss, char *out, size_t size)
{
	size_t used = 0;

	if (!size)
		return;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof(fixed_sets) / sizeof(fixed_sets[0]); i++) {
		if (fixed_sets[i].mask == mask) {
			kstr_copy(out, fixed_sets[i].name, size);
			return;
		}
	}
	if (mask == xcr0) {
		kstr_copy(out, "user", size);
		return;
	}
	if (xss && mask == (xcr0 | xss)) {
		kstr_copy(out, "all", size);
		return;
	}
	for (unsigned int id = 0; id < 64; id++) {
		if (!(mask & (1ULL << id)))
			continue;
		if (used)
			used = kstr_append(out, used, "+", size);
		used = kstr_append(out, used, xfeature_short_name(id), size);
	}
}
