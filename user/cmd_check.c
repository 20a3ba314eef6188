// SPDX-License-Identifier: GPL-2.0-only
/* portcullis check: validate the policy and summarise it. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "policy_parse.h"
#include "table.h"

static const char usage_text[] =
	"Usage: portcullis check [-c SITE] [-j]\n\n"
	"Validates the catalog and a site file; every error is reported as\n"
	"file:line:column. Then summarises the hosts, their kinds and how many\n"
	"flows and rules each one enforces, and warns about roles no host fills.\n\n"
	"  -c, --config SITE  the site file\n"
	"  -j, --json         machine-readable summary\n"
	"  -h, --help         this text\n";

static size_t count_flows(const struct pc_ruleset *rs)
{
	size_t n = 0;

	for (size_t i = 0; i < rs->nrules; i++) {
		bool seen = false;

		for (size_t j = 0; j < i && !seen; j++)
			seen = rs->rules[j].flow == rs->rules[i].flow;
		n += !seen;
	}
	return n;
}

/* Kinds that enabled flows name but no host of the site has. */
static pc_kindset unfilled_kinds(const struct pc_policy *p)
{
	pc_kindset named = 0, filled = 0;

	for (size_t i = 0; i < p->nflows; i++)
		if (pc_flow_enabled(p, &p->flows[i]))
			named |= p->flows[i].initiator.kinds | p->flows[i].responder.kinds;
	for (size_t i = 0; i < p->nhosts; i++)
		filled |= p->hosts[i].kinds;
	return named & ~filled;
}

/* Paths whose every rule an earlier path's rule takes: "A-3.12 counts on A-3.11". */
static struct json_object *shadowed_json(const struct pc_ruleset *rs)
{
	struct json_object *arr = json_object_new_array();

	for (size_t i = 0; i < rs->nrules; i++) {
		const struct pc_flow *f = rs->rules[i].flow;
		const struct pc_rule *by = NULL;
		bool all = true, seen = false;
		struct json_object *o;

		for (size_t j = 0; j < i && !seen; j++)
			seen = rs->rules[j].flow == f;
		if (seen)
			continue;
		for (size_t j = i; j < rs->nrules && all; j++) {
			const struct pc_rule *s;

			if (rs->rules[j].flow != f)
				continue;
			s = pc_rule_shadow(rs, &rs->rules[j]);
			all = s && (!by || s->flow == by->flow);
			by = s;
		}
		if (!all || !by)
			continue;
		o = json_object_new_object();
		json_object_object_add(o, "path", json_object_new_string(f->id));
		json_object_object_add(o, "counts_on", json_object_new_string(by->flow->id));
		json_object_array_add(arr, o);
	}
	return arr;
}

static struct json_object *settings_json(const struct pc_settings *s)
{
	static const char *const non_ip[] = PC_NON_IP_NAMES;
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "mode", json_object_new_string(
				       s->mode == PC_MODE_AUDIT ? "audit" : "enforce"));
	json_object_object_add(o, "icmp_echo", json_object_new_boolean(s->icmp_echo));
	json_object_object_add(o, "non_ip", json_object_new_string(non_ip[s->non_ip]));
	json_object_object_add(o, "non_ip_meaning", json_object_new_string(pc_non_ip_meaning(s->non_ip)));
	json_object_object_add(o, "on_reload", json_object_new_string(
				       s->keep_established ? "keep-established" : "recheck"));
	return o;
}

static struct json_object *summary(const struct pc_policy *p)
{
	struct json_object *o = json_object_new_object(), *hosts, *parts, *params;
	size_t enabled = 0;

	for (size_t i = 0; i < p->nflows; i++)
		enabled += pc_flow_enabled(p, &p->flows[i]);
	json_object_object_add(o, "site", p->site_name ? json_object_new_string(p->site_name) : NULL);
	json_object_object_add(o, "catalog", json_object_new_string(p->catalog_name));
	json_object_object_add(o, "catalog_flows", json_object_new_int((int)p->ncatalog_flows));
	json_object_object_add(o, "site_flows", json_object_new_int((int)(p->nflows - p->ncatalog_flows)));
	json_object_object_add(o, "enabled_flows", json_object_new_int((int)enabled));
	parts = json_object_new_object();
	for (size_t i = 0; i < p->nparts; i++)
		json_object_object_add(parts, p->parts[i].name,
				       json_object_new_boolean(p->parts[i].enabled));
	json_object_object_add(o, "parts", parts);
	json_object_object_add(o, "settings", settings_json(&p->settings));
	params = json_object_new_object();
	for (size_t i = 0; i < p->nparams; i++) {
		const struct pc_param *prm = &p->params[i];
		struct json_object *vals;

		if (!prm->set_at.line)
			continue;
		vals = json_object_new_array();
		for (size_t j = 0; j < prm->nvalues; j++)
			json_object_array_add(vals, pc_json_range(prm->values[j]));
		json_object_object_add(params, prm->name, vals);
	}
	json_object_object_add(o, "changed_parameters", params);
	hosts = json_object_new_array();
	for (size_t i = 0; i < p->nhosts; i++) {
		const struct pc_host *h = &p->hosts[i];
		struct json_object *ho = json_object_new_object(), *addrs;
		struct pc_ruleset rs;
		char buf[PC_ADDR_STRLEN];

		pc_compile_host(p, h->name, &rs);
		json_object_object_add(ho, "name", json_object_new_string(h->name));
		json_object_object_add(ho, "kinds", pc_json_kinds(p, h->kinds));
		addrs = json_object_new_array();
		for (size_t j = 0; j < h->naddrs; j++)
			json_object_array_add(addrs, json_object_new_string(
				pc_addr_format(&h->addrs[j], buf)));
		json_object_object_add(ho, "addresses", addrs);
		json_object_object_add(ho, "flows", json_object_new_int((int)count_flows(&rs)));
		json_object_object_add(ho, "rules", json_object_new_int((int)rs.nrules));
		json_object_object_add(ho, "shadowed", shadowed_json(&rs));
		json_object_array_add(hosts, ho);
		pc_ruleset_free(&rs);
	}
	json_object_object_add(o, "hosts", hosts);
	json_object_object_add(o, "unfilled_kinds", pc_json_kinds(p, unfilled_kinds(p)));
	return o;
}

