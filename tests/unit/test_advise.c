// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rollout advisor's classification: a denied flow seen on a host of a
 * site -> the advice (missing host and its kind, the port parameter, a new
 * flow, documented, unexplained) and the exact YAML snippet. And every
 * snippet, added to the site, makes a site that loads and, compiled for
 * the host, allows the flow.
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "advise.h"
#include "classify.h"
#include "testutil.h"

static const char site[] =
	"site: advise-tests\n"
	"kinds: [monitoring-server]\n"
	"hosts:\n"
	"  - name: srv\n    kinds: [management-server]\n    os: windows\n"
	"    addresses: [192.0.2.10, \"2001:db8::10\"]\n"
	"  - name: cli\n    kinds: [management-client]\n    addresses: [192.0.2.20]\n"
	"  - name: desks\n    kinds: [management-client]\n    addresses: [198.51.100.0/24]\n"
	"  - name: lin\n    kinds: [linux]\n    addresses: [192.0.2.31, \"2001:db8::31\"]\n"
	"  - name: mon\n    kinds: [monitoring-server]\n    addresses: [192.0.2.60]\n"
	"segments: [192.0.2.0/24]\n";

#define IN PC_DIR_INGRESS
#define OUT PC_DIR_EGRESS
#define EPH 0 /* a folded port */
#define TCP IPPROTO_TCP
#define UDP IPPROTO_UDP

/* The flow mon -> lin tcp 9100 (cases from either end of it). */
#define MON_FLOW                                                               \
	"flows:\n  - id: site-tcp-9100-mon-to-lin\n"                             \
	"    purpose: \"seen by portcullis advise: tcp 9100 from mon to lin\"\n" \
	"    protocols: [tcp]\n"                                                 \
	"    initiator: { kinds: [monitoring-server], port: auto }\n"            \
	"    responder: { kinds: [linux], port: 9100 }\n"

struct acase {
	const char *desc;
	const char *host;          /* where it was seen */
	enum pc_dir dir;
	uint8_t proto;
	const char *remote;
	int lport, rport;          /* EPH: a client's random port */
	const char *used;          /* paths with traffic, comma separated */
	enum pc_advice_kind want;
	const char *detail;        /* kind it behaves like, parameter or path */
	const char *snippet;       /* exactly, or NULL */
};

static const struct acase cases[] = {
	{ "a client outside the site on the HTTPS GUI port", "srv", IN, TCP, "192.0.2.21",
	  22016, EPH, "", PC_ADVICE_MISSING_HOST, "management-client",
	  "hosts:\n  - name: host-192-0-2-21\n    kinds: [management-client]\n"
	  "    addresses: [192.0.2.21]\n" },
	{ "the server's answer to it, egress", "srv", OUT, TCP, "192.0.2.21",
	  22016, EPH, "", PC_ADVICE_MISSING_HOST, "management-client",
	  "hosts:\n  - name: host-192-0-2-21\n    kinds: [management-client]\n"
	  "    addresses: [192.0.2.21]\n" },
	{ "a management server outside the site, over IPv6, on SSH", "lin", IN, TCP,
	  "2001:db8::77", 22, EPH, "", PC_ADVICE_MISSING_HOST, "management-server",
	  "hosts:\n  - name: host-2001-db8--77\n    kinds: [management-server]\n"
	  "    addresses: [\"2001:db8::77\"]\n" },
	{ "the client on a changed HTTP port, HTTPS in use", "srv", IN, TCP, "192.0.2.20",
	  8080, EPH, "A-1.2-https-gui", PC_ADVICE_PORT_PARAMETER, "hcsm-http-port",
	  "parameters:\n  hcsm-http-port: 8080\n" },
	{ "the same with HTTP in use: the HTTPS port changed", "srv", IN, TCP, "192.0.2.20",
	  8443, EPH, "A-1.1-http-gui", PC_ADVICE_PORT_PARAMETER, "hcsm-https-port",
	  "parameters:\n  hcsm-https-port: 8443\n" },
	{ "the changed port seen on the client, egress", "cli", OUT, TCP, "192.0.2.10",
	  EPH, 8080, "A-1.2-https-gui", PC_ADVICE_PORT_PARAMETER, "hcsm-http-port",
	  "parameters:\n  hcsm-http-port: 8080\n" },
	{ "a client of a CIDR group on a changed port", "srv", IN, TCP, "198.51.100.7",
	  8080, EPH, "A-1.2-https-gui", PC_ADVICE_PORT_PARAMETER, "hcsm-http-port",
	  "parameters:\n  hcsm-http-port: 8080\n" },
	{ "a monitoring flow the site lacks", "lin", IN, TCP, "192.0.2.60", 9100, EPH, "",
	  PC_ADVICE_NEW_FLOW, NULL,
	  MON_FLOW },
	{ "its answers, egress", "lin", OUT, TCP, "192.0.2.60", 9100, EPH, "",
	  PC_ADVICE_NEW_FLOW, NULL,
	  MON_FLOW },
	{ "syslog from a fixed low port, opened by the host", "lin", OUT, UDP, "192.0.2.60",
	  514, 514, "", PC_ADVICE_NEW_FLOW, NULL,
	  "flows:\n  - id: site-udp-514-lin-to-mon\n"
	  "    purpose: \"seen by portcullis advise: udp 514 from lin to mon\"\n"
	  "    protocols: [udp]\n"
	  "    initiator: { kinds: [linux], port: 514 }\n"
	  "    responder: { kinds: [monitoring-server], port: 514 }\n" },
	{ "a documented flow (its connection not seen)", "srv", IN, TCP, "192.0.2.20",
	  22015, EPH, "", PC_ADVICE_DOCUMENTED, "A-1.1-http-gui", NULL },
	{ "a stranger on a port no flow uses", "srv", IN, TCP, "203.0.113.5", 9999, EPH, "",
	  PC_ADVICE_UNEXPLAINED, NULL, NULL },
	{ "a stranger on SSH, which lin only takes from the server", "lin", IN, UDP,
	  "203.0.113.5", 22, EPH, "", PC_ADVICE_UNEXPLAINED, NULL, NULL },
	{ "a DHCP offer broadcast for another host", "cli", IN, UDP, "192.0.2.10", 68, 67, "",
	  PC_ADVICE_BROADCAST, NULL, NULL },
	{ "not TCP or UDP", "srv", IN, IPPROTO_ICMP, "203.0.113.5", 8, 0, "",
	  PC_ADVICE_UNEXPLAINED, NULL, NULL },
	{ "a packet srv forwarded as a gateway, not one to srv (else missing-host)", "srv",
	  IN, TCP, "192.0.2.21", 22016, EPH, "", PC_ADVICE_FORWARDED, NULL, NULL },
};

