/*
 * plan.h - which cases exist on this machine and which of them can run: every family's
 * plan, then the --suite and --filter selection.
 */
#ifndef XB_BENCH_PLAN_H
#define XB_BENCH_PLAN_H

#include "case.h"

/* Suites as a bit set; "all" is every site. */
#define SUITE_NATIVE 0x1u
#define SUITE_KVM 0x2u
#define SUITE_GUEST 0x4u
#define SUITE_KAPI 0x8u
#define SUITE_ALL (SUITE_NATIVE | SUITE_KVM | SUITE_GUEST | SUITE_KAPI)

/* The suites' names, NULL-terminated: each site's, then "all". */
extern const char *const suite_names[];
/* Parses "native,kvm" or "all" (a suite is a site: native, kvm, guest, kapi); returns -1 on
 * an unknown suite name. */
int suite_parse(const char *text, unsigned int *suites);
/* The suites as suite_parse() reads them, each by name: "native,kvm". */
void suite_text(unsigned int suites, char *out, size_t size);

/*
 * Plans every family of the selected suites for @m and keeps the cases whose id matches
 * @filter (a POSIX extended regex, NULL for all).
 */
int plan_build(const struct machine *m, unsigned int suites, const char *filter, struct plan *out) XB_MUST_CHECK;
void plan_free(struct plan *plan);

int plan_runnable_count(const struct plan *plan);

#endif
