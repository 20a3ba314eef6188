// SPDX-License-Identifier: GPL-2.0-only
#include "cli.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int pc_cli_load_policy(const char *site, struct pc_policy *p, char **text,
		       size_t *len)
{
	struct pc_diags diags = { 0 };
	int err;

	if (text)
		*text = NULL;
	err = pc_policy_load_keep(p, site, &diags, text, len);
	pc_diags_print(&diags);
	if (err && diags.count == 0)
		pc_err("cannot load the policy: %s", strerror(-err));
	pc_diags_free(&diags);
	if (err) {
		pc_policy_free(p);
		return PC_EXIT_POLICY;
	}
	return PC_EXIT_OK;
}

int pc_cli_compile(const char *cmd, const struct pc_policy *p, const char *host,
		   const char *role, struct pc_ruleset *rs)
{
	const struct pc_host *h;
	int err;

	if (host && role)
		return pc_cli_usage_error(cmd, "give --host or --role, not both");
	if (role) {
		if (pc_compile_role(p, role, rs) == 0)
			return PC_EXIT_OK;
		pc_err("unknown kind '%s' (see 'portcullis check' for the kinds)", role);
		return PC_EXIT_USAGE;
	}
	if (host) {
		if (pc_compile_host(p, host, rs) == 0)
			return PC_EXIT_OK;
		pc_err("no host '%s' in %s", host,
		       p->site_name ? p->site_name : "the policy (give a site file with -c)");
		return PC_EXIT_POLICY;
	}
	err = pc_find_local_host(p, &h);
	if (err == -ENOENT) {
		pc_err("none of this machine's addresses belongs to a host of the site; say which with --host NAME or --role KIND");
		return PC_EXIT_POLICY;
	}
	if (err == -EEXIST) {
		pc_err("this machine's addresses belong to several hosts of the site; say which with --host NAME");
		return PC_EXIT_POLICY;
	}
	if (err) {
		pc_err("cannot read this machine's addresses: %s", strerror(-err));
		return PC_EXIT_POLICY;
	}
	pc_compile_host(p, h->name, rs);
	return PC_EXIT_OK;
}

void pc_cli_print_json(struct json_object *obj)
{
	puts(json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PRETTY |
							 JSON_C_TO_STRING_SPACED |
							 JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(obj);
}

int pc_cli_usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "portcullis %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'portcullis %s --help'.\n", cmd);
	return PC_EXIT_USAGE;
}

struct json_object *pc_json_kinds(const struct pc_policy *p, pc_kindset k)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < p->nkinds; i++)
		if (k & (1ull << i))
			json_object_array_add(arr, json_object_new_string(p->kinds[i]));
	return arr;
}

struct json_object *pc_json_range(struct pc_port_range r)
{
	char buf[16];

	return json_object_new_string(pc_range_format(r, buf));
}

int pc_cli_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
		  const void *longopts)
{
	char spec[64];
	int c;

	snprintf(spec, sizeof(spec), ":%s", shortopts);
	opterr = 0;
	c = getopt_long(argc, argv, spec, longopts, NULL);
	if (c == ':') {
		pc_cli_usage_error(cmd, "option '%s' needs a value", argv[optind - 1]);
		return '!';
	}
	if (c == '?') {
		pc_cli_usage_error(cmd, "unknown option '%s'", argv[optind - 1]);
		return '!';
	}
	return c;
}

int pc_cli_no_args(const char *cmd, int argc, char **argv)
{
	if (optind < argc)
		return pc_cli_usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	return PC_EXIT_OK;
}

int pc_cli_parse(const struct pc_cli_spec *spec, int argc, char **argv,
		 struct pc_cli_common *out)
{
	int c, rc;

	memset(out, 0, sizeof(*out));
	optind = 1;
	while ((c = pc_cli_getopt(spec->cmd, argc, argv, spec->shortopts,
				  spec->longopts)) != -1) {
		switch (c) {
		case 'c':
			out->site = optarg;
			break;
		case 'j':
			out->json = true;
			break;
		case 'h':
			fputs(spec->usage, stdout);
			return PC_EXIT_OK;
		case '!':
			return PC_EXIT_USAGE;
		default:
			rc = spec->extra ? spec->extra(c, optarg, spec->ctx) : PC_EXIT_USAGE;
			if (rc)
				return rc;
		}
	}
	if (!spec->takes_args && pc_cli_no_args(spec->cmd, argc, argv))
		return PC_EXIT_USAGE;
	return -1;
}
