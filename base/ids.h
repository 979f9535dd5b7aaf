/*
 * ids.h - the words of benchmark ids, each defined once (DESIGN.md "Benchmark ids"):
 * <site>/<group>/<op>/<features>[/<condition>], with native/ring0/... for the native site in
 * ring 0. Here are the sites, the feature sets (name, mask, order, which case lists take
 * them), the conditions (name, which operations take them), and the one builder and parser of
 * ids that the families, the guest payload, the summaries and the reports use. Ids are the
 * results database's key: one that drifted would orphan its baselines, so nothing else
 * spells these words. Freestanding.
 *
 * A new feature set is one row of feature_sets[] (and its enum constant): its components,
 * or how the machine decides them, and the case lists that take it. A new condition is one
 * row of condition_words[]: its name and the operations that take it. The matrices that use
 * them (kernels/case_matrix.h) pick both up from these rows.
 */
#ifndef XB_BASE_IDS_H
#define XB_BASE_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xfeature.h"

/* Room for any id (with its NUL). */
#define BENCH_ID_MAX 96

/* The groups of the matrices' ids (kernels/case_matrix.h), which the summaries look up too. */
#define GROUP_SAVE "save"
#define GROUP_RESTORE "restore"
#define GROUP_SWITCH "switch"
/* The switch that reallocates the buffer (kernels/fpu_switch_bench.c), unlike the others a
 * path through the allocator. */
#define SWITCH_OP_REALLOC "realloc"

/* The empty loop's group and id: the control every comparison shows beside the machine-wide
 * shift. */
#define GROUP_LOOP "loop"
#define ID_EMPTY_LOOP "native/" GROUP_LOOP "/empty/none"

/* The sites' words, which are also the suites of `run --suite` (DESIGN.md). */
#define SITE_NAME_NATIVE "native"
#define SITE_NAME_KVM "kvm"
#define SITE_NAME_GUEST "guest"
#define SITE_NAME_KAPI "kapi"

/* The sites, in the order of their suites' bits (bench/plan.h). */
enum site {
	SITE_NATIVE, /* a Linux process; native/ring0/... in ring 0 through the kernel module */
	SITE_KVM,    /* host-side KVM paths, timed in the VMM */
	SITE_GUEST,  /* ring 0 inside a KVM guest */
	SITE_KAPI,   /* the running kernel's own fpu functions, called from the module */
	SITE_COUNT,
};

/* The feature sets, in their canonical order (DESIGN.md): the index of feature_sets[]. */
enum feature_set_id {
	FS_NONE,   /* no component: the control of the kernel paths, every component in init */
	FS_FP,     /* x87 and SSE */
	FS_AVX,
	FS_AVX512, /* + opmask, ZMM_Hi256, Hi16_ZMM */
	FS_USER,   /* all of XCR0 */
	FS_AMX,    /* avx512 + XTILECFG + XTILEDATA */
	FS_ALL,    /* XCR0 and the enabled XSS */
	FS_COUNT,
};

/* How much of a feature set the machine decides. */
enum feature_set_extent {
	FS_FIXED,    /* the components of the row */
	FS_XCR0,     /* what XCR0 enables */
	FS_XCR0_XSS, /* what XCR0 and IA32_XSS enable: supervisor state, so XSAVES/XRSTORS only */
};

/* The case lists a feature set is measured in (struct feature_set.lists). */
#define FS_IN_SAVES 0x01u    /* the save/restore matrix of every site (kernels/case_matrix.h) */
#define FS_IN_SWITCHES 0x02u /* the switch matrix of every site */
#define FS_IN_KPATHS 0x04u   /* the native kernel paths: ctxsw, signal, ptrace */
#define FS_IN_KAPI 0x08u     /* the kapi site's switches, copies and kernel_fpu_begin/end */
#define FS_IN_KVM 0x10u      /* kvm/xsave2/... */
#define FS_IN_XSETBV 0x20u   /* guest/exit/xsetbv/... */
#define FS_IN_SIZES 0x40u    /* the sizes `probe` prints */

struct feature_set {
	const char *name;
	enum feature_set_extent extent;
	uint64_t components; /* FS_FIXED: the set */
	unsigned int lists;  /* FS_IN_* */
};

extern const struct feature_set feature_sets[FS_COUNT];

/* feature_sets[@fs].name. */
const char *feature_set_name(enum feature_set_id fs);
/* The set's components on a machine with @xcr0 and @xss enabled. */
uint64_t feature_set_mask(enum feature_set_id fs, uint64_t xcr0, uint64_t xss);
/* Whether it may hold supervisor components, which only XSAVES and XRSTORS reach. */
bool feature_set_supervisor(enum feature_set_id fs);

