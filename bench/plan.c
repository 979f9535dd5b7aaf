/*
 * plan.c - building the case list from the family tables.
 */
#include "plan.h"

#include <errno.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../host/guest_launcher.h"
#include "families.h"

struct bench_case *plan_add(struct plan *plan, const struct bench_family *family, const char *id,
			    const char *skip_fmt, ...)
{
	struct bench_case *c;

	if (plan->count == plan->capacity) {
		int cap = plan->capacity ? plan->capacity * 2 : 64;
		struct bench_case *grown = realloc(plan->cases, (size_t)cap * sizeof(*grown));

		if (!grown)
			return NULL;
		plan->cases = grown;
		plan->capacity = cap;
	}
	c = &plan->cases[plan->count++];
	memset(c, 0, sizeof(*c));
	snprintf(c->id, sizeof(c->id), "%s", id);
	c->family = family;
	if (skip_fmt) {
		va_list ap;

		va_start(ap, skip_fmt);
		vsnprintf(c->skip_reason, sizeof(c->skip_reason), skip_fmt, ap);
		va_end(ap);
	}
	return c;
}

struct bench_case *plan_case(struct plan *plan, const struct bench_family *family, const struct bench_id *id,
			     uint64_t features, const char *why)
{
	char text[CASE_ID_MAX];
	struct bench_case *c;

	if (!bench_id_format(id, text, sizeof(text)))
		return xb_fail(ENAMETOOLONG, "a %s case's id does not fit %d bytes: %s...", family->name, CASE_ID_MAX,
			       text), NULL;
	c = plan_add(plan, family, text, why ? "%s" : NULL, why);
	if (!c)
		return xb_fail(ENOMEM, "out of memory"), NULL;
	c->features = features;
	c->condition = id->cond;
	return c;
}

static int attribute_index(const struct bench_case *c, const char *name)
{
	for (int i = 0; i < c->nr_attributes; i++)
		if (!strcmp(c->attributes[i].name, name))
			return i;
	return -1;
}

const char *case_attribute(const struct bench_case *c, const char *name)
{
	int i = attribute_index(c, name);

	return i < 0 ? NULL : c->attributes[i].value;
}

void case_set_attribute(struct bench_case *c, const char *name, const char *fmt, ...)
{
	int i = attribute_index(c, name);
	struct case_attribute *a = i < 0 ? NULL : &c->attributes[i];
	va_list ap;

	if (!a) {
		if (c->nr_attributes == CASE_ATTR_MAX) {
			fprintf(stderr, "xstate-bench: %s: no room for its attribute %s (CASE_ATTR_MAX)\n", c->id, name);
			return;
		}
		a = &c->attributes[c->nr_attributes++];
		snprintf(a->name, sizeof(a->name), "%s", name);
	}
	va_start(ap, fmt);
	vsnprintf(a->value, sizeof(a->value), fmt, ap);
	va_end(ap);
}

const char *const suite_names[] = { SITE_NAME_NATIVE,	    SITE_NAME_KVM,  SITE_NAME_GUEST, SITE_NAME_KAPI,
				     SUITE_COMPONENTS_NAME, SUITE_ALL_NAME, NULL };
static const unsigned int suite_bits[] = { SUITE_NATIVE, SUITE_KVM, SUITE_GUEST, SUITE_KAPI, SUITE_COMPONENTS, SUITE_ALL };

int suite_parse(const char *text, unsigned int *suites)
{
	char copy[64], *save = NULL;

	*suites = 0;
	if (strlen(text) >= sizeof(copy))
		return -1;
	snprintf(copy, sizeof(copy), "%s", text);
	for (char *s = strtok_r(copy, ",", &save); s; s = strtok_r(NULL, ",", &save)) {
		int i = 0;

		while (suite_names[i] && strcmp(s, suite_names[i]))
			i++;
		if (!suite_names[i])
			return -1;
		*suites |= suite_bits[i];
	}
	return *suites ? 0 : -1;
}

void suite_text(unsigned int suites, char *out, size_t size)
{
	size_t used = 0;

	out[0] = 0;
	for (int i = 0; suite_bits[i] != SUITE_ALL && used < size; i++)
		if (suites & suite_bits[i])
			used += (size_t)snprintf(out + used, size - used, "%s%s", used ? "," : "", suite_names[i]);
}

