// SPDX-License-Identifier: GPL-2.0-only
/*
 * Site files with mistakes: each error names site.yaml:line:column of the
 * offending node and says what is wrong; every error of a file is reported.
 * Positions are given by a marker: the text of the offending node in the
 * case's site text ("text#2": its second occurrence).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

struct expect {
	const char *at; /* marker; NULL: line and col below */
	int line, col;
	const char *needles; /* '|'-separated, all in the message */
};

struct error_case {
	const char *name;
	const char *site;
	size_t count; /* exact number of errors expected */
	struct expect e[6];
	const char *absent; /* text no message may hold, or NULL */
};

#define HOST_MGR "  - name: mgr\n    kinds: [management-server]\n    addresses: [192.0.2.10]\n"
#define HOST_WEB "  - name: web\n    kinds: [linux]\n    addresses: [198.51.100.11]\n"
#define FLOW_HEAD(id) "  - id: " id "\n    purpose: test\n    protocols: [tcp]\n"

static const struct error_case cases[] = {
	/* Unknown and misspelt keys. */
	{ "unknown_top_key", "site: unit\nfrobnicate: 1\n", 1,
	  { { "frobnicate", 0, 0, "unknown key 'frobnicate'" } }, "did you mean" },
	{ "misspelt_top_key", "site: unit\nhostz: []\n", 1,
	  { { "hostz", 0, 0, "unknown key 'hostz'|did you mean 'hosts'" } }, NULL },
	{ "misspelt_host_key",
	  "hosts:\n  - name: mgr\n    kinds: [management-server]\n    adresses: [192.0.2.10]\n", 2,
	  { { "adresses", 0, 0, "unknown key 'adresses'|did you mean 'addresses'" },
	    { "name: mgr", 0, 0, "'addresses'" } }, NULL },
	{ "misspelt_setting", "settings:\n  mdoe: audit\n", 1,
	  { { "mdoe", 0, 0, "unknown key 'mdoe'|did you mean 'mode'" } }, NULL },
	{ "misspelt_conntrack_key", "settings:\n  conntrack:\n    tcp-establshed: 60\n", 1,
	  { { "tcp-establshed", 0, 0, "unknown key 'tcp-establshed'|did you mean 'tcp-established'" } }, NULL },
	{ "misspelt_flow_key",
	  "flows:\n" "  - id: site-x\n    purpose: test\n    protocol: [tcp]\n"
	  "    initiator: {kinds: [linux], port: auto}\n"
	  "    responder: {kinds: [management-server], port: 80}\n", 2,
	  { { "protocol:", 0, 0, "unknown key 'protocol'|did you mean 'protocols'" },
	    { "id: site-x", 0, 0, "'protocols'" } }, NULL },
	{ "duplicate_key", "site: a\nsite: b\n", 1,
	  { { "site: b", 0, 0, "'site'|twice" } }, NULL },

	/* Wrong types. */
	{ "hosts_not_a_list", "hosts: {mgr: 1}\n", 1,
	  { { "{mgr", 0, 0, "hosts must be a list|found a mapping" } }, NULL },
	{ "addresses_not_a_list",
	  "hosts:\n  - name: mgr\n    kinds: [management-server]\n    addresses: 192.0.2.10\n", 1,
	  { { "192.0.2.10", 0, 0, "addresses must be a list|found a single value" } }, NULL },
	{ "mode_not_a_value", "settings:\n  mode: [audit]\n", 1,
	  { { "[audit]", 0, 0, "mode must be a single value|found a list" } }, NULL },
	{ "conntrack_not_a_number", "settings:\n  conntrack:\n    udp: soon\n", 1,
	  { { "soon", 0, 0, "udp|whole number|'soon'" } }, NULL },
	{ "conntrack_zero", "settings:\n  conntrack:\n    icmp: 0\n", 1,
	  { { "0\n", 0, 0, "icmp|between 1 and" } }, NULL },
	{ "router_not_link_local", "routers: [\"2001:db8::1\"]\n", 1,
	  { { "\"2001:db8::1", 0, 0, "router '2001:db8::1'|link-local" } }, NULL },
	{ "router_ipv4", "routers: [192.0.2.1]\n", 1,
	  { { "192.0.2.1", 0, 0, "router '192.0.2.1'|link-local" } }, NULL },
	{ "bad_ipv6_ra", "settings:\n  ipv6-ra: allow\n", 1,
	  { { "allow", 0, 0, "ipv6-ra" } }, NULL },
	{ "bad_raw_socket_bypass", "settings:\n  raw-socket-bypass: on\n", 1,
	  { { "on\n", 0, 0, "raw-socket-bypass" } }, NULL },
	{ "conntrack_table_too_small", "settings:\n  conntrack:\n    max-connections: 100\n", 1,
	  { { "100", 0, 0, "max-connections|between 1024 and" } }, NULL },
	{ "bad_bool", "settings:\n  icmp-echo: maybe\n", 1,
	  { { "maybe", 0, 0, "icmp-echo|on or off|'maybe'" } }, NULL },
	{ "bad_mode", "settings:\n  mode: enforc\n", 1,
	  { { "enforc", 0, 0, "'enforc'|did you mean 'enforce'" } }, NULL },
	{ "bad_non_ip", "settings:\n  non-ip: loose\n", 1,
	  { { "loose", 0, 0, "non-ip 'loose'|permissive, link-layer, strict" } }, NULL },
	{ "bad_log_denied", "settings:\n  log-denied: some\n", 1,
	  { { "some", 0, 0, "log-denied 'some'|off, sample, all" } }, NULL },
	{ "bad_on_reload", "settings:\n  on-reload: keep\n", 1,
	  { { "keep", 0, 0, "on-reload 'keep'|recheck" } }, NULL },
	{ "bad_os",
	  "hosts:\n  - name: mgr\n    kinds: [management-server]\n    os: solaris\n    addresses: [192.0.2.10]\n", 1,
	  { { "solaris", 0, 0, "os 'solaris'|linux, windows" } }, NULL },

	/* Kinds. */
	{ "unknown_kind_suggested",
	  "hosts:\n  - name: web\n    kinds: [linx]\n    addresses: [198.51.100.11]\n", 1,
	  { { "linx", 0, 0, "unknown kind 'linx'|did you mean 'linux'" } }, NULL },
	{ "unknown_kind_group_suggested",
	  "hosts:\n  - name: mgr\n    kinds: [managment-server]\n    addresses: [192.0.2.10]\n", 1,
	  { { "managment-server", 0, 0, "unknown kind 'managment-server'|did you mean 'management-server'" } }, NULL },
	{ "unknown_kind_far",
	  "hosts:\n  - name: t\n    kinds: [toaster]\n    addresses: [192.0.2.10]\n", 1,
	  { { "toaster", 0, 0, "unknown kind 'toaster'" } }, "did you mean" },
	{ "unknown_kind_in_flow",
	  "hosts:\n" HOST_MGR "flows:\n" FLOW_HEAD("site-x")
	  "    initiator: {kinds: [linuxx], port: auto}\n"
	  "    responder: {kinds: [management-server], port: 80}\n", 1,
	  { { "linuxx", 0, 0, "unknown kind 'linuxx'|did you mean 'linux'" } }, NULL },
	{ "extra_kind_twice", "kinds: [dns-server, linux]\n", 1,
	  { { "linux", 0, 0, "'linux'|already" } }, NULL },

	/* Addresses and CIDRs. */
	{ "bad_address",
	  "hosts:\n  - name: mgr\n    kinds: [management-server]\n    addresses: [192.0.2.300]\n", 1,
	  { { "192.0.2.300", 0, 0, "bad address '192.0.2.300'" } }, NULL },
	{ "bad_address_word",
	  "hosts:\n  - name: mgr\n    kinds: [management-server]\n    addresses: [192.0.2.10, mgr.example]\n", 1,
	  { { "mgr.example", 0, 0, "bad address 'mgr.example'" } }, NULL },
	/* The datapath keys IPv4 peers as ::ffff:a.b.c.d: such an IPv6 peer
	 * would pass for the IPv4 one. */
	{ "ipv4_mapped_address",
	  "hosts:\n  - name: mgr\n    kinds: [management-server]\n    addresses: [\"::ffff:192.0.2.10\"]\n", 1,
	  { { "\"::ffff:192.0.2.10", 0, 0, "IPv4-mapped|write the IPv4 address" } }, NULL },
	{ "cidr_host_bits",
	  "hosts:\n  - name: web\n    kinds: [linux]\n    addresses: [198.51.100.1/24]\n", 1,
	  { { "198.51.100.1/24", 0, 0, "198.51.100.1/24|host bits" } }, NULL },
	{ "cidr_v4_prefix_too_long",
	  "hosts:\n  - name: web\n    kinds: [linux]\n    addresses: [198.51.100.0/33]\n", 1,
	  { { "198.51.100.0/33", 0, 0, "198.51.100.0/33|at most 32" } }, NULL },
	{ "cidr_v6_prefix_too_long",
	  "hosts:\n  - name: web\n    kinds: [linux]\n    addresses: [\"2001:db8::/129\"]\n", 1,
	  { { "\"2001:db8::/129\"", 0, 0, "2001:db8::/129|at most 128" } }, NULL },
	{ "cidr_v6_host_bits",
	  "hosts:\n  - name: web\n    kinds: [linux]\n    addresses: [\"2001:db8::1/64\"]\n", 1,
	  { { "\"2001:db8::1/64\"", 0, 0, "2001:db8::1/64|host bits" } }, NULL },
	{ "segment_host_bits", "segments: [198.51.100.0/24, 192.0.2.1/24]\n", 1,
	  { { "192.0.2.1/24", 0, 0, "bad segment '192.0.2.1/24'|host bits" } }, NULL },
	{ "segment_ipv6", "segments: [\"2001:db8::/64\"]\n", 1,
	  { { "\"2001:db8::/64\"", 0, 0, "2001:db8::/64|IPv4" } }, NULL },

	/* Ports and parameters. */
	{ "flow_port_out_of_range",
	  "hosts:\n" HOST_MGR "flows:\n" FLOW_HEAD("site-x")
	  "    initiator: {kinds: [linux], port: auto}\n"
	  "    responder: {kinds: [management-server], port: 70000}\n", 1,
	  { { "70000", 0, 0, "'70000'|out of range|65535" } }, NULL },
	{ "flow_range_reversed",
	  "hosts:\n" HOST_MGR "flows:\n" FLOW_HEAD("site-x")
	  "    initiator: {kinds: [linux], port: auto}\n"
	  "    responder: {kinds: [management-server], port: [80, 2000-1000]}\n", 1,
	  { { "2000-1000", 0, 0, "'2000-1000'|first port is above its last" } }, NULL },
	{ "flow_port_not_a_number",
	  "hosts:\n" HOST_MGR "flows:\n" FLOW_HEAD("site-x")
	  "    initiator: {kinds: [linux], port: auto}\n"
	  "    responder: {kinds: [management-server], port: http}\n", 1,
	  { { "http}", 0, 0, "'http'|not a port" } }, NULL },
	{ "param_out_of_range", "parameters:\n  hcsm-http-port: 70000\n", 1,
	  { { "70000", 0, 0, "hcsm-http-port|'70000'|out of range" } }, NULL },
	{ "param_range_reversed", "parameters:\n  windows-ephemeral-ports: 60000-50000\n", 1,
	  { { "60000-50000", 0, 0, "windows-ephemeral-ports|'60000-50000'|first port is above its last" } }, NULL },
	{ "param_list_item_bad", "parameters:\n  linux-ssh-port: [22, 65536]\n", 1,
	  { { "65536", 0, 0, "linux-ssh-port|'65536'|out of range" } }, NULL },
	{ "param_undefined", "parameters:\n  snmp-trap-prot: 22601\n", 1,
	  { { "snmp-trap-prot", 0, 0, "undefined parameter 'snmp-trap-prot'|did you mean 'snmp-trap-port'" } }, NULL },
	{ "param_undefined_far", "parameters:\n  my-own-port: 1\n", 1,
	  { { "my-own-port", 0, 0, "undefined parameter 'my-own-port'" } }, "did you mean" },
	{ "param_set_twice", "parameters:\n  smtp-port: 25\n  smtp-port: 587\n", 1,
	  { { "smtp-port: 587", 0, 0, "smtp-port|twice" } }, NULL },
	{ "flow_param_undefined",
	  "hosts:\n" HOST_MGR "flows:\n" FLOW_HEAD("site-x")
	  "    initiator: {kinds: [management-client], port: auto}\n"
	  "    responder: {kinds: [management-server], port: $hcsm-htp-port}\n", 1,
	  { { "$hcsm-htp-port", 0, 0, "undefined parameter 'hcsm-htp-port'|did you mean 'hcsm-http-port'" } }, NULL },

	/* Flow ids. */
	{ "duplicate_flow_id",
	  "flows:\n" FLOW_HEAD("site-x")
	  "    initiator: {kinds: [linux], port: auto}\n"
	  "    responder: {kinds: [management-server], port: 80}\n"
	  FLOW_HEAD("site-x")
	  "    initiator: {kinds: [linux], port: auto}\n"
	  "    responder: {kinds: [management-server], port: 81}\n", 1,
	  { { "id: site-x#2", 0, 0, "duplicate id 'site-x'|site.yaml:2:5" } }, NULL },
	{ "flow_reuses_catalog_id",
	  "flows:\n" FLOW_HEAD("A-1.1-http-gui")
	  "    initiator: {kinds: [linux], port: auto}\n"
	  "    responder: {kinds: [management-server], port: 80}\n", 1,
	  { { "id: A-1.1", 0, 0, "duplicate id 'A-1.1-http-gui'|" TU_CATALOG_FILE } }, NULL },
	{ "flow_bad_protocol",
	  "flows:\n  - id: site-x\n    purpose: test\n    protocols: [tcp, sctp]\n"
	  "    initiator: {kinds: [linux], port: auto}\n"
	  "    responder: {kinds: [management-server], port: 80}\n", 1,
	  { { "sctp", 0, 0, "'sctp'|tcp, udp" } }, NULL },

	/* Hosts. */
	{ "duplicate_host",
	  "hosts:\n" HOST_MGR HOST_WEB "  - name: mgr\n    kinds: [management-client]\n    addresses: [192.0.2.11]\n", 1,
	  { { "name: mgr#2", 0, 0, "'mgr'|already used|line 2" } }, NULL },
	{ "host_empty_role",
	  "hosts:\n  - name: mgr\n    kinds: []\n    addresses: [192.0.2.10]\n", 1,
	  { { "[]", 0, 0, "empty role|'mgr'" } }, NULL },
	{ "host_no_kinds_key", "hosts:\n  - name: mgr\n    addresses: [192.0.2.10]\n", 1,
	  { { "name: mgr", 0, 0, "'kinds'" } }, NULL },
	{ "host_empty_addresses",
	  "hosts:\n  - name: mgr\n    kinds: [management-server]\n    addresses: []\n", 1,
	  { { "[]", 0, 0, "'mgr'|no addresses" } }, NULL },
	{ "host_no_addresses_key", "hosts:\n  - name: mgr\n    kinds: [management-server]\n", 1,
	  { { "name: mgr", 0, 0, "'addresses'" } }, NULL },
	{ "flow_same_host_both_sides",
	  "hosts:\n" HOST_MGR HOST_WEB "flows:\n" FLOW_HEAD("site-self")
	  "    initiator: {hosts: [web], port: auto}\n"
	  "    responder: {hosts: [web], port: 8080}\n", 1,
	  { { "id: site-self", 0, 0, "site-self|same host|'web'" } }, NULL },
	{ "flow_same_single_host_by_kind",
	  "hosts:\n" HOST_MGR HOST_WEB "flows:\n" FLOW_HEAD("site-self")
	  "    initiator: {kinds: [linux], port: auto}\n"
	  "    responder: {hosts: [web], port: 8080}\n", 1,
	  { { "id: site-self", 0, 0, "site-self|same host|'web'" } }, NULL },
	{ "flow_unknown_host",
	  "hosts:\n" HOST_MGR HOST_WEB "flows:\n" FLOW_HEAD("site-x")
	  "    initiator: {hosts: [mgr], port: auto}\n"
	  "    responder: {hosts: [wbe], port: 8080}\n", 1,
	  { { "wbe", 0, 0, "unknown host 'wbe'|did you mean 'web'" } }, NULL },
	{ "flow_empty_side",
	  "flows:\n" FLOW_HEAD("site-x")
	  "    initiator: {kinds: [], port: auto}\n"
	  "    responder: {kinds: [management-server], port: 8080}\n", 1,
	  { { "{kinds: []", 0, 0, "empty role|initiator" } }, NULL },

	/* Found by the fuzzer: an id that is not a string, beside a second flow. */
	{ "flow_id_not_a_string",
	  "flows:\n"
	  "  - id: {a: b}\n    purpose: x\n    protocols: [tcp]\n"
	  "    initiator: {kinds: [linux], port: auto}\n"
	  "    responder: {kinds: [management-server], port: 8080}\n"
	  FLOW_HEAD("site-y")
	  "    initiator: {kinds: [linux], port: auto}\n"
	  "    responder: {kinds: [management-server], port: 8081}\n", 1,
	  { { "{a: b}", 0, 0, "id" } }, NULL },

	/* Parts. */
	{ "unknown_part_suggested", "parts:\n  deployment-manger: on\n", 1,
	  { { "deployment-manger", 0, 0, "part 'deployment-manger'|did you mean 'deployment-manager'" } }, NULL },
	{ "unknown_part", "parts:\n  frobnicator: on\n", 1,
	  { { "frobnicator", 0, 0, "part 'frobnicator'|not known" } }, "did you mean" },
	{ "part_switch_not_bool", "parts:\n  deployment-manager: sometimes\n", 1,
	  { { "sometimes", 0, 0, "'sometimes'|on or off" } }, NULL },

	/* YAML itself. */
	{ "yaml_unclosed_list", "site: unit\nhosts: [mgr, web\n", 1,
	  { { NULL, 0, 0, "not valid YAML" } }, NULL },
	{ "yaml_mapping_in_value", "site: a: b\n", 1,
	  { { ": b", 0, 0, "not valid YAML|mapping values" } }, NULL },
	{ "yaml_tab_indent", "hosts:\n\t- name: mgr\n", 1,
	  { { "\t", 0, 0, "not valid YAML" } }, NULL },
	{ "yaml_alias",
	  "hosts:\n  - name: mgr\n    kinds: &k [management-server]\n    addresses: [192.0.2.10]\n"
	  "  - name: mgr2\n    kinds: *k\n    addresses: [192.0.2.11]\n", 1,
	  { { "*k", 0, 0, "alias" } }, NULL },
	{ "yaml_empty_file", "", 1, { { NULL, 1, 1, "empty" } }, NULL },
	{ "yaml_comment_only", "# nothing here yet\n", 1, { { NULL, 1, 1, "empty" } }, NULL },
	{ "yaml_second_document", "site: a\n---\nsite: b\n", 1,
	  { { "---", 0, 0, "one YAML document|second" } }, NULL },
	{ "yaml_not_a_mapping", "- site\n", 1,
	  { { "- site", 0, 0, "must be a mapping|found a list" } }, NULL },

	/* Several errors in one file: all of them. */
	{ "many_errors",
	  "site: unit\n"
	  "hosts:\n"
	  "  - name: mgr\n"
	  "    kinds: [managment-server]\n"
	  "    addresses: [192.0.2.300]\n"
	  "  - name: web\n"
	  "    kinds: [linux]\n"
	  "    addresses: [198.51.100.11/24]\n"
	  "parameters:\n"
	  "  hcsm-http-port: 70000\n"
	  "settings:\n"
	  "  mode: enforc\n"
	  "colour: blue\n", 6,
	  { { "managment-server", 0, 0, "unknown kind" },
	    { "192.0.2.300", 0, 0, "bad address" },
	    { "198.51.100.11/24", 0, 0, "host bits" },
	    { "70000", 0, 0, "out of range" },
	    { "enforc", 0, 0, "did you mean 'enforce'" },
	    { "colour", 0, 0, "unknown key 'colour'" } }, NULL },
	{ "many_errors_with_flow_check",
	  "hosts:\n" HOST_MGR HOST_WEB "flows:\n" FLOW_HEAD("site-self")
	  "    initiator: {hosts: [web], port: auto}\n"
	  "    responder: {hosts: [web], port: 8080}\n"
	  "settings:\n  mode: audti\n", 2,
	  { { "id: site-self", 0, 0, "same host|'web'" },
	    { "audti", 0, 0, "did you mean 'audit'" } }, NULL },
};

