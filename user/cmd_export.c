// SPDX-License-Identifier: GPL-2.0-only
/* portcullis export: the rules of a host for another firewall. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "export.h"

static const char usage_text[] =
	"Usage: portcullis export --nft [-c SITE] [--host NAME | --role KIND]\n"
	"       portcullis export --windows [-c SITE] [--host NAME | --role KIND]\n\n"
	"Writes the rules compiled for one host (as 'explain' shows them) for hosts\n"
	"that cannot load the datapath, on standard output:\n"
	"  --nft       a complete nftables ruleset (table inet portcullis) for\n"
	"              'nft -f FILE'\n"
	"  --windows   a PowerShell script of New-NetFirewallRule commands and\n"
	"              default-block profiles (run it with -WhatIf to preview)\n\n"
	"  -c, --config SITE      the site file\n"
	"      --host NAME        the site host to compile for\n"
	"      --role KIND        compile for any host of this kind\n"
	"  -h, --help             this text\n";

enum { OPT_HOST = 256, OPT_ROLE, OPT_NFT, OPT_WINDOWS };

struct export_opts {
	const char *host, *role;
	int format; /* OPT_NFT, OPT_WINDOWS, or 0 */
};

static int export_option(int opt, const char *arg, void *ctx)
{
	struct export_opts *eo = ctx;

	switch (opt) {
	case OPT_HOST:
		eo->host = arg;
		return 0;
	case OPT_ROLE:
		eo->role = arg;
		return 0;
	case OPT_NFT:
	case OPT_WINDOWS:
		if (eo->format && eo->format != opt)
			return pc_cli_usage_error("export", "give --nft or --windows, not both");
		eo->format = opt;
		return 0;
	default:
		return PC_EXIT_USAGE;
	}
}

int pc_cmd_export(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "host", required_argument, NULL, OPT_HOST },
		{ "role", required_argument, NULL, OPT_ROLE },
		{ "nft", no_argument, NULL, OPT_NFT },
		{ "windows", no_argument, NULL, OPT_WINDOWS },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct export_opts eo = { 0 };
	const struct pc_cli_spec spec = {
		.cmd = "export", .usage = usage_text, .shortopts = "c:h",
		.longopts = opts, .extra = export_option, .ctx = &eo,
	};
	struct pc_cli_common o;
	struct pc_ruleset rs;
	struct pc_policy p;
	int rc, err;

	rc = pc_cli_parse(&spec, argc, argv, &o);
	if (rc >= 0)
		return rc;
	if (!eo.format)
		return pc_cli_usage_error("export", "say which format: --nft or --windows");
	if (eo.host && eo.role)
		return pc_cli_usage_error("export", "give --host or --role, not both");
	rc = pc_cli_load_policy(o.site, &p, NULL, NULL);
	if (rc)
		return rc;
	rc = pc_cli_compile("export", &p, eo.host, eo.role, &rs);
	if (rc) {
		pc_policy_free(&p);
		return rc;
	}
	err = eo.format == OPT_NFT ? pc_export_nft(&rs, stdout) :
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