static size_t split(const char *csv, char *buf, size_t len, const char **out, size_t max)
{
	size_t n = 0;

	snprintf(buf, len, "%s", csv);
	for (char *tok = strtok(buf, ","); tok && n < max; tok = strtok(NULL, ","))
		out[n++] = tok;
	return n;
}

static struct pc_seen seen_of(const struct acase *c)
{
	struct pc_seen s = { 0 };

	s.dir = c->dir;
	s.proto = c->proto;
	s.remote = tu_addr(c->remote);
	s.lport = (uint16_t)c->lport;
	s.rport = (uint16_t)c->rport;
	s.lport_folded = c->lport == EPH && c->proto != IPPROTO_ICMP;
	s.rport_folded = c->rport == EPH && c->proto != IPPROTO_ICMP;
	s.broadcast = c->want == PC_ADVICE_BROADCAST;
	s.forwarded = c->want == PC_ADVICE_FORWARDED;
	return s;
}

static void test_cases(void **state)
{
	struct pc_policy p;

	(void)state;
	tu_load_ok(&p, site);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct acase *c = &cases[i];
		const struct pc_host *self = pc_policy_find_host(&p, c->host);
		const char *used[8];
		char buf[256], kinds[256];
		struct pc_seen s = seen_of(c);
		size_t nused = split(c->used, buf, sizeof(buf), used, 8);
		struct pc_advice a;

		print_message("# %s\n", c->desc);
		assert_non_null(self);
		assert_int_equal(pc_advise(&p, self, &s, used, nused, &a), 0);
		if (a.kind != c->want)
			fail_msg("%s: %s, want %s (%s)", c->desc, pc_advice_name(a.kind),
				 pc_advice_name(c->want), a.explanation);
		if (c->want == PC_ADVICE_MISSING_HOST)
			assert_string_equal(pc_kinds_format(&p, a.like, kinds, sizeof(kinds)),
					    c->detail);
		if (c->want == PC_ADVICE_PORT_PARAMETER)
			assert_string_equal(a.param->name, c->detail);
		if (c->want == PC_ADVICE_DOCUMENTED)
			assert_string_equal(a.paths[0]->id, c->detail);
		if (c->snippet)
			assert_string_equal(a.snippet, c->snippet);
		else
			assert_null(a.snippet);
		pc_advice_free(&a);
	}
	pc_policy_free(&p);
}