static bool planned(const struct plan *plan, const char *id)
{
	for (int i = 0; i < plan->count; i++)
		if (!strcmp(plan->cases[i].id, id))
			return true;
	return false;
}

int plan_make(const struct machine *m, const struct plan_request *r, struct plan *out)
{
	struct plan all = { .vmm = r->vmm ? r->vmm : GUEST_LAUNCHER_DEFAULT };
	const char *filter = r->filter;
	regex_t re;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	out->vmm = all.vmm;
	if (filter) {
		int err = regcomp(&re, filter, REG_EXTENDED | REG_NOSUB);

		if (err) {
			char msg[128];

			regerror(err, &re, msg, sizeof(msg));
			return xb_fail(EINVAL, "--filter '%s': %s", filter, msg);
		}
	}
	for (const struct bench_family *const *f = bench_families; *f && !rc; f++) {
		if ((1u << (*f)->site) & r->suites)
			rc = (*f)->plan(m, &all);
		if (!rc && (r->suites & SUITE_COMPONENTS) && (*f)->plan_components)
			rc = (*f)->plan_components(m, &all);
	}
	for (int i = 0; i < all.count && !rc; i++) {
		struct bench_case *c;

		if (filter && regexec(&re, all.cases[i].id, 0, NULL, 0))
			continue;
		/* the component list's baseline rows are the save/restore matrix's own cases */
		if ((r->suites & SUITE_COMPONENTS) && planned(out, all.cases[i].id))
			continue;
		c = plan_add(out, all.cases[i].family, all.cases[i].id, NULL);
		if (!c)
			rc = xb_fail(ENOMEM, "out of memory");
		else
			*c = all.cases[i];
	}
	if (filter)
		regfree(&re);
	plan_free(&all);
	if (rc)
		plan_free(out);
	return rc;
}

int plan_build(const struct machine *m, unsigned int suites, const char *filter, struct plan *out)
{
	return plan_make(m, &(struct plan_request){ suites, filter, NULL }, out);
}

void plan_free(struct plan *plan)
{
	free(plan->cases);
	memset(plan, 0, sizeof(*plan));
}

/* @list's cases for @site on @m into @cases (room for COMPONENT_CASES_MAX); how many. */
static int matrix_of(const struct machine *m, enum matrix_site site, enum matrix_list list, struct matrix_case *cases)
{
	switch (list) {
	case MATRIX_SWITCHES:
		return switch_matrix(site, cases, MATRIX_CASES_MAX);
	case MATRIX_COMPONENTS:
		return component_matrix(site, m->layout.xcr0, m->layout.xss, cases, COMPONENT_CASES_MAX);
	case MATRIX_SAVES:
		break;
	}
	return save_matrix(site, cases, MATRIX_CASES_MAX);
}

int plan_matrix(const struct machine *m, struct plan *plan, const struct bench_family *family, enum matrix_site site,
		enum matrix_list list, matrix_require_fn require, int (*op_of)(const struct matrix_case *c))
{
	struct matrix_case *cases = calloc(COMPONENT_CASES_MAX, sizeof(*cases));
	int n = cases ? matrix_of(m, site, list, cases) : 0, rc = 0;

	if (!cases)
		return xb_fail(ENOMEM, "out of memory");
	for (int i = 0; i < n && i < COMPONENT_CASES_MAX && !rc; i++) {
		/* "user" is XCR0, so it is defined even when the layout is not */
		uint64_t mask = feature_set_mask(cases[i].set, m->layout.xcr0, m->layout.xss) |
				(cases[i].added ? XFEATURE_MASK(cases[i].added) : 0);
		struct bench_id id = matrix_case_id(site, &cases[i]);
		char why[CASE_REASON_MAX], features[BENCH_ID_MAX];
		struct bench_case *c;

		if (cases[i].added) {
			feature_set_format(mask, m->layout.xcr0, m->layout.xss, features, sizeof(features));
			id.features = features;
		}
		c = plan_case(plan, family, &id, mask, require(m, &cases[i], mask, why, sizeof(why)) ? NULL : why);
		if (!c)
			rc = -ENOMEM;
		else
			c->op = op_of(&cases[i]);
	}
	free(cases);
	return rc;
}

int plan_runnable_count(const struct plan *plan)
{
	int n = 0;

	for (int i = 0; i < plan->count; i++)
		n += !plan->cases[i].skip_reason[0];
	return n;
}
