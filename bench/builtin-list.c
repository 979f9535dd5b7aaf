/*
 * builtin-list.c - `xstate-bench list`: every benchmark id of the selected suites and
 * whether it can run here, with the reason when it cannot.
 */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "../host/machine.h"
#include "../results/json_write.h"
#include "cli.h"
#include "family_guest.h"
#include "plan.h"

static const char usage[] =
	"usage: xstate-bench list [--suite S] [--filter REGEX] [--json] [--cpuid-dump FILE]\n"
	"                         [--vmm NAME]\n"
	"\n"
	"  --suite S          native, kvm, guest, kapi or all, comma-separated (default: all)\n"
	"  --filter REGEX     only ids matching this POSIX extended regex\n"
	"  --json             print JSON: {\"cases\": [{\"id\", \"runnable\", \"reason\"}]}\n"
	"  --cpuid-dump FILE  plan for a recorded machine instead of this one\n"
	"  --vmm NAME         plan the guest suite for this launcher: kvm (default) or qemu\n"
	"  --help             this text\n";

int cmd_list(int argc, char **argv)
{
	static const struct option options[] = {
		{ "suite", required_argument, NULL, 's' },
		{ "filter", required_argument, NULL, 'f' },
		{ "json", no_argument, NULL, 'j' },
		{ "cpuid-dump", required_argument, NULL, 'd' },
		{ "vmm", required_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const char *filter = NULL, *dump = NULL;
	unsigned int suites = SUITE_ALL;
	struct machine *m;
	struct plan plan;
	bool json = false;
	int opt, rc;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		switch (opt) {
		case 's':
			if (suite_parse(optarg, &suites))
				return cli_usage_error(usage, "--suite: unknown suite in '%s'", optarg);
			break;
		case 'f':
			if (!cli_regex_ok(usage, "--filter", optarg))
				return EXIT_USAGE;
			filter = optarg;
			break;
		case 'j': json = true; break;
		case 'd': dump = optarg; break;
		case 'V':
			if (!guest_family_select_vmm(optarg))
				return cli_usage_error(usage, "--vmm: want kvm or qemu, got '%s'", optarg);
			break;
		case 'h': return cli_help(usage);
		default: return cli_bad_option(usage, argc, argv);
		}
	}
	if (optind < argc)
		return cli_usage_error(usage, "unexpected argument: %s", argv[optind]);
	m = malloc(sizeof(*m));
	if (!m)
		return 1;
	rc = dump ? machine_from_dump_file(m, dump) : machine_probe(m);
	if (!rc)
		rc = plan_build(m, suites, filter, &plan);
	if (rc) {
		fprintf(stderr, "xstate-bench list: %s\n", xb_error_message());
		free(m);
		return 1;
	}
	if (json) {
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
