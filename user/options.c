// SPDX-License-Identifier: GPL-2.0-only
/* Option tables -> getopt_long, --help and man page option lists. */
#include "options.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

#define MAX_OPTS 32
#define HELP_COLUMN 25 /* where the help text of an option starts */
#define WIDTH 78

const struct pc_opt_choice pc_mode_choices[] = {
	{ "enforce", PC_MODE_ENFORCE, false },
	{ "audit", PC_MODE_AUDIT, false },
	{ NULL, 0, false },
};

/* Every command's --help, after its own options. */
static const struct pc_opt help_opt = {
	"help", 'h', NULL, "this text", NULL, 0, NULL,
};

int pc_opt_string(const char *cmd, const struct pc_opt *o, const char *arg, void *field)
{
	(void)cmd;
	(void)o;
	*(const char **)field = arg;
	return 0;
}

int pc_opt_flag(const char *cmd, const struct pc_opt *o, const char *arg, void *field)
{
	(void)cmd;
	(void)o;
	(void)arg;
	*(bool *)field = true;
	return 0;
}

/* "a, b or c": the words an option takes, aliases left out. */
static void choice_words(const struct pc_opt *o, const char *sep, const char *last,
			 char *buf, size_t len)
{
	size_t n = 0, k = 0, used = 0;

	for (const struct pc_opt_choice *c = o->choices; c->word; c++)
		n += !c->alias;
	buf[0] = '\0';
	for (const struct pc_opt_choice *c = o->choices; c->word && used < len; c++) {
		if (c->alias)
			continue;
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 k == 0 ? "" : k + 1 == n ? last : sep, c->word);
		k++;
	}
}

int pc_opt_choice(const char *cmd, const struct pc_opt *o, const char *arg, void *field)
{
	char words[128];

	for (const struct pc_opt_choice *c = o->choices; c->word; c++) {
		if (!strcmp(arg, c->word)) {
			*(int *)field = c->value;
			return 0;
		}
	}
	choice_words(o, ", ", " or ", words, sizeof(words));
	return pc_cli_usage_error(cmd, "--%s is %s, not '%s'", o->name, words, arg);
}

int pc_opt_positive(const char *cmd, const struct pc_opt *o, const char *arg, void *field)
{
	char *end;
	long v = strtol(arg, &end, 10);

	if (*arg == '\0' || *end || v <= 0)
		return pc_cli_usage_error(cmd, "--%s takes a whole number above 0, not '%s'",
					  o->name, arg);
	*(long *)field = v;
	return 0;
}

/* The options of c, --help last; returns how many. */
static size_t all_opts(const struct pc_cmd_opts *c, const struct pc_opt **out)
{
	size_t n = 0;

	for (const struct pc_opt *o = c->opts; o && o->name && n < MAX_OPTS - 1; o++)
		out[n++] = o;
	for (const struct pc_opt *o = c->more; o && o->name && n < MAX_OPTS - 1; o++)
		out[n++] = o;
	out[n++] = &help_opt;
	return n;
}

