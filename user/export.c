// SPDX-License-Identifier: GPL-2.0-only
/* What the nftables and Windows exports share. */

#include "export.h"

void pc_export_banner(const struct pc_ruleset *rs, FILE *out)
{
	char kinds[512];

	fprintf(out, "# portcullis export for %s %s (%s) of site %s: %zu rules.\n",
		rs->host ? "host" : "role", rs->name,
		pc_kinds_format(rs->policy, rs->kinds, kinds, sizeof(kinds)),
		rs->policy->site_name ? rs->policy->site_name : "(none: catalog only)",
		rs->nrules);
}

size_t pc_export_peers(const struct pc_ruleset *rs, struct pc_addr **out)
{
	size_t n = 0;

	*out = NULL;
	for (size_t i = 0; i < rs->nrules; i++)
		n += rs->rules[i].nremote;
	if (n == 0)
		return 0;
	*out = pc_xrealloc(NULL, n, sizeof(**out));
	n = 0;
	for (size_t i = 0; i < rs->nrules; i++) {
		for (size_t j = 0; j < rs->rules[i].nremote; j++) {
			const struct pc_addr *a = &rs->rules[i].remote_addrs[j];
			size_t k = 0;

			while (k < n && !pc_addr_equal(&(*out)[k], a))
				k++;
			if (k == n)
				(*out)[n++] = *a;
		}
	}
	return n;
}