#define NCASES (sizeof(cases) / sizeof(*cases))

/* Line and column (1-based) of the n-th occurrence of marker "text#n". */
static void marker_pos(const char *text, const char *marker, int *line, int *col)
{
	char m[128];
	const char *hash, *at = text;
	int n = 1;

	snprintf(m, sizeof(m), "%s", marker);
	hash = strrchr(marker, '#');
	if (hash && hash != marker && hash[1] >= '1' && hash[1] <= '9') {
		m[hash - marker] = '\0';
		n = atoi(hash + 1);
	}
	for (int i = 0; i < n; i++, at++) {
		at = strstr(at, m);
		if (!at)
			fail_msg("test bug: marker '%s' is not in the site text", marker);
	}
	at--;
	*line = 1;
	*col = 1;
	for (const char *c = text; c < at; c++) {
		if (*c == '\n') {
			(*line)++;
			*col = 1;
		} else {
			(*col)++;
		}
	}
}

static void run_case(void **state)
{
	const struct error_case *c = *state;
	struct pc_diags *d = &tu_fx.d;
	int err = tu_load(&tu_fx.p, d, c->site);
	bool bad = false;

	if (err != -EINVAL) {
		print_message("# load returned %d, expected -EINVAL\n", err);
		bad = true;
	}
	for (size_t i = 0; i < 6 && c->e[i].needles; i++) {
		const struct expect *x = &c->e[i];
		int line = x->line, col = x->col;

		if (x->at)
			marker_pos(c->site, x->at, &line, &col);
		if (!tu_find_diag(d, TU_SITE_FILE, line, col, x->needles)) {
			print_message("# missing: %s:%d:%d: [%s]\n", TU_SITE_FILE,
				      line, col, x->needles);
			bad = true;
		}
	}
	if (d->count != c->count) {
		print_message("# %zu errors reported, %zu expected\n", d->count, c->count);
		bad = true;
	}
	for (size_t i = 0; i < d->count; i++) {
		if (c->absent && strstr(d->items[i].msg, c->absent)) {
			print_message("# no message should say '%s'\n", c->absent);
			bad = true;
		}
		if (d->items[i].line < 1 || d->items[i].col < 1) {
			print_message("# an error has no position\n");
			bad = true;
		}
	}
	if (bad) {
		print_message("# reported:\n");
		tu_print_diags(d);
		fail_msg("%s: the errors differ from the expected ones", c->name);
	}
}

