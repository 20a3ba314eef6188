/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The compiler: (policy, this host) -> the rules this host enforces. A rule
 * describes the initiating packet of one documented flow as seen from the
 * host: the direction it crosses the host's interface, protocol, local and
 * remote port ranges, and the set of remote addresses. Replies are not rules:
 * they pass through connection tracking.
 */
#ifndef PC_COMPILE_H
#define PC_COMPILE_H

#include "policy.h"

enum pc_dir { PC_DIR_INGRESS = 0, PC_DIR_EGRESS = 1 };

/* Extra members of a remote set, beyond the peers' own addresses. */
enum {
	PC_REMOTE_LIMITED_BCAST = 1u << 0,  /* 255.255.255.255 */
	PC_REMOTE_DIRECTED_BCAST = 1u << 1, /* segments' broadcast addresses */
	PC_REMOTE_UNSPECIFIED = 1u << 2,    /* 0.0.0.0: a DHCP client */
};

/* What an ingress packet was sent to, per the row's addressing column. */
enum {
	PC_LOCAL_UNICAST = 1u << 0,   /* this host's own address */
	PC_LOCAL_BROADCAST = 1u << 1, /* limited or directed broadcast */
};

struct pc_rule {
	const struct pc_flow *flow; /* the path this rule counts on */
	enum pc_dir dir;            /* of the initiating packet */
	unsigned local_class;       /* PC_LOCAL_*: ingress destinations allowed */
	uint8_t proto;              /* IPPROTO_TCP or IPPROTO_UDP */
	struct pc_port_range local;
	struct pc_port_range remote;
	pc_kindset remote_kinds;    /* who the peers are, for people */
	unsigned remote_extra;      /* PC_REMOTE_* */
	struct pc_addr *remote_addrs;
	size_t nremote;
	/*
	 * Gateway mode (user/gateway.h): a rule of forwarded traffic, seen
	 * from its responder: dir is PC_DIR_INGRESS, local the responder's
	 * (destination) ports, remote the initiator's (source) ports and
	 * addresses, and local_addrs the destinations it may go to (the
	 * responders, or broadcast addresses: local_extra, PC_REMOTE_* bits).
	 * Host rules have forward false and no local addresses.
	 */
	bool forward;
	pc_kindset local_kinds;
	unsigned local_extra;
	struct pc_addr *local_addrs;
	size_t nlocal;
};

struct pc_ruleset {
	const struct pc_policy *policy;
	char *name;                 /* the host's name, or the role's */
	const struct pc_host *host; /* NULL when compiled for a role */
	pc_kindset kinds;
	struct pc_rule *rules;
	size_t nrules;
	bool gateway;               /* pc_compile_gateway: forward rules follow */
	size_t nown;                /* ... the first nown rules, the host's own */
};

/* Address sets: append (capacity doubles), then sort and drop repeats. */
void pc_addrs_push(struct pc_addr **v, size_t *n, const struct pc_addr *a);
void pc_addrs_unique(struct pc_addr *v, size_t *n);
/* Appends the addresses of every host on side e but skip. */
void pc_side_hosts(const struct pc_policy *p, const struct pc_host *skip,
		   const struct pc_endpoint *e, struct pc_addr **v, size_t *n);
/* Appends the directed broadcasts of the segments holding such a host. */
void pc_side_broadcasts(const struct pc_policy *p, const struct pc_host *skip,
			const struct pc_endpoint *e, struct pc_addr **v, size_t *n);
/*
 * Appends one copy of tmpl per protocol of tmpl->flow x local port range x
 * remote port range, each with its own copies of tmpl's address sets
 * (tmpl keeps its own, for the caller to free).
 */
void pc_rules_expand(struct pc_ruleset *rs, const struct pc_rule *tmpl,
		     const struct pc_port_spec *local,
		     const struct pc_port_spec *remote);

/* Rules for the site host called host_name. */
int pc_compile_host(const struct pc_policy *p, const char *host_name,
		    struct pc_ruleset *out);
/* Rules for any host of the given kind (no own address known). */
int pc_compile_role(const struct pc_policy *p, const char *kind,
		    struct pc_ruleset *out);
/* The site host that owns one of this machine's addresses. */
int pc_find_local_host(const struct pc_policy *p, const struct pc_host **out);
void pc_ruleset_free(struct pc_ruleset *rs);

bool pc_rule_has_remote(const struct pc_rule *r, const struct pc_addr *a);
/*
 * The earlier rule of another path that takes every packet r would (same
 * direction and protocol, its ports, addressing and peers a superset), or
 * NULL. Such rows cannot be told apart on the wire: r's traffic counts on
 * the earlier path.
 */
const struct pc_rule *pc_rule_shadow(const struct pc_ruleset *rs,
				     const struct pc_rule *r);
const char *pc_dir_name(enum pc_dir dir);
const char *pc_proto_name(uint8_t proto);
/* "linux (198.51.100.7, 198.51.100.8)" style text for a rule's remote side. */
char *pc_rule_remote_format(const struct pc_ruleset *rs, const struct pc_rule *r);

#endif
