// SPDX-License-Identifier: GPL-2.0-only
#include "testutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/*
 *   192.0.2.0/24      management LAN (server, desks, mail, DHCP)
 *   198.51.100.0/24   managed servers
 *   203.0.113.0/24    BMC and SVP
 */
const char tu_small_site[] =
	"site: unit\n"
	"hosts:\n"
	"  - name: mgr\n"
	"    kinds: [management-server]\n"
	"    os: windows\n"
	"    addresses: [192.0.2.10, \"2001:db8::10\"]\n"
	"  - name: desk\n"
	"    kinds: [management-client]\n"
	"    addresses: [192.0.2.64/26]\n"
	"  - name: web\n"
	"    kinds: [linux]\n"
	"    os: linux\n"
	"    addresses: [198.51.100.11, \"2001:db8:0:2::11\"]\n"
	"  - name: win\n"
	"    kinds: [windows]\n"
	"    os: windows\n"
	"    addresses: [198.51.100.21]\n"
	"  - name: bmc\n"
	"    kinds: [bmc]\n"
	"    addresses: [203.0.113.0/28]\n"
	"  - name: svp\n"
	"    kinds: [svp]\n"
	"    addresses: [203.0.113.20]\n"
	"  - name: mail\n"
	"    kinds: [smtp-server]\n"
	"    addresses: [192.0.2.25]\n"
	"  - name: dhcp\n"
	"    kinds: [dhcp-server]\n"
	"    addresses: [192.0.2.67]\n"
	"segments: [192.0.2.0/24, 198.51.100.0/24]\n";

int tu_load(struct pc_policy *p, struct pc_diags *d, const char *site)
{
	memset(d, 0, sizeof(*d));
	return pc_policy_load_text(p, TU_CATALOG_FILE, pc_builtin_catalog,
				   pc_builtin_catalog_len, TU_SITE_FILE, site,
				   site ? strlen(site) : 0, d);
}

void tu_print_diags(const struct pc_diags *d)
{
	for (size_t i = 0; i < d->count; i++)
		print_message("#   %s:%d:%d: %s\n", d->items[i].file,
			      d->items[i].line, d->items[i].col, d->items[i].msg);
}

void tu_load_ok(struct pc_policy *p, const char *site)
{
	struct pc_diags d;
	int err = tu_load(p, &d, site);

	if (err || d.count) {
		print_message("# the policy did not load (%d):\n", err);
		tu_print_diags(&d);
	}
	pc_diags_free(&d);
	assert_int_equal(err, 0);
}

static bool holds_all(const char *msg, const char *needles)
{
	char buf[512];
	char *save = NULL;

	snprintf(buf, sizeof(buf), "%s", needles);
	for (char *n = strtok_r(buf, "|", &save); n; n = strtok_r(NULL, "|", &save))
		if (!strstr(msg, n))
			return false;
	return true;
}

const struct pc_diag *tu_find_diag(const struct pc_diags *d, const char *file,
				   int line, int col, const char *needles)
{
	for (size_t i = 0; i < d->count; i++) {
		const struct pc_diag *it = &d->items[i];

		if (file && strcmp(it->file, file) != 0)
			continue;
		if (line && it->line != line)
			continue;
		if (col && it->col != col)
			continue;
		if (holds_all(it->msg, needles))
			return it;
	}
	return NULL;
}

struct pc_addr tu_addr(const char *s)
{
	struct pc_addr a;
	const char *why = NULL;

	if (pc_addr_parse(s, &a, &why))
		fail_msg("test address '%s' does not parse: %s", s, why ? why : "?");
	return a;
}

pc_kindset tu_kinds(const struct pc_policy *p, const char *csv)
{
	char buf[512];
	char *save = NULL;
	pc_kindset k = 0;

	snprintf(buf, sizeof(buf), "%s", csv);
	for (char *n = strtok_r(buf, ",", &save); n; n = strtok_r(NULL, ",", &save)) {
		int idx = pc_policy_find_kind(p, n);

		if (idx < 0)
			fail_msg("kind '%s' is not known", n);
		k |= 1ull << idx;
	}
	return k;
}

const char *tu_ports(const struct pc_policy *p, const struct pc_port_spec *s,
		     char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < s->count; i++) {
		const struct pc_port_item *it = &s->items[i];
		const char *sep = i ? "," : "";
		int n;

		if (it->type == PC_PORT_AUTO)
			n = snprintf(buf + used, len - used, "%sauto", sep);
		else if (it->type == PC_PORT_PARAM)
			n = snprintf(buf + used, len - used, "%s$%s", sep,
				     p->params[it->param].name);
		else if (it->range.lo == it->range.hi)
			n = snprintf(buf + used, len - used, "%s%u", sep, it->range.lo);
		else
			n = snprintf(buf + used, len - used, "%s%u-%u", sep,
				     it->range.lo, it->range.hi);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	return buf;
}

