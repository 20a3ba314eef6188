// SPDX-License-Identifier: GPL-2.0-only
/* The rollout advisor: a denied flow + the site -> what is probably missing. */
#include "advise.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "portcullis.h"

#define MAX_RANGES 64

const char *pc_advice_name(enum pc_advice_kind k)
{
	static const char *const names[] = { "missing-host", "port-parameter", "new-flow",
					     "documented", "unexplained", "broadcast",
					     "forwarded" };

	return k < sizeof(names) / sizeof(*names) ? names[k] : "?";
}

void pc_advice_free(struct pc_advice *a)
{
	free(a->snippet);
	a->snippet = NULL;
}

const struct pc_host *pc_advise_host_of(const struct pc_policy *p,
					const struct pc_host *self,
					const struct pc_addr *a)
{
	const struct pc_host *best = NULL;
	int best_len = -1;

	for (size_t i = 0; i < p->nhosts; i++) {
		const struct pc_host *h = &p->hosts[i];

		if (h == self || !h->name)
			continue;
		for (size_t j = 0; j < h->naddrs; j++)
			if (pc_addr_contains(&h->addrs[j], a) && h->addrs[j].prefix > best_len) {
				best = h;
				best_len = h->addrs[j].prefix;
			}
	}
	return best;
}

static bool ranges_hold(const struct pc_port_range *r, size_t n, uint16_t lo, uint16_t hi)
{
	for (size_t i = 0; i < n; i++)
		if (r[i].lo <= hi && lo <= r[i].hi)
			return true;
	return false;
}

/* Whether the endpoint's ports in force hold port (folded: some client
 * port at or above PC_DENIED_EPHEMERAL). */
static bool port_fits(const struct pc_policy *p, const struct pc_endpoint *e,
		      uint16_t port, bool folded)
{
	struct pc_port_range r[MAX_RANGES];
	size_t n = pc_port_spec_ranges(p, &e->ports, r, MAX_RANGES);

	return folded ? ranges_hold(r, n, PC_DENIED_EPHEMERAL, 65535) :
			ranges_hold(r, n, port, port);
}

/* The flow's side where this host is, and the other. */
static void sides(const struct pc_flow *f, bool host_initiates,
		  const struct pc_endpoint **mine, const struct pc_endpoint **theirs)
{
	*mine = host_initiates ? &f->initiator : &f->responder;
	*theirs = host_initiates ? &f->responder : &f->initiator;
}

/* The parameter of the endpoint's first $param item, or NULL. */
static const struct pc_param *param_of(const struct pc_policy *p, const struct pc_endpoint *e)
{
	for (size_t i = 0; i < e->ports.count; i++)
		if (e->ports.items[i].type == PC_PORT_PARAM)
			return &p->params[e->ports.items[i].param];
	return NULL;
}

static bool is_used(const struct pc_flow *f, const char *const *used, size_t nused)
{
	for (size_t i = 0; i < nused; i++)
		if (!strcmp(used[i], f->id))
			return true;
	return false;
}

static void add_path(struct pc_advice *a, const struct pc_flow *f)
{
	for (size_t i = 0; i < a->npaths; i++)
		if (a->paths[i] == f)
			return;
	if (a->npaths < PC_ADVICE_MAX_PATHS)
		a->paths[a->npaths++] = f;
}

/* "[a, b]" of the kinds in k. */
static void kinds_list(const struct pc_policy *p, pc_kindset k, char *buf, size_t len)
{
	char names[256];

	snprintf(buf, len, "[%s]", pc_kinds_format(p, k, names, sizeof(names)));
}

static char *snippet_host(const struct pc_policy *p, const struct pc_advice *a,
			  const struct pc_addr *remote)
{
	char addr[PC_ADDR_STRLEN], name[PC_ADDR_STRLEN + 8], kinds[300], *out = NULL;
	int v6 = remote->family == AF_INET6;

	pc_addr_format(remote, addr);
	snprintf(name, sizeof(name), "host-%s", addr);
	for (char *c = name; *c; c++)
		if (*c == '.' || *c == ':' || *c == '/')
			*c = '-';
	kinds_list(p, a->like, kinds, sizeof(kinds));
	if (asprintf(&out,
		     "hosts:\n"
		     "  - name: %s\n"
		     "    kinds: %s\n"
		     "    addresses: [%s%s%s]\n",
		     name, kinds, v6 ? "\"" : "", addr, v6 ? "\"" : "") < 0)
		return NULL;
	return out;
}

static char *snippet_param(const struct pc_advice *a)
{
	char *out = NULL;

	if (asprintf(&out, "parameters:\n  %s: %u\n", a->param->name, a->service_port) < 0)
		return NULL;
	return out;
}

