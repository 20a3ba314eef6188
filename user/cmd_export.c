// SPDX-License-Identifier: GPL-2.0-only
/* portcullis export: the rules of a host for another firewall. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "export.h"
#include "explain_gateway.h"
#include "gateway.h"

struct export_opts {
	const char *site, *host, *role;
	bool nft, windows, gateway;
};

#define OPTS struct export_opts
static const struct pc_opt export_opts[] = {
	PC_OPT_FLAG("nft", 0, "a complete nftables ruleset (table inet portcullis)\n"
		    "for 'nft -f FILE'", OPTS, nft),
	PC_OPT_FLAG("windows", 0, "a PowerShell script of New-NetFirewallRule\n"
		    "commands and default-block profiles (run it with\n"
		    "-WhatIf to preview)", OPTS, windows),
	PC_OPT_FLAG("gateway", 0, "with --nft: the forward rules of a gateway (a\n"
		    "forward chain) and its own rules (the gateway: --host,\n"
		    "this machine, or the one the site's hosts name)", OPTS, gateway),
	PC_OPT_SITE("the site file", OPTS, site),
	PC_OPT_HOST("the site host to compile for", OPTS, host),
	PC_OPT_ROLE("compile for any host of this kind", OPTS, role),
	{ 0 },
};
#undef OPTS

const struct pc_cmd_opts pc_export_cmd = {
	.cmd = "export",
	.about =
	"Writes the rules compiled for one host (as 'explain' shows them) for hosts\n"
	"that cannot load the datapath, on standard output, in the format that\n"
	"--nft or --windows names; --nft --gateway: the forwarded traffic of a\n"
	"gateway in front of hosts that cannot run anything.",
	.opts = export_opts,
};

/* The gateway's rule set, for the gateway explain --gateway finds (none:
 * the forward rules alone). */
static int compile_gateway(const struct pc_policy *p, const char *host,
			   struct pc_ruleset *rs)
{
	const struct pc_host *gw = pc_explain_gateway_host(p, host);
	int err;

	if (host && !gw) {
		pc_err("no host '%s' in %s", host, p->site_name ? p->site_name : "the policy");
		return PC_EXIT_POLICY;
	}
	err = pc_compile_gateway(p, gw, rs);
	if (err) {
		pc_err("cannot compile the gateway's rules: %s", strerror(-err));
		return PC_EXIT_POLICY;
	}
	return PC_EXIT_OK;
}

int pc_cmd_export(int argc, char **argv)
{
	struct export_opts eo = { 0 };
	struct pc_ruleset rs;
	struct pc_policy p;
	int rc, err;

	rc = pc_opts_parse(&pc_export_cmd, argc, argv, &eo);
	if (rc >= 0)
		return rc;
	if (eo.nft && eo.windows)
		return pc_cli_usage_error("export", "give --nft or --windows, not both");
	if (!eo.nft && !eo.windows)
		return pc_cli_usage_error("export", "say which format: --nft or --windows");
	if (eo.host && eo.role)
		return pc_cli_usage_error("export", "give --host or --role, not both");
	if (eo.gateway && (eo.windows || eo.role))
		return pc_cli_usage_error("export", "--gateway goes with --nft and an optional --host");
	rc = pc_cli_load_policy(eo.site, &p, NULL, NULL);
	if (rc)
		return rc;
	rc = eo.gateway ? compile_gateway(&p, eo.host, &rs) :
			  pc_cli_compile("export", &p, eo.host, eo.role, &rs);
	if (rc) {
		pc_policy_free(&p);
		return rc;
	}
	err = eo.nft ? pc_export_nft(&rs, stdout) :
				     pc_export_windows(&rs, stdout);
	if (!err && fflush(stdout))
		err = -EIO;
	if (err) {
		pc_err("cannot write the export: %s", strerror(-err));
		rc = PC_EXIT_POLICY;
	}
	pc_ruleset_free(&rs);
	pc_policy_free(&p);
	return rc;
}
