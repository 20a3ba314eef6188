// SPDX-License-Identifier: GPL-2.0-only
/* portcullis check: validate the policy and summarise it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_protection.h"
#include "cli.h"
#include "policy_parse.h"
#include "table.h"

struct check_opts {
	const char *site;
	bool json;
};

static const struct pc_opt check_opts[] = {
	PC_OPT_SITE("the site file", struct check_opts, site),
	PC_OPT_JSON("machine-readable summary", struct check_opts, json),
	{ 0 },
};

const struct pc_cmd_opts pc_check_cmd = {
	.cmd = "check",
	.about =
	"Validates the catalog and a site file; every error is reported as\n"
	"file:line:column. Then summarises the hosts, their kinds and how many\n"
	"flows and rules each one enforces and where it is protected (itself:\n"
	"it runs portcullis; gateway G: it sits behind a gateway), and warns\n"
	"about roles no host fills, rows that nothing enforces between some\n"
	"hosts, and gateways whose own management access is not declared.",
	.opts = check_opts,
};

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

/*
 * Hosts the compiler cannot tell apart: the same kinds, and not named by a
 * site flow (a named host is a class of its own). A class's hosts enforce
 * the same rows, so one compile per class stands for all of them; compiling
 * every host would take time quadratic in the hosts (each ruleset holds
 * every peer's address). The class's first host is the one compiled: its
 * own addresses are left out of its peers, the only difference between
 * members.
 */
struct host_class {
	pc_kindset kinds;
	size_t named; /* the host's index when a site flow names it, else SIZE_MAX */
	size_t host;
};

static int cmp_class(const void *x, const void *y)
{
	const struct host_class *a = x, *b = y;

	if (a->kinds != b->kinds)
		return a->kinds < b->kinds ? -1 : 1;
	if (a->named != b->named)
		return a->named < b->named ? -1 : 1;
	return (a->host > b->host) - (a->host < b->host);
}

static bool same_class(const struct host_class *a, const struct host_class *b)
{
	return a->kinds == b->kinds && a->named == b->named;
}

static struct host_class *host_classes(const struct pc_policy *p)
{
	struct host_class *c = pc_xcalloc(p->nhosts ? p->nhosts : 1, sizeof(*c));

	for (size_t i = 0; i < p->nhosts; i++)
		c[i] = (struct host_class){ p->hosts[i].kinds, SIZE_MAX, i };
	for (size_t i = p->ncatalog_flows; i < p->nflows; i++) {
		const struct pc_endpoint *ends[] = { &p->flows[i].initiator,
						     &p->flows[i].responder };

		for (size_t e = 0; e < 2; e++) {
			for (size_t j = 0; j < ends[e]->nhosts; j++) {
				const struct pc_host *h =
					pc_policy_find_host(p, ends[e]->hosts[j]);

				if (h)
					c[h - p->hosts].named = (size_t)(h - p->hosts);
			}
		}
	}
	qsort(c, p->nhosts, sizeof(*c), cmp_class);
	return c;
}

/* What check says about one host: the numbers are its class's. */
static struct json_object *host_json(const struct pc_policy *p,
				     const struct pc_host *h,
				     struct json_object *flows,
				     struct json_object *rules,
				     struct json_object *shadowed)
{
	struct json_object *ho = json_object_new_object(), *addrs;
	char buf[PC_ADDR_STRLEN];

	json_object_object_add(ho, "name", json_object_new_string(h->name));
	json_object_object_add(ho, "kinds", pc_json_kinds(p, h->kinds));
	addrs = json_object_new_array();
	for (size_t j = 0; j < h->naddrs; j++)
		json_object_array_add(addrs, json_object_new_string(
			pc_addr_format(&h->addrs[j], buf)));
	json_object_object_add(ho, "addresses", addrs);
	json_object_object_add(ho, "flow_count", json_object_get(flows));
	json_object_object_add(ho, "rule_count", json_object_get(rules));
	json_object_object_add(ho, "shadowed", json_object_get(shadowed));
	json_object_object_add(ho, "protected_by", pc_check_protected_by(p, h));
	return ho;
}

