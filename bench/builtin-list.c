/*
 * builtin-list.c - `xstate-bench list`: every benchmark id of the selected suites and
 * whether it can run here, with the reason when it cannot.
 */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../host/machine.h"
#include "../results/json_write.h"
#include "cli.h"
#include "family_guest.h"
#include "plan.h"

static struct {
	const char *filter, *dump;
	unsigned int suites;
	bool json;
} args;

static int list_main(int argc, char **argv)
{
	struct machine *m;
	struct plan plan;
	int first, rc;

	memset(&args, 0, sizeof(args));
	args.suites = SUITE_ALL;
	if ((rc = cli_parse(&cmd_list, argc, argv, &first)) != CLI_CONTINUE)
		return rc;
	if (first < argc)
		return cli_usage_error(&cmd_list, "unexpected argument: %s", argv[first]);
	if (cli_stop_after_arguments)
		return 0;
	m = malloc(sizeof(*m));
	if (!m)
		return 1;
	rc = args.dump ? machine_from_dump_file(m, args.dump) : machine_probe(m);
	if (!rc)
		rc = plan_build(m, args.suites, args.filter, &plan);
	if (rc) {
		fprintf(stderr, "xstate-bench list: %s\n", xb_error_message());
		free(m);
		return 1;
	}
	if (args.json) {
		cJSON *root = cJSON_CreateObject(), *arr = cJSON_AddArrayToObject(root, "cases");

		for (int i = 0; i < plan.count; i++) {
			const struct bench_case *c = &plan.cases[i];
			cJSON *o = cJSON_CreateObject();

			cJSON_AddStringToObject(o, "id", c->id);
			cJSON_AddBoolToObject(o, "runnable", !c->skip_reason[0]);
			if (c->skip_reason[0])
				cJSON_AddStringToObject(o, "reason", c->skip_reason);
			cJSON_AddItemToArray(arr, o);
		}
		rc = json_write(root, stdout);
	} else {
		for (int i = 0; i < plan.count; i++) {
			const struct bench_case *c = &plan.cases[i];

			if (c->skip_reason[0])
				printf("%-44s skip: %s\n", c->id, c->skip_reason);
			else
				printf("%-44s run\n", c->id);
		}
		printf("\n%d cases, %d runnable here\n", plan.count, plan_runnable_count(&plan));
	}
	if (rc)
		fprintf(stderr, "xstate-bench list: %s\n", xb_error_message());
	plan_free(&plan);
	free(m);
	return rc ? 1 : 0;
}

static const struct cli_option list_options[] = {
	OPT_CALLBACK(0, "suite", &args.suites, "S", "native, kvm, guest, kapi or all, comma-separated (default: all)",
		     cli_check_suite, suite_names),
	OPT_CALLBACK(0, "filter", &args.filter, "REGEX", "only ids matching this POSIX extended regex", cli_check_regex,
		     NULL),
	OPT_BOOLEAN(0, "json", &args.json, "print JSON: {\"cases\": [{\"id\", \"runnable\", \"reason\"}]}"),
	OPT_STRING(0, "cpuid-dump", &args.dump, "FILE", "plan for a recorded machine instead of this one"),
	OPT_CALLBACK(0, "vmm", NULL, "NAME", "plan the guest suite for this launcher: kvm (default) or qemu",
		     cli_check_vmm, guest_vmm_names),
	OPT_END(),
};

const struct cli_command cmd_list = {
	.name = "list",
	.summary = "list every benchmark id and whether it can run here (and why not)",
	.options = list_options,
	.description = "A case that cannot run here says why, naming the CPUID bit or the kernel interface it "
		       "lacks, e.g. \"skip: no XSAVEC on this CPU (CPUID.(EAX=0DH,ECX=1):EAX[1]=0)\".",
	.main = list_main,
};
