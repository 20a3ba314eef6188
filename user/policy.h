/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * The policy model: the vendor catalog (every documented HCSM flow) merged
 * with one site (hosts, roles, port values, parts, extra flows, settings).
 */
#ifndef PC_POLICY_H
#define PC_POLICY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "diag.h"

#define PC_MAX_KINDS 64
typedef uint64_t pc_kindset; /* bit i: policy->kinds[i] */

enum { PC_PROTO_TCP = 1u << 0, PC_PROTO_UDP = 1u << 1 };

enum {
	PC_ADDRESSING_UNICAST = 1u << 0,
	PC_ADDRESSING_LIMITED_BCAST = 1u << 1,  /* to 255.255.255.255 */
	PC_ADDRESSING_DIRECTED_BCAST = 1u << 2, /* to a segment's last address */
};

struct pc_port_range {
	uint16_t lo;
	uint16_t hi;
};

/* One item of a port list as written: a port or range, auto, or $param. */
enum pc_port_item_type { PC_PORT_FIXED, PC_PORT_AUTO, PC_PORT_PARAM };

struct pc_port_item {
	enum pc_port_item_type type;
	struct pc_port_range range; /* PC_PORT_FIXED */
	size_t param;               /* PC_PORT_PARAM: index into params */
	struct pc_pos pos;
};

struct pc_port_spec {
	struct pc_port_item *items;
	size_t count;
};

struct pc_endpoint {
	pc_kindset kinds;
	char **hosts; /* site flows may name hosts instead of kinds */
	struct pc_pos *host_pos; /* where each name is written */
	size_t nhosts;
	char *process; /* NULL when the table names none */
	struct pc_port_spec ports;
	struct pc_pos pos;
};

struct pc_note {
	char *ref;
	char *ja;
	char *en;
};

struct pc_flow {
	char *id; /* stable path id, e.g. A-2.3-ssh-linux */
	char *table;
	int row;
	char *purpose_ja;
	char *purpose_en;
	unsigned protocols;  /* PC_PROTO_* */
	char *application;   /* HTTP, SSH, ... or NULL */
	unsigned addressing; /* PC_ADDRESSING_* */
	bool unspecified_source; /* initiator may send from 0.0.0.0 (DHCP) */
	struct pc_endpoint initiator;
	struct pc_endpoint responder;
	uint64_t parts; /* bit i: policy->parts[i]; all must be on */
	struct pc_note *notes;
	size_t nnotes;
	bool from_site;
	struct pc_pos pos;
};

/* A changeable port (変更可) or range, with the value in force. */
struct pc_param {
	char *name;
	char *description;
	struct pc_port_range def;
	bool has_fallback; /* "n または m": m is the fallback */
	uint16_t fallback;
	struct pc_port_range *values; /* in force: the default or the site's */
	size_t nvalues;
	struct pc_pos set_at; /* where the site set it; line 0 if default */
};

struct pc_part {
	char *name;
	char *description;
	bool enabled;
	struct pc_pos set_at; /* where the site switched it; line 0 if derived */
};

struct pc_host {
	char *name;
	pc_kindset kinds;
	char *os; /* "windows", "linux" or NULL */
	struct pc_addr *addrs;
	size_t naddrs;
	struct pc_pos pos;
	char *gateway; /* the site host whose gateway mode protects it, or NULL */
	struct pc_pos gateway_pos;
	int runs_portcullis; /* -1: not said (guessed: user/gateway.h), 0, 1 */
};

enum pc_mode { PC_MODE_ENFORCE, PC_MODE_AUDIT };

/* Frames that are not IP (settings: non-ip), in the order of their names:
 * all pass; ARP and the link layer a host needs (802.1X, LLDP) pass, the
 * default; only ARP passes. */
enum pc_non_ip { PC_NON_IP_PERMISSIVE, PC_NON_IP_LINK_LAYER, PC_NON_IP_STRICT };
#define PC_NON_IP_NAMES { "permissive", "link-layer", "strict" }
/* What a non-ip setting lets through, in words (check, status). */
const char *pc_non_ip_meaning(enum pc_non_ip v);

/* settings: log-denied: which denied packets the daemon writes to the
 * journal (off | sample | all), in the order of their names. */
enum pc_log_denied { PC_LOG_DENIED_OFF, PC_LOG_DENIED_SAMPLE, PC_LOG_DENIED_ALL };
#define PC_LOG_DENIED_NAMES { "off", "sample", "all" }

/* Which IPv6 router advertisements and redirects pass (RA Guard). */
enum pc_ra { PC_RA_SITE_ROUTERS = 0, PC_RA_DENY, PC_RA_ANY };

