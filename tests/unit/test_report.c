// SPDX-License-Identifier: GPL-2.0-only
/* The report page: what it escapes, how it colours flows by their
 * counters, which stats reports it takes, how it writes ports. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "gateway_site.h"
#include "portcullis.h"
#include "report.h"
#include "testutil.h"

/* Names that would be markup if they were not escaped. */
static const char hostile_site[] =
	"site: \"<script>alert('site')</script> & \\\"co\\\"\"\n"
	"kinds: [mon]\n"
	"hosts:\n"
	"  - name: \"mgr<b>\"\n"
	"    kinds: [management-server]\n"
	"    addresses: [192.0.2.10]\n"
	"  - name: desk\n"
	"    kinds: [management-client]\n"
	"    addresses: [192.0.2.20]\n"
	"  - name: lin\n"
	"    kinds: [linux]\n"
	"    addresses: [192.0.2.31]\n"
	"flows:\n"
	"  - id: site-mon\n"
	"    purpose: \"<img src=x onerror=alert(1)>\"\n"
	"    protocols: [tcp]\n"
	"    initiator: { kinds: [mon], port: auto }\n"
	"    responder: { kinds: [management-server], port: 9100 }\n";

#define PATH(id, dir, pk, by)                                                  \
	"{\"path\": \"" id "\", \"direction\": \"" dir "\", \"packets\": " #pk      \
	", \"bytes\": " #by "}"
#define STATS(paths, drops) "{\"paths\": [" paths "], \"drops\": [" drops "]}"

static char *page(const struct pc_report *r, bool svg_only)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	assert_non_null(f);
	if (svg_only)
		pc_report_svg(f, r);
	else
		pc_report_html(f, r);
	fclose(f);
	return out;
}

static void add(struct pc_report *r, const char *json, const char *source)
{
	struct json_object *o = json_tokener_parse(json);

	assert_non_null(o);
	assert_int_equal(pc_report_add_stats(r, o, source), 0);
	json_object_put(o);
}

static void test_escape(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "", "" },
		{ "plain-name_1.2", "plain-name_1.2" },
		{ "<script>", "&lt;script&gt;" },
		{ "a & b", "a &amp; b" },
		{ "\"quoted\" 'single'", "&quot;quoted&quot; &#39;single&#39;" },
		{ "&amp;", "&amp;amp;" },
		{ "管理サーバ", "管理サーバ" }, /* UTF-8 passes as it is */
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char *out = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&out, &len);

		pc_html_escape(f, cases[i].in);
		fclose(f);
		if (strcmp(out, cases[i].out))
			fail_msg("escape(%s) = %s, want %s", cases[i].in, out, cases[i].out);
		free(out);
	}
}

/* Nothing from the site file or a stats report reaches the page as markup,
 * and the page fetches and runs nothing. */
static void test_page_escapes(void **state)
{
	static const struct {
		const char *needle;
		bool present;
	} cases[] = {
		{ "<script", false },
		{ "<img", false },
		{ "mgr<b>", false },
		{ "\"co\"", false },
		{ "&lt;script&gt;alert(&#39;site&#39;)&lt;/script&gt; &amp; &quot;co&quot;", true },
		{ "mgr&lt;b&gt;", true },
		{ "data-host=\"mgr&lt;b&gt;\"", true },
		{ "&lt;img src=x onerror=alert(1)&gt;", true },
		/* A path name from a stats report. */
		{ "&lt;i onclick=x&gt;", true },
		{ "<i onclick", false },
		/* Self-contained: no fetch, no script, and a policy that says so. */
		{ "Content-Security-Policy\" content=\"default-src 'none'", true },
		{ "src=\"", false },
		{ "href=\"", false },
		{ "@import", false },
		{ "url(http", false },
	};
	struct pc_report r;
	char *html;

	(void)state;
	tu_load_ok(&tu_fx.p, hostile_site);
	pc_report_init(&r, &tu_fx.p, pc_policy_find_host(&tu_fx.p, "mgr<b>"));
	assert_non_null(r.host);
	add(&r, STATS(PATH("A-1.1-http-gui", "ingress", 3, 180) ","
		      PATH("<i onclick=x>", "egress", 1, 60),
		      "{\"reason\": \"<i onclick=y>\", \"direction\": \"ingress\", \"packets\": 2, \"bytes\": 9}"),
	    "mgr<b>");
	html = page(&r, false);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++)
		if ((strstr(html, cases[i].needle) != NULL) != cases[i].present)
			fail_msg("page %s \"%s\"", cases[i].present ? "lacks" : "has", cases[i].needle);
	free(html);
	pc_report_free(&r);
}

