// SPDX-License-Identifier: GPL-2.0-only
/* portcullis advise: the denied flows of this host and what the site lacks. */
#include <bpf/bpf.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "advise.h"
#include "cli.h"
#include "datapath.h"
#include "denied.h"
#include "loader.h"
#include "state.h"
#include "table.h"

struct advise_opts {
	const char *pin_root, *site, *host, *since;
	bool json;
};

static const struct pc_opt advise_opts[] = {
	PC_OPT_SITE("the site file to judge against (default: the site in\nforce, as attach or reload loaded it)",
		    struct advise_opts, site),
	PC_OPT_HOST("the site host this machine is (default: the one in\nforce, or the one owning one of its addresses)",
		    struct advise_opts, host),
	PC_OPT_STRING("since", 0, "DURATION",
		      "only flows denied within DURATION (30s, 15m, 2h, 1d)",
		      struct advise_opts, since),
	PC_OPT_JSON("machine-readable output (\"findings\", \"denied\")", struct advise_opts, json),
	PC_OPT_PIN_ROOT(struct advise_opts, pin_root),
	{ 0 },
};

const struct pc_cmd_opts pc_advise_cmd = {
	.cmd = "advise",
	.about =
	"The distinct flows the datapath denied on this host (in audit mode: would\n"
	"have denied), kept in the kernel: direction, protocol, remote address,\n"
	"ports (a client's random port shown as 32768-65535), packets, first and\n"
	"last seen, the last drop reason. Each is explained against the site:\n"
	"missing-host (an address outside the site on a port of this host's\n"
	"flows: add it to hosts:, as the kind it behaves like), port-parameter\n"
	"(a peer of the site on a port its rows would have if a parameter were\n"
	"changed: set it), new-flow (a peer of the site on a port no row\n"
	"explains: a candidate flows: entry), documented (allowed, its connection\n"
	"not seen), broadcast (meant for other hosts), forwarded (a gateway's\n"
	"forwarded packet, denied by its forward rules) or unexplained. Prints\n"
	"the YAML to add; changes nothing.",
	.opts = advise_opts,
};

static const char *const dirs[3] = { "ingress", "egress", "forward" };

/* "30s", "15m", "2h", "1d" or seconds; -1 when it is none of them. */
static long parse_duration(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || v < 0)
		return -1;
	switch (*end) {
	case '\0': case 's': break;
	case 'm': v *= 60; break;
	case 'h': v *= 3600; break;
	case 'd': v *= 86400; break;
	default: return -1;
	}
	return *end && end[1] ? -1 : v;
}

static void seen_of(const struct pc_denied_key *k, struct pc_seen *s)
{
	memset(s, 0, sizeof(*s));
	s->dir = k->dir == PC_DIR_OUT ? PC_DIR_EGRESS : PC_DIR_INGRESS;
	s->forwarded = k->dir == PC_DIR_FWD;
	s->proto = k->family ? k->proto : 0;
	s->remote.family = k->family == PC_AF_INET6 ? AF_INET6 : AF_INET;
	s->remote.prefix = k->family == PC_AF_INET6 ? 128 : 32;
	memcpy(s->remote.bytes, k->raddr, 16);
	s->lport = k->lport;
	s->rport = k->rport;
	s->lport_folded = k->flags & PC_DENIED_LPORT_EPHEMERAL;
	s->rport_folded = k->flags & PC_DENIED_RPORT_EPHEMERAL;
	s->broadcast = k->flags & PC_DENIED_BROADCAST;
}

static struct json_object *ports_json(uint16_t port, bool folded)
{
	struct json_object *a = json_object_new_array();
	char buf[16];

	if (folded)
		snprintf(buf, sizeof(buf), "%u-65535", PC_DENIED_EPHEMERAL);
	else
		snprintf(buf, sizeof(buf), "%u", port);
	json_object_array_add(a, json_object_new_string(buf));
	return a;
}

static struct json_object *flow_json(const struct pc_denied_flow *f, const struct pc_seen *s)
{
	static const char *const reasons[] = PC_DROP_REASON_NAMES;
	struct json_object *o = json_object_new_object();
	char addr[PC_ADDR_STRLEN], proto[8];
	const struct pc_denied_key *k = &f->key;

