// SPDX-License-Identifier: GPL-2.0-only
/* portcullis report --html: the flow matrix with its counters as a page. */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "datapath.h"
#include "loader.h"
#include "metrics.h"
#include "report.h"
#include "state.h"

struct report_opts {
	const char *pin_root, *site, *host, *stats;
	bool html;
};

static const struct pc_opt report_opts[] = {
	PC_OPT_FLAG("html", 0, "one HTML page on stdout (the only format)", struct report_opts, html),
	PC_OPT_SITE("the site file (default: the one in force)", struct report_opts, site),
	PC_OPT_HOST("the page of this host (default: the one in force,\nor the one with "
		    "this machine's address)", struct report_opts, host),
	PC_OPT_STRING("stats", 0, "FILE",
		      "the counters of a `stats -j` report, not of the\n"
		      "running policy; FILE... after it are more of them:\n"
		      "one per host for the whole site's page. HOST=FILE\n"
		      "names its host (default: FILE's name without .json)",
		      struct report_opts, stats),
	PC_OPT_PIN_ROOT(struct report_opts, pin_root),
	{ 0 },
};

const struct pc_cmd_opts pc_report_cmd = {
	.cmd = "report",
	.args = "[FILE...]",
	.about =
	"A picture of the site's flow matrix with live counters, as one\n"
	"self-contained HTML page (inline SVG and CSS, no script): the roles\n"
	"and hosts, every flow in force as the port table writes it (initiator\n"
	"-> responder, ports, protocol), green where packets were counted,\n"
	"grey where none were, pale and dashed where one end has no host in\n"
	"the site; the drops by reason; the counters in a table. Without\n"
	"--stats, the page of this host from the running policy's counters\n"
	"(as `stats -j`); with --stats, the page of --host, or of the whole\n"
	"site with the counters of every report given. A gateway's page\n"
	"draws the flows it forwards too (counted where they come in).\n"
	"The daemon serves the same page on GET /report with --metrics.",
	.opts = report_opts,
};

/* "HOST=FILE" when HOST names a site host; else FILE, named after it. */
static void split_source(const struct pc_policy *p, const char *arg, char **name,
			 const char **file)
{
	const char *eq = strchr(arg, '=');
	char *base, *dot;

	if (eq && eq > arg) {
		char *host = strndup(arg, (size_t)(eq - arg));

		if (host && pc_policy_find_host(p, host)) {
			*name = host;
			*file = eq + 1;
			return;
		}
		free(host);
	}
	*file = arg;
	base = pc_xstrdup(arg);
	*name = pc_xstrdup(basename(base));
	free(base);
	dot = strrchr(*name, '.');
	if (dot && dot != *name && !strcmp(dot, ".json"))
		*dot = '\0';
}

static int add_file(struct pc_report *r, const char *arg)
{
	const char *file;
	struct json_object *st;
	char *name;
	int err;

	split_source(r->policy, arg, &name, &file);
	st = json_object_from_file(file);
	if (!st) {
		FILE *f = fopen(file, "r");

		if (f) {
			pc_err("%s is not a `stats -j` report (not JSON)", file);
			fclose(f);
		} else {
			pc_err("cannot read %s: %s", file, strerror(errno));
		}
		free(name);
		return -EINVAL;
	}
	err = pc_report_add_stats(r, st, name);
	if (err)
		pc_err("%s is not a `stats -j` report (\"paths\" and \"drops\")", file);
	json_object_put(st);
	free(name);
	return err;
}

static int find_host(const struct pc_policy *p, const char *name, const struct pc_host **h)
{
	*h = NULL;
	if (name && !(*h = pc_policy_find_host(p, name))) {
		pc_err("the site has no host '%s'", name);
		return -ENOENT;
	}
	return 0;
}

int pc_report_live(FILE *out, const char *pin_root, const char *site, const char *host,
		   bool quiet)
{
	struct pc_state rec = { 0 };
	struct pc_diags diags = { 0 };
	const struct pc_host *h = NULL;
	struct json_object *st;
	struct pc_report r;
	struct pc_policy p;
	struct pc_pins pins;
	struct pc_maps m;
	int err;

	if (pc_stats_open(pin_root, &pins, &m))
		return PC_EXIT_POLICY;
	/* What is in force names the site and the host unless given. */
	if (pc_state_load(pins.root, &rec))
		memset(&rec, 0, sizeof(rec));
	err = pc_policy_load(&p, site ? site : rec.site, &diags);
	if (!quiet)
		pc_diags_print(&diags);
	if (err && !quiet && !diags.count)
		pc_err("cannot load the policy: %s", pc_strerror(err));
	pc_diags_free(&diags);
	if (err) {
		pc_policy_free(&p);
		goto out;
	}
	if (!host && !rec.host && !rec.role)
		pc_find_local_host(&p, &h);
	else
		err = find_host(&p, host ? host : rec.host, &h);
	if (!err) {
		pc_report_init(&r, &p, h);
		if (rec.gateway)
			pc_report_gateway(&r);
		st = pc_stats_json(&m, &p, false);
		err = pc_report_add_stats(&r, st, h ? h->name : "this machine");
		json_object_put(st);
		if (!err)
			pc_report_html(out, &r);
		pc_report_free(&r);
	}
	pc_policy_free(&p);
out:
	pc_state_free(&rec);
	pc_maps_close(&m);
	pc_pins_close(&pins);
	return err ? PC_EXIT_POLICY : PC_EXIT_OK;
}

int pc_cmd_report(int argc, char **argv)
{
	struct report_opts o = { 0 };
	const struct pc_host *h;
	struct pc_report r;
	struct pc_policy p;
	int rc;

	rc = pc_opts_parse(&pc_report_cmd, argc, argv, &o);
	if (rc >= 0)
		return rc;
	if (!o.html)
		return pc_cli_usage_error(pc_report_cmd.cmd, "give --html (the only format)");
	if (optind < argc && !o.stats)
		return pc_cli_usage_error(pc_report_cmd.cmd, "FILE arguments are stats reports: give --stats");
	if (!o.stats)
		return pc_report_live(stdout, o.pin_root, o.site, o.host, false);
	rc = pc_cli_load_policy(o.site, &p, NULL, NULL);
	if (rc)
		return rc;
	if (find_host(&p, o.host, &h)) {
		pc_policy_free(&p);
		return PC_EXIT_POLICY;
	}
	pc_report_init(&r, &p, h);
	rc = add_file(&r, o.stats) ? PC_EXIT_POLICY : PC_EXIT_OK;
	for (int i = optind; i < argc && !rc; i++)
		rc = add_file(&r, argv[i]) ? PC_EXIT_POLICY : PC_EXIT_OK;
	if (!rc)
		pc_report_html(stdout, &r);
	pc_report_free(&r);
	pc_policy_free(&p);
	return rc;
}