/* A stranger the server reaches on SSH behaves like a Linux host or a
 * BMC (both have SSH rows from the server): the snippet takes the first
 * of equals in kind order, the explanation and also_like name the rest. */
static void test_missing_host_kinds(void **state)
{
	const struct acase c = { "server to a stranger's SSH", "srv", OUT, TCP, "192.0.2.77",
				 EPH, 22, "", PC_ADVICE_MISSING_HOST, NULL, NULL };
	struct pc_seen s = seen_of(&c);
	char like[256], also[256];
	struct pc_policy p;
	struct pc_advice a;

	(void)state;
	tu_load_ok(&p, site);
	assert_int_equal(pc_advise(&p, pc_policy_find_host(&p, "srv"), &s, NULL, 0, &a), 0);
	print_message("# %s\n", a.explanation);
	assert_int_equal(a.kind, PC_ADVICE_MISSING_HOST);
	assert_true(a.host_initiates);
	assert_string_equal(pc_kinds_format(&p, a.like, like, sizeof(like)), "linux");
	assert_string_equal(pc_kinds_format(&p, a.also_like, also, sizeof(also)), "bmc");
	assert_non_null(strstr(a.explanation, "like a linux (or bmc)"));
	assert_non_null(strstr(a.snippet, "kinds: [linux]"));
	pc_advice_free(&a);
	pc_policy_free(&p);
}

/* Puts a snippet's entries under the site's own keys of the same name:
 * the test's stand-in for an operator pasting it in. */
static char *merge(const char *base, const char *snippet)
{
	const char *body = strchr(snippet, '\n') + 1;
	char key[32], *out = NULL;

	snprintf(key, sizeof(key), "%.*s", (int)(strchr(snippet, ':') - snippet + 1), snippet);
	if (!strcmp(key, "hosts:")) {
		const char *at = strstr(base, "segments:");

		assert_true(asprintf(&out, "%.*s%s%s", (int)(at - base), base, body, at) > 0);
	} else {
		assert_true(asprintf(&out, "%s%s%s", base, snippet, "") > 0);
	}
	return out;
}

/* The reference classifier's verdict on the flow's opening packet (a
 * folded port as 40000) at the host, under policy p. */
static enum pc_verdict_kind verdict(const struct pc_policy *p, const struct acase *c,
				    const struct pc_advice *a)
{
	struct pc_ruleset rs;
	struct pc_verdict v;
	struct pc_tuple t = { 0 };
	uint16_t l = c->lport == EPH ? 40000 : (uint16_t)c->lport;
	uint16_t r = c->rport == EPH ? 40000 : (uint16_t)c->rport;

	assert_int_equal(pc_compile_host(p, c->host, &rs), 0);
	t.dir = a->host_initiates ? PC_DIR_EGRESS : PC_DIR_INGRESS;
	t.proto = c->proto;
	t.remote = tu_addr(c->remote);
	t.local_port = l;
	t.remote_port = r;
	pc_classify(&rs, &t, &v);
	pc_ruleset_free(&rs);
	return v.kind;
}

/* Each snippet makes the flow it was made from documented: the advisor
 * says so, and the compiled rules pass its opening packet. */
static void test_snippets_document_the_flow(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct acase *c = &cases[i];
		struct pc_policy p, q;
		struct pc_advice a, b;
		struct pc_seen s = seen_of(c);
		char *merged;

		if (!c->snippet)
			continue;
		print_message("# %s\n", c->desc);
		tu_load_ok(&p, site);
		assert_int_equal(pc_advise(&p, pc_policy_find_host(&p, c->host), &s, NULL, 0, &a), 0);
		assert_int_not_equal(verdict(&p, c, &a), PC_VERDICT_PASS);
		merged = merge(site, a.snippet);
		tu_load_ok(&q, merged);
		if (verdict(&q, c, &a) != PC_VERDICT_PASS)
			fail_msg("%s: the rules do not pass it after the snippet:\n%s", c->desc, merged);
		assert_int_equal(pc_advise(&q, pc_policy_find_host(&q, c->host), &s, NULL, 0, &b), 0);
		if (b.kind != PC_ADVICE_DOCUMENTED)
			fail_msg("%s: after the snippet: %s (%s)\n%s", c->desc,
				 pc_advice_name(b.kind), b.explanation, merged);
		pc_advice_free(&a);
		pc_advice_free(&b);
		free(merged);
		pc_policy_free(&p);
		pc_policy_free(&q);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_missing_host_kinds),
		cmocka_unit_test(test_snippets_document_the_flow),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
