/* SPDX-License-Identifier: GPL-2.0-only */
/* What the subcommands share: exit codes, policy loading, JSON printing. */
#ifndef PC_CLI_H
#define PC_CLI_H

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>

#include "compile.h"
#include "options.h"
#include "policy.h"

/* PC_EXIT_DROP: explain --packet --exit-verdict judged the packet dropped. */
enum { PC_EXIT_OK = 0, PC_EXIT_POLICY = 1, PC_EXIT_USAGE = 2, PC_EXIT_DROP = 3 };

struct pc_cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
	const struct pc_cmd_opts *opts; /* its options and help */
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
struct pc_ctl_res;
/* Puts a failed controller transaction into words (the step it stopped
 * at) and returns its exit code. */
int pc_cli_ctl_failed(const char *cmd, const struct pc_ctl_res *res);
/* Prints obj as JSON on stdout and releases it. */
void pc_cli_print_json(struct json_object *obj);
/* Usage error: prints "portcullis CMD: msg" and a hint. */
int pc_cli_usage_error(const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

struct json_object *pc_json_kinds(const struct pc_policy *p, pc_kindset k);
/* One port range as a string ("22", "1024-65535"). */
struct json_object *pc_json_range(struct pc_port_range r);
/* "...ports" keys: always an array of such strings. */
struct json_object *pc_json_ranges(const struct pc_port_range *r, size_t n);
/* "host" and "role", one of them null: whom the rules were compiled for. */
void pc_json_target(struct json_object *o, const struct pc_ruleset *rs);

/* Attach's options, which the daemon takes as well. */
extern const struct pc_opt pc_attach_opts[];
struct pc_ctl_req;
/* Parses attach's options and interfaces into rq (attach, daemon): -1 to
 * go on, or the exit code. */
int pc_attach_parse(const struct pc_cmd_opts *c, int argc, char **argv,
		    struct pc_ctl_req *rq);
/* Attaches as rq says and reports it: the exit code. */
int pc_cli_attach(const struct pc_ctl_req *rq);
/* Reloads as rq says and prints the change summary (JSON on stdout, or
 * text on out): the exit code. kept (or NULL): after success, the result,
 * for the caller to free with pc_ctl_res_free (the daemon logs it). */
int pc_cli_reload(const struct pc_ctl_req *rq, bool json, FILE *out,
		  struct pc_ctl_res *kept);

/* The change summary of a reload, as JSON and as text (reload, daemon). */
struct json_object *pc_reload_json(const struct pc_ctl_res *r);
void pc_reload_print(const struct pc_ctl_res *r, FILE *out);

extern const struct pc_cmd_opts pc_catalog_cmd, pc_check_cmd, pc_explain_cmd,
	pc_attach_cmd, pc_detach_cmd, pc_status_cmd, pc_reload_cmd, pc_daemon_cmd,
	pc_monitor_cmd, pc_stats_cmd, pc_export_cmd, pc_confirm_cmd;
extern const struct pc_cmd_opts pc_report_cmd, pc_advise_cmd;

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
int pc_cmd_confirm(int argc, char **argv);
int pc_cmd_report(int argc, char **argv);
int pc_cmd_advise(int argc, char **argv);

struct pc_confirm;
/* --confirm SECONDS around an apply (nothing when rq->confirm is 0):
 * start before it, arm after it; each says what went wrong and returns an
 * exit code. */
int pc_cli_confirm_start(const struct pc_ctl_req *rq, struct pc_confirm *c);
int pc_cli_confirm_arm(const struct pc_ctl_req *rq, struct pc_confirm *c, bool applied);

#endif