/* A correct site with every section loads, with the values it sets. */
static const char full_site[] =
	"site: full\n"
	"kinds: [dns-server]\n"
	"hosts:\n"
	"  - name: mgr\n"
	"    kinds: [management-server]\n"
	"    os: windows\n"
	"    description: the HCSM server\n"
	"    addresses: [192.0.2.10, \"2001:db8::10\"]\n"
	"  - name: ns\n"
	"    kinds: [dns-server]\n"
	"    addresses: [192.0.2.53]\n"
	"  - name: web\n"
	"    kinds: [linux]\n"
	"    os: linux\n"
	"    addresses: [198.51.100.0/25]\n"
	"segments: [198.51.100.0/24]\n"
	"parameters:\n"
	"  hcsm-http-port: 22115\n"
	"  windows-ephemeral-ports: 50000-60000\n"
	"  linux-ssh-port: [22, 2222]\n"
	"parts:\n"
	"  separate-dhcp-server: on\n"
	"flows:\n"
	"  - id: site-dns\n"
	"    purpose: name resolution\n"
	"    protocols: [udp, tcp]\n"
	"    initiator: {kinds: [management-server, linux], port: auto}\n"
	"    responder: {hosts: [ns], port: 53}\n"
	"settings:\n"
	"  mode: audit\n"
	"  icmp-echo: off\n"
	"  non-ip: strict\n"
	"  log-denied: all\n"
	"  on-reload: keep-established\n"
	"  conntrack:\n"
	"    tcp-established: 3600\n"
	"    tcp-transitory: 30\n"
	"    udp: 45\n"
	"    icmp: 10\n"
	"    max-connections: 4096\n"
	"  ipv6-ra: any\n"
	"  raw-socket-bypass: allow\n"
	"routers: [\"fe80::1\", \"fe80::2\"]\n";

