// SPDX-License-Identifier: GPL-2.0-only
/*
 * The report page: one HTML file with its CSS inline and the picture as
 * inline SVG; no script, no external font, image or style sheet. Its
 * Content-Security-Policy forbids scripts and every fetch as well, so a
 * name that got past the escaping still could not run.
 */
#include <inttypes.h>
#include <string.h>

#include "diag.h"
#include "report.h"

void pc_html_escape(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", out);
			break;
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		case '\'':
			fputs("&#39;", out);
			break;
		default:
			fputc(*s, out);
		}
	}
}

static const char style[] =
	"body{font-family:sans-serif;margin:16px;color:#212121;background:#fff}\n"
	"h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:20px 0 6px}\n"
	"p.scope{margin:0 0 10px;color:#424242}\n"
	"table{border-collapse:collapse;font-size:12px}\n"
	"td,th{border:1px solid #ddd;padding:2px 6px;text-align:left;vertical-align:top}\n"
	"td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
	"tr.this td{background:#e3f2fd}\n"
	".swatch{display:inline-block;width:22px;height:4px;margin:0 4px 3px 12px;vertical-align:middle}\n"
	"svg.matrix{font-size:11px;font-family:sans-serif}\n"
	"svg .id{font-weight:bold}svg .head{font-weight:bold;font-size:13px}\n"
	"svg .purpose,svg .hosts{fill:#616161;font-size:10px}\n"
	"svg .kind{font-size:11px}svg .port{font-size:11px;font-weight:bold}\n"
	"svg .count{font-size:10px}svg .some{font-weight:bold}\n";

static void escaped_kinds(FILE *out, const struct pc_policy *p, pc_kindset k)
{
	char buf[256];

	pc_html_escape(out, pc_kinds_format(p, k, buf, sizeof(buf)));
}

static void scope(FILE *out, const struct pc_report *r)
{
	fputs("<p class=\"scope\">", out);
	if (r->host) {
		fputs("Host <b>", out);
		pc_html_escape(out, r->host->name);
		fputs("</b> (", out);
		escaped_kinds(out, r->policy, r->host->kinds);
		fputs(r->forwards ? "), a gateway: the flows it takes part in and those it "
			"forwards, and the counters of its policy. Ingress and egress count its "
			"own traffic; forward counts what it forwards (once, where it comes in), "
			"apart from its own on the same path." :
			"): the flows it takes part in and the counters of its policy.", out);
	} else {
		fprintf(out, "The whole site: every flow in force, counters summed over %zu "
			"stats report%s", r->nsources, r->nsources == 1 ? "" : "s");
		for (size_t i = 0; i < r->nsources; i++) {
			fputs(i ? ", " : " (", out);
			pc_html_escape(out, r->sources[i]);
		}
		fputs(r->nsources ? ")." : ".", out);
	}
	fprintf(out, " Mode: %s.</p>\n",
		r->policy->settings.mode == PC_MODE_AUDIT ? "audit (drops are would-be drops)" : "enforce");
	fputs("<p class=\"legend\">Flows:", out);
	for (int u = PC_REPORT_USED; u <= PC_REPORT_NO_PEER; u++)
		fprintf(out, "<span class=\"swatch\" style=\"background:%s\"></span>%s",
			pc_report_use_colour(u),
			u == PC_REPORT_USED ? "packets counted" :
			u == PC_REPORT_UNUSED ? "no packets yet" : "no host of the site at one end");
	fputs("</p>\n", out);
}

/* A page stays readable for a site of many hosts: so many of each role
 * are listed (and the page's own host), then how many more. */
#define ROLE_HOSTS 50