static const char *jstr(struct json_object *o, const char *key)
{
	return json_object_get_string(json_object_object_get(o, key));
}

static void join(struct json_object *arr, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		size_t used = strlen(buf);

		snprintf(buf + used, len - used, "%s%s", i ? ", " : "",
			 json_object_get_string(json_object_array_get_idx(arr, i)));
	}
}

/* The text form is rendered from the same summary object as the JSON. */
static void print_text(struct json_object *o)
{
	static const char *const header[] = { "HOST", "KINDS", "ADDRESSES", "FLOWS", "RULES" };
	struct json_object *hosts = json_object_object_get(o, "hosts");
	struct json_object *unfilled = json_object_object_get(o, "unfilled_kinds");
	struct json_object *set = json_object_object_get(o, "settings");
	struct json_object *pairs;
	char buf[1024];
	struct pc_table t;

	printf("policy ok: catalog %s (%s flows), site %s (%s flows); %s flows enabled\n",
	       jstr(o, "catalog"), jstr(o, "catalog_flows"),
	       jstr(o, "site") ? jstr(o, "site") : "none",
	       jstr(o, "site_flows"), jstr(o, "enabled_flows"));
	printf("parts:");
	json_object_object_foreach(json_object_object_get(o, "parts"), name, on)
		printf(" %s=%s", name, json_object_get_boolean(on) ? "on" : "off");
	printf("\n");
	printf("settings: mode=%s icmp-echo=%s non-ip=%s (%s) on-reload=%s\n",
	       jstr(set, "mode"), json_object_get_boolean(json_object_object_get(set, "icmp_echo")) ? "on" : "off",
	       jstr(set, "non_ip"), jstr(set, "non_ip_meaning"), jstr(set, "on_reload"));
	json_object_object_foreach(json_object_object_get(o, "changed_parameters"), pname, vals) {
		join(vals, buf, sizeof(buf));
		printf("parameter %s = %s\n", pname, buf);
	}
	if (json_object_array_length(hosts)) {
		pc_table_init(&t, 5, header);
		for (size_t i = 0; i < json_object_array_length(hosts); i++) {
			struct json_object *h = json_object_array_get_idx(hosts, i);
			char kinds[512], addrs[1024];
			const char *cells[5];

			join(json_object_object_get(h, "kinds"), kinds, sizeof(kinds));
			join(json_object_object_get(h, "addresses"), addrs, sizeof(addrs));
			cells[0] = jstr(h, "name");
			cells[1] = kinds;
			cells[2] = addrs;
			cells[3] = jstr(h, "flows");
			cells[4] = jstr(h, "rules");
			pc_table_row(&t, cells);
		}
		printf("\n");
		pc_table_print(&t, stdout);
		pc_table_free(&t);
	}
	/* One line per pair of rows, with the hosts where it happens. */
	pairs = json_object_new_object();
	for (size_t i = 0; i < json_object_array_length(hosts); i++) {
		struct json_object *h = json_object_array_get_idx(hosts, i);
		struct json_object *sh = json_object_object_get(h, "shadowed");

		for (size_t j = 0; j < json_object_array_length(sh); j++) {
			struct json_object *e = json_object_array_get_idx(sh, j), *list;
			char key[2 * PC_MAX_ID_LEN + 8];

			snprintf(key, sizeof(key), "%s counts on %s", jstr(e, "path"),
				 jstr(e, "counts_on"));
			if (!json_object_object_get_ex(pairs, key, &list)) {
				list = json_object_new_array();
				json_object_object_add(pairs, key, list);
			}
			json_object_array_add(list, json_object_new_string(jstr(h, "name")));
		}
	}
	if (json_object_object_length(pairs))
		printf("\nnote: rows the wire cannot tell apart (the earlier row takes every packet of the later):\n");
	json_object_object_foreach(pairs, pair, where) {
		join(where, buf, sizeof(buf));
		printf("  %s (%s)\n", pair, buf);
	}
	json_object_put(pairs);
	if (json_object_array_length(unfilled)) {
		join(unfilled, buf, sizeof(buf));
		printf("\nnote: no host has these kinds, so their flows match no address: %s\n", buf);
	}
}

int pc_cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	const struct pc_cli_spec spec = {
		.cmd = "check", .usage = usage_text, .shortopts = "c:jh",
		.longopts = opts,
	};
	struct pc_cli_common opt;
	struct json_object *o;
	struct pc_policy p;
	int rc;

	rc = pc_cli_parse(&spec, argc, argv, &opt);
	if (rc >= 0)
		return rc;
	rc = pc_cli_load_policy(opt.site, &p, NULL, NULL);
	if (rc)
		return rc;
	o = summary(&p);
	if (opt.json)
		pc_cli_print_json(o);
	else {
		print_text(o);
		json_object_put(o);
	}
	pc_policy_free(&p);
	return PC_EXIT_OK;
}