bool tu_flow_is(const struct pc_flow *f, const char *name)
{
	const char *dot = strrchr(name, '.');
	char table[16];

	if (strcmp(f->id, name) == 0)
		return true;
	if (f->from_site || name[0] != 'A' || !dot || (size_t)(dot - name) >= sizeof(table))
		return false;
	memcpy(table, name, (size_t)(dot - name));
	table[dot - name] = '\0';
	return strcmp(f->table, table) == 0 && f->row == atoi(dot + 1);
}

bool tu_addrs_equal(const struct pc_rule *r, const char *addrs)
{
	char buf[1024];
	char *save = NULL;
	size_t n = 0;

	snprintf(buf, sizeof(buf), "%s", addrs);
	for (char *s = strtok_r(buf, " ", &save); s; s = strtok_r(NULL, " ", &save)) {
		struct pc_addr a = tu_addr(s);
		size_t seen = 0;

		for (size_t i = 0; i < r->nremote; i++)
			seen += pc_addr_equal(&r->remote_addrs[i], &a);
		if (seen != 1)
			return false;
		n++;
	}
	return n == r->nremote;
}

static void print_rule(const char *what, const struct pc_rule *r)
{
	char a[PC_ADDR_STRLEN];

	print_message("#   %s: %s %s %s local %u-%u remote %u-%u [", what,
		      r->flow->id, pc_dir_name(r->dir), pc_proto_name(r->proto),
		      r->local.lo, r->local.hi, r->remote.lo, r->remote.hi);
	for (size_t i = 0; i < r->nremote; i++)
		print_message("%s%s", i ? " " : "", pc_addr_format(&r->remote_addrs[i], a));
	print_message("]\n");
}

void tu_check_rules(const struct pc_ruleset *rs, const struct tu_rule *exp,
		    size_t n)
{
	bool *used = calloc(rs->nrules + 1, sizeof(*used));
	int bad = 0;

	assert_non_null(used);
	for (size_t e = 0; e < n; e++) {
		const struct tu_rule *x = &exp[e];
		size_t found = 0;

		for (size_t i = 0; i < rs->nrules; i++) {
			const struct pc_rule *r = &rs->rules[i];

			if (!tu_flow_is(r->flow, x->flow) || r->dir != x->dir ||
			    r->proto != x->proto || r->local.lo != x->llo ||
			    r->local.hi != x->lhi || r->remote.lo != x->rlo ||
			    r->remote.hi != x->rhi)
				continue;
			found++;
			used[i] = true;
			if (!tu_addrs_equal(r, x->addrs)) {
				print_message("# %s: remote set should be [%s]\n",
					      rs->name, x->addrs);
				print_rule("got", r);
				bad++;
			}
		}
		if (found != 1) {
			print_message("# %s: expected one rule %s %s %s local %u-%u remote %u-%u, found %zu\n",
				      rs->name, x->flow, pc_dir_name(x->dir),
				      pc_proto_name(x->proto), x->llo, x->lhi,
				      x->rlo, x->rhi, found);
			bad++;
		}
	}
	for (size_t i = 0; i < rs->nrules; i++) {
		if (!used[i]) {
			print_rule("unexpected rule", &rs->rules[i]);
			bad++;
		}
	}
	free(used);
	if (bad)
		fail_msg("%s: %d rule(s) differ from the expected set (%zu expected, %zu compiled)",
			 rs->name, bad, n, rs->nrules);
}

size_t tu_count_flow_rules(const struct pc_ruleset *rs, const char *name)
{
	size_t n = 0;

	for (size_t i = 0; i < rs->nrules; i++)
		n += tu_flow_is(rs->rules[i].flow, name);
	return n;
}

struct tu_fx tu_fx;

int tu_setup(void **state)
{
	(void)state;
	memset(&tu_fx, 0, sizeof(tu_fx));
	return 0;
}

int tu_teardown(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(tu_fx.rs) / sizeof(*tu_fx.rs); i++)
		pc_ruleset_free(&tu_fx.rs[i]);
	pc_policy_free(&tu_fx.p);
	pc_diags_free(&tu_fx.d);
	return 0;
}