/* Each kind that has hosts, with them and their addresses. */
static void roles(FILE *out, const struct pc_report *r)
{
	const struct pc_policy *p = r->policy;

	fputs("<h2>Roles and hosts</h2>\n<table class=\"roles\">\n"
	      "<tr><th>role</th><th>host</th><th>addresses</th></tr>\n", out);
	for (size_t k = 0; k < p->nkinds; k++) {
		size_t shown = 0, more = 0;

		for (size_t i = 0; i < p->nhosts; i++) {
			const struct pc_host *h = &p->hosts[i];
			char a[PC_ADDR_STRLEN];

			if (!h->name || !(h->kinds & (1ull << k)))
				continue;
			if (shown >= ROLE_HOSTS && h != r->host) {
				more++;
				continue;
			}
			shown++;
			fprintf(out, "<tr class=\"host%s\" data-host=\"", h == r->host ? " this" : "");
			pc_html_escape(out, h->name);
			fputs("\"><td>", out);
			pc_html_escape(out, p->kinds[k]);
			fputs("</td><td>", out);
			pc_html_escape(out, h->name);
			fputs("</td><td>", out);
			for (size_t j = 0; j < h->naddrs; j++) {
				fputs(j ? ", " : "", out);
				pc_html_escape(out, pc_addr_format(&h->addrs[j], a));
			}
			fputs("</td></tr>\n", out);
		}
		if (more) {
			fputs("<tr class=\"more\"><td>", out);
			pc_html_escape(out, p->kinds[k]);
			fprintf(out, "</td><td colspan=\"2\">%zu more</td></tr>\n", more);
		}
	}
	fputs("</table>\n", out);
}

/* The counters as the stats reports gave them, one row per line. */
static void counts(FILE *out, const struct pc_report *r, bool drops)
{
	const struct pc_report_count *c = drops ? r->drops : r->paths;
	size_t n = drops ? r->ndrops : r->npaths;

	fprintf(out, "<h2>%s</h2>\n<table class=\"%s\">\n<tr><th>host</th><th>%s</th>%s"
		"<th>direction</th><th>packets</th><th>bytes</th></tr>\n",
		drops ? "Drops" : "Counters by path", drops ? "drops" : "paths",
		drops ? "reason" : "path", drops ? "" : "<th>row</th>");
	for (size_t i = 0; i < n; i++) {
		const struct pc_flow *f = drops ? NULL : pc_policy_find_flow(r->policy, c[i].name);
		const char *dir = pc_report_dirs[c[i].dir];

		fputs("<tr class=\"count\" data-host=\"", out);
		pc_html_escape(out, r->sources[c[i].source]);
		fprintf(out, "\" data-%s=\"", drops ? "reason" : "path");
		pc_html_escape(out, c[i].name);
		fprintf(out, "\" data-direction=\"%s\" data-packets=\"%" PRIu64 "\" "
			"data-bytes=\"%" PRIu64 "\"><td>", dir, c[i].packets, c[i].bytes);
		pc_html_escape(out, r->sources[c[i].source]);
		fputs("</td><td>", out);
		pc_html_escape(out, c[i].name);
		if (!drops) {
			fputs("</td><td>", out);
			if (f) {
				pc_html_escape(out, f->table);
				fprintf(out, ".%d", f->row);
			}
		}
		fprintf(out, "</td><td>%s</td><td class=\"n\">%" PRIu64 "</td>"
			"<td class=\"n\">%" PRIu64 "</td></tr>\n", dir, c[i].packets, c[i].bytes);
	}
	fputs("</table>\n", out);
}

void pc_report_html(FILE *out, const struct pc_report *r)
{
	const char *site = r->policy->site_name ? r->policy->site_name : "(the catalog alone)";

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'\">\n<title>portcullis: ", out);
	pc_html_escape(out, site);
	fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<h1>portcullis: ", style);
	pc_html_escape(out, site);
	fputs("</h1>\n", out);
	scope(out, r);
	fputs("<h2>Flows</h2>\n", out);
	pc_report_svg(out, r);
	roles(out, r);
	counts(out, r, false);
	counts(out, r, true);
	fputs("</body>\n</html>\n", out);
}
