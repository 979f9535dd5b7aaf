/*
 * builtin-datasheet.c - `xstate-bench datasheet --out DIR`: the bring-up document of this
 * machine. The layout as `probe` names it, checked on the silicon component by component
 * (datasheet_layout.h); each component's cost measured through the normal plan and runner
 * into the database (or taken from a stored run, --run) with the size-against-cost line
 * (results/datasheet_costs.h); the virtualization cost from the database's runs
 * (results/datasheet_virt.h); a second datasheet beside it (--compare). With --cpuid-dump, the
 * layout of a recorded machine, nothing measured.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../base/attributes.h"
#include "../host/machine.h"
#include "../results/datasheet_compare.h"
#include "../results/datasheet_costs.h"
#include "../results/datasheet_doc.h"
#include "../results/datasheet_virt.h"
#include "cli.h"
#include "datasheet_layout.h"
#include "machine_json.h"
#include "run_cli.h"

/* The suites whose cases DATASHEET_COST_FILTER selects: the one place to name another. */
#define DATASHEET_SUITES SUITE_COMPONENTS
#define DATASHEET_VERSION 1

static struct {
	struct run_cli run;
	const char *out, *db, *dump, *compare, *from_run;
} args;

/* The document's head: what it is, where from, and the machine as `probe --json` has it. */
static cJSON *doc_begin(const struct machine *m)
{
	cJSON *doc = cJSON_CreateObject(), *head = cJSON_AddObjectToObject(doc, "datasheet");
	char now[32];

	cli_iso_time(now, sizeof(now));
	cJSON_AddNumberToObject(head, "version", DATASHEET_VERSION);
	cJSON_AddStringToObject(head, "written_at", now);
	cJSON_AddStringToObject(head, "source", m->from_dump ? m->dump_path : "this machine");
	machine_json_cpu(doc, m);
	if (m->kernel.known)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(doc, "kernel"), "release", m->kernel.release);
	cJSON_AddItemToObject(doc, "xsave", machine_json_xsave(m));
	return doc;
}

/* Measures the cost cases into the database: the run's id. 1 when a case failed its checks. */
static int measure(const struct machine *m, int argc, char **argv, int64_t *run_id)
{
	struct run_options *o = &args.run.o;
	int rc;

	run_cli_finish(&args.run);
	o->filter = DATASHEET_COST_FILTER;
	o->db_url = cli_db_url(args.db);
	o->command_line = run_cli_command_line(argc, argv);
	if (!o->command_line)
		return xb_fail(ENOMEM, "out of memory");
	rc = runner_run(m, o, run_id);
	free((char *)o->command_line);
	if (rc == EXIT_USAGE)
		return xb_fail(ENOENT, "no case of the datasheet can be planned here");
	return rc;
}

/* The costs of @spec's run into @doc. */
static int add_costs(struct results_store *st, const struct machine *m, const char *spec, cJSON *doc)
{
	struct series ticks = { 0 }, cycles = { 0 };
	uint32_t sizes[DATASHEET_MAX_COMPONENTS];
	struct datasheet_cost_input in = { .ticks = &ticks, .xcr0 = m->layout.xcr0, .xss = m->layout.xss, .sizes = sizes };
	int rc;

	for (int id = 0; id < DATASHEET_MAX_COMPONENTS; id++)
		sizes[id] = m->layout.comp[id].size;
	if ((rc = series_load(st, spec, METRIC_TICKS_PER_OP, &ticks)))
		return rc;
	/* an imported run has no estimated cycles: the cycle columns stay empty */
	if (!series_load(st, spec, METRIC_CORE_CYCLES_PER_OP, &cycles))
		in.cycles = &cycles;
	rc = datasheet_costs(&in, doc);
	series_free(&cycles);
	series_free(&ticks);
	return rc;
}

/* Costs (measured now, or of --run) and the virtualization table, from the database. */
static int add_measured(const struct machine *m, int argc, char **argv, cJSON *doc, bool *failed)
{
	struct results_store *st = NULL;
	char spec[32];
	int64_t run_id = 0;
	int rc = 0;

	if (m->from_dump)
		cJSON_AddStringToObject(doc, "costs_not_measured", "Not measured: a recorded machine (--cpuid-dump).");
	else if (!args.from_run && (rc = measure(m, argc, argv, &run_id)) > 0)
		*failed = true;
	if (rc < 0)
		return rc;
	if ((rc = cli_open_results(args.db, &st))) {
		/* a recorded machine without a database: neither costs nor runs to read */
		if (m->from_dump && !args.db)
			return 0;
		return rc;
	}
	snprintf(spec, sizeof(spec), "run:%lld", (long long)run_id);
	if (!m->from_dump)
		rc = add_costs(st, m, args.from_run ? args.from_run : spec, doc);
	if (!rc)
		rc = datasheet_virtualization(st, doc);
	results_close(st);
	return rc;
}