/* Each class compiled once; hosts then visited in the site's order. */
struct host_summaries {
	size_t nclasses;
	struct json_object **flows, **rules, **shadowed; /* per class */
	size_t *class_of;                                /* per host */
};

static void host_summaries_init(struct host_summaries *hs,
				const struct pc_policy *p)
{
	struct host_class *c = host_classes(p);
	size_t n = p->nhosts ? p->nhosts : 1;

	memset(hs, 0, sizeof(*hs));
	hs->flows = pc_xcalloc(n, sizeof(*hs->flows));
	hs->rules = pc_xcalloc(n, sizeof(*hs->rules));
	hs->shadowed = pc_xcalloc(n, sizeof(*hs->shadowed));
	hs->class_of = pc_xcalloc(n, sizeof(*hs->class_of));
	for (size_t i = 0, end; i < p->nhosts; i = end) {
		size_t k = hs->nclasses++;
		struct pc_ruleset rs;

		pc_compile_host(p, p->hosts[c[i].host].name, &rs);
		hs->flows[k] = json_object_new_int((int)count_flows(&rs));
		hs->rules[k] = json_object_new_int((int)rs.nrules);
		hs->shadowed[k] = shadowed_json(&rs);
		pc_ruleset_free(&rs);
		for (end = i; end < p->nhosts && same_class(&c[i], &c[end]); end++)
			hs->class_of[c[end].host] = k;
	}
	free(c);
}

static struct json_object *host_summary(const struct host_summaries *hs,
					const struct pc_policy *p, size_t i)
{
	size_t k = hs->class_of[i];

	return host_json(p, &p->hosts[i], hs->flows[k], hs->rules[k],
			 hs->shadowed[k]);
}

static void host_summaries_free(struct host_summaries *hs)
{
	for (size_t k = 0; k < hs->nclasses; k++) {
		json_object_put(hs->flows[k]);
		json_object_put(hs->rules[k]);
		json_object_put(hs->shadowed[k]);
	}
	free(hs->flows);
	free(hs->rules);
	free(hs->shadowed);
	free(hs->class_of);
}

/*
 * The same address in hosts of different kinds is legal (a machine may be
 * listed by role twice) but is usually a slip: the peer at that address
 * gets the flows of both roles. Warned on stderr, listed in the JSON.
 */
static struct json_object *shared_addrs(const struct pc_policy *p)
{
	struct json_object *arr = json_object_new_array();
	struct pc_shared_addr *v;
	size_t n = pc_policy_shared_addrs(p, &v);

	for (size_t i = 0; i < n; i++) {
		char a[PC_ADDR_STRLEN], k1[256], k2[256];
		struct json_object *o = json_object_new_object(), *hosts;

		pc_addr_format(&v[i].addr, a);
		pc_warn("%s:%d:%d: host '%s' (%s) and host '%s' (%s, line %d) both list %s: a peer at that address gets the flows of both roles",
			p->files[1], v[i].other->pos.line, v[i].other->pos.col,
			v[i].other->name, pc_kinds_format(p, v[i].other->kinds, k1, sizeof(k1)),
			v[i].first->name, pc_kinds_format(p, v[i].first->kinds, k2, sizeof(k2)),
			v[i].first->pos.line, a);
		json_object_object_add(o, "address", json_object_new_string(a));
		hosts = json_object_new_array();
		json_object_array_add(hosts, json_object_new_string(v[i].first->name));
		json_object_array_add(hosts, json_object_new_string(v[i].other->name));
		json_object_object_add(o, "host_names", hosts);
		json_object_array_add(arr, o);
	}
	free(v);
	return arr;
}

