// SPDX-License-Identifier: GPL-2.0-only
/*
 * The rule set as a PowerShell script for Windows Defender Firewall: one
 * New-NetFirewallRule per compiled rule (a path, a direction, a protocol,
 * port ranges and peers), then default-block in both directions. The
 * firewall is stateful, so replies need no rule. Every cmdlet takes
 * -WhatIf:$WhatIf, so `script.ps1 -WhatIf` shows what it would do. Windows
 * cannot tell broadcast from unicast reception: broadcast-only rows accept
 * both (README "Exports").
 */
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"

#define GROUP "portcullis"

const char *pc_windows_rule_name(const struct pc_ruleset *rs, size_t i,
				 char *buf, size_t len)
{
	const struct pc_rule *r = &rs->rules[i];

	snprintf(buf, len, "portcullis %s %s %zu", r->flow->id,
		 r->dir == PC_DIR_INGRESS ? "in" : "out", i);
	return buf;
}

/* A single-quoted PowerShell string: a quote is written twice. Other
 * characters are kept when printable ASCII. */
static void ps_quote(FILE *out, const char *s)
{
	fputc('\'', out);
	for (; s && *s; s++) {
		if (*s == '\'')
			fputs("''", out);
		else
			fputc((*s >= 0x20 && *s < 0x7f) ? *s : ' ', out);
	}
	fputc('\'', out);
}

static void print_ports(FILE *out, const char *param, struct pc_port_range r)
{
	char buf[16];

	if (r.lo == 0 && r.hi == 65535)
		return; /* Any */
	fprintf(out, " `\n    -%s %s", param, pc_range_format(r, buf));
}

static void print_rule(const struct pc_ruleset *rs, size_t i, FILE *out)
{
	const struct pc_rule *r = &rs->rules[i];
	bool in = r->dir == PC_DIR_INGRESS;
	char name[160], addr[PC_ADDR_STRLEN], lp[16], rp[16];
	char *desc;

	pc_windows_rule_name(rs, i, name, sizeof(name));
	if (r->nremote == 0) {
		/* Without -RemoteAddress a rule would take any peer. */
		fprintf(out, "# %s: no peer of this rule is in the site, no rule written\n\n", name);
		return;
	}
	desc = pc_xasprintf("table %s row %d: %s (%s local %s remote %s)",
			    r->flow->table, r->flow->row,
			    r->flow->purpose_en ? r->flow->purpose_en : "",
			    pc_proto_name(r->proto), pc_range_format(r->local, lp),
			    pc_range_format(r->remote, rp));
	fputs("New-NetFirewallRule -Name ", out);
	ps_quote(out, name);
	fputs(" -DisplayName ", out);
	ps_quote(out, name);
	fputs(" `\n    -Group '" GROUP "' -Description ", out);
	ps_quote(out, desc);
	fprintf(out, " `\n    -Direction %s -Action Allow -Profile Any -Enabled True -Protocol %s",
		in ? "Inbound" : "Outbound", r->proto == IPPROTO_TCP ? "TCP" : "UDP");
	print_ports(out, "LocalPort", r->local);
	print_ports(out, "RemotePort", r->remote);
	fputs(" `\n    -RemoteAddress ", out);
	for (size_t a = 0; a < r->nremote; a++)
		fprintf(out, "%s'%s'", a ? "," : "", pc_addr_format(&r->remote_addrs[a], addr));
	fputs(" `\n    -WhatIf:$WhatIf | Out-Null\n\n", out);
	free(desc);
}

/* settings: icmp-echo: echo requests to and from every documented peer,
 * one rule per family and direction (replies pass as the firewall's
 * state). */
static void print_echo(const struct pc_ruleset *rs, FILE *out)
{
	static const struct { int family; const char *proto; int type; } fam[] = {
		{ AF_INET, "ICMPv4", 8 }, { AF_INET6, "ICMPv6", 128 },
	};
	char addr[PC_ADDR_STRLEN];
	struct pc_addr *peers;
	size_t npeers = pc_export_peers(rs, &peers);

	for (size_t f = 0; f < 2; f++) {
		for (int in = 1; in >= 0; in--) {
			size_t n = 0;

			for (size_t i = 0; i < npeers; i++) {
				if (peers[i].family != fam[f].family)
					continue;
				if (n++ == 0)
					fprintf(out, "New-NetFirewallRule -Name 'portcullis icmp-echo %s %s' "
						"-DisplayName 'portcullis icmp-echo %s %s' `\n"
						"    -Group '" GROUP "' -Description 'settings: icmp-echo: echo with documented peers' `\n"
						"    -Direction %s -Action Allow -Profile Any -Enabled True -Protocol %s -IcmpType %d `\n"
						"    -RemoteAddress ",
						in ? "in" : "out", fam[f].proto, in ? "in" : "out", fam[f].proto,
						in ? "Inbound" : "Outbound", fam[f].proto, fam[f].type);
				fprintf(out, "%s'%s'", n > 1 ? "," : "", pc_addr_format(&peers[i], addr));
			}
			if (n)
				fputs(" `\n    -WhatIf:$WhatIf | Out-Null\n\n", out);
		}
	}
	free(peers);
}

int pc_export_windows(const struct pc_ruleset *rs, FILE *out)
{
	pc_export_banner(rs, out);
	fputs("# Run as administrator: .\\portcullis.ps1 (add -WhatIf to see what it\n"
		"# would do). Replaces the rules of group '" GROUP "', then sets every\n"
		"# profile to block what no rule allows, inbound and outbound.\n"
		"#Requires -Modules NetSecurity\n"
		"param([switch]$WhatIf)\n"
		"$ErrorActionPreference = 'Stop'\n\n", out);
	fputs("Get-NetFirewallRule -Group '" GROUP "' -ErrorAction SilentlyContinue |\n"
	      "    Remove-NetFirewallRule -WhatIf:$WhatIf\n\n", out);
	for (size_t i = 0; i < rs->nrules; i++)
		print_rule(rs, i, out);
	if (rs->policy->settings.icmp_echo)
		print_echo(rs, out);
	fputs("# Allow rules of other groups still allow: say how many are enabled.\n"
	      "$others = @(Get-NetFirewallRule -Enabled True -Action Allow |\n"
	      "    Where-Object { $_.Group -ne '" GROUP "' })\n"
	      "if ($others.Count -gt 0) {\n"
	      "    Write-Warning \"$($others.Count) enabled allow rules outside group '"
	      GROUP "' also let traffic through\"\n}\n\n", out);
	fputs("Set-NetFirewallProfile -Profile Domain,Private,Public -Enabled True `\n"
	      "    -DefaultInboundAction Block -DefaultOutboundAction Block `\n"
	      "    -WhatIf:$WhatIf\n", out);
	return ferror(out) ? -EIO : 0;
}
