// SPDX-License-Identifier: GPL-2.0-only
/*
 * The Windows firewall export, read command by command (lines joined over
 * PowerShell's backtick continuations): each case names a host and a text
 * that one command must hold, or that no command may hold. The rule-by-rule
 * comparison with explain -j for whole sites is tests/cli/test_export.sh's.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "testutil.h"

static const char quote_site[] =
	"site: unit-windows\n"
	"hosts:\n"
	"  - name: win\n"
	"    kinds: [windows]\n"
	"    addresses: [198.51.100.21, \"2001:db8:0:2::21\"]\n"
	"  - name: agent\n"
	"    kinds: [linux]\n"
	"    addresses: [203.0.113.0/28]\n"
	"flows:\n"
	"  - id: site-agent\n"
	"    purpose: the agent's report\n"
	"    protocols: [udp]\n"
	"    initiator: { hosts: [agent], port: 0-65535 }\n"
	"    responder: { hosts: [win], port: 9000-9009 }\n";

struct win_case {
	const char *site; /* NULL: tu_small_site */
	const char *host;
	bool has;
	const char *text; /* held by one whole command (continuations joined) */
};

#define SMALL NULL

static const struct win_case cases[] = {
	{ SMALL, "mgr", true, "param([switch]$WhatIf)" },
	{ SMALL, "mgr", true, "Set-NetFirewallProfile -Profile Domain,Private,Public -Enabled True "
	  "-DefaultInboundAction Block -DefaultOutboundAction Block -WhatIf:$WhatIf" },
	{ SMALL, "mgr", true, "Get-NetFirewallRule -Group 'portcullis' -ErrorAction SilentlyContinue |" },
	/* Inbound from a CIDR group: ports, address, every parameter. */
	{ SMALL, "mgr", true, "New-NetFirewallRule -Name 'portcullis A-1.1-http-gui in 0' "
	  "-DisplayName 'portcullis A-1.1-http-gui in 0' -Group 'portcullis' " },
	{ SMALL, "mgr", true, "-Direction Inbound -Action Allow -Profile Any -Enabled True -Protocol TCP "
	  "-LocalPort 22015 -RemotePort 1024-65535 -RemoteAddress '192.0.2.64/26' -WhatIf:$WhatIf | Out-Null" },
	/* Outbound to both families, to broadcasts (Wake-on-LAN to port 0). */
	{ SMALL, "mgr", true, "-Direction Outbound -Action Allow -Profile Any -Enabled True -Protocol TCP "
	  "-LocalPort 1024-65535 -RemotePort 22 -RemoteAddress '198.51.100.11','2001:db8:0:2::11' -WhatIf:$WhatIf" },
	{ SMALL, "mgr", true, "-Protocol UDP -LocalPort 1024-65535 -RemotePort 0 -RemoteAddress '255.255.255.255' " },
	/* No peers: no rule (without -RemoteAddress it would take any). */
	{ SMALL, "mgr", true, "# portcullis A-2.4-https-esxi out 8: no peer of this rule is in the site, no rule written" },
	{ SMALL, "mgr", false, "-Name 'portcullis A-2.4-https-esxi out 8'" },
	/* Any port: no -LocalPort/-RemotePort; quotes doubled. */
	{ quote_site, "win", true, "New-NetFirewallRule -Name 'portcullis site-agent in 9' " },
	{ quote_site, "win", true, "-Description 'table site row 1: the agent''s report (udp local 9000-9009 remote 0-65535)' " },
	{ quote_site, "win", true, "-Protocol UDP -LocalPort 9000-9009 -RemoteAddress '203.0.113.0/28' -WhatIf:$WhatIf" },
	{ quote_site, "win", false, "-RemotePort" },
	/* Echo with the documented peers, per family that has any. */
	{ quote_site, "win", true, "-Direction Inbound -Action Allow -Profile Any -Enabled True "
	  "-Protocol ICMPv4 -IcmpType 8 -RemoteAddress '203.0.113.0/28' -WhatIf:$WhatIf" },
	{ quote_site, "win", true, "-Direction Outbound -Action Allow -Profile Any -Enabled True "
	  "-Protocol ICMPv4 -IcmpType 8 -RemoteAddress '203.0.113.0/28' -WhatIf:$WhatIf" },
	{ quote_site, "win", false, "-Protocol ICMPv6" },
};

static char *export_text(const struct win_case *c)
{
	struct pc_ruleset *rs = &tu_fx.rs[0];
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	tu_load_ok(&tu_fx.p, c->site ? c->site : tu_small_site);
	assert_int_equal(pc_compile_host(&tu_fx.p, c->host, rs), 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(pc_export_windows(rs, f), 0);
	fclose(f);
	return buf;
}

/* Joins " `\n    " continuations: one command per line, one space. */
static void join_continuations(char *s)
{
	char *w = s;

	for (const char *r = s; *r;) {
		if (r[0] == '`' && r[1] == '\n') {
			r += 2;
			while (*r == ' ')
				r++;
			if (w == s || w[-1] != ' ')
				*w++ = ' ';
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
}

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct win_case *c = &cases[i];
		char *text = export_text(c);
		bool found, ok;

		join_continuations(text);
		found = strstr(text, c->text) != NULL;
		ok = found == c->has;
		if (!ok)
			print_message("# case %zu (%s): %s: %s\n", i, c->host,
				      c->has ? "missing" : "unexpected", c->text);
		free(text);
		pc_ruleset_free(&tu_fx.rs[0]);
		pc_policy_free(&tu_fx.p);
		memset(&tu_fx, 0, sizeof(tu_fx));
		assert_true(ok);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cases, tu_setup, tu_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