	/* As monitor: the number for a protocol without a name here. */
	if (strcmp(pc_proto_name(k->proto), "?"))
		snprintf(proto, sizeof(proto), "%s", pc_proto_name(k->proto));
	else
		snprintf(proto, sizeof(proto), "%u", k->proto);
	json_object_object_add(o, "direction", json_object_new_string(dirs[k->dir < 3 ? k->dir : 0]));
	json_object_object_add(o, "protocol", k->family ? json_object_new_string(proto) :
				   json_object_new_string("non-ip"));
	json_object_object_add(o, "address", k->family ?
			       json_object_new_string(pc_addr_format(&s->remote, addr)) : NULL);
	json_object_object_add(o, "local_ports", ports_json(k->lport, s->lport_folded));
	json_object_object_add(o, "remote_ports", ports_json(k->rport, s->rport_folded));
	json_object_object_add(o, "broadcast", json_object_new_boolean(k->flags & PC_DENIED_BROADCAST));
	json_object_object_add(o, "packets", json_object_new_uint64(f->val.packets));
	json_object_object_add(o, "first_at", json_object_new_int64(f->first));
	json_object_object_add(o, "last_at", json_object_new_int64(f->last));
	json_object_object_add(o, "reason", json_object_new_string(
				       f->val.reason < PC_DROP_REASONS ? reasons[f->val.reason] : "?"));
	return o;
}

/* The path ids with packets on this host (the rows in use). */
static size_t used_paths(const struct pc_maps *m, char (*ids)[PC_PATH_ID_LEN], size_t max)
{
	size_t n = 0;

	for (uint32_t s = 1; s < PC_MAX_PATHS && n < max; s++) {
		struct pc_path_name name;
		struct pc_counter in, out, fwd;

		if (bpf_map_lookup_elem(m->path_names, &s, &name) || !name.id[0])
			continue;
		if (pc_counter_read(m->path_stats, s * 2, &in) ||
		    pc_counter_read(m->path_stats, s * 2 + 1, &out) ||
		    pc_counter_read(m->fwd_stats, PC_FWD_PATH(s), &fwd))
			continue;
		if (in.packets + out.packets + fwd.packets) {
			memcpy(ids[n], name.id, PC_PATH_ID_LEN);
			ids[n++][PC_PATH_ID_LEN - 1] = '\0';
		}
	}
	return n;
}

/* The finding with this advice's words, or a new one. */
static struct json_object *finding_for(struct json_object *findings,
				       const struct pc_policy *p, const struct pc_advice *a,
				       const struct pc_seen *s)
{
	char addr[PC_ADDR_STRLEN];
	struct json_object *f, *paths, *kinds;

	for (size_t i = 0; i < json_object_array_length(findings); i++) {
		struct json_object *e = json_object_array_get_idx(findings, i);
		const char *snip = json_object_get_string(json_object_object_get(e, "snippet"));
		const char *why = json_object_get_string(json_object_object_get(e, "explanation"));

		if (a->snippet ? snip && !strcmp(snip, a->snippet) :
				 !snip && !strcmp(why, a->explanation))
			return e;
	}
	f = json_object_new_object();
	json_object_object_add(f, "advice", json_object_new_string(pc_advice_name(a->kind)));
	json_object_object_add(f, "explanation", json_object_new_string(a->explanation));
	json_object_object_add(f, "address", s->proto ?
			       json_object_new_string(pc_addr_format(&s->remote, addr)) : NULL);
	json_object_object_add(f, "peer", a->peer ? json_object_new_string(a->peer->name) : NULL);
	json_object_object_add(f, "initiator_side", json_object_new_string(
				       a->host_initiates ? "local" : "remote"));
	kinds = json_object_new_array();
	for (size_t k = 0; k < p->nkinds; k++) /* the snippet's first */
		if (a->like & (1ull << k))
			json_object_array_add(kinds, json_object_new_string(p->kinds[k]));
	for (size_t k = 0; k < p->nkinds; k++)
		if (a->also_like & (1ull << k))
			json_object_array_add(kinds, json_object_new_string(p->kinds[k]));
	json_object_object_add(f, "kinds", kinds);
	json_object_object_add(f, "parameter", a->param ?
			       json_object_new_string(a->param->name) : NULL);
	paths = json_object_new_array();
	for (size_t i = 0; i < a->npaths; i++)
		json_object_array_add(paths, json_object_new_string(a->paths[i]->id));
	json_object_object_add(f, "related_paths", paths);
	json_object_object_add(f, "snippet", a->snippet ? json_object_new_string(a->snippet) : NULL);
	json_object_object_add(f, "packets", json_object_new_uint64(0));
	json_object_object_add(f, "flows", json_object_new_array());
	json_object_array_add(findings, f);
	return f;
}

