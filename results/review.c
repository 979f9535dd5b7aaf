/*
 * review.c - reading the review manifest, checking it against the stored runs, and
 * comparing every version of the series with its base.
 */
#include "review.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text_file.h"

#define REVIEW_FORMAT "xstate-bench review 1"
#define REVIEW_MAX_KERNELS 8

/* A string member of @o into @out (@required: an error when it is missing). */
static int member_text(const cJSON *o, const char *name, bool required, char *out, size_t size, const char *where)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	out[0] = 0;
	if (!v && !required)
		return 0;
	if (!cJSON_IsString(v))
		return xb_fail(EINVAL, "%s: \"%s\" must be a string", where, name);
	snprintf(out, size, "%s", v->valuestring);
	return 0;
}

/* A number member of @o; NAN when it is missing and not @required. */
static int member_number(const cJSON *o, const char *name, bool required, double *out, const char *where)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	*out = NAN;
	if (!v && !required)
		return 0;
	if (!cJSON_IsNumber(v))
		return xb_fail(EINVAL, "%s: \"%s\" must be a number", where, name);
	*out = v->valuedouble;
	return 0;
}

static bool name_ok(const char *name)
{
	size_t n = strlen(name);

	if (!n || n >= REVIEW_NAME_MAX)
		return false;
	return strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._-") == n;
}

static int parse_kernel(const cJSON *o, const char *path, struct review *r, struct review_kernel *k)
{
	const cJSON *patches = cJSON_GetObjectItemCaseSensitive(o, "patches"), *p;
	char where[600];
	int rc;

	k->build_seconds = NAN;
	if (!cJSON_IsObject(o))
		return xb_fail(EINVAL, "%s: every item of \"kernels\" must be an object", path);
	if ((rc = member_text(o, "name", true, k->name, sizeof(k->name), path)))
		return rc;
	if (!name_ok(k->name))
		return xb_fail(EINVAL, "%s: kernel name '%s': want 1 to %d characters of A-Z a-z 0-9 . _ -", path, k->name,
				REVIEW_NAME_MAX - 1);
	for (struct review_kernel *other = r->kernels; other < k; other++)
		if (!strcmp(other->name, k->name))
			return xb_fail(EINVAL, "%s: two kernels are named %s", path, k->name);
	snprintf(where, sizeof(where), "%s: kernel %s", path, k->name);
	if ((rc = member_text(o, "source", true, k->source, sizeof(k->source), where)) ||
	    (rc = member_number(o, "build_seconds", false, &k->build_seconds, where)))
		return rc;
	k->build_cached = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, "build_cached"));
	if (patches && !cJSON_IsArray(patches))
		return xb_fail(EINVAL, "%s: \"patches\" must be a list of strings", where);
	k->nr_patches = cJSON_GetArraySize(patches);
	if (k->nr_patches && !(k->patches = calloc((size_t)k->nr_patches, sizeof(*k->patches))))
		return xb_fail(ENOMEM, "out of memory");
	for (int i = 0; i < k->nr_patches; i++) {
		p = cJSON_GetArrayItem(patches, i);
		if (!cJSON_IsString(p))
			return xb_fail(EINVAL, "%s: \"patches\" must be a list of strings", where);
		snprintf(k->patches[i], sizeof(k->patches[i]), "%s", p->valuestring);
	}
	return 0;
}

static int kernel_index(const struct review *r, const char *name)
{
	for (int i = 0; i < r->nr_kernels; i++)
		if (!strcmp(r->kernels[i].name, name))
			return i;
	return -1;
}

static int add_run(struct review_kernel *k, int64_t run)
{
	int64_t *grown = realloc(k->runs, (size_t)(k->nr_runs + 1) * sizeof(*grown));

	if (!grown)
		return xb_fail(ENOMEM, "out of memory");
	k->runs = grown;
	k->runs[k->nr_runs++] = run;
	return 0;
}

