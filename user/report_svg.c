// SPDX-License-Identifier: GPL-2.0-only
/*
 * The picture: one row per flow as the port table writes it, initiator
 * -> responder with the ports and protocol on the arrow, grouped by table,
 * coloured by use; then the drops by reason as bars. Plain SVG 1.1 text
 * and shapes, no script, no fonts but the reader's sans-serif.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"
#include "report.h"

#define WIDTH 1100
#define ROW_H 46
#define HEAD_H 28
#define BAR_H 26
#define BOX_W 230
#define X_ID 8
#define X_INIT 200
#define X_RESP 620
#define X_COUNT 862

static const char *const use_names[] = { "used", "unused", "no-peer" };

/* At most max characters of s (UTF-8), "…" when cut. */
static void clipped(FILE *out, const char *s, size_t max)
{
	size_t chars = 0, i = 0;
	char buf[512];

	for (; s[i] && i < sizeof(buf) - 1; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && chars++ == max)
			break;
		buf[i] = s[i];
	}
	/* Never end inside a character (when cut by the buffer). */
	while (i && ((unsigned char)s[i] & 0xc0) == 0x80)
		i--;
	buf[i] = '\0';
	pc_html_escape(out, buf);
	if (s[i])
		fputs("\xe2\x80\xa6", out);
}

/* The hosts of the site at end e: "mgr, mgr2" (the names, then how many
 * more when they do not fit). */
static void host_names(FILE *out, const struct pc_report *r, const struct pc_endpoint *e)
{
	const struct pc_policy *p = r->policy;
	size_t shown = 0, more = 0, width = 0;

	for (size_t i = 0; i < p->nhosts; i++) {
		const struct pc_host *h = &p->hosts[i];

		if (!pc_endpoint_has_host(e, h))
			continue;
		if (width + strlen(h->name) > 34 && shown) {
			more++;
			continue;
		}
		fputs(shown ? ", " : "", out);
		clipped(out, h->name, 34);
		width += strlen(h->name) + 2;
		shown++;
	}
	if (!shown)
		fputs("(no host in the site)", out);
	if (more)
		fprintf(out, " +%zu more", more);
}

static void endpoint(FILE *out, const struct pc_report *r, const struct pc_endpoint *e,
		     int x, int y, const char *colour, bool local)
{
	char kinds[256];

	pc_kinds_format(r->policy, e->kinds, kinds, sizeof(kinds));
	for (size_t i = 0; i < e->nhosts; i++) {
		size_t n = strlen(kinds);

		snprintf(kinds + n, sizeof(kinds) - n, "%s%s", n ? ", " : "", e->hosts[i]);
	}
	fprintf(out, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" rx=\"4\" "
		"fill=\"%s\" stroke=\"%s\"/>\n", x, y + 4, BOX_W, ROW_H - 8,
		local ? "#e3f2fd" : "#fafafa", colour);
	fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"kind\">", x + 6, y + 19);
	clipped(out, kinds, 30);
	if (e->process) {
		fputs(" (", out);
		clipped(out, e->process, 14);
		fputc(')', out);
	}
	fprintf(out, "</text>\n<text x=\"%d\" y=\"%d\" class=\"hosts\">", x + 6, y + 34);
	host_names(out, r, e);
	fputs("</text>\n", out);
}

static void flow_row(FILE *out, const struct pc_report *r, const struct pc_flow *f, int y)
{
	enum pc_report_use use = pc_report_flow_use(r, f);
	const char *colour = pc_report_use_colour(use);
	char iports[128], rports[128];
	uint64_t pk[PC_REPORT_DIRS], by[PC_REPORT_DIRS];
	int ax = X_INIT + BOX_W, bx = X_RESP, my = y + ROW_H / 2, ndirs;

	for (int d = 0; d < PC_REPORT_DIRS; d++)
		pc_report_total(r, false, f->id, d, &pk[d], &by[d]);
	/* What a gateway forwards is counted apart from its own traffic on
	 * the same path: a third line where it can forward the flow. */
	ndirs = pk[2] || (r->forwards && r->forwards[f - r->policy->flows]) ? 3 : 2;
	fprintf(out, "<g class=\"flow %s\" data-path=\"", use_names[use]);
	pc_html_escape(out, f->id);
	fprintf(out, "\" data-use=\"%s\">\n<title>", use_names[use]);
	pc_html_escape(out, f->id);
	if (f->purpose_en) {
		fputs(": ", out);
		pc_html_escape(out, f->purpose_en);
	}
	fprintf(out, "</title>\n<text x=\"%d\" y=\"%d\" class=\"id\">", X_ID, y + 19);
	clipped(out, f->id, 30);
	fprintf(out, "</text>\n<text x=\"%d\" y=\"%d\" class=\"purpose\">", X_ID, y + 34);
	clipped(out, f->purpose_en ? f->purpose_en : "", 30);
	fputs("</text>\n", out);
	endpoint(out, r, &f->initiator, X_INIT, y, colour,
		 r->host && pc_endpoint_has_host(&f->initiator, r->host));
	endpoint(out, r, &f->responder, X_RESP, y, colour,
		 r->host && pc_endpoint_has_host(&f->responder, r->host));
	fprintf(out, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" "
		"stroke-width=\"%s\"%s marker-end=\"url(#arrow-%s)\"/>\n",
		ax + 4, my, bx - 6, my, colour, use == PC_REPORT_USED ? "3" : "1.5",
		use == PC_REPORT_NO_PEER ? " stroke-dasharray=\"4 3\"" : "", use_names[use]);
	fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"port\" text-anchor=\"middle\">",
		(ax + bx) / 2, my - 6);
	pc_html_escape(out, pc_report_ports(r->policy, &f->initiator.ports, iports, sizeof(iports)));
	fputs(" \xe2\x86\x92 ", out);
	pc_html_escape(out, pc_report_ports(r->policy, &f->responder.ports, rports, sizeof(rports)));
	fprintf(out, " %s</text>\n", pc_protocols_format(f->protocols));
	for (int d = 0; d < ndirs; d++)
		fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"count%s\" data-direction=\"%s\">"
			"%s %" PRIu64 " pkt, %" PRIu64 " B</text>\n",
			X_COUNT, ndirs == 3 ? y + 13 + 13 * d : y + 19 + 15 * d, pk[d] ? " some" : "",
			pc_report_dirs[d], pc_report_dirs[d], pk[d], by[d]);
	fputs("</g>\n", out);
}