static int advise_json(const struct pc_policy *p, const struct pc_host *self,
		       const struct pc_maps *m, long since, struct json_object **out)
{
	static char used[PC_MAX_PATHS][PC_PATH_ID_LEN];
	const char *usedp[PC_MAX_PATHS];
	struct json_object *o, *findings, *den;
	struct pc_bank_settings set = { 0 };
	struct pc_denied_table t;
	uint32_t bank = 0, gen = 0;
	size_t nused, shown = 0;
	time_t now = time(NULL);
	int err;

	err = pc_denied_read(m, &t);
	if (err)
		return err;
	nused = used_paths(m, used, PC_MAX_PATHS);
	for (size_t i = 0; i < nused; i++)
		usedp[i] = used[i];
	pc_loader_state(m, &bank, &gen);
	bpf_map_lookup_elem(m->settings, &bank, &set);
	o = json_object_new_object();
	findings = json_object_new_array();
	for (size_t i = 0; i < t.n; i++) {
		const struct pc_denied_flow *d = &t.flows[i];
		struct json_object *f;
		struct pc_advice a;
		struct pc_seen s;

		if (since >= 0 && d->last < now - since)
			continue;
		seen_of(&d->key, &s);
		err = pc_advise(p, self, &s, usedp, nused, &a);
		if (err)
			break;
		f = finding_for(findings, p, &a, &s);
		json_object_array_add(json_object_object_get(f, "flows"), flow_json(d, &s));
		json_object_object_add(f, "packets", json_object_new_uint64(
					       json_object_get_uint64(json_object_object_get(f, "packets")) +
					       d->val.packets));
		pc_advice_free(&a);
		shown++;
	}
	json_object_object_add(o, "host", json_object_new_string(self->name));
	json_object_object_add(o, "role", NULL);
	json_object_object_add(o, "site", p->site_name ? json_object_new_string(p->site_name) : NULL);
	json_object_object_add(o, "mode", json_object_new_string(
				       set.mode == PC_MODE_VALUE_AUDIT ? "audit" : "enforce"));
	json_object_object_add(o, "since_ms", since >= 0 ?
			       json_object_new_int64((int64_t)since * 1000) : NULL);
	json_object_object_add(o, "flow_count", json_object_new_int64((int64_t)shown));
	den = json_object_new_object();
	json_object_object_add(den, "entries", json_object_new_int64((int64_t)t.n));
	json_object_object_add(den, "max", json_object_new_int64(t.max));
	json_object_object_add(den, "created", json_object_new_uint64(t.created));
	json_object_object_add(den, "evicted", json_object_new_uint64(t.evicted));
	json_object_object_add(den, "unrecorded", json_object_new_uint64(t.unrecorded));
	json_object_object_add(o, "denied", den);
	json_object_object_add(o, "findings", findings);
	pc_denied_free(&t);
	if (err) {
		json_object_put(o);
		return err;
	}
	*out = o;
	return 0;
}

static const char *str(struct json_object *o, const char *key)
{
	const char *s = json_object_get_string(json_object_object_get(o, key));

	return s ? s : "-";
}

static const char *when(struct json_object *o, const char *key, char *buf, size_t len)
{
	time_t t = (time_t)json_object_get_int64(json_object_object_get(o, key));
	struct tm tm;

	strftime(buf, len, "%Y-%m-%d %H:%M:%S", localtime_r(&t, &tm));
	return buf;
}

static void print_advice(struct json_object *o)
{
	static const char *const header[] = { "DIR", "PROTO", "ADDRESS", "LOCAL PORT", "REMOTE PORT",
					       "PACKETS", "FIRST SEEN", "LAST SEEN", "REASON" };
	struct json_object *findings = json_object_object_get(o, "findings");
	struct json_object *den = json_object_object_get(o, "denied");
	size_t n = json_object_array_length(findings);

	printf("host %s, %s mode: %s denied flows, %zu findings\n", str(o, "host"),
	       str(o, "mode"), str(o, "flow_count"), n);
	printf("denied-flow table: %s of %s entries, %s evicted\n", str(den, "entries"),
	       str(den, "max"), str(den, "evicted"));
	if (json_object_get_uint64(json_object_object_get(den, "unrecorded")))
		printf("%s drops came faster than %d a second per CPU and are not in the "
		       "table: packet counts are lower bounds\n",
		       str(den, "unrecorded"), PC_DENIED_PER_SEC);
	for (size_t i = 0; i < n; i++) {
		struct json_object *f = json_object_array_get_idx(findings, i);
		struct json_object *flows = json_object_object_get(f, "flows");
		struct json_object *snip = json_object_object_get(f, "snippet");
		struct pc_table t;

		printf("\n%s: %s\n", str(f, "advice"), str(f, "explanation"));
		pc_table_init(&t, 9, header);
		t.right = 1u << 5;
		for (size_t j = 0; j < json_object_array_length(flows); j++) {
			struct json_object *e = json_object_array_get_idx(flows, j);
			char first[32], last[32], dir[32];
			const char *cells[] = {
				dir, str(e, "protocol"), str(e, "address"),
				json_object_get_string(json_object_array_get_idx(
					json_object_object_get(e, "local_ports"), 0)),
				json_object_get_string(json_object_array_get_idx(
					json_object_object_get(e, "remote_ports"), 0)),
				str(e, "packets"), when(e, "first_at", first, sizeof(first)),
				when(e, "last_at", last, sizeof(last)), str(e, "reason"),
			};

			snprintf(dir, sizeof(dir), "%s%s", str(e, "direction"),
				 json_object_get_boolean(json_object_object_get(e, "broadcast")) ?
					 " bcast" : "");
			pc_table_row(&t, cells);
		}
		pc_table_print(&t, stdout);
		pc_table_free(&t);
		if (snip) {
			const char *s = json_object_get_string(snip), *nl;

			printf("add to the site file:\n");
			for (; *s; s = nl + 1) {
				nl = strchr(s, '\n');
				if (!nl)
					nl = s + strlen(s) - 1;
				printf("    %.*s\n", (int)(nl - s), s);
			}
		}
	}
	if (!n)
		printf("\nnothing denied%s\n",
		       json_object_object_get(o, "since_ms") ? " in that time" : "");
}