static int parse_step(const cJSON *o, const char *path, struct review *r, struct review_step *step)
{
	char name[REVIEW_NAME_MAX + 8];
	double run;
	int rc;

	if (!cJSON_IsObject(o))
		return xb_fail(EINVAL, "%s: every item of \"schedule\" must be an object", path);
	if ((rc = member_text(o, "kernel", true, name, sizeof(name), path)) ||
	    (rc = member_number(o, "run", true, &run, path)) ||
	    (rc = member_number(o, "seconds", false, &step->seconds, path)))
		return rc;
	if ((step->kernel = kernel_index(r, name)) < 0)
		return xb_fail(EINVAL, "%s: the schedule names kernel %s, which \"kernels\" does not", path, name);
	if (run < 1 || run != floor(run))
		return xb_fail(EINVAL, "%s: run %g is not a run id", path, run);
	step->run = (int64_t)run;
	for (struct review_step *other = r->schedule; other < step; other++)
		if (other->run == step->run)
			return xb_fail(EINVAL, "%s: run %" PRId64 " is in the schedule twice", path, step->run);
	return add_run(&r->kernels[step->kernel], step->run);
}

static int parse(const cJSON *root, const char *path, struct review *r)
{
	const cJSON *kernels = cJSON_GetObjectItemCaseSensitive(root, "kernels");
	const cJSON *schedule = cJSON_GetObjectItemCaseSensitive(root, "schedule");
	char format[64];
	double rounds;
	int rc;

	if (!cJSON_IsObject(root))
		return xb_fail(EINVAL, "%s: not a review manifest (a JSON object)", path);
	if ((rc = member_text(root, "format", true, format, sizeof(format), path)))
		return rc;
	if (strcmp(format, REVIEW_FORMAT))
		return xb_fail(EINVAL, "%s: format '%s', want '%s'", path, format, REVIEW_FORMAT);
	if ((rc = member_text(root, "host", true, r->host, sizeof(r->host), path)) ||
	    (rc = member_text(root, "lab", true, r->lab, sizeof(r->lab), path)) ||
	    (rc = member_text(root, "suites", true, r->suites, sizeof(r->suites), path)) ||
	    (rc = member_number(root, "rounds", true, &rounds, path)) ||
	    (rc = member_number(root, "wall_seconds", false, &r->wall_seconds, path)))
		return rc;
	r->rounds = (int)rounds;
	if (!cJSON_IsArray(kernels) || cJSON_GetArraySize(kernels) < 2 || cJSON_GetArraySize(kernels) > REVIEW_MAX_KERNELS)
		return xb_fail(EINVAL, "%s: \"kernels\" must list the base and 1 to %d versions", path,
			       REVIEW_MAX_KERNELS - 1);
	if (!cJSON_IsArray(schedule) || !cJSON_GetArraySize(schedule))
		return xb_fail(EINVAL, "%s: \"schedule\" must list the runs", path);
	r->nr_kernels = cJSON_GetArraySize(kernels);
	r->nr_steps = cJSON_GetArraySize(schedule);
	r->kernels = calloc((size_t)r->nr_kernels, sizeof(*r->kernels));
	r->schedule = calloc((size_t)r->nr_steps, sizeof(*r->schedule));
	if (!r->kernels || !r->schedule)
		return xb_fail(ENOMEM, "out of memory");
	for (int i = 0; i < r->nr_kernels && !rc; i++)
		rc = parse_kernel(cJSON_GetArrayItem(kernels, i), path, r, &r->kernels[i]);
	for (int i = 0; i < r->nr_steps && !rc; i++)
		rc = parse_step(cJSON_GetArrayItem(schedule, i), path, r, &r->schedule[i]);
	for (int i = 0; i < r->nr_kernels && !rc; i++)
		if (!r->kernels[i].nr_runs)
			rc = xb_fail(EINVAL, "%s: kernel %s has no run in the schedule", path, r->kernels[i].name);
	return rc;
}

/* "runs:1,4,7" of @k. */
static int runs_spec(const struct review_kernel *k, char **out)
{
	size_t size = 16 + (size_t)k->nr_runs * 21, used;
	char *spec = malloc(size);

	if (!(*out = spec))
		return xb_fail(ENOMEM, "out of memory");
	used = (size_t)snprintf(spec, size, "runs:");
	for (int i = 0; i < k->nr_runs; i++)
		used += (size_t)snprintf(spec + used, size - used, "%s%" PRId64, i ? "," : "", k->runs[i]);
	return 0;
}

