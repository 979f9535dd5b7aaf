/*
 * builtin-help.c - the command table and `xstate-bench help [CMD]`: the list of commands,
 * a command's help, and what the install writes from the same tables: the man pages
 * (`help --man-dir DIR`) and the bash completion (`help --completion`).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"

const struct cli_command *const cli_commands[] = {
	&cmd_probe, &cmd_list, &cmd_run, &cmd_compare, &cmd_baseline, &cmd_import, &cmd_export, &cmd_history,
	&cmd_report, &cmd_review, &cmd_nightly, &cmd_datasheet, &cmd_help, NULL,
};

/* The environment, for the top-level man page. */
static const struct cli_operand environment[] = {
	{ "XSTATE_BENCH_DB", "the results database when --db is not given (default ./xstate-bench.db)" },
	{ "XSTATE_BENCH_GUEST", "the guest payload (default: xstate-guest.elf beside xstate-bench, else in "
				"its libexec directory)" },
	{ "XSTATE_BENCH_GUEST_ARGS", "more words for the guest payload's command line" },
	{ "XSTATE_BENCH_GUEST_TIMEOUT", "seconds a guest session may run" },
	{ "XSTATE_BENCH_MODULE_DEVICE", "the xstate_bench module's device (default /dev/xstate_bench)" },
	{ NULL },
};

static struct {
	const char *man_dir;
	bool completion;
} args;

const struct cli_command *cli_command_find(const char *name)
{
	for (int i = 0; cli_commands[i]; i++)
		if (!strcmp(name, cli_commands[i]->name))
			return cli_commands[i];
	return NULL;
}

/* `xstate-bench --help`: every command with its summary. */
void cli_write_commands(FILE *out)
{
	fputs("usage: xstate-bench <command> [options]\n\ncommands:\n", out);
	for (int i = 0; cli_commands[i]; i++)
		fprintf(out, "  %-10s %s\n", cli_commands[i]->name, cli_commands[i]->summary);
	fputs("\n'xstate-bench help <command>' or 'xstate-bench <command> --help' describes a command.\n", out);
}

static void write_man_index(FILE *out)
{
	fprintf(out, ".TH \"XSTATE-BENCH\" \"1\" \"\" \"xstate-bench %s\" \"xstate-bench manual\"\n.nh\n.ad l\n"
		     ".SH NAME\nxstate-bench \\- micro-benchmarks and regression tracking for the x86 extended "
		     "state (FPU, XSAVE) paths of Linux and KVM\n"
		     ".SH SYNOPSIS\n\\fBxstate-bench\\fR \\fIcommand\\fR [\\fIoptions\\fR] [\\fIoperands\\fR]\n.br\n"
		     "\\fBxstate-bench help\\fR [\\fIcommand\\fR]\n.br\n\\fBxstate-bench \\-\\-version\\fR\n"
		     ".SH DESCRIPTION\nxstate-bench measures what saving and restoring each extended-state feature "
		     "set costs (natively, in ring 0, inside a KVM guest, and through the kernel's own paths), "
		     "stores every sample in a results database, compares runs case by case and draws reports.\n"
		     ".SH COMMANDS\n", XB_VERSION);
	for (int i = 0; cli_commands[i]; i++)
		fprintf(out, ".TP\n.BR xstate\\-bench\\-%s (1)\n%s\n", cli_commands[i]->name, cli_commands[i]->summary);
	fputs(".SH ENVIRONMENT\n", out);
	for (const struct cli_operand *e = environment; e->name; e++)
		fprintf(out, ".TP\n.B %s\n%s\n", e->name, e->help);
	fputs(".SH EXIT STATUS\n0: success; 1: a case or a command failed; 2: a usage error; 3 (compare): "
	      "inconclusive.\n.SH SEE ALSO\n", out);
	for (int i = 0; cli_commands[i]; i++)
		fprintf(out, ".BR xstate\\-bench\\-%s (1)%s\n", cli_commands[i]->name, cli_commands[i + 1] ? "," : "");
}

/* Writes one man page into @dir: @cmd's, or the top-level one for NULL. */
static int write_man_page(const char *dir, const struct cli_command *cmd)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/xstate-bench%s%s.1", dir, cmd ? "-" : "", cmd ? cmd->name : "");
	if (!(f = fopen(path, "w")))
		return xb_fail_errno("open %s", path);
	if (cmd)
		cli_write_man(cmd, f);
	else
		write_man_index(f);
	return fclose(f) ? xb_fail_errno("write %s", path) : 0;
}

/* xstate-bench.1 and xstate-bench-CMD.1 for every command, in @dir (made if missing). */
static int write_man_pages(const char *dir)
{
	int rc = mkdir(dir, 0755) && errno != EEXIST ? xb_fail_errno("mkdir %s", dir) : 0;

	if (!rc)
		rc = write_man_page(dir, NULL);
	for (int i = 0; cli_commands[i] && !rc; i++)
		rc = write_man_page(dir, cli_commands[i]);
	if (rc)
		fprintf(stderr, "xstate-bench help: %s\n", xb_error_message());
	return rc ? 1 : 0;
}

static int help_main(int argc, char **argv)
{
	const struct cli_command *cmd = NULL;
	int first, rc;

	args.man_dir = NULL, args.completion = false;
	if ((rc = cli_parse(&cmd_help, argc, argv, &first)) != CLI_CONTINUE)
		return rc;
	if (argc - first > 1)
		return cli_usage_error(&cmd_help, "unexpected argument: %s", argv[first + 1]);
	if (argc > first && !(cmd = cli_command_find(argv[first])))
		return cli_usage_error(&cmd_help, "unknown command '%s'", argv[first]);
	if ((args.completion || args.man_dir) && (cmd || (args.completion && args.man_dir)))
		return cli_usage_error(&cmd_help, "--man-dir and --completion cover every command: one of them, "
						  "without COMMAND");
	if (cli_stop_after_arguments)
		return 0;
	if (args.man_dir)
		return write_man_pages(args.man_dir);
	if (args.completion)
		cli_write_completion(stdout);
	else if (cmd)
		cli_write_help(cmd, stdout);
	else
		cli_write_commands(stdout);
	return 0;
}

static const char *const help_forms[] = { "[COMMAND]", NULL };
static const struct cli_operand help_operands[] = {
	{ "COMMAND", "the command to describe; without one, the list of commands" },
	{ NULL },
};
static const struct cli_option help_options[] = {
	OPT_STRING(0, "man-dir", &args.man_dir, "DIR", "write every man page (troff) into DIR: xstate-bench.1 "
		   "and xstate-bench-COMMAND.1 for each command"),
	OPT_BOOLEAN(0, "completion", &args.completion, "write the bash completion script of every command"),
	OPT_END(),
};

const struct cli_command cmd_help = {
	.name = "help",
	.summary = "describe a command, or list them; write the man pages and the bash completion",
	.forms = help_forms,
	.operands = help_operands,
	.options = help_options,
	.description = "The help, the man pages and the completion are all written from each command's "
		       "option table: the install generates the pages and the completion script with this "
		       "command.",
	.main = help_main,
};