/* How each flow is coloured, from the counters of one or two hosts. */
static void test_flow_use(void **state)
{
	static const struct {
		const char *what, *host, *stats1, *stats2, *flow;
		enum pc_report_use use;
	} cases[] = {
		{ "packets in", "mgr<b>", STATS(PATH("A-1.1-http-gui", "ingress", 5, 300), ""), NULL,
		  "A-1.1-http-gui", PC_REPORT_USED },
		{ "packets out only", "mgr<b>", STATS(PATH("A-1.1-http-gui", "egress", 3, 200), ""), NULL,
		  "A-1.1-http-gui", PC_REPORT_USED },
		{ "listed with no packets", "mgr<b>",
		  STATS(PATH("A-1.1-http-gui", "ingress", 0, 0) "," PATH("A-1.1-http-gui", "egress", 0, 0), ""),
		  NULL, "A-1.1-http-gui", PC_REPORT_UNUSED },
		{ "not listed", "mgr<b>", STATS("", ""), NULL, "A-1.2-https-gui", PC_REPORT_UNUSED },
		{ "drops do not make a flow used", "mgr<b>",
		  STATS("", "{\"reason\": \"A-1.2-https-gui\", \"direction\": \"ingress\", \"packets\": 7, \"bytes\": 9}"),
		  NULL, "A-1.2-https-gui", PC_REPORT_UNUSED },
		{ "another path's packets", "mgr<b>", STATS(PATH("A-1.1-http-gui", "ingress", 5, 300), ""), NULL,
		  "A-1.2-https-gui", PC_REPORT_UNUSED },
		{ "a peer in the site", "mgr<b>", STATS("", ""), NULL, "A-2.3-ssh-linux", PC_REPORT_UNUSED },
		{ "no esxi host", "mgr<b>", STATS("", ""), NULL, "A-2.4-https-esxi", PC_REPORT_NO_PEER },
		{ "no mon host", "mgr<b>", STATS("", ""), NULL, "site-mon", PC_REPORT_NO_PEER },
		{ "the site: no esxi host", NULL, STATS("", ""), NULL, "A-2.4-https-esxi", PC_REPORT_NO_PEER },
		{ "the site: both ends", NULL, STATS("", ""), NULL, "A-2.3-ssh-linux", PC_REPORT_UNUSED },
		{ "the site: the second host's packets", NULL, STATS("", ""),
		  STATS(PATH("A-2.3-ssh-linux", "ingress", 4, 400), ""), "A-2.3-ssh-linux", PC_REPORT_USED },
	};

	(void)state;
	tu_load_ok(&tu_fx.p, hostile_site);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct pc_flow *f = pc_policy_find_flow(&tu_fx.p, cases[i].flow);
		struct pc_report r;
		enum pc_report_use got;

		assert_non_null(f);
		pc_report_init(&r, &tu_fx.p, cases[i].host ? pc_policy_find_host(&tu_fx.p, cases[i].host) : NULL);
		add(&r, cases[i].stats1, "one");
		if (cases[i].stats2)
			add(&r, cases[i].stats2, "two");
		assert_true(pc_report_draws(&r, f));
		got = pc_report_flow_use(&r, f);
		if (got != cases[i].use)
			fail_msg("%s: %s is %d, want %d", cases[i].what, cases[i].flow, got, cases[i].use);
		pc_report_free(&r);
	}
}

/* The picture: each drawn flow's group says its use, its arrow has that
 * colour, its counters are the sums of the reports. */