/* What the document says on stdout: where it is, and every finding. */
static void print_outcome(const cJSON *doc, int findings)
{
	const cJSON *f;

	printf("datasheet: %s/datasheet.md, datasheet.html, datasheet.json\n", args.out);
	printf("layout: %d finding%s%s\n", findings, findings == 1 ? "" : "s", findings ? ":" : "");
	cJSON_ArrayForEach(f, cJSON_GetObjectItem(cJSON_GetObjectItem(doc, "layout"), "findings"))
		printf("  %s\n", cJSON_GetStringValue(f));
}

static int write_datasheet(const struct machine *m, int argc, char **argv, const cJSON *other)
{
	cJSON *doc = doc_begin(m);
	bool failed = false;
	int findings = 0, rc = datasheet_layout(m, !m->from_dump, doc, &findings);

	if (!rc)
		rc = add_measured(m, argc, argv, doc, &failed);
	if (!rc && other)
		datasheet_compare(doc, other, args.compare);
	if (!rc)
		rc = datasheet_doc_write(args.out, doc);
	if (!rc)
		print_outcome(doc, findings);
	cJSON_Delete(doc);
	if (rc)
		return rc;
	return findings || failed ? 1 : 0;
}

static int datasheet_main(int argc, char **argv)
{
	struct machine *m = NULL;
	cJSON *other = NULL;
	int first, rc;

	memset(&args, 0, sizeof(args));
	run_cli_init(&args.run, DATASHEET_SUITES);
	if ((rc = cli_parse(&cmd_datasheet, argc, argv, &first)) != CLI_CONTINUE)
		return rc;
	if (first < argc)
		return cli_usage_error(&cmd_datasheet, "unexpected argument: %s", argv[first]);
	if (!args.out || !*args.out)
		return cli_usage_error(&cmd_datasheet, "missing --out DIR");
	if (args.dump && (args.run.quick || args.from_run))
		return cli_usage_error(&cmd_datasheet, "--cpuid-dump describes a recorded machine: nothing is measured "
				       "or read from a run (no --quick, no --run)");
	if (cli_stop_after_arguments)
		return 0;
	if (args.compare && !(other = datasheet_read(args.compare)))
		return cli_usage_error(&cmd_datasheet, "--compare: %s", xb_error_message());
	if ((mkdir(args.out, 0755) && errno != EEXIST && xb_fail_errno("mkdir %s", args.out)) ||
	    (access(args.out, W_OK) && xb_fail_errno("--out %s: not writable", args.out))) {
		cJSON_Delete(other);
		return cli_usage_error(&cmd_datasheet, "%s", xb_error_message());
	}
	if (!(m = malloc(sizeof(*m))))
		rc = xb_fail(ENOMEM, "out of memory");
	else
		rc = args.dump ? machine_from_dump_file(m, args.dump) : machine_probe(m);
	if (!rc)
		rc = write_datasheet(m, argc, argv, other);
	if (rc < 0)
		fprintf(stderr, "xstate-bench datasheet: %s\n", xb_error_message());
	cJSON_Delete(other);
	free(m);
	return rc < 0 ? 1 : rc;
}

static const struct cli_option datasheet_options[] = {
	OPT_STRING(0, "out", &args.out, "DIR", "where datasheet.md, datasheet.html and datasheet.json go (created)"),
	OPT_BOOLEAN(0, "quick", &args.run.quick, "fewer rounds and shorter samples, for a smoke run"),
	CLI_DB_OPTION(&args.db),
	OPT_STRING(0, "cpuid-dump", &args.dump, "FILE", "the layout of a recorded machine (tests/cpuid/*.dump) "
		   "instead of this one: nothing is measured or checked on the silicon"),
	OPT_STRING(0, "compare", &args.compare, "FILE", "put another machine's datasheet.json beside this one: "
		   "the layout differences and the cost ratios, component by component"),
	OPT_STRING(0, "run", &args.from_run, "RUN", "take the costs from this stored run (an id, label or "
		   "baseline) instead of measuring them now"),
	OPT_CHOICE(0, "progress", &args.run.progress, "MODE", progress_mode_names, "progress on stderr while "
		   "measuring: auto (the default), line, plain or none"),
	OPT_BOOLEAN('q', "quiet", &args.run.quiet, "no progress while measuring"),
	OPT_END(),
};

const struct cli_command cmd_datasheet = {
	.name = "datasheet",
	.summary = "the bring-up datasheet: every xstate component checked on the silicon and costed",
	.options = datasheet_options,
	.description = "Checks every enabled user component with XSAVE, XSAVEC and XRSTOR on this CPU (its bytes "
		       "where CPUID says and nothing else, the header as the SDM says; a mismatch is a finding, "
		       "listed first), and every enabled component, supervisor ones included, with XSAVES and "
		       "XRSTORS in ring 0 where the xstate_bench module is loaded; measures the native saves and restores of the x87+SSE baseline and of the "
		       "baseline plus each component into the database (run's cases native/[ring0/](save|restore)/"
		       "INSN/fp[+COMPONENT]/CONDITION), fits the size-against-cost line of each instruction, and "
		       "tabulates every operation the database holds measured natively, in ring 0 and in a "
		       "guest.\n\nExit status: 0 when the document was written with no finding and every case "
		       "produced numbers, 1 when the layout check found a mismatch, a case failed its checks or "
		       "a file could not be written, 2 on a usage error.",
	.main = datasheet_main,
};