/* The drop reasons of the reports in the order first seen, each once. */
static size_t drop_reasons(const struct pc_report *r, const char **out)
{
	size_t n = 0;

	for (size_t i = 0; i < r->ndrops; i++) {
		size_t j = 0;

		while (j < n && strcmp(out[j], r->drops[i].name))
			j++;
		if (j == n)
			out[n++] = r->drops[i].name;
	}
	return n;
}

static void drop_bars(FILE *out, const struct pc_report *r, const char **reasons,
		      size_t n, int y)
{
	uint64_t (*pk)[PC_REPORT_DIRS] = pc_xcalloc(n, sizeof(*pk)), max = 1, bytes;

	for (size_t i = 0; i < n; i++) {
		for (int d = 0; d < PC_REPORT_DIRS; d++)
			pc_report_total(r, true, reasons[i], d, &pk[i][d], &bytes);
		max = pk[i][0] + pk[i][1] + pk[i][2] > max ? pk[i][0] + pk[i][1] + pk[i][2] : max;
	}
	for (size_t i = 0; i < n; i++, y += BAR_H) {
		uint64_t sum = pk[i][0] + pk[i][1] + pk[i][2];
		int w = sum ? 2 + (int)((double)sum / (double)max * 400) : 0;

		fputs("<g class=\"drop\" data-reason=\"", out);
		pc_html_escape(out, reasons[i]);
		fprintf(out, "\">\n<text x=\"%d\" y=\"%d\" class=\"id\">", X_ID, y + 17);
		clipped(out, reasons[i], 24);
		fprintf(out, "</text>\n<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\"/>\n",
			X_INIT, y + 5, w, BAR_H - 10, pc_report_reason_colour(reasons[i]));
		fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"count\">ingress %" PRIu64
			" pkt, egress %" PRIu64 " pkt", X_INIT + w + 8, y + 17, pk[i][0], pk[i][1]);
		if (r->forwards || pk[i][2])
			fprintf(out, ", forward %" PRIu64 " pkt", pk[i][2]);
		fputs("</text>\n</g>\n", out);
	}
	free(pk);
}

static void header(FILE *out, int y, const char *text)
{
	fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"head\">", X_ID, y + 19);
	pc_html_escape(out, text);
	fprintf(out, "</text>\n<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#bbb\"/>\n",
		X_ID, y + HEAD_H - 3, WIDTH - 8, y + HEAD_H - 3);
}

void pc_report_svg(FILE *out, const struct pc_report *r)
{
	const struct pc_policy *p = r->policy;
	const char **reasons = pc_xcalloc(r->ndrops + 1, sizeof(*reasons));
	size_t nreasons = drop_reasons(r, reasons);
	const char *table = NULL;
	int height = 0, y = 0;

	/* Heights first: the element says its size before its content. */
	for (size_t i = 0; i < p->nflows; i++) {
		if (!pc_report_draws(r, &p->flows[i]))
			continue;
		if (!table || strcmp(table, p->flows[i].table))
			height += HEAD_H;
		table = p->flows[i].table;
		height += ROW_H;
	}
	height += HEAD_H + (nreasons ? (int)nreasons * BAR_H : BAR_H) + 8;
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"matrix\" "
		"width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\">\n",
		WIDTH, height, WIDTH, height);
	fputs("<defs>\n", out);
	for (int u = PC_REPORT_USED; u <= PC_REPORT_NO_PEER; u++)
		fprintf(out, "<marker id=\"arrow-%s\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" "
			"markerUnits=\"userSpaceOnUse\" markerWidth=\"10\" markerHeight=\"10\" "
			"orient=\"auto\">"
			"<path d=\"M0,0 L10,5 L0,10 z\" fill=\"%s\"/></marker>\n",
			use_names[u], pc_report_use_colour(u));
	fputs("</defs>\n", out);
	table = NULL;
	for (size_t i = 0; i < p->nflows; i++) {
		const struct pc_flow *f = &p->flows[i];
		char head[64];

		if (!pc_report_draws(r, f))
			continue;
		if (!table || strcmp(table, f->table)) {
			if (f->from_site)
				snprintf(head, sizeof(head), "Site flows");
			else
				snprintf(head, sizeof(head), "Table %.40s", f->table);
			header(out, y, head);
			y += HEAD_H;
		}
		table = f->table;
		flow_row(out, r, f, y);
		y += ROW_H;
	}
	header(out, y, "Drops by reason");
	y += HEAD_H;
	if (nreasons)
		drop_bars(out, r, reasons, nreasons, y);
	else
		fprintf(out, "<text x=\"%d\" y=\"%d\" class=\"purpose\">no drops counted</text>\n",
			X_ID, y + 17);
	fputs("</svg>\n", out);
	free(reasons);
}