static void test_svg(void **state)
{
	static const char *const needles[] = {
		"<g class=\"flow used\" data-path=\"A-1.1-http-gui\" data-use=\"used\">",
		"<g class=\"flow unused\" data-path=\"A-1.2-https-gui\" data-use=\"unused\">",
		"<g class=\"flow no-peer\" data-path=\"A-2.4-https-esxi\" data-use=\"no-peer\">",
		"stroke=\"#2e7d32\" stroke-width=\"3\"",   /* the used arrow */
		"stroke-dasharray=\"4 3\"",                /* a no-peer arrow */
		/* Summed over the two reports: 5 + 7 packets, 300 + 420 bytes. */
		"data-direction=\"ingress\">ingress 12 pkt, 720 B</text>",
		"data-direction=\"egress\">egress 0 pkt, 0 B</text>",
		"auto \xe2\x86\x92 22015 tcp",
		"<g class=\"drop\" data-reason=\"wrong-peer\">",
		"fill=\"#ad1457\"",                        /* wrong-peer's colour */
		"ingress 4 pkt, egress 1 pkt",
		"Table A-1", "Site flows",
	};
	struct pc_report r;
	char *svg;

	(void)state;
	tu_load_ok(&tu_fx.p, hostile_site);
	pc_report_init(&r, &tu_fx.p, NULL);
	add(&r, STATS(PATH("A-1.1-http-gui", "ingress", 5, 300),
		      "{\"reason\": \"wrong-peer\", \"direction\": \"ingress\", \"packets\": 4, \"bytes\": 240}"),
	    "mgr");
	add(&r, STATS(PATH("A-1.1-http-gui", "ingress", 7, 420),
		      "{\"reason\": \"wrong-peer\", \"direction\": \"egress\", \"packets\": 1, \"bytes\": 60}"),
	    "desk");
	svg = page(&r, true);
	assert_true(strncmp(svg, "<svg ", 5) == 0);
	for (size_t i = 0; i < sizeof(needles) / sizeof(*needles); i++)
		if (!strstr(svg, needles[i]))
			fail_msg("the picture lacks \"%s\"", needles[i]);
	/* A flow not in force is not drawn (Deployment Manager: no Windows
	 * management server). */
	assert_null(strstr(svg, "data-path=\"A-3.1-pxe-dhcp-request\""));
	free(svg);
	pc_report_free(&r);
}

static void test_add_stats(void **state)
{
	static const struct {
		const char *json;
		int rc;
	} cases[] = {
		{ STATS("", ""), 0 },
		{ STATS(PATH("A-1.1-http-gui", "egress", 0, 0), ""), 0 },
		/* a gateway's: what it forwards, apart from its own */
		{ STATS(PATH("A-2.5-ssl-svp-bmc", "forward", 2, 120),
			"{\"reason\": \"wrong-peer\", \"direction\": \"forward\", \"packets\": 1, \"bytes\": 60}"), 0 },
		{ "[]", -EINVAL },
		{ "{\"paths\": []}", -EINVAL },
		{ "{\"drops\": []}", -EINVAL },
		{ "{\"paths\": {}, \"drops\": []}", -EINVAL },
		{ STATS("{\"direction\": \"ingress\", \"packets\": 1, \"bytes\": 1}", ""), -EINVAL },
		{ STATS(PATH("x", "sideways", 1, 1), ""), -EINVAL },
		{ STATS(PATH("x", "ingress", -1, 1), ""), -EINVAL },
		{ STATS(PATH("x", "ingress", "1", 1), ""), -EINVAL },
		{ STATS(PATH("x", "ingress", 1, 1.5), ""), -EINVAL },
		{ STATS("", "{\"direction\": \"ingress\", \"packets\": 1, \"bytes\": 1}"), -EINVAL },
		{ STATS("", "{\"reason\": 3, \"direction\": \"ingress\", \"packets\": 1, \"bytes\": 1}"), -EINVAL },
		{ STATS(PATH("x", "ingress", 1, 1), "7"), -EINVAL },
	};

	(void)state;
	tu_load_ok(&tu_fx.p, hostile_site);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct json_object *o = json_tokener_parse(cases[i].json);
		struct pc_report r;
		int rc;

		assert_non_null(o);
		pc_report_init(&r, &tu_fx.p, NULL);
		rc = pc_report_add_stats(&r, o, "h");
		if (rc != cases[i].rc)
			fail_msg("%s: %d, want %d", cases[i].json, rc, cases[i].rc);
		/* A refused report adds nothing. */
		assert_int_equal(r.nsources, rc ? 0 : 1);
		assert_int_equal(r.npaths + r.ndrops, rc ? 0 : r.npaths + r.ndrops);
		json_object_put(o);
		pc_report_free(&r);
	}
}

