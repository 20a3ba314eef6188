// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gateway mode's part of a policy bank (bpf/gateway.h): the address sets
 * of the forward rules, under their own pc_addr kinds so that host rules
 * and forward rules never mix, and the marks of the gateway's own
 * addresses. pc_loader_fill adds them to the bank's addresses for a
 * gateway rule set, beside the host's sets; the loader writes them all.
 */
#include "gateway_load.h"

#include <errno.h>
#include <ifaddrs.h>

#include "addr.h"

/*
 * The machine's own addresses beyond its site entry (IPv6 link-local, one
 * a DHCP client took) are the gateway's too: what it sends from them is
 * judged by its host rules, never passed on egress as forwarded.
 */
static int mark_machine(struct pc_bank_addrs *b)
{
	struct ifaddrs *ifs, *ifa;

	if (getifaddrs(&ifs) < 0)
		return -errno;
	for (ifa = ifs; ifa; ifa = ifa->ifa_next) {
		struct pc_addr a;

		if (pc_addr_from_sockaddr(ifa->ifa_addr, &a))
			pc_bank_mark(b, &a, PC_ADDR_OWN);
	}
	freeifaddrs(ifs);
	return 0;
}

int pc_gateway_fill(struct pc_bank_addrs *b, const struct pc_ruleset *rs)
{
	int err;

	err = pc_bank_add_rules(b, rs, PC_ADDR_FWD_INIT);
	if (!err)
		err = pc_bank_add_rules(b, rs, PC_ADDR_FWD_RESP);
	for (size_t i = 0; rs->host && i < rs->host->naddrs && !err; i++) {
		/* Prefixes of the gateway's own entry are not its addresses. */
		if (pc_addr_is_host(&rs->host->addrs[i]))
			pc_bank_mark(b, &rs->host->addrs[i], PC_ADDR_OWN);
	}
	return err ? err : mark_machine(b);
}