static const struct pc_param *param(const struct pc_policy *p, const char *name)
{
	for (size_t i = 0; i < p->nparams; i++)
		if (strcmp(p->params[i].name, name) == 0)
			return &p->params[i];
	fail_msg("no parameter %s", name);
	return NULL;
}

static void test_full_site_loads(void **state)
{
	struct pc_policy *p = &tu_fx.p;
	const struct pc_host *h;
	const struct pc_param *prm;
	const struct pc_flow *f;
	char a[PC_ADDR_STRLEN];

	(void)state;
	tu_load_ok(p, full_site);
	assert_string_equal(p->site_name, "full");
	assert_int_equal(p->nhosts, 3);
	assert_int_equal(p->nflows, 50);
	assert_int_equal(p->ncatalog_flows, 49);
	h = pc_policy_find_host(p, "mgr");
	assert_non_null(h);
	assert_string_equal(h->os, "windows");
	assert_int_equal(h->kinds, tu_kinds(p, "management-server"));
	assert_int_equal(h->naddrs, 2);
	assert_string_equal(pc_addr_format(&h->addrs[0], a), "192.0.2.10");
	assert_string_equal(pc_addr_format(&h->addrs[1], a), "2001:db8::10");
	h = pc_policy_find_host(p, "ns");
	assert_non_null(h);
	assert_null(h->os);
	assert_int_equal(h->kinds, tu_kinds(p, "dns-server"));
	h = pc_policy_find_host(p, "web");
	assert_string_equal(pc_addr_format(&h->addrs[0], a), "198.51.100.0/25");
	assert_null(pc_policy_find_host(p, "nobody"));
	assert_int_equal(p->nsegments, 1);
	assert_string_equal(pc_addr_format(&p->segments[0], a), "198.51.100.0/24");

	prm = param(p, "hcsm-http-port");
	assert_int_equal(prm->nvalues, 1);
	assert_int_equal(prm->values[0].lo, 22115);
	assert_int_equal(prm->values[0].hi, 22115);
	assert_int_equal(prm->def.lo, 22015);
	assert_int_equal(prm->set_at.line, 18);
	prm = param(p, "windows-ephemeral-ports");
	assert_int_equal(prm->values[0].lo, 50000);
	assert_int_equal(prm->values[0].hi, 60000);
	prm = param(p, "linux-ssh-port");
	assert_int_equal(prm->nvalues, 2);
	assert_int_equal(prm->values[0].lo, 22);
	assert_int_equal(prm->values[1].lo, 2222);
	assert_int_equal(prm->values[1].hi, 2222);
	prm = param(p, "smtp-port");
	assert_int_equal(prm->set_at.line, 0);
	assert_int_equal(prm->values[0].lo, 25);

	f = pc_policy_find_flow(p, "site-dns");
	assert_non_null(f);
	assert_true(f->from_site);
	assert_int_equal(f->protocols, PC_PROTO_TCP | PC_PROTO_UDP);
	assert_int_equal(f->addressing, PC_ADDRESSING_UNICAST);
	assert_int_equal(f->initiator.kinds, tu_kinds(p, "management-server,linux"));
	assert_int_equal(f->responder.nhosts, 1);
	assert_string_equal(f->responder.hosts[0], "ns");
	assert_int_equal(f->parts, 0);

	assert_int_equal(p->settings.mode, PC_MODE_AUDIT);
	assert_false(p->settings.icmp_echo);
	assert_int_equal(p->settings.non_ip, PC_NON_IP_STRICT);
	assert_int_equal(p->settings.log_denied, PC_LOG_DENIED_ALL);
	assert_true(p->settings.keep_established);
	assert_int_equal(p->settings.ct_tcp_established, 3600);
	assert_int_equal(p->settings.ct_tcp_transitory, 30);
	assert_int_equal(p->settings.ct_udp, 45);
	assert_int_equal(p->settings.ct_icmp, 10);
	assert_int_equal(p->settings.ct_max_connections, 4096);
	assert_int_equal(p->settings.ipv6_ra, PC_RA_ANY);
	assert_true(p->settings.raw_bypass_allow);
	assert_int_equal(p->nrouters, 2);
}