static void test_colours(void **state)
{
	static const char *const reasons[] = PC_DROP_REASON_NAMES;
	const size_t n = sizeof(reasons) / sizeof(*reasons);
	const char *unknown = pc_report_reason_colour("not-a-reason");

	(void)state;
	/* Every reason of the datapath has its own colour, unlike the rest. */
	for (size_t i = 1; i < n; i++) {
		const char *c = pc_report_reason_colour(reasons[i]);

		if (!strcmp(c, unknown))
			fail_msg("%s has the colour of unknown reasons", reasons[i]);
		for (size_t j = 1; j < i; j++)
			if (!strcmp(c, pc_report_reason_colour(reasons[j])))
				fail_msg("%s and %s share %s", reasons[i], reasons[j], c);
	}
	assert_string_equal(pc_report_reason_colour(NULL), unknown);
	assert_string_not_equal(pc_report_use_colour(PC_REPORT_USED), pc_report_use_colour(PC_REPORT_UNUSED));
	assert_string_not_equal(pc_report_use_colour(PC_REPORT_UNUSED), pc_report_use_colour(PC_REPORT_NO_PEER));
}

static void test_ports(void **state)
{
	static const struct {
		const char *parameters, *flow;
		bool responder;
		const char *want;
	} cases[] = {
		{ "", "A-1.1-http-gui", false, "auto" },
		{ "", "A-1.1-http-gui", true, "22015" },
		{ "parameters: { hcsm-http-port: 22115 }\n", "A-1.1-http-gui", true, "22115" },
		{ "", "A-2.12-snmp-trap", true, "162" },
		{ "parameters: { snmp-trap-port: [default, fallback] }\n", "A-2.12-snmp-trap", true, "162+22601" },
		{ "", "A-2.1-wmi-dcom-windows", true, "135,49152-65535" },
		{ "", "A-2.7-rmcp-from-bmc", false, "623" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		char site[sizeof(hostile_site) + 128], buf[128];
		const struct pc_flow *f;
		struct pc_policy p;

		snprintf(site, sizeof(site), "%s%s", hostile_site, cases[i].parameters);
		tu_load_ok(&p, site);
		f = pc_policy_find_flow(&p, cases[i].flow);
		assert_non_null(f);
		pc_report_ports(&p, cases[i].responder ? &f->responder.ports : &f->initiator.ports,
				buf, sizeof(buf));
		if (strcmp(buf, cases[i].want))
			fail_msg("%s %s: %s, want %s", cases[i].flow,
				 cases[i].responder ? "responder" : "initiator", buf, cases[i].want);
		pc_policy_free(&p);
	}
}

/* Many hosts of a role: 50 listed, the page's own host too, the rest
 * counted. */
static void test_many_hosts(void **state)
{
	static const struct {
		const char *needle;
		size_t count;
	} cases[] = {
		{ "<tr class=\"host\" data-host=\"lin", 50 },
		{ "<tr class=\"host this\" data-host=\"lin60\">", 1 },
		{ "<td>linux</td><td colspan=\"2\">9 more</td>", 1 },
		{ "data-host=\"lin51\"", 0 },
		{ "data-host=\"lin50\"", 1 },
	};
	size_t len = 4096, used;
	char *site = malloc(len), *html;
	struct pc_report r;

	(void)state;
	used = (size_t)snprintf(site, len, "site: many\nhosts:\n  - name: mgr\n"
				"    kinds: [management-server]\n    addresses: [192.0.2.10]\n");
	for (int i = 1; i <= 60; i++) {
		site = realloc(site, len += 128);
		used += (size_t)snprintf(site + used, len - used, "  - name: lin%d\n"
					 "    kinds: [linux]\n    addresses: [198.51.100.%d]\n", i, i);
	}
	tu_load_ok(&tu_fx.p, site);
	free(site);
	pc_report_init(&r, &tu_fx.p, pc_policy_find_host(&tu_fx.p, "lin60"));
	add(&r, STATS("", ""), "lin60");
	html = page(&r, false);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		size_t n = 0;

		for (const char *at = html; (at = strstr(at, cases[i].needle)); at++)
			n++;
		if (n != cases[i].count)
			fail_msg("\"%s\" %zu times, want %zu", cases[i].needle, n, cases[i].count);
	}
	free(html);
	pc_report_free(&r);
}

/* A gateway's page draws the flows it forwards beside its own, with the
 * counters of its stats report (forwarded packets in direction forward). */
