// SPDX-License-Identifier: GPL-2.0-only
/* portcullis: main() only dispatches to a subcommand. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "datapath.h"
#include "diag.h"

#define PC_VERSION "0.1.0"

static const struct pc_cmd commands[] = {
	{ "catalog", pc_cmd_catalog, "list the vendor catalog: every documented HCSM flow", &pc_catalog_cmd },
	{ "check", pc_cmd_check, "validate a site file and summarise hosts, kinds and flows", &pc_check_cmd },
	{ "explain", pc_cmd_explain, "show the rules a host enforces, or judge one packet", &pc_explain_cmd },
	{ "attach", pc_cmd_attach, "enforce on interfaces: fill the maps, attach XDP and TC", &pc_attach_cmd },
	{ "detach", pc_cmd_detach, "remove what attach added from interfaces (or --all)", &pc_detach_cmd },
	{ "status", pc_cmd_status, "interfaces, hooks, mode, policy generation, map fill", &pc_status_cmd },
	{ "reload", pc_cmd_reload, "load a changed policy in one atomic step, say what changed", &pc_reload_cmd },
	{ "confirm", pc_cmd_confirm, "keep a policy applied with --confirm: cancel its rollback", &pc_confirm_cmd },
	{ "daemon", pc_cmd_daemon, "enforce and reload on file change or SIGHUP", &pc_daemon_cmd },
	{ "monitor", pc_cmd_monitor, "show denied packets as they are denied", &pc_monitor_cmd },
	{ "stats", pc_cmd_stats, "packets and bytes per path and direction, drops by reason", &pc_stats_cmd },
	{ "report", pc_cmd_report, "the flow matrix with its counters as an HTML page", &pc_report_cmd },
	{ "advise", pc_cmd_advise, "denied flows and the site file lines that would document them", &pc_advise_cmd },
	{ "export", pc_cmd_export, "the rules of a host as nftables rules or a Windows firewall script", &pc_export_cmd },
};

/* Not in --help: the COMMANDS section of the man page, from the same
 * tables as each command's --help. */
static void man_commands(FILE *out)
{
	fputs(".SH COMMANDS\n", out);
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		pc_opts_man(commands[i].opts, out);
}

static void usage(FILE *out)
{
	fputs("Usage: portcullis [-v|-q] COMMAND [OPTIONS] [ARGS]\n\n"
	      "Port enforcement for Hitachi Compute Systems Manager sites: the\n"
	      "documented flows pass, everything else is dropped.\n\nCommands:\n",
	      out);
	for (size_t i = 0; i < sizeof(commands) / sizeof(*commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fputs("\nOptions:\n"
	      "  -v, --verbose  more detail (libbpf's log, verifier output)\n"
	      "  -q, --quiet    only errors\n"
	      "  -h, --help     this text; 'portcullis COMMAND --help' for a command\n"
	      "  -V, --version  the version\n\n"
	      "Exit status: 0 ok, 1 policy or system error, 2 usage error.\n",
	      out);
}

int main(int argc, char **argv)
{
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			pc_verbosity++;
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			pc_verbosity = -1;
		} else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return PC_EXIT_OK;
		} else if (!strcmp(a, "--help-man")) {
			man_commands(stdout);
			return PC_EXIT_OK;
		} else if (!strcmp(a, "-V") || !strcmp(a, "--version")) {
			printf("portcullis %s\n", PC_VERSION);
			return PC_EXIT_OK;
		} else {
			fprintf(stderr, "portcullis: unknown option '%s'\n", a);
			usage(stderr);
			return PC_EXIT_USAGE;
		}
	}
	if (i == argc) {
		usage(stderr);
		return PC_EXIT_USAGE;
	}
	/* libbpf speaks through our logger in every command (its messages
	 * show with -v), never straight to stderr. */
	pc_libbpf_logging();
	for (size_t c = 0; c < sizeof(commands) / sizeof(*commands); c++)
		if (!strcmp(argv[i], commands[c].name))
			return commands[c].run(argc - i, argv + i);
	fprintf(stderr, "portcullis: unknown command '%s'\n", argv[i]);
	usage(stderr);
	return PC_EXIT_USAGE;
}
