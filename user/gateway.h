/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Gateway mode, userspace side: the rules a Linux machine that forwards
 * between segments (a router, or a bridge in front of appliances) enforces
 * on the traffic it forwards, and the reference judgement of one forwarded
 * packet (explain --gateway, tests).
 *
 * A forwarded packet S -> D starts a documented connection when some
 * enabled flow has a kind of S as initiator and a kind of D as responder,
 * with the flow's protocol, ports and addressing. Each forward rule says
 * it from the responder's side, as a host's ingress rule does, plus the
 * set of destinations: local = responder (destination) ports, remote =
 * initiator (source) ports, remote_addrs = every initiator host's
 * addresses (and 0.0.0.0 for DHCP), local_addrs = every responder host's
 * addresses for unicast rows, 255.255.255.255 and the directed broadcasts
 * of the responders' segments for broadcast rows. One rule serves every
 * responder host of a flow (ports are site-wide), so a site needs as many
 * forward rules as protocols x port ranges of its flows, whatever its
 * number of hosts. Replies are not rules: they pass through conntrack.
 *
 * Packets to or from the gateway's own addresses are judged by the
 * gateway's own host rules, which come first in the rule set (nown).
 */
#ifndef PC_GATEWAY_H
#define PC_GATEWAY_H

#include "classify.h"
#include "compile.h"

/*
 * The gateway's rules: gw's own host rules (none when gw is NULL), then
 * the forward rules of the whole site's flow matrix, without gw's own
 * addresses (its traffic is judged as a host's; a group's prefix that
 * holds one of them still does, but the datapath tells the gateway's own
 * addresses first). Forward rules with no
 * initiator or no destination address are left out: nothing can match
 * them. Returns 0 (out to free with pc_ruleset_free) or -errno.
 */
int pc_compile_gateway(const struct pc_policy *p, const struct pc_host *gw,
		       struct pc_ruleset *out);

/* A forwarded packet as the gateway sees it, from source to destination. */
struct pc_fwd_tuple {
	uint8_t proto; /* IPPROTO_TCP or IPPROTO_UDP */
	struct pc_addr src;
	struct pc_addr dst;
	uint16_t sport;
	uint16_t dport;
};

/*
 * The first forward rule that takes t as the initiating packet of a
 * connection: PASS with the rule, WRONG_PEER with the first rule whose
 * protocol and ports matched (not this source or destination), NO_RULE.
 */
void pc_gateway_classify(const struct pc_ruleset *rs,
			 const struct pc_fwd_tuple *t, struct pc_verdict *v);
bool pc_rule_has_local(const struct pc_rule *r, const struct pc_addr *a);
/* Whether a is one of gw's own addresses (a host address it lists, or
 * inside one of its prefixes). */
bool pc_gateway_own(const struct pc_host *gw, const struct pc_addr *a);
/* The rules that judge the gateway's own traffic (its host rules): rs
 * itself unless it is a gateway rule set, else a view of rs in tmp. */
const struct pc_ruleset *pc_gateway_own_rules(const struct pc_ruleset *rs,
					      struct pc_ruleset *tmp);
/*
 * Where a host is protected (check): by itself when it runs portcullis
 * (runs-portcullis in the site, else guessed: os linux yes, os windows no,
 * appliances, ESXi, Windows, Hyper-V and management clients no, other
 * kinds yes), by the gateway its gateway field names, both, or nowhere.
 */
enum { PC_PROTECTED_SELF = 1u << 0, PC_PROTECTED_GATEWAY = 1u << 1 };
bool pc_host_runs_portcullis(const struct pc_policy *p, const struct pc_host *h);
unsigned pc_host_protection(const struct pc_policy *p, const struct pc_host *h);
/* Pairs (initiator host, responder host) of flow f whose packets nothing
 * judges (neither end protected); *ex_init, *ex_resp the first one. */
size_t pc_flow_unenforced(const struct pc_policy *p, const struct pc_flow *f,
			  const struct pc_host **ex_init,
			  const struct pc_host **ex_resp);
/* Whether some TCP flow reaches host h from a peer (its management). */
bool pc_host_reachable_tcp(const struct pc_policy *p, const struct pc_host *h);
/* The gateway host named by h's gateway field, or NULL. */
const struct pc_host *pc_host_gateway(const struct pc_policy *p,
				      const struct pc_host *h);

#endif