/*
 * Parses a feature-set name: a row's ("fp", "user", ...), short component names
 * (xfeature_short_name()) or both joined by '+' ("fp+zmm_hi256", "sse+ymm+pkru"). Returns
 * false on an unknown name.
 */
bool feature_set_parse(const char *text, uint64_t xcr0, uint64_t xss, uint64_t *mask);

/*
 * The canonical name of @mask, which feature_set_parse() reads back: the row whose set it is
 * exactly (fixed rows before the machine's), else the largest fixed row it holds followed by
 * the other components ("fp+zmm_hi256"), else the components joined by '+'. Truncated to @size.
 */
void feature_set_format(uint64_t mask, uint64_t xcr0, uint64_t xss, char *out, size_t size);

/*
 * The conditions of ids, each by the word its ids end with. The first seven have the values
 * of the kernel module's XB_COND_* (host/module/xstate_bench_uapi.h), so a condition goes to
 * the module as it is.
 */
enum condition {
	COND_INIT = 0,            /* components in their init state */
	COND_INUSE = 1,           /* in use, last loaded from another buffer: no modified optimization */
	COND_CLEAN = 2,           /* in use, loaded from the saved buffer itself: the optimization may hit */
	COND_NONE = 3,            /* the id has no condition */
	COND_NEED_LOAD = 4,       /* a switch: the task's state saved (TIF_NEED_FPU_LOAD) */
	COND_LIVE = 5,            /* a switch: the task's state in the registers */
	COND_PRE_XSAVE_GUEST = 6, /* a vCPU whose CPUID has no XSAVE */
	COND_FP_ADVERTISED,       /* a vCPU whose CPUID offers x87 and SSE only */
	COND_ALL_ADVERTISED,      /* a vCPU whose CPUID offers everything the host and KVM have */
	COND_MIXED,               /* a context switch to a task never permitted AMX */
	COND_PERMITTED,           /* a context switch to a task permitted AMX */
	COND_COUNT,
};

/* The operations that take a condition (struct condition_word.takes). */
#define COND_FOR_SAVE 0x1u    /* an XSAVE-family save */
#define COND_FOR_RESTORE 0x2u /* an XRSTOR-family restore */
#define COND_FOR_SWITCH 0x4u  /* an fpstate switch: the task's state before it */

struct condition_word {
	const char *name; /* NULL for COND_NONE */
	unsigned int takes;
};

extern const struct condition_word condition_words[COND_COUNT];

/* condition_words[@c].name: NULL for COND_NONE and past the end. */
const char *condition_name(enum condition c);
/* Whether operations of kind @for (COND_FOR_*) take @c. */
bool condition_takes(enum condition c, unsigned int kind);

/* An id by its parts. */
struct bench_id {
	enum site site;
	bool ring0;           /* native/ring0/... */
	const char *group;    /* "save", "switch", "exit", ... */
	const char *op;       /* "xsavec", "pointer-swap", ... */
	const char *features; /* a feature-set name (feature_set_name(), feature_set_format()) */
	enum condition cond;  /* COND_NONE: the id has none */
};

/* Writes @id as text into @out; false when it does not fit @size (BENCH_ID_MAX does). */
bool bench_id_format(const struct bench_id *id, char *out, size_t size);

/* An id split into its parts, each a copy; foreign ids (imported benchmarks) keep their words. */
struct bench_id_parts {
	enum site site;      /* SITE_COUNT: not a site of ours */
	bool ring0;
	char site_word[16], group[32], op[48], features[48], condition[32];
	enum condition cond; /* COND_NONE: none; COND_COUNT: a word that is not a condition */
};

/*
 * Splits @text as <site>[/ring0]/<group>/<op>/<features>[/<condition>]; false when it has
 * fewer or more parts, or a part does not fit.
 */
bool bench_id_parse(const char *text, struct bench_id_parts *out);

/*
 * Whether the id times instructions on registers and buffers alone (a save, a restore, a
 * switch that only moves state, the empty loop): no state of the kernel that persists
 * through a run (allocators, page placement, the scheduler, a partner's PU) is in its cost,
 * so its runs differ little more than its samples say. Every other case is a kernel path.
 */
bool bench_id_instruction_loop(const struct bench_id_parts *p);

/* What one operation of an id is: its text up to the feature set ("native/ring0/save/xsave"). */
void bench_id_operation(const struct bench_id_parts *p, char *out, size_t size);

#endif
