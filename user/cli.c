// SPDX-License-Identifier: GPL-2.0-only
#include "cli.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "controller.h"
#include "datapath.h"
#include "state.h"

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
	struct pc_ctl_res res = { .host = (char *)host, .role = (char *)role,
				  .site = (char *)p->site_name };

	if (host && role)
		return pc_cli_usage_error(cmd, "give --host or --role, not both");
	res.step = pc_ctl_compile(p, host, role, rs, &res.err);
	return res.step ? pc_cli_ctl_failed(cmd, &res) : PC_EXIT_OK;
}

/* The last lines of the verifier's log, each as its own message. */
static void print_verifier_tail(const char *log, int lines)
{
	size_t end = strlen(log), start;

	while (end > 0 && log[end - 1] == '\n')
		end--;
	for (start = end; start > 0; start--)
		if (log[start - 1] == '\n' && --lines == 0)
			break;
	while (start < end) {
		size_t len = strcspn(log + start, "\n");

		if (len > end - start)
			len = end - start;
		if (len)
			pc_err("verifier: %.*s", (int)len, log + start);
		start += len + 1;
	}
}

/* The kernel refused the BPF object: say what it refused. */
static void object_refused(const struct pc_ctl_res *res)
{
	const char *log = pc_dp_verifier_log();
	bool tail = log[0] && pc_verbosity < 1;

	switch (res->refusal) {
	case PC_DP_REFUSED_VERIFIER:
		pc_err("the kernel's verifier rejected the BPF programs (%s)%s",
		       res->err == -E2BIG ? "a program is too complex" : strerror(-res->err),
		       tail ? "; the end of its log:" : "");
		if (tail)
			print_verifier_tail(log, 8);
		if (pc_verbosity < 1)
			pc_err("run with -v for the verifier's whole log");
		break;
	case PC_DP_REFUSED_PINS:
		pc_err("the kernel refused the maps pinned under %s: they may be from another version or another program, and no interface is recorded there to upgrade in place; nothing was changed ('detach --all' removes them; -v shows libbpf's log)",
		       res->root);
		break;
	case PC_DP_REFUSED_MAPS:
		pc_err("the kernel cannot create the maps the programs need (a map type or size it does not support?)%s",
		       pc_verbosity < 1 ? "; run with -v for libbpf's log" : "");
		break;
	case PC_DP_REFUSED_OTHER:
		pc_err("the kernel refused the BPF programs or maps: %s%s", pc_strerror(res->err),
		       pc_verbosity < 1 ? " (run with -v for libbpf's log)" : "");
		break;
	}
}

/* -E2BIG from the loader, with the limits. */
static const char map_full[] =
	"a map is full (more than 256 rules, 1,048,576 addresses, 16,384 prefixes, 8,192 distinct sets of rules or 1,023 paths)";

int pc_cli_ctl_failed(const char *cmd, const struct pc_ctl_res *res)
{
	const char *why = res->err == -E2BIG ? map_full : pc_strerror(res->err);

	switch (res->step) {
	case PC_CTL_DONE:
		return PC_EXIT_OK;
	case PC_CTL_IFACE:
		pc_err("cannot attach to %s: the interface does not exist", res->iface);
		break;
	case PC_CTL_NOT_ATTACHED:
		pc_err("nothing is attached under %s: use 'portcullis attach' first", res->root);
		break;
	case PC_CTL_NO_RECORD:
		pc_err("no record of the policy in force under %s (%s is gone?): give -c SITE, and --host or --role if need be",
		       res->root, PC_STATE_DIR);
		break;
	case PC_CTL_POLICY:
		pc_diags_print(&res->diags);
		if (res->diags.count == 0)
			pc_err("cannot load the policy: %s", strerror(-res->err));
		break;
	case PC_CTL_ROLE:
		/* Not in the policy, as an unknown host: the same exit code. */
		pc_err("unknown kind '%s' (see 'portcullis check' for the kinds)", res->role);
		break;
	case PC_CTL_HOST:
		pc_err("no host '%s' in %s", res->host,
		       res->site ? res->site : "the policy (give a site file with -c)");
		break;
	case PC_CTL_LOCAL_HOST:
		if (res->err == -ENOENT)
			pc_err("none of this machine's addresses belongs to a host of the site; say which with --host NAME or --role KIND");
		else if (res->err == -EEXIST)
			pc_err("this machine's addresses belong to several hosts of the site; say which with --host NAME");
		else
			pc_err("cannot read this machine's addresses: %s", strerror(-res->err));
		break;
	case PC_CTL_NO_PEERS:
		pc_err("%s: the policy of %s gives this host no peer at all: enforcing it would drop everything but ARP and ND (%s); give a site file (-c) that lists its peers, try it with --mode audit, or give --allow-empty if that is what you want",
		       cmd, res->name,
		       res->site ? "no host of the site talks to it" : "without a site file no host is known");
		pc_err("%s changed nothing", cmd);
		break;
	case PC_CTL_SESSIONS:
		pc_err("%s: the policy of %s would cut %zu management session%s in progress:",
		       cmd, res->name, res->sessions.n, res->sessions.n == 1 ? "" : "s");
		for (size_t i = 0; i < res->sessions.n; i++)
			pc_err("  %s%s", res->sessions.v[i].text,
			       res->sessions.v[i].own_ssh ? "  <- your own SSH session" : "");
		pc_err("allow their peers in the site file, try the policy with --mode audit first, or give --cut-sessions to cut them (with --confirm SECONDS, a rollback if you lose your way in); %s changed nothing",
		       cmd);
		break;
	case PC_CTL_OBJECT:
		object_refused(res);
		break;
	case PC_CTL_PINS:
	case PC_CTL_NETNS:
	case PC_CTL_HOOK:
		break; /* said where it happened, with the details */
	case PC_CTL_MAPS:
		pc_err("cannot open the maps under %s: %s", res->root, pc_strerror(res->err));
		break;
	case PC_CTL_FILL:
		pc_err("cannot load the rules of %s: %s; the policy in force is unchanged",
		       res->name, why);
		break;
	case PC_CTL_FLIP:
		pc_err("cannot make the rules of %s live: %s; the policy in force is unchanged",
		       res->name, why);
		break;
	}
	if (res->step >= PC_CTL_HOOK)
		pc_err("%s changed nothing: the policy in force, the hooks and the record are as before",
		       cmd);
	return PC_EXIT_POLICY;
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

struct json_object *pc_json_ranges(const struct pc_port_range *r, size_t n)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < n; i++)
		json_object_array_add(arr, pc_json_range(r[i]));
	return arr;
}

void pc_json_target(struct json_object *o, const struct pc_ruleset *rs)
{
	json_object_object_add(o, "host", rs->host ? json_object_new_string(rs->name) : NULL);
	json_object_object_add(o, "role", rs->host ? NULL : json_object_new_string(rs->name));
}
