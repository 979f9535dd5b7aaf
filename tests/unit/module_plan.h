/*
 * module_plan.h - what the planning tests of the module's sites (native/ring0, kapi) share:
 * a recorded machine, the module as machine_probe() would find it loaded (its capabilities
 * for that CPU, IA32_XSS as it read it) or missing, and asserting a case runs or skips with
 * given words. Include after <cmocka.h>.
 */
#ifndef XB_TESTS_MODULE_PLAN_H
#define XB_TESTS_MODULE_PLAN_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench/plan.h"
#include "host/module/ring0.h"

static struct machine *load(const char *name)
{
	char path[512];
	struct machine *m = calloc(1, sizeof(*m));

	assert_non_null(m);
	snprintf(path, sizeof(path), "%s/%s", TEST_CPUID_DIR, name);
	assert_int_equal(machine_from_dump_file(m, path), 0);
	return m;
}

static void load_module(struct machine *m, uint64_t xss)
{
	m->dump.has_xss = true;
	m->dump.xss = xss;
	assert_int_equal(xstate_layout_decode(&m->layout, &m->cpuid, (int64_t)xss), XSTATE_LAYOUT_OK);
	m->module.present = true;
	m->module.error[0] = '\0';
	ring0_caps(&m->layout, &m->module.caps);
}

static void missing_module(struct machine *m, const char *error)
{
	m->module.present = false;
	snprintf(m->module.error, sizeof(m->module.error), "%s", error);
}

static const struct bench_case *find(const struct plan *p, const char *id)
{
	for (int i = 0; i < p->count; i++)
		if (!strcmp(p->cases[i].id, id))
			return &p->cases[i];
	fail_msg("no case %s", id);
	return NULL;
}

static void assert_skip(const struct plan *p, const char *id, const char *words)
{
	const struct bench_case *c = find(p, id);

	if (!strstr(c->skip_reason, words))
		fail_msg("%s: reason '%s' does not say '%s'", id, c->skip_reason, words);
}

static void assert_runs(const struct plan *p, const char *id)
{
	const struct bench_case *c = find(p, id);

	if (c->skip_reason[0])
		fail_msg("%s does not run: %s", id, c->skip_reason);
}

#endif
