/*
 * plan.h - which cases exist on this machine and which of them can run: every family's
 * plan, then the --suite and --filter selection.
 */
#ifndef XB_BENCH_PLAN_H
#define XB_BENCH_PLAN_H

#include "../kernels/case_matrix.h"
#include "case.h"

/* Suites as a bit set, a bit per site (base/ids.h); "all" is every site. */
#define SUITE_NATIVE (1u << SITE_NATIVE)
#define SUITE_KVM (1u << SITE_KVM)
#define SUITE_GUEST (1u << SITE_GUEST)
#define SUITE_KAPI (1u << SITE_KAPI)
#define SUITE_ALL (SUITE_NATIVE | SUITE_KVM | SUITE_GUEST | SUITE_KAPI)
#define SUITE_ALL_NAME "all"
/* The component list (kernels/case_matrix.h: component_matrix()) of the native site and its
 * ring 0: planned only when asked for by name, never by "all" or by default. */
#define SUITE_COMPONENTS (1u << SITE_COUNT)
#define SUITE_COMPONENTS_NAME "components"
/* What --suite takes, for help and usage errors. */
#define SUITE_WORDS                                                                                         \
	SITE_NAME_NATIVE ", " SITE_NAME_KVM ", " SITE_NAME_GUEST ", " SITE_NAME_KAPI ", " SUITE_COMPONENTS_NAME \
	" or " SUITE_ALL_NAME ", comma-separated"

/* The suites' names, NULL-terminated: each site's, "components", then "all". */
extern const char *const suite_names[];
/* Parses "native,kvm" or "all" (a suite is a site: native, kvm, guest, kapi; or the
 * component list, components); returns -1 on an unknown suite name. */
int suite_parse(const char *text, unsigned int *suites);
/* The suites as suite_parse() reads them, each by name: "native,kvm". */
void suite_text(unsigned int suites, char *out, size_t size);

/* What to plan: the suites, the cases whose id matches @filter (a POSIX extended regex; NULL:
 * every case), and the launcher that boots the guest suite (NULL: GUEST_LAUNCHER_DEFAULT). */
struct plan_request {
	unsigned int suites;
	const char *filter;
	const char *vmm;
};

/* Plans every family of the selected suites for @m and keeps the cases @r selects. */
int plan_make(const struct machine *m, const struct plan_request *r, struct plan *out) XB_MUST_CHECK;
/* plan_make() with the default launcher. */
int plan_build(const struct machine *m, unsigned int suites, const char *filter, struct plan *out) XB_MUST_CHECK;
void plan_free(struct plan *plan);

int plan_runnable_count(const struct plan *plan);

/* What a family checks for a case of a matrix on the components @mask: true, or false with
 * the reason in @why. */
typedef bool (*matrix_require_fn)(const struct machine *m, const struct matrix_case *c, uint64_t mask, char *why,
				  size_t size);

/* The matrices of kernels/case_matrix.h. */
enum matrix_list {
	MATRIX_SAVES,      /* save_matrix() */
	MATRIX_SWITCHES,   /* switch_matrix() */
	MATRIX_COMPONENTS, /* component_matrix(), for this machine's XCR0 and XSS */
};

/*
 * Appends @family's cases of @site's matrix @list (kernels/case_matrix.h): each on its set's
 * components here, runnable or with the reason @require gives, c->op = @op_of(the case).
 * -ENOMEM on failure.
 */
int plan_matrix(const struct machine *m, struct plan *plan, const struct bench_family *family, enum matrix_site site,
		enum matrix_list list, matrix_require_fn require, int (*op_of)(const struct matrix_case *c)) XB_MUST_CHECK;

#endif