/* "hosts" is a placeholder: both forms render the hosts one at a time, as
 * a million host objects would not fit in memory at once. */
static struct json_object *summary(const struct pc_policy *p)
{
	struct json_object *o = json_object_new_object(), *parts, *params;
	size_t enabled = 0;

	for (size_t i = 0; i < p->nflows; i++)
		enabled += pc_flow_enabled(p, &p->flows[i]);
	json_object_object_add(o, "site", p->site_name ? json_object_new_string(p->site_name) : NULL);
	json_object_object_add(o, "catalog", json_object_new_string(p->catalog_name));
	json_object_object_add(o, "catalog_flow_count", json_object_new_int((int)p->ncatalog_flows));
	json_object_object_add(o, "site_flow_count", json_object_new_int((int)(p->nflows - p->ncatalog_flows)));
	json_object_object_add(o, "enabled_flow_count", json_object_new_int((int)enabled));
	parts = json_object_new_object();
	for (size_t i = 0; i < p->nparts; i++)
		json_object_object_add(parts, p->parts[i].name,
				       json_object_new_boolean(p->parts[i].enabled));
	json_object_object_add(o, "parts", parts);
	json_object_object_add(o, "settings", settings_json(&p->settings));
	params = json_object_new_object();
	for (size_t i = 0; i < p->nparams; i++) {
		const struct pc_param *prm = &p->params[i];

		if (!prm->set_at.line)
			continue;
		json_object_object_add(params, prm->name,
				       pc_json_ranges(prm->values, prm->nvalues));
	}
	json_object_object_add(o, "changed_parameters", params);
	json_object_object_add(o, "hosts", NULL);
	json_object_object_add(o, "unfilled_kinds", pc_json_kinds(p, unfilled_kinds(p)));
	json_object_object_add(o, "shared_addresses", shared_addrs(p));
	json_object_object_add(o, "unenforced_rows", pc_check_unenforced(p));
	json_object_object_add(o, "gateways", pc_check_gateways(p));
	return o;
}

#define JSON_FLAGS (JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | \
		    JSON_C_TO_STRING_NOSLASHESCAPE)

/* A value as pc_cli_print_json would write it, nested indent deep. */
static void print_nested(struct json_object *v, int indent)
{
	for (const char *c = json_object_to_json_string_ext(v, JSON_FLAGS); *c; c++) {
		putchar(*c);
		if (*c == '\n')
			printf("%*s", indent, "");
	}
}

/* The summary object with its hosts written one at a time. */
static void print_json(struct json_object *o, const struct pc_policy *p)
{
	bool first = true;

	printf("{");
	json_object_object_foreach(o, key, val) {
		struct json_object *k = json_object_new_string(key);

		printf("%s\n  %s: ", first ? "" : ",",
		       json_object_to_json_string_ext(k, JSON_FLAGS));
		json_object_put(k);
		first = false;
		if (strcmp(key, "hosts") == 0) {
			struct host_summaries hs;

			host_summaries_init(&hs, p);
			printf("[");
			for (size_t i = 0; i < p->nhosts; i++) {
				struct json_object *h = host_summary(&hs, p, i);

				printf("%s\n    ", i ? "," : "");
				print_nested(h, 4);
				json_object_put(h);
			}
			printf("\n  ]");
			host_summaries_free(&hs);
		} else {
			print_nested(val, 2);
		}
	}
	printf("\n}\n");
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

/* Hosts named after a pair of shadowed rows: a few, then how many more. */
#define MAX_NAMED 16

static void add_shadowed(struct json_object *pairs, struct json_object *h)
{
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
		/* The last item counts the hosts beyond MAX_NAMED. */
		if (json_object_array_length(list) < MAX_NAMED)
			json_object_array_add(list, json_object_new_string(jstr(h, "name")));
		else if (json_object_array_length(list) == MAX_NAMED)
			json_object_array_add(list, json_object_new_int(1));
		else
			json_object_int_inc(json_object_array_get_idx(list, MAX_NAMED), 1);
	}
}