/* Settings left out keep their defaults; the opposite values parse too. */
static void test_settings_other_values(void **state)
{
	struct pc_policy *p = &tu_fx.p;

	(void)state;
	tu_load_ok(p, "settings:\n  mode: enforce\n  icmp-echo: on\n"
		      "  non-ip: permissive\n  on-reload: recheck\n");
	assert_int_equal(p->settings.mode, PC_MODE_ENFORCE);
	assert_true(p->settings.icmp_echo);
	assert_int_equal(p->settings.non_ip, PC_NON_IP_PERMISSIVE);
	assert_int_equal(p->settings.log_denied, PC_LOG_DENIED_SAMPLE); /* the default */
	assert_false(p->settings.keep_established);
	assert_false(p->settings.raw_bypass_allow); /* refuse, the default */
	assert_string_equal(p->site_name, TU_SITE_FILE);
}

/* pc_policy_load reads a site file from disk; a missing one is an error. */
static void test_load_from_file(void **state)
{
	char path[] = "/tmp/portcullis-unit-XXXXXX";
	struct pc_diags *d = &tu_fx.d;
	int fd = mkstemp(path), err;
	const char bad[] = "hosts:\n  - name: mgr\n    kinds: [linx]\n    addresses: [192.0.2.10]\n";

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, bad, sizeof(bad) - 1), (ssize_t)(sizeof(bad) - 1));
	close(fd);
	err = pc_policy_load(&tu_fx.p, path, d);
	unlink(path);
	assert_int_equal(err, -EINVAL);
	if (!tu_find_diag(d, path, 3, 13, "unknown kind 'linx'")) {
		tu_print_diags(d);
		fail_msg("the error should be at %s:3:13", path);
	}
	pc_policy_free(&tu_fx.p);
	pc_diags_free(d);

	err = pc_policy_load(&tu_fx.p, "/nonexistent/portcullis/site.yaml", d);
	assert_int_equal(err, -ENOENT);
	assert_int_equal(d->count, 1);
	assert_string_equal(d->items[0].file, "/nonexistent/portcullis/site.yaml");
}

