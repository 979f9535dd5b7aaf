/*
 * cli_doc.c - what a command's table writes besides the parser: --help (wrapped at 80
 * columns), the man page (troff, man(7) macros) and the bash completion of every command.
 */
#include "cli.h"

#include <ctype.h>
#include <string.h>

#define WIDTH 80
#define HELP_COLUMN 22 /* where option help starts, unless the option's names are wider */

void cli_write_wrapped(FILE *out, const char *text, int column, int indent)
{
	bool line_empty = column <= indent;

	while (*text) {
		size_t len;

		if (*text == '\n') {
			fprintf(out, "\n%*s", indent, "");
			column = indent, line_empty = true, text++;
			continue;
		}
		if (*text == ' ') {
			text++;
			continue;
		}
		len = strcspn(text, " \n");
		if (!line_empty && column + 1 + (int)len > WIDTH) {
			fprintf(out, "\n%*s", indent, "");
			column = indent, line_empty = true;
		}
		if (!line_empty)
			fputc(' ', out), column++;
		column += fprintf(out, "%.*s", (int)len, text);
		line_empty = false;
		text += len;
	}
}

/* "--suite S"; "-q, --quiet" with @sep ", ", "-q|--quiet" with "|" */
static void option_names(const struct cli_option *o, const char *sep, char *out, size_t size)
{
	int n = o->short_name ? snprintf(out, size, "-%c%s", o->short_name, sep) : 0;

	snprintf(out + n, size - (size_t)n, "--%s%s%s", o->long_name, o->argh ? " " : "", o->argh ? o->argh : "");
}

/* The command's options, then -h, --help. */
#define FOR_EACH_OPTION(cmd, o) \
	for (const struct cli_option *o = (cmd)->options->type == CLI_OPT_END ? &cli_help_option : (cmd)->options; o; \
	     o = o == &cli_help_option ? NULL : (o + 1)->type == CLI_OPT_END ? &cli_help_option : o + 1)

static void write_usage(const struct cli_command *cmd, FILE *out)
{
	int indent = (int)strlen("usage: xstate-bench  ") + (int)strlen(cmd->name), column;
	bool several = cmd->forms && cmd->forms[0] && cmd->forms[1];
	char names[96], item[128];

	if (several) {
		for (int i = 0; cmd->forms[i]; i++)
			fprintf(out, "%s xstate-bench %s [options] %s\n", i ? "      " : "usage:", cmd->name, cmd->forms[i]);
		return;
	}
	column = fprintf(out, "usage: xstate-bench %s", cmd->name);
	FOR_EACH_OPTION(cmd, o) {
		option_names(o, "|", names, sizeof(names));
		snprintf(item, sizeof(item), "[%s]", names);
		if (column + 1 + (int)strlen(item) > WIDTH) {
			fprintf(out, "\n%*s", indent - 1, "");
			column = indent - 1;
		}
		column += fprintf(out, " %s", item);
	}
	if (cmd->forms && cmd->forms[0]) {
		if (column + 1 + (int)strlen(cmd->forms[0]) > WIDTH)
			fprintf(out, "\n%*s", indent - 1, "");
		fprintf(out, " %s", cmd->forms[0]);
	}
	fputc('\n', out);
}

static void list_entry(FILE *out, const char *left, const char *help)
{
	int column = fprintf(out, "  %s", left);

	if (column + 2 > HELP_COLUMN) {
		fputc('\n', out);
		column = 0;
	}
	fprintf(out, "%*s", HELP_COLUMN - column, "");
	cli_write_wrapped(out, help, HELP_COLUMN, HELP_COLUMN);
	fputc('\n', out);
}

void cli_write_help(const struct cli_command *cmd, FILE *out)
{
	char names[96];

	write_usage(cmd, out);
	fputc('\n', out);
	for (const struct cli_operand *p = cmd->operands; p && p->name; p++)
		list_entry(out, p->name, p->help);
	FOR_EACH_OPTION(cmd, o) {
		option_names(o, ", ", names, sizeof(names));
		list_entry(out, names, o->help);
	}
	if (cmd->description) {
		fputc('\n', out);
		cli_write_wrapped(out, cmd->description, 0, 0);
		fputc('\n', out);
	}
}

/* Text in troff: backslashes escaped, a word's leading dashes as minus signs, and a line
 * that would start with a control character protected; '\n' starts a new line (.br),
 * "\n\n" a new paragraph (.PP). */
static void man_text(FILE *out, const char *s)
{
	bool line_start = true, word_start = true;

	for (; *s; s++) {
		if (*s == '\n') {
			fputs(s[1] == '\n' ? "\n.PP\n" : "\n.br\n", out);
			s += s[1] == '\n';
			line_start = word_start = true;
			continue;
		}
		if (line_start && (*s == '.' || *s == '\''))
			fputs("\\&", out);
		if (*s == '\\')
			fputs("\\e", out);
		else if (*s == '-' && word_start)
			fputs("\\-", out);
		else
			fputc(*s, out);
		word_start = *s == ' ' || (*s == '-' && word_start) || *s == '[' || *s == '(' || *s == '|';
		line_start = false;
	}
}

