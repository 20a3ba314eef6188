/* SPDX-License-Identifier: GPL-2.0-only */
/* What the subcommands share: exit codes, policy loading, JSON printing. */
#ifndef PC_CLI_H
#define PC_CLI_H

#include <json-c/json.h>
#include <stdbool.h>

#include "compile.h"
#include "policy.h"

enum { PC_EXIT_OK = 0, PC_EXIT_POLICY = 1, PC_EXIT_USAGE = 2 };

struct pc_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

/* Loads the catalog and the site file (NULL: none); prints every error.
 * Returns PC_EXIT_OK or PC_EXIT_POLICY. */
int pc_cli_load_policy(const char *site, struct pc_policy *p);
/* Compiles for --host NAME, --role KIND, or the host owning one of this
 * machine's addresses. Returns a PC_EXIT_* code, errors printed. */
int pc_cli_compile(const struct pc_policy *p, const char *host,
		   const char *role, struct pc_ruleset *rs);
/* Prints obj as JSON on stdout and releases it. */
void pc_cli_print_json(struct json_object *obj);
/* Usage error: prints "portcullis CMD: msg" and a hint. */
int pc_cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* getopt_long for a subcommand: returns the option, -1 at the end, or '!'
 * after printing a usage error (unknown option, missing value). */
int pc_cli_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
		  const void *longopts);
/* Fails with a usage error if arguments are left after the options. */
int pc_cli_no_args(const char *cmd, int argc, char **argv);

struct json_object *pc_json_kinds(const struct pc_policy *p, pc_kindset k);
struct json_object *pc_json_range(struct pc_port_range r);

int pc_cmd_catalog(int argc, char **argv);
int pc_cmd_check(int argc, char **argv);
int pc_cmd_explain(int argc, char **argv);

#endif