int pc_opts_parse(const struct pc_cmd_opts *c, int argc, char **argv, void *ctx)
{
	const struct pc_opt *opts[MAX_OPTS];
	struct option longopts[MAX_OPTS + 1];
	char shortopts[2 * MAX_OPTS + 2] = ":";
	size_t n = all_opts(c, opts), s = 1;
	int v;

	for (size_t i = 0; i < n; i++) {
		longopts[i] = (struct option){
			.name = opts[i]->name,
			.has_arg = opts[i]->arg ? required_argument : no_argument,
			.val = opts[i]->letter ? opts[i]->letter : 256 + (int)i,
		};
		if (opts[i]->letter) {
			shortopts[s++] = opts[i]->letter;
			if (opts[i]->arg)
				shortopts[s++] = ':';
		}
	}
	shortopts[s] = '\0';
	longopts[n] = (struct option){ 0 };
	optind = 0; /* 0, not 1: getopt's whole state starts afresh */
	opterr = 0;
	while ((v = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		const struct pc_opt *o = NULL;
		int rc;

		if (v == ':')
			return pc_cli_usage_error(c->cmd, "option '%s' needs a value",
						  argv[optind - 1]);
		if (v == '?')
			return pc_cli_usage_error(c->cmd, "unknown option '%s'", argv[optind - 1]);
		for (size_t i = 0; i < n && !o; i++)
			if (longopts[i].val == v)
				o = opts[i];
		if (o == &help_opt) {
			pc_opts_help(c, stdout);
			return PC_EXIT_OK;
		}
		rc = o->set(c->cmd, o, optarg, (char *)ctx + o->offset);
		if (rc)
			return rc;
	}
	if (!c->args && optind < argc)
		return pc_cli_usage_error(c->cmd, "unexpected argument '%s'", argv[optind]);
	return -1;
}

/* "--mode enforce|audit", "-c SITE" or "--force": an option as typed. */
static void opt_synopsis(const struct pc_opt *o, char *buf, size_t len)
{
	char words[128] = "";

	if (o->choices)
		choice_words(o, "|", "|", words, sizeof(words));
	if (o->letter)
		snprintf(buf, len, "-%c%s%s", o->letter, o->arg ? " " : "",
			 o->arg ? o->arg : "");
	else
		snprintf(buf, len, "--%s%s%s", o->name, o->arg ? " " : "",
			 o->choices ? words : o->arg ? o->arg : "");
}

void pc_opts_help(const struct pc_cmd_opts *c, FILE *out)
{
	const struct pc_opt *opts[MAX_OPTS];
	size_t n = all_opts(c, opts), indent, col;
	char buf[160];

	col = indent = (size_t)fprintf(out, "Usage: portcullis %s", c->cmd);
	for (size_t i = 0; i + 1 < n; i++) {
		opt_synopsis(opts[i], buf, sizeof(buf));
		if (col + strlen(buf) + 3 > WIDTH)
			col = (size_t)fprintf(out, "\n%*s", (int)indent, "") - 1;
		col += (size_t)fprintf(out, " [%s]", buf);
	}
	if (c->args) {
		if (col + strlen(c->args) + 1 > WIDTH)
			fprintf(out, "\n%*s", (int)indent, "");
		fprintf(out, " %s", c->args);
	}
	fprintf(out, "\n\n%s\n\n", c->about);
	for (size_t i = 0; i < n; i++) {
		const struct pc_opt *o = opts[i];
		const char *h = o->help, *nl;
		int w;

		if (o->letter)
			w = fprintf(out, "  -%c, --%s%s%s", o->letter, o->name,
				    o->arg ? " " : "", o->arg ? o->arg : "");
		else
			w = fprintf(out, "      --%s%s%s", o->name, o->arg ? " " : "",
				    o->arg ? o->arg : "");
		if (w >= HELP_COLUMN - 1) {
			fputc('\n', out);
			w = 0;
		}
		for (; h; h = nl ? nl + 1 : NULL, w = 0) {
			nl = strchr(h, '\n');
			fprintf(out, "%*s%.*s\n", HELP_COLUMN - w, "",
				(int)(nl ? (size_t)(nl - h) : strlen(h)), h);
		}
	}
}

/* Text for troff: a leading '.' or '\'' would be a request, '\' an escape. */
static void man_text(const char *s, size_t len, FILE *out)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '\\')
			fputs("\\e", out);
		else if (s[i] == '-')
			fputs("\\-", out);
		else if ((i == 0 || s[i - 1] == '\n') && (s[i] == '.' || s[i] == '\''))
			fprintf(out, "\\&%c", s[i]);
		else
			fputc(s[i], out);
	}
}

void pc_opts_man(const struct pc_cmd_opts *c, FILE *out)
{
	const struct pc_opt *opts[MAX_OPTS];
	size_t n = all_opts(c, opts);

	fprintf(out, ".SS portcullis %s\n\\fBportcullis %s\\fR [\\fIoptions\\fR]", c->cmd,
		c->cmd);
	if (c->args) {
		fputs(" \\fI", out);
		man_text(c->args, strlen(c->args), out);
		fputs("\\fR", out);
	}
	fputs("\n.PP\n", out);
	man_text(c->about, strlen(c->about), out);
	fputc('\n', out);
	for (size_t i = 0; i < n; i++) {
		const struct pc_opt *o = opts[i];

		fputs(".TP\n", out);
		if (o->letter)
			fprintf(out, "\\fB\\-%c\\fR, ", o->letter);
		fputs("\\fB\\-\\-", out);
		man_text(o->name, strlen(o->name), out);
		fputs("\\fR", out);
		if (o->arg)
			fprintf(out, " \\fI%s\\fR", o->arg);
		fputc('\n', out);
		for (const char *h = o->help, *nl; h; h = nl ? nl + 1 : NULL) {
			nl = strchr(h, '\n');
			man_text(h, nl ? (size_t)(nl - h) : strlen(h), out);
			fputc('\n', out);
		}
	}
}