static void man_option(FILE *out, const struct cli_option *o)
{
	if (o->short_name)
		fprintf(out, "\\fB\\-%c\\fR, ", o->short_name);
	fputs("\\fB", out);
	man_text(out, "--");
	fprintf(out, "%s\\fR", o->long_name);
	if (o->argh)
		fprintf(out, "\\ \\fI%s\\fR", o->argh); /* an unbreakable space */
}

void cli_write_man(const struct cli_command *cmd, FILE *out)
{
	fputs(".TH \"XSTATE-BENCH-", out);
	for (const char *c = cmd->name; *c; c++)
		fputc(toupper((unsigned char)*c), out);
	fprintf(out, "\" \"1\" \"\" \"xstate-bench %s\" \"xstate-bench manual\"\n.nh\n.ad l\n.SH NAME\n"
		     "xstate-bench-%s \\- ", XB_VERSION, cmd->name);
	man_text(out, cmd->summary);
	fputs("\n.SH SYNOPSIS\n", out);
	if (cmd->forms && cmd->forms[0] && cmd->forms[1]) {
		for (int i = 0; cmd->forms[i]; i++) {
			fprintf(out, "%s\\fBxstate-bench %s\\fR [\\fIoptions\\fR] ", i ? ".br\n" : "", cmd->name);
			man_text(out, cmd->forms[i]);
			fputc('\n', out);
		}
	} else {
		fprintf(out, "\\fBxstate-bench %s\\fR\n", cmd->name);
		FOR_EACH_OPTION(cmd, o) {
			fputc('[', out);
			man_option(out, o);
			fputs("]\n", out);
		}
		if (cmd->forms && cmd->forms[0]) {
			man_text(out, cmd->forms[0]);
			fputc('\n', out);
		}
	}
	fprintf(out, ".SH DESCRIPTION\n%c", toupper((unsigned char)cmd->summary[0]));
	man_text(out, cmd->summary + 1);
	fputs(".\n", out);
	if (cmd->description) {
		fputs(".PP\n", out);
		man_text(out, cmd->description);
		fputc('\n', out);
	}
	if (cmd->operands && cmd->operands[0].name) {
		fputs(".SH OPERANDS\n", out);
		for (const struct cli_operand *p = cmd->operands; p->name; p++) {
			fputs(".TP\n\\fI", out);
			man_text(out, p->name);
			fputs("\\fR\n", out);
			man_text(out, p->help);
			fputc('\n', out);
		}
	}
	fputs(".SH OPTIONS\n", out);
	FOR_EACH_OPTION(cmd, o) {
		fputs(".TP\n", out);
		man_option(out, o);
		fputc('\n', out);
		man_text(out, o->help);
		fputc('\n', out);
	}
	fputs(".SH SEE ALSO\n.BR xstate-bench (1)\n", out);
}

/* The words for an option's argument: its choices, paths for a FILE or a DIR, or nothing. */
static void completion_argument(FILE *out, const struct cli_option *o)
{
	fputs("\t\t", out);
	if (o->short_name)
		fprintf(out, "-%c | ", o->short_name);
	fprintf(out, "--%s) ", o->long_name);
	if (o->choices) {
		fputs("COMPREPLY=($(compgen -W \"", out);
		for (int i = 0; o->choices[i]; i++)
			fprintf(out, "%s%s", i ? " " : "", o->choices[i]);
		fputs("\" -- \"$cur\")); ", out);
	} else if (!strcmp(o->argh, "FILE") || !strcmp(o->argh, "DIR")) {
		fprintf(out, "COMPREPLY=($(compgen -%c -- \"$cur\")); ", !strcmp(o->argh, "FILE") ? 'f' : 'd');
	}
	fputs("return ;;\n", out);
}

void cli_write_completion(FILE *out)
{
	fputs("# bash completion for xstate-bench, written by `xstate-bench help --completion` from the\n"
	      "# commands' option tables.\n"
	      "_xstate_bench()\n{\n"
	      "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} cmd=\"\" i\n\n"
	      "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	      "\t\tcase ${COMP_WORDS[i]} in -*) ;; *) cmd=${COMP_WORDS[i]}; break ;; esac\n"
	      "\tdone\n"
	      "\tcase $cmd in\n\t\"\")\n\t\tCOMPREPLY=($(compgen -W \"", out);
	for (int i = 0; cli_commands[i]; i++)
		fprintf(out, "%s ", cli_commands[i]->name);
	fputs("--help --version\" -- \"$cur\"))\n\t\t;;\n", out);
	for (int i = 0; cli_commands[i]; i++) {
		const struct cli_command *cmd = cli_commands[i];

		fprintf(out, "\t%s)\n\t\tcase $prev in\n", cmd->name);
		FOR_EACH_OPTION(cmd, o)
			if (o->argh)
				completion_argument(out, o);
		fputs("\t\tesac\n\t\tCOMPREPLY=($(compgen -W \"", out);
		FOR_EACH_OPTION(cmd, o)
			fprintf(out, "--%s ", o->long_name);
		if (!strcmp(cmd->name, "help"))
			for (int k = 0; cli_commands[k]; k++)
				fprintf(out, "%s ", cli_commands[k]->name);
		fputs("\" -- \"$cur\"))\n\t\t;;\n", out);
	}
	fputs("\tesac\n}\ncomplete -F _xstate_bench xstate-bench\n", out);
}
