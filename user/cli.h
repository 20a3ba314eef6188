/* SPDX-License-Identifier: GPL-2.0-only */
/* What the subcommands share: exit codes, policy loading, JSON printing. */
#ifndef PC_CLI_H
#define PC_CLI_H

#include <getopt.h>
#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

#include "compile.h"
#include "policy.h"

enum { PC_EXIT_OK = 0, PC_EXIT_POLICY = 1, PC_EXIT_USAGE = 2 };

struct pc_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

/* Loads the catalog and the site file (NULL: none); prints every error.
 * With text, also hands over the site text as loaded (the caller frees
 * it). Returns PC_EXIT_OK or PC_EXIT_POLICY. */
int pc_cli_load_policy(const char *site, struct pc_policy *p, char **text,
		       size_t *len);
/* Compiles for --host NAME, --role KIND, or the host owning one of this
 * machine's addresses. Returns a PC_EXIT_* code, errors printed. */
int pc_cli_compile(const char *cmd, const struct pc_policy *p, const char *host,
		   const char *role, struct pc_ruleset *rs);
/* Prints obj as JSON on stdout and releases it. */
void pc_cli_print_json(struct json_object *obj);
/* Usage error: prints "portcullis CMD: msg" and a hint. */
int pc_cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* Options most commands share: -c SITE, -j, -h. */
struct pc_cli_common {
	const char *site;
	bool json;
};

struct option;

/* How one command reads its options. */
struct pc_cli_spec {
	const char *cmd;
	const char *usage;         /* printed by --help */
	const char *shortopts;     /* all of them, e.g. "c:jh" */
	const struct option *longopts;
	/* Handles an option that is not -c/-j/-h: 0, or an exit code. */
	int (*extra)(int opt, const char *arg, void *ctx);
	void *ctx;
	bool takes_args;           /* positional arguments allowed */
};

/*
 * Parses argv for spec. Returns -1 when the command should go on (options
 * in *out, positional arguments from argv[optind]), or the exit code to
 * return at once: 0 after --help, PC_EXIT_USAGE after a usage error.
 */
int pc_cli_parse(const struct pc_cli_spec *spec, int argc, char **argv,
		 struct pc_cli_common *out);

/* getopt_long for a subcommand: returns the option, -1 at the end, or '!'
 * after printing a usage error (unknown option, missing value). */
int pc_cli_getopt(const char *cmd, int argc, char **argv, const char *shortopts,
		  const void *longopts);
/* Fails with a usage error if arguments are left after the options. */
int pc_cli_no_args(const char *cmd, int argc, char **argv);

struct json_object *pc_json_kinds(const struct pc_policy *p, pc_kindset k);
struct json_object *pc_json_range(struct pc_port_range r);

/* Options of attach, which the daemon takes as well. */
enum {
	PC_OPT_HOST = 256, PC_OPT_ROLE, PC_OPT_MODE, PC_OPT_XDP_MODE,
	PC_OPT_PIN_ROOT, PC_OPT_FORCE, PC_OPT_INGRESS,
};
extern const struct option pc_attach_longopts[];
/* --host, --role, --mode, --pin-root into a struct pc_reload_req. */
int pc_reload_option(int opt, const char *arg, void *ctx);

struct pc_reload_res;
/* The change summary of a reload, as JSON and as text (reload, daemon). */
struct json_object *pc_reload_json(const struct pc_reload_res *r);
void pc_reload_print(const struct pc_reload_res *r, FILE *out);

int pc_cmd_catalog(int argc, char **argv);
int pc_cmd_reload(int argc, char **argv);
int pc_cmd_daemon(int argc, char **argv);
int pc_cmd_monitor(int argc, char **argv);
int pc_cmd_check(int argc, char **argv);
int pc_cmd_explain(int argc, char **argv);
int pc_cmd_attach(int argc, char **argv);
int pc_cmd_detach(int argc, char **argv);
int pc_cmd_status(int argc, char **argv);
int pc_cmd_stats(int argc, char **argv);
int pc_cmd_export(int argc, char **argv);

#endif
