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

const char *const suite_names[] = { "native", "kvm", "guest", "kapi", "all", NULL };
static const unsigned int suite_bits[] = { SUITE_NATIVE, SUITE_KVM, SUITE_GUEST, SUITE_KAPI, SUITE_ALL };

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

static unsigned int site_suite(const char *site)
{
	return !strcmp(site, "native") ? SUITE_NATIVE
	       : !strcmp(site, "kvm")  ? SUITE_KVM
	       : !strcmp(site, "kapi") ? SUITE_KAPI
				       : SUITE_GUEST;
}

int plan_build(const struct machine *m, unsigned int suites, const char *filter, struct plan *out)
{
	struct plan all = { 0 };
	regex_t re;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	if (filter) {
		int err = regcomp(&re, filter, REG_EXTENDED | REG_NOSUB);

		if (err) {
			char msg[128];

			regerror(err, &re, msg, sizeof(msg));
			return xb_fail(EINVAL, "--filter '%s': %s", filter, msg);
		}
	}
	for (const struct bench_family *const *f = bench_families; *f && !rc; f++)
		if (site_suite((*f)->site) & suites)
			rc = (*f)->plan(m, &all);
	for (int i = 0; i < all.count && !rc; i++) {
		struct bench_case *c;

		if (filter && regexec(&re, all.cases[i].id, 0, NULL, 0))
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

void plan_free(struct plan *plan)
{
	free(plan->cases);
	memset(plan, 0, sizeof(*plan));
}

int plan_runnable_count(const struct plan *plan)
{
	int n = 0;

	for (int i = 0; i < plan->count; i++)
		n += !plan->cases[i].skip_reason[0];
	return n;
}