static void print_shadowed(struct json_object *pairs)
{
	char buf[1024];

	if (json_object_object_length(pairs))
		printf("\nnote: rows the wire cannot tell apart (the earlier row takes every packet of the later):\n");
	json_object_object_foreach(pairs, pair, where) {
		struct json_object *more = json_object_array_get_idx(where, MAX_NAMED);
		int nmore = more ? json_object_get_int(more) : 0;

		if (more) /* frees it */
			json_object_array_del_idx(where, MAX_NAMED, 1);
		join(where, buf, sizeof(buf));
		if (nmore)
			printf("  %s (%s and %d more)\n", pair, buf, nmore);
		else
			printf("  %s (%s)\n", pair, buf);
	}
}

/* The text form is rendered from the same objects as the JSON, the hosts
 * one at a time. */
static void print_text(struct json_object *o, const struct pc_policy *p)
{
	static const char *const header[] = { "HOST", "KINDS", "ADDRESSES", "FLOWS", "RULES",
					      "PROTECTED" };
	struct json_object *unfilled = json_object_object_get(o, "unfilled_kinds");
	struct json_object *set = json_object_object_get(o, "settings");
	struct json_object *pairs = json_object_new_object();
	struct host_summaries hs;
	char buf[1024];
	struct pc_table t;

	printf("policy ok: catalog %s (%s flows), site %s (%s flows); %s flows enabled\n",
	       jstr(o, "catalog"), jstr(o, "catalog_flow_count"),
	       jstr(o, "site") ? jstr(o, "site") : "none",
	       jstr(o, "site_flow_count"), jstr(o, "enabled_flow_count"));
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
	host_summaries_init(&hs, p);
	pc_table_init(&t, 6, header);
	for (size_t i = 0; i < p->nhosts; i++) {
		struct json_object *h = host_summary(&hs, p, i);
		char kinds[512], addrs[1024], prot[512];
		const char *cells[6];

		join(json_object_object_get(h, "kinds"), kinds, sizeof(kinds));
		join(json_object_object_get(h, "addresses"), addrs, sizeof(addrs));
		cells[0] = jstr(h, "name");
		cells[1] = kinds;
		cells[2] = addrs;
		cells[3] = jstr(h, "flow_count");
		cells[4] = jstr(h, "rule_count");
		join(json_object_object_get(h, "protected_by"), prot, sizeof(prot));
		cells[5] = prot[0] ? prot : "nowhere";
		pc_table_row(&t, cells);
		add_shadowed(pairs, h);
		json_object_put(h);
	}
	if (p->nhosts) {
		printf("\n");
		pc_table_print(&t, stdout);
	}
	pc_table_free(&t);
	host_summaries_free(&hs);
	/* One line per pair of rows, with the hosts where it happens. */
	print_shadowed(pairs);
	json_object_put(pairs);
	if (json_object_array_length(unfilled)) {
		join(unfilled, buf, sizeof(buf));
		printf("\nnote: no host has these kinds, so their flows match no address: %s\n", buf);
	}
	pc_check_print_protection(json_object_object_get(o, "unenforced_rows"),
				  json_object_object_get(o, "gateways"));
}

int pc_cmd_check(int argc, char **argv)
{
	struct check_opts opt = { 0 };
	struct json_object *o;
	struct pc_policy p;
	int rc;

	rc = pc_opts_parse(&pc_check_cmd, argc, argv, &opt);
	if (rc >= 0)
		return rc;
	rc = pc_cli_load_policy(opt.site, &p, NULL, NULL);
	if (rc)
		return rc;
	o = summary(&p);
	if (opt.json)
		print_json(o, &p);
	else
		print_text(o, &p);
	json_object_put(o);
	pc_policy_free(&p);
	return PC_EXIT_OK;
}