/* The release every run of kernel @i recorded (one, or the manifest mixes kernels), and the
 * machine (the base's: a review compares kernels on one machine). */
static int check_runs(struct review *r, int i)
{
	const struct series *s = &r->set.series[i], *base = &r->set.series[0];
	struct review_kernel *k = &r->kernels[i];

	snprintf(k->release, sizeof(k->release), "%s", s->runs[0].kernel[0] ? s->runs[0].kernel : "unknown");
	for (int j = 0; j < s->nr_runs; j++) {
		if (strcmp(s->runs[j].kernel, s->runs[0].kernel))
			return xb_fail(EINVAL, "kernel %s: run %lld ran %s, run %lld ran %s: one kernel's runs must be of "
				       "one release", k->name, (long long)s->runs[0].id, k->release,
				       (long long)s->runs[j].id, s->runs[j].kernel[0] ? s->runs[j].kernel : "an unknown kernel");
		if (!series_same_machine(&s->runs[j], &base->runs[0]))
			return xb_fail(EINVAL, "kernel %s: run %lld was measured on another machine than the base's run "
				       "%lld: a review compares kernels on one machine", k->name, (long long)s->runs[j].id,
				       (long long)base->runs[0].id);
	}
	return 0;
}

/* Every kernel's runs compared; each series named after its kernel. */
static int compare_kernels(struct results_store *st, const char *metric, const struct verdict_options *o,
			   struct review *r)
{
	struct results_store **stores = calloc((size_t)r->nr_kernels, sizeof(*stores));
	int rc;

	r->specs = calloc((size_t)r->nr_kernels, sizeof(*r->specs));
	r->names = calloc((size_t)r->nr_kernels, sizeof(*r->names));
	rc = r->specs && r->names && stores ? 0 : xb_fail(ENOMEM, "out of memory");
	for (int i = 0; i < r->nr_kernels && !rc; i++) {
		stores[i] = st;
		r->names[i] = r->kernels[i].name;
		rc = runs_spec(&r->kernels[i], &r->specs[i]);
	}
	if (!rc)
		rc = comparison_set_load(stores, r->specs, r->nr_kernels, metric, o, &r->set);
	for (int i = 0; i < r->nr_kernels && !rc; i++) {
		snprintf(r->set.series[i].name, sizeof(r->set.series[i].name), "%s", r->kernels[i].name);
		rc = check_runs(r, i);
	}
	if (!rc)
		series_run_machine(&r->set.series[0].runs[0], r->lab_cpu, sizeof(r->lab_cpu));
	free(stores);
	return rc;
}

int review_load(struct results_store *st, const char *path, const char *metric, const struct verdict_options *o,
		struct review *out)
{
	char *text = text_file_read(path);
	cJSON *root;
	int rc;

	*out = (struct review){ .wall_seconds = NAN };
	if (!text)
		return -EIO;
	root = cJSON_Parse(text);
	free(text);
	if (!root)
		return xb_fail(EINVAL, "%s: not JSON", path);
	rc = parse(root, path, out);
	cJSON_Delete(root);
	if (!rc)
		rc = compare_kernels(st, metric, o, out);
	return rc;
}

void review_free(struct review *r)
{
	comparison_set_free(&r->set);
	for (int i = 0; r->kernels && i < r->nr_kernels; i++) {
		free(r->kernels[i].patches);
		free(r->kernels[i].runs);
	}
	for (int i = 0; r->specs && i < r->nr_kernels; i++)
		free(r->specs[i]);
	free(r->specs);
	free(r->names);
	free(r->kernels);
	free(r->schedule);
	memset(r, 0, sizeof(*r));
}

bool review_row_changed(const struct comparison *c, const struct comparison_row *row)
{
	for (int k = 0; k < c->nr_news; k++) {
		enum verdict v = row->cells[k].verdict;

		if (comparison_cell_present(row, k) && (v == VERDICT_REGRESSION || v == VERDICT_IMPROVEMENT ||
							v == VERDICT_NEW || v == VERDICT_MISSING || v == VERDICT_FAILED))
			return true;
	}
	return false;
}