/* A flows: entry between the kinds of this host and of its peer. */
static char *snippet_flow(const struct pc_policy *p, const struct pc_host *self,
			  const struct pc_seen *s, const struct pc_advice *a)
{
	const struct pc_host *ini = a->host_initiates ? self : a->peer;
	const struct pc_host *resp = a->host_initiates ? a->peer : self;
	char ik[300], rk[300], iport[16] = "auto", id[160], *out = NULL;
	const char *proto = s->proto == IPPROTO_TCP ? "tcp" : "udp";

	kinds_list(p, ini->kinds, ik, sizeof(ik));
	kinds_list(p, resp->kinds, rk, sizeof(rk));
	/* A fixed client port below the auto range is part of the flow. */
	if (a->client_port && a->client_port < 1024)
		snprintf(iport, sizeof(iport), "%u", a->client_port);
	snprintf(id, sizeof(id), "site-%s-%u-%s-to-%s", proto, a->service_port,
		 ini->name, resp->name);
	for (char *c = id; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') ||
		      (*c >= '0' && *c <= '9') || *c == '-' || *c == '.' || *c == '_'))
			*c = '-';
	if (asprintf(&out,
		     "flows:\n"
		     "  - id: %s\n"
		     "    purpose: \"seen by portcullis advise: %s %u from %s to %s\"\n"
		     "    protocols: [%s]\n"
		     "    initiator: { kinds: %s, port: %s }\n"
		     "    responder: { kinds: %s, port: %u }\n",
		     id, proto, a->service_port, ini->name, resp->name, proto, ik, iport,
		     rk, a->service_port) < 0)
		return NULL;
	return out;
}

/* The kind of the initiators of the flows in a->paths that is named by
 * most of them (first in kind order on a tie). */
static pc_kindset likeliest_kind(const struct pc_advice *a, bool host_initiates)
{
	size_t best = 0, best_n = 0;

	for (size_t k = 0; k < PC_MAX_KINDS; k++) {
		size_t n = 0;

		for (size_t i = 0; i < a->npaths; i++) {
			const struct pc_endpoint *mine, *theirs;

			sides(a->paths[i], host_initiates, &mine, &theirs);
			n += !!(theirs->kinds & (1ull << k));
		}
		if (n > best_n) {
			best = k;
			best_n = n;
		}
	}
	return best_n ? 1ull << best : 0;
}

int pc_advise(const struct pc_policy *p, const struct pc_host *self,
	      const struct pc_seen *s, const char *const *used, size_t nused,
	      struct pc_advice *a)
{
	char addr[PC_ADDR_STRLEN], kinds[300], peer_kinds[300];
	const char *proto = pc_proto_name(s->proto);
	const struct pc_flow *param_flow = NULL;
	bool client_folded, documented = false;

	memset(a, 0, sizeof(*a));
	pc_addr_format(&s->remote, addr);
	/* The gateway's own rows say nothing of it, and the table keeps its
	 * source, not where it was going: no snippet. */
	if (s->forwarded) {
		a->kind = PC_ADVICE_FORWARDED;
		a->service_port = s->lport;
		snprintf(a->explanation, sizeof(a->explanation),
			 "%s from %s to port %u, forwarded by this gateway and denied by its "
			 "forward rules (the flows between the hosts behind it); advise "
			 "suggests rules for this host's own traffic only: `portcullis "
			 "monitor` shows the destination",
			 s->proto ? proto : "a frame", addr, s->lport);
		return 0;
	}
	if (s->proto != IPPROTO_TCP && s->proto != IPPROTO_UDP) {
		a->kind = PC_ADVICE_UNEXPLAINED;
		if (!s->proto)
			snprintf(a->explanation, sizeof(a->explanation),
				 "a frame that is not IP (EtherType 0x%04x): settings: non-ip "
				 "decides, no row", s->lport);
		else if (s->proto == IPPROTO_ICMP || s->proto == IPPROTO_ICMPV6)
			snprintf(a->explanation, sizeof(a->explanation),
				 "%s type %u code %u with %s: not an echo with a documented "
				 "peer nor an error about a connection; no row allows ICMP",
				 s->proto == IPPROTO_ICMP ? "ICMP" : "ICMPv6", s->lport,
				 s->rport, addr);
		else
			snprintf(a->explanation, sizeof(a->explanation),
				 "IP protocol %u with %s: not TCP or UDP, no row can allow it",
				 s->proto, addr);
		return 0;
	}
	/* Who opened it: the side whose port is a client's random one, or
	 * else the sender of the packet. */
	if (s->lport_folded)
		a->host_initiates = true;
	else if (s->rport_folded)
		a->host_initiates = false;
	else
		a->host_initiates = s->dir == PC_DIR_EGRESS;
	a->service_port = a->host_initiates ? s->rport : s->lport;
	a->client_port = a->host_initiates ? s->lport : s->rport;
	client_folded = a->host_initiates ? s->lport_folded : s->rport_folded;
	a->peer = pc_advise_host_of(p, self, &s->remote);