struct pc_settings {
	enum pc_mode mode;
	bool icmp_echo;         /* allow ICMP/ICMPv6 echo with documented peers */
	enum pc_non_ip non_ip;  /* which frames that are not IP pass */
	enum pc_log_denied log_denied; /* the daemon's journal of denied packets */
	bool keep_established;  /* on reload, keep connections without re-check */
	uint32_t ct_tcp_established; /* seconds */
	uint32_t ct_tcp_transitory;  /* handshake and closing, seconds */
	uint32_t ct_udp;             /* seconds */
	uint32_t ct_icmp;            /* seconds */
	uint32_t ct_max_connections; /* established table size (0: default) */
	enum pc_ra ipv6_ra;          /* router advertisements and redirects */
	bool raw_bypass_allow;       /* raw-socket-bypass: allow */
};

struct pc_kind_group {
	char *name;
	pc_kindset members;
};

struct pc_policy {
	char *files[2]; /* catalog and site file names, kept for positions */
	char *catalog_name;
	char *catalog_source;
	char *site_name; /* NULL without a site file */

	char *kinds[PC_MAX_KINDS];
	size_t nkinds;
	size_t nbuiltin_kinds;
	struct pc_kind_group *kind_groups;
	size_t nkind_groups;

	struct pc_param *params;
	size_t nparams;
	struct pc_part *parts;
	size_t nparts;
	struct pc_flow *flows; /* catalog rows first, then the site's */
	size_t nflows;
	size_t ncatalog_flows;

	struct pc_host *hosts;
	size_t nhosts;
	size_t *host_index; /* hosts by name (then order): lookups in log n */
	struct pc_addr *segments; /* IPv4 subnets, for directed broadcasts */
	size_t nsegments;
	struct pc_addr *routers;  /* IPv6 routers' link-local addresses */
	size_t nrouters;
	struct pc_settings settings;
};

/* The catalog built into the binary (policy/hcsm.yaml). */
extern const char pc_builtin_catalog[];
extern const size_t pc_builtin_catalog_len;
#define PC_BUILTIN_CATALOG_NAME "policy/hcsm.yaml (built in)"

/*
 * Loads the built-in catalog and, when site_path is not NULL, a site file.
 * Returns 0, -EINVAL with every problem in diags, or -errno if unreadable.
 */
int pc_policy_load(struct pc_policy *p, const char *site_path,
		   struct pc_diags *diags);
/* The same, and hands over the site text as it was loaded (reload keeps a
 * copy of what is in force). *site_text is NULL without a site. */
int pc_policy_load_keep(struct pc_policy *p, const char *site_path,
			struct pc_diags *diags, char **site_text, size_t *site_len);
/* The same from texts in memory (tests, fuzzing). site_text may be NULL. */
int pc_policy_load_text(struct pc_policy *p, const char *catalog_file,
			const char *catalog_text, size_t catalog_len,
			const char *site_file, const char *site_text,
			size_t site_len, struct pc_diags *diags);
void pc_policy_free(struct pc_policy *p);
/* Reads a policy file whole (at most the size limit). Returns 0 or
 * -errno (-EFBIG when too large, -EISDIR when not a regular file). */
int pc_policy_read_file(const char *path, char **out, size_t *len);

int pc_policy_find_kind(const struct pc_policy *p, const char *name);
/* Sorts p->host_index once the hosts are read; pc_policy_find_host then
 * searches it (and walks the hosts without it). */
void pc_policy_index_hosts(struct pc_policy *p);
const struct pc_host *pc_policy_find_host(const struct pc_policy *p,
					  const char *name);
const struct pc_flow *pc_policy_find_flow(const struct pc_policy *p,
					  const char *id);
/* One address written in two hosts of different kinds. */
struct pc_shared_addr {
	struct pc_addr addr;
	const struct pc_host *first; /* earlier in the file */
	const struct pc_host *other;
};
/*
 * Addresses (equal, prefix and all) listed by hosts of different kinds: a
 * peer at such an address is a peer of both roles' flows, so it gets the
 * flows of both. Pairs in file order of the other host; returns how many
 * (*out to free). In n log n.
 */
size_t pc_policy_shared_addrs(const struct pc_policy *p,
			      struct pc_shared_addr **out);
/* Whether host h is on side e of a flow (by kind or by name). */
bool pc_endpoint_has_host(const struct pc_endpoint *e, const struct pc_host *h);
bool pc_flow_enabled(const struct pc_policy *p, const struct pc_flow *f);
/* "management-server, linux" for a kind set; returns buf. */
const char *pc_kinds_format(const struct pc_policy *p, pc_kindset k,
			    char *buf, size_t len);
/* Resolves a port spec to ranges (auto and parameters expanded). */
size_t pc_port_spec_ranges(const struct pc_policy *p,
			   const struct pc_port_spec *s,
			   struct pc_port_range *out, size_t max);
/* "22015", "1024-65535", "$name=22015"; returns buf. */
const char *pc_port_spec_format(const struct pc_policy *p,
				const struct pc_port_spec *s, char *buf,
				size_t len);
/* "22015" or "1024-65535"; returns buf. */
const char *pc_range_format(struct pc_port_range r, char buf[16]);
const char *pc_protocols_format(unsigned protocols);
const char *pc_addressing_format(unsigned addressing, char *buf, size_t len);

#endif
