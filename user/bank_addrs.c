// SPDX-License-Identifier: GPL-2.0-only
/* A policy bank's addresses, built in memory (bank_addrs.h). */
#include "bank_addrs.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "diag.h"

void pc_bank_addrs_init(struct pc_bank_addrs *b, struct pc_maskset *masks)
{
	memset(b, 0, sizeof(*b));
	b->masks = masks;
}

void pc_bank_addrs_free(struct pc_bank_addrs *b)
{
	free(b->e);
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* The key of a in the banks' address maps: IPv4 as ::ffff:a.b.c.d. */
static void host_key(struct pc_host_key *k, const struct pc_addr *a)
{
	memset(k, 0, sizeof(*k));
	if (a->family == AF_INET) {
		k->addr[10] = k->addr[11] = 0xff;
		memcpy(k->addr + 12, a->bytes, 4);
	} else {
		memcpy(k->addr, a->bytes, 16);
	}
}

static struct pc_bank_entry *add_entry(struct pc_bank_addrs *b, const struct pc_addr *a,
				       uint8_t kind)
{
	struct pc_bank_entry *e;

	if (b->n == b->cap) {
		b->cap = b->cap ? b->cap * 2 : 256;
		b->e = pc_xrealloc(b->e, b->cap, sizeof(*b->e));
	}
	e = &b->e[b->n++];
	memset(e, 0, sizeof(*e));
	host_key(&e->k, a);
	e->v.kinds = (uint16_t)(1u << kind);
	return e;
}

/* Where an entry keeps the mask id of kind's rules. */
static uint16_t *kind_id(struct pc_addr_value *v, uint8_t kind)
{
	return kind == PC_ADDR_FWD_INIT ? &v->fwd_init :
	       kind == PC_ADDR_FWD_RESP ? &v->fwd_resp : &v->mask;
}

static int addr_cmp(const void *x, const void *y)
{
	return pc_addr_cmp(x, y);
}

/* Sorts and merges entries of the same address; returns the new count. */
static size_t merge_addrs(struct pc_addr_rules *v, size_t n)
{
	size_t out = 0;

	qsort(v, n, sizeof(*v), addr_cmp);
	for (size_t i = 0; i < n; i++) {
		if (out && addr_cmp(&v[out - 1].a, &v[i].a) == 0)
			pc_mask_or(&v[out - 1].mask, &v[i].mask);
		else
			v[out++] = v[i];
	}
	return out;
}

/* The exact addresses and prefixes into b, exact ones by mask id. */
static int add_sets(struct pc_bank_addrs *b, uint8_t kind, struct pc_addr_rules *exact,
		    size_t nexact, const struct pc_addr_rules *cidrs, size_t ncidr)
{
	int err = 0;

	for (size_t i = 0; i < nexact && !err; i++) {
		struct pc_bank_entry *e = add_entry(b, &exact[i].a, kind);
		uint32_t id = 0;

		err = pc_maskset_id(b->masks, &exact[i].mask, &id);
		*kind_id(&e->v, kind) = (uint16_t)id;
	}
	if (b->np + ncidr > b->pcap) {
		b->pcap = b->np + ncidr;
		b->p = pc_xrealloc(b->p, b->pcap ? b->pcap : 1, sizeof(*b->p));
	}
	for (size_t i = 0; i < ncidr; i++) {
		b->p[b->np].kind = kind == PC_ADDR_RULES ? 0 : kind;
		b->p[b->np++].r = cidrs[i];
	}
	return err;
}

int pc_bank_add_rules(struct pc_bank_addrs *b, const struct pc_ruleset *rs, uint8_t kind)
{
	bool fwd = kind != PC_ADDR_RULES, local = kind == PC_ADDR_FWD_RESP;
	struct pc_addr_rules *exact, *cidrs;
	size_t n = 0, nexact = 0, ncidr = 0;
	int err = 0;

	for (size_t i = 0; i < rs->nrules; i++)
		if (rs->rules[i].forward == fwd)
			n += local ? rs->rules[i].nlocal : rs->rules[i].nremote;
	exact = pc_xcalloc(n ? n : 1, sizeof(*exact));
	cidrs = pc_xcalloc(n ? n : 1, sizeof(*cidrs));
	for (size_t i = 0; i < rs->nrules; i++) {
		const struct pc_rule *r = &rs->rules[i];
		const struct pc_addr *v = local ? r->local_addrs : r->remote_addrs;
		size_t nv = local ? r->nlocal : r->nremote;

		if (r->forward != fwd)
			continue;
		for (size_t j = 0; j < nv; j++) {
			bool host = pc_addr_is_host(&v[j]);
			struct pc_addr_rules *e = host ? &exact[nexact++] : &cidrs[ncidr++];

			e->a = v[j];
			if (e->a.family == AF_INET)
				memset(e->a.bytes + 4, 0, 12);
			pc_mask_set(&e->mask, i);
			if (!host && !fwd)
				pc_mask_set(&b->cidr_rules, i);
		}
	}
	nexact = merge_addrs(exact, nexact);
	ncidr = merge_addrs(cidrs, ncidr);
	if (nexact > PC_MAX_ADDRS || b->np + ncidr > PC_MAX_CIDRS)
		err = -E2BIG;
	for (size_t i = 0; i < nexact && !err; i++) {
		/* The datapath never finds one (portcullis.h, pc_host_key);
		 * the site parser refuses them first. */
		if (pc_addr_v4_mapped(&exact[i].a))
			err = -EINVAL;
	}
	if (!err) {
		pc_spread_prefix_rules(exact, nexact, cidrs, ncidr);
		err = add_sets(b, kind, exact, nexact, cidrs, ncidr);
	}
	free(exact);
	free(cidrs);
	return err;
}

void pc_bank_mark(struct pc_bank_addrs *b, const struct pc_addr *a, uint8_t kind)
{
	if (!pc_addr_v4_mapped(a))
		add_entry(b, a, kind);
}

void pc_bank_add_marks(struct pc_bank_addrs *b, const struct pc_policy *p)
{
	size_t n = p ? p->nsegments : 0;

	for (size_t i = 0; i < n + 2; i++) {
		struct pc_addr a = i == n ? pc_addr_v4(0xffffffffu) :
				   i == n + 1 ? pc_addr_v4(0) :
				   pc_addr_broadcast(&p->segments[i]);

		pc_bank_mark(b, &a, PC_ADDR_NOT_PEER);
	}
	for (size_t i = 0; p && i < p->nrouters; i++)
		pc_bank_mark(b, &p->routers[i], PC_ADDR_ROUTER);
}

static int entry_cmp(const void *x, const void *y)
{
	return memcmp(x, y, sizeof(struct pc_host_key));
}

void pc_bank_addrs_done(struct pc_bank_addrs *b)
{
	const uint16_t rules = (1u << PC_ADDR_RULES) | (1u << PC_ADDR_FWD_INIT) |
			       (1u << PC_ADDR_FWD_RESP);
	size_t out = 0;

	qsort(b->e, b->n, sizeof(*b->e), entry_cmp);
	for (size_t i = 0; i < b->n; i++) {
		struct pc_addr_value *v;

		if (!out || entry_cmp(&b->e[out - 1], &b->e[i])) {
			b->e[out++] = b->e[i];
			continue;
		}
		/* Each kind comes once an address: its id field is its own. */
		v = &b->e[out - 1].v;
		v->kinds |= b->e[i].v.kinds;
		v->mask |= b->e[i].v.mask;
		v->fwd_init |= b->e[i].v.fwd_init;
		v->fwd_resp |= b->e[i].v.fwd_resp;
	}
	b->n = out;
	b->naddrs = 0;
	for (size_t i = 0; i < b->n; i++)
		b->naddrs += (b->e[i].v.kinds & rules) != 0;
}