/* Bytes libyaml's reader refuses before parsing (not UTF-8, control
 * characters): the error names the line and column of the byte. */
static void test_reader_errors(void **state)
{
#define TEXT(s) s, sizeof(s) - 1
	static const struct {
		const char *name;
		const char *text;
		size_t len;
		int line, col;
	} cases[] = {
		{ "latin-1 in a comment", TEXT("site: a\nhosts: []\n# caf\xe9 noir\n"), 3, 6 },
		{ "latin-1 in a value", TEXT("site: a\nsettings:\n  mode: \xe9t\xe9\n"), 3, 9 },
		{ "binary garbage", TEXT("site: a\n\n\x80\x81\xfe\xff\x01\x02\n"), 3, 1 },
		{ "NUL in a key", TEXT("site: a\nhosts: []\nx\0y: 1\n"), 3, 2 },
		{ "control character", TEXT("site: a\n  \x01\n"), 2, 3 },
		{ "first byte", TEXT("\xff" "site: a\n"), 1, 1 },
		{ "after multibyte text", TEXT("site: \xe6\x97\xa5\xe6\x9c\xac \x80\n"), 1, 10 },
	};
#undef TEXT
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct pc_diags d = { 0 };
		struct pc_policy p;
		int err = pc_policy_load_text(&p, TU_CATALOG_FILE, pc_builtin_catalog,
					      pc_builtin_catalog_len, TU_SITE_FILE,
					      cases[i].text, cases[i].len, &d);

		if (err != -EINVAL || d.count != 1 ||
		    d.items[0].line != cases[i].line || d.items[0].col != cases[i].col ||
		    !strstr(d.items[0].msg, "not valid YAML")) {
			print_message("# %s: want %d:%d\n", cases[i].name, cases[i].line,
				      cases[i].col);
			tu_print_diags(&d);
			fail_msg("%s: wrong error", cases[i].name);
		}
		pc_diags_free(&d);
		pc_policy_free(&p);
	}
}

int main(void)
{
	struct CMUnitTest tests[NCASES + 4];
	size_t n = 0;

	for (size_t i = 0; i < NCASES; i++)
		tests[n++] = (struct CMUnitTest){ cases[i].name, run_case, tu_setup,
						  tu_teardown, (void *)&cases[i] };
	tests[n++] = (struct CMUnitTest)cmocka_unit_test_setup_teardown(test_full_site_loads, tu_setup, tu_teardown);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test_setup_teardown(test_settings_other_values, tu_setup, tu_teardown);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test_setup_teardown(test_load_from_file, tu_setup, tu_teardown);
	tests[n++] = (struct CMUnitTest)cmocka_unit_test(test_reader_errors);
	return _cmocka_run_group_tests("site_errors", tests, n, NULL, NULL);
}