static void test_gateway_page(void **state)
{
	static const struct {
		const char *what, *host;
		bool gateway; /* pc_report_gateway, as for attach --gateway */
		const char *flow;
		bool drawn;
		enum pc_report_use use;
	} cases[] = {
		{ "its own flow", "gw", false, "site-gw-ssh", true, PC_REPORT_UNUSED },
		{ "a flow it forwards, counted", "gw", false, "A-2.5-ssl-svp-bmc", true, PC_REPORT_USED },
		{ "a flow it forwards, no packets", "gw", false, "A-5.4-bmc-console-https", true,
		  PC_REPORT_UNUSED },
		{ "no host at one end: no forward rule", "gw", false, "A-2.4-https-esxi", false, 0 },
		{ "not named a gateway: its own flows only", "cli", false, "A-2.5-ssl-svp-bmc", false, 0 },
		{ "in gateway mode all the same", "cli", true, "A-2.5-ssl-svp-bmc", true, PC_REPORT_USED },
	};

	(void)state;
	tu_load_ok(&tu_fx.p, gw_site);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct pc_flow *f = pc_policy_find_flow(&tu_fx.p, cases[i].flow);
		struct pc_report r;

		assert_non_null(f);
		pc_report_init(&r, &tu_fx.p, pc_policy_find_host(&tu_fx.p, cases[i].host));
		if (cases[i].gateway)
			pc_report_gateway(&r);
		add(&r, STATS(PATH("A-2.5-ssl-svp-bmc", "forward", 6, 600), ""), cases[i].host);
		if (pc_report_draws(&r, f) != cases[i].drawn)
			fail_msg("%s: %s drawn %d", cases[i].what, cases[i].flow, !cases[i].drawn);
		if (cases[i].drawn && pc_report_flow_use(&r, f) != cases[i].use)
			fail_msg("%s: %s is %d, want %d", cases[i].what, cases[i].flow,
				 pc_report_flow_use(&r, f), cases[i].use);
		pc_report_free(&r);
	}
}

/* A path a gateway both takes part in and forwards: the picture gives
 * its own traffic and what it forwards apart, never their sum. */
static void test_gateway_svg(void **state)
{
	static const struct {
		const char *what, *host;
		const char *needle; /* NULL: absent is the point */
		const char *absent;
	} cases[] = {
		{ "own ingress alone", "gw",
		  "data-direction=\"ingress\">ingress 2 pkt, 120 B</text>",
		  "ingress 8 pkt" },
		{ "forwarded apart", "gw",
		  "data-direction=\"forward\">forward 6 pkt, 600 B</text>", NULL },
		{ "a forwarded flow with no packets yet has its forward line", "gw",
		  "data-direction=\"forward\">forward 0 pkt, 0 B</text>", NULL },
		{ "drops by direction", "gw",
		  "ingress 1 pkt, egress 0 pkt, forward 3 pkt</text>", NULL },
		{ "a host's page: no forward line where nothing was forwarded", "cli",
		  NULL, "forward 0 pkt" },
	};

	(void)state;
	tu_load_ok(&tu_fx.p, gw_site);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		struct pc_report r;
		char *svg;

		pc_report_init(&r, &tu_fx.p, pc_policy_find_host(&tu_fx.p, cases[i].host));
		add(&r, STATS(PATH("A-2.5-ssl-svp-bmc", "ingress", 2, 120) ","
			      PATH("A-2.5-ssl-svp-bmc", "forward", 6, 600),
			      "{\"reason\": \"wrong-peer\", \"direction\": \"ingress\", \"packets\": 1, \"bytes\": 60},"
			      "{\"reason\": \"wrong-peer\", \"direction\": \"forward\", \"packets\": 3, \"bytes\": 180}"),
		    cases[i].host);
		svg = page(&r, true);
		if (cases[i].needle && !strstr(svg, cases[i].needle))
			fail_msg("%s: the picture lacks \"%s\"", cases[i].what, cases[i].needle);
		if (cases[i].absent && strstr(svg, cases[i].absent))
			fail_msg("%s: the picture has \"%s\"", cases[i].what, cases[i].absent);
		free(svg);
		pc_report_free(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape),
		cmocka_unit_test_setup_teardown(test_page_escapes, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_flow_use, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_svg, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_gateway_svg, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_add_stats, tu_setup, tu_teardown),
		cmocka_unit_test(test_colours),
		cmocka_unit_test(test_ports),
		cmocka_unit_test_setup_teardown(test_many_hosts, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_gateway_page, tu_setup, tu_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