/* The policy to judge against: the site file given, else the site text
 * in force (recorded by attach and reload), else the catalog alone. */
static int load_policy(const char *site, const struct pc_state *st, bool have_state,
		       struct pc_policy *p)
{
	struct pc_diags diags = { 0 };
	int err;

	if (site || !have_state || !st->site_text)
		return pc_cli_load_policy(site, p, NULL, NULL);
	err = pc_policy_load_text(p, PC_BUILTIN_CATALOG_NAME, pc_builtin_catalog,
				  pc_builtin_catalog_len, st->site, st->site_text,
				  st->site_len, &diags);
	pc_diags_print(&diags);
	pc_diags_free(&diags);
	if (err) {
		pc_err("cannot load the site in force (%s): %s", st->site, pc_strerror(err));
		pc_policy_free(p);
		return PC_EXIT_POLICY;
	}
	return PC_EXIT_OK;
}

/* This machine's host: --host, the host the policy in force was compiled
 * for, or the one owning one of its addresses. */
static const struct pc_host *find_self(const struct pc_policy *p, const char *host,
				       const struct pc_state *st, bool have_state)
{
	const struct pc_host *self = NULL;

	if (!host && have_state && st->host && pc_policy_find_host(p, st->host))
		host = st->host;
	if (host) {
		self = pc_policy_find_host(p, host);
		if (!self)
			pc_err("no host '%s' in the site", host);
		return self;
	}
	if (pc_find_local_host(p, &self) || !self)
		pc_err("advise needs to know which host of the site this is: none owns one of this machine's addresses; give --host NAME");
	return self;
}

int pc_cmd_advise(int argc, char **argv)
{
	struct advise_opts ao = { 0 };
	const struct pc_host *self;
	struct json_object *out = NULL;
	struct pc_state st = { 0 };
	struct pc_policy p;
	struct pc_pins pins;
	struct pc_maps m;
	bool have_state;
	long since = -1;
	int rc, err;

	rc = pc_opts_parse(&pc_advise_cmd, argc, argv, &ao);
	if (rc >= 0)
		return rc;
	if (ao.since && (since = parse_duration(ao.since)) < 0)
		return pc_cli_usage_error(pc_advise_cmd.cmd,
					  "--since takes a duration (30s, 15m, 2h, 1d), not '%s'",
					  ao.since);
	err = pc_pins_open(&pins, ao.pin_root, false);
	if (!err)
		err = pc_maps_open_pinned(&m, pins.root);
	if (err) {
		pc_err("nothing to advise on: %s", err == -ENOENT ?
		       "portcullis is not attached (nothing pinned)" : pc_strerror(err));
		pc_pins_close(&pins);
		return PC_EXIT_POLICY;
	}
	have_state = pc_state_load(pins.root, &st) == 0;
	rc = load_policy(ao.site, &st, have_state, &p);
	self = rc ? NULL : find_self(&p, ao.host, &st, have_state);
	err = self ? advise_json(&p, self, &m, since, &out) : 0;
	pc_maps_close(&m);
	pc_pins_close(&pins);
	if (have_state)
		pc_state_free(&st);
	if (rc)
		return rc;
	if (!self || err) {
		if (err)
			pc_err("cannot read the table of denied flows: %s", pc_strerror(err));
		pc_policy_free(&p);
		return PC_EXIT_POLICY;
	}
	if (ao.json) {
		pc_cli_print_json(out);
	} else {
		print_advice(out);
		json_object_put(out);
	}
	pc_policy_free(&p);
	return PC_EXIT_OK;
}