	for (size_t i = 0; i < p->nflows; i++) {
		const struct pc_flow *f = &p->flows[i];
		const struct pc_endpoint *mine, *theirs, *resp, *ini;
		bool port_ok, peer_ok;

		if (!pc_flow_enabled(p, f) ||
		    !(f->protocols & (s->proto == IPPROTO_TCP ? PC_PROTO_TCP : PC_PROTO_UDP)))
			continue;
		sides(f, a->host_initiates, &mine, &theirs);
		if (!pc_endpoint_has_host(mine, self))
			continue;
		resp = &f->responder;
		ini = &f->initiator;
		if (!port_fits(p, ini, a->client_port, client_folded))
			continue;
		port_ok = port_fits(p, resp, a->service_port, false);
		peer_ok = a->peer && pc_endpoint_has_host(theirs, a->peer);
		if (port_ok && peer_ok && !documented) {
			documented = true;
			a->npaths = 0; /* only the rows that allow it */
			add_path(a, f);
		} else if (port_ok && (peer_ok || !a->peer)) {
			add_path(a, f);
		} else if (peer_ok && param_of(p, resp) &&
			   (!param_flow || (is_used(param_flow, used, nused) &&
					    !is_used(f, used, nused)))) {
			/* The first such row, unless it carries traffic and
			 * this one does not. */
			param_flow = f;
		}
	}

	if (documented) {
		a->kind = PC_ADVICE_DOCUMENTED;
		snprintf(a->explanation, sizeof(a->explanation),
			 "%s (%s) on %s %u: documented (%s); a packet of a connection "
			 "portcullis did not see open (a reply, or traffic from before attach)",
			 a->peer->name, pc_kinds_format(p, a->peer->kinds, kinds, sizeof(kinds)),
			 proto, a->service_port, a->paths[0]->id);
		return 0;
	}
	if (s->broadcast) {
		a->kind = PC_ADVICE_BROADCAST;
		a->npaths = 0;
		snprintf(a->explanation, sizeof(a->explanation),
			 "a broadcast from %s on %s %u that no row sends to this host: "
			 "meant for other hosts of the segment; dropping it here is right",
			 addr, proto, a->service_port);
		return 0;
	}
	if (!a->peer && a->npaths) {
		a->kind = PC_ADVICE_MISSING_HOST;
		char others[300] = "";

		a->like = likeliest_kind(a, a->host_initiates);
		for (size_t i = 0; i < a->npaths; i++) {
			const struct pc_endpoint *mine, *theirs;

			sides(a->paths[i], a->host_initiates, &mine, &theirs);
			a->also_like |= theirs->kinds & ~a->like;
		}
		if (a->also_like) {
			char names[256];

			snprintf(others, sizeof(others), " (or %s)",
				 pc_kinds_format(p, a->also_like, names, sizeof(names)));
		}
		snprintf(a->explanation, sizeof(a->explanation),
			 "%s is not in the site and %s on %s %u like a %s%s (%s): a host "
			 "missing from hosts:",
			 addr, a->host_initiates ? "answers" : "talks",
			 proto, a->service_port, pc_kinds_format(p, a->like, kinds, sizeof(kinds)),
			 others, a->paths[0]->id);
		a->snippet = snippet_host(p, a, &s->remote);
		return a->snippet ? 0 : -ENOMEM;
	}
	if (!a->peer) {
		a->kind = PC_ADVICE_UNEXPLAINED;
		snprintf(a->explanation, sizeof(a->explanation),
			 "%s is not in the site and no flow of this host uses %s %u: "
			 "a stranger, or a host and a flow both missing", addr, proto,
			 a->service_port);
		return 0;
	}
	pc_kinds_format(p, a->peer->kinds, peer_kinds, sizeof(peer_kinds));
	if (param_flow) {
		a->kind = PC_ADVICE_PORT_PARAMETER;
		a->param = param_of(p, &param_flow->responder);
		add_path(a, param_flow);
		snprintf(a->explanation, sizeof(a->explanation),
			 "%s (%s) on %s %u: the port of %s (%s) if it was changed "
			 "from %u: set the parameter %s",
			 a->peer->name, peer_kinds, proto, a->service_port, param_flow->id,
			 param_flow->purpose_en ? param_flow->purpose_en : "",
			 a->param->nvalues ? a->param->values[0].lo : a->param->def.lo,
			 a->param->name);
		a->snippet = snippet_param(a);
		return a->snippet ? 0 : -ENOMEM;
	}
	a->kind = PC_ADVICE_NEW_FLOW;
	snprintf(a->explanation, sizeof(a->explanation),
		 "%s (%s) %s %s %u and no row explains it: a candidate site flow",
		 a->peer->name, peer_kinds, a->host_initiates ? "answers on" : "opens",
		 proto, a->service_port);
	a->snippet = snippet_flow(p, self, s, a);
	return a->snippet ? 0 : -ENOMEM;
}
