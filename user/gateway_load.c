// SPDX-License-Identifier: GPL-2.0-only
/*
 * Gateway mode's part of a policy bank (bpf/gateway.h): the address sets
 * of the forward rules, under their own pc_addr kinds so that host rules
 * and forward rules never mix, and the marks of the gateway's own
 * addresses. pc_loader_fill calls it for a gateway rule set after the
 * host's sets; the bank is inactive until the flip.
 */
#include "gateway_load.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <ifaddrs.h>
#include <stdlib.h>
#include <string.h>

static int cmp_entry(const void *x, const void *y)
{
	return pc_addr_cmp(&((const struct pc_addr_rules *)x)->a,
			   &((const struct pc_addr_rules *)y)->a);
}

static size_t merge(struct pc_addr_rules *v, size_t n)
{
	size_t out = 0;

	qsort(v, n, sizeof(*v), cmp_entry);
	for (size_t i = 0; i < n; i++) {
		if (out && cmp_entry(&v[out - 1], &v[i]) == 0) {
			for (size_t w = 0; w < PC_MASK_WORDS; w++)
				v[out - 1].mask.w[w] |= v[i].mask.w[w];
		} else {
			v[out++] = v[i];
		}
	}
	return out;
}

static void key_of(struct pc_addr_key *k, uint32_t bank, uint8_t kind,
		   const struct pc_addr *a)
{
	memset(k, 0, sizeof(*k));
	k->bank = bank;
	k->family = a->family == AF_INET ? PC_AF_INET : PC_AF_INET6;
	k->kind = kind;
	memcpy(k->addr, a->bytes, a->family == AF_INET ? 4 : 16);
}

static int update(int fd, const void *k, const struct pc_mask *m)
{
	if (bpf_map_update_elem(fd, k, m, BPF_ANY))
		return errno == ENOSPC ? -E2BIG : -errno;
	return 0;
}

/* One side's sets (kind PC_ADDR_FWD_INIT: remote_addrs, else local). */
static int write_side(const struct pc_maps *m, uint32_t bank, uint8_t kind,
		      const struct pc_ruleset *rs)
{
	struct pc_addr_rules *exact, *cidrs;
	size_t n = 0, nexact = 0, ncidr = 0;
	int err = 0;

	for (size_t i = rs->nown; i < rs->nrules; i++)
		n += kind == PC_ADDR_FWD_INIT ? rs->rules[i].nremote : rs->rules[i].nlocal;
	exact = pc_xcalloc(n ? n : 1, sizeof(*exact));
	cidrs = pc_xcalloc(n ? n : 1, sizeof(*cidrs));
	for (size_t i = rs->nown; i < rs->nrules; i++) {
		const struct pc_rule *r = &rs->rules[i];
		const struct pc_addr *v = kind == PC_ADDR_FWD_INIT ? r->remote_addrs : r->local_addrs;
		size_t nv = kind == PC_ADDR_FWD_INIT ? r->nremote : r->nlocal;

		if (!r->forward)
			continue;
		for (size_t j = 0; j < nv; j++) {
			struct pc_addr_rules *e = pc_addr_is_host(&v[j]) ?
						       &exact[nexact++] : &cidrs[ncidr++];

			e->a = v[j];
			if (e->a.family == AF_INET)
				memset(e->a.bytes + 4, 0, 12);
			e->mask.w[i / 64] |= 1ull << (i % 64);
		}
	}
	nexact = merge(exact, nexact);
	ncidr = merge(cidrs, ncidr);
	pc_spread_prefix_rules(exact, nexact, cidrs, ncidr);
	for (size_t i = 0; i < nexact && !err; i++) {
		struct pc_addr_key k;

		key_of(&k, bank, kind, &exact[i].a);
		err = update(m->addr, &k, &exact[i].mask);
	}
	for (size_t i = 0; i < ncidr && !err; i++) {
		struct pc_cidr_key k;

		key_of(&k.a, bank, kind, &cidrs[i].a);
		k.prefixlen = PC_CIDR_KEY_PREFIX_BASE + cidrs[i].a.prefix;
		err = update(m->cidr, &k, &cidrs[i].mask);
	}
	free(exact);
	free(cidrs);
	return err;
}

/*
 * The machine's own addresses beyond its site entry (IPv6 link-local, one
 * a DHCP client took) are the gateway's too: what it sends from them is
 * judged by its host rules, never passed on egress as forwarded.
 */
static int mark_machine(const struct pc_maps *m, uint32_t bank)
{
	struct pc_mask none = { 0 };
	struct ifaddrs *ifs, *ifa;
	int err = 0;

	if (getifaddrs(&ifs) < 0)
		return -errno;
	for (ifa = ifs; ifa && !err; ifa = ifa->ifa_next) {
		struct pc_addr a;
		struct pc_addr_key k;

		if (!pc_addr_from_sockaddr(ifa->ifa_addr, &a))
			continue;
		key_of(&k, bank, PC_ADDR_OWN, &a);
		err = update(m->addr, &k, &none);
	}
	freeifaddrs(ifs);
	return err;
}

int pc_gateway_fill(const struct pc_maps *m, uint32_t bank,
		    const struct pc_ruleset *rs)
{
	struct pc_mask none = { 0 };
	int err;

	err = write_side(m, bank, PC_ADDR_FWD_INIT, rs);
	if (!err)
		err = write_side(m, bank, PC_ADDR_FWD_RESP, rs);
	for (size_t i = 0; rs->host && i < rs->host->naddrs && !err; i++) {
		struct pc_addr_key k;

		/* Prefixes of the gateway's own entry are not its addresses. */
		if (!pc_addr_is_host(&rs->host->addrs[i]))
			continue;
		key_of(&k, bank, PC_ADDR_OWN, &rs->host->addrs[i]);
		err = update(m->addr, &k, &none);
	}
	return err ? err : mark_machine(m, bank);
}
