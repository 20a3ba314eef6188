// SPDX-License-Identifier: GPL-2.0-only
/*
 * A policy bank's addresses as the loader writes them (bank_addrs.c), for
 * the gateway site: host rules' and forward rules' sets and the marks in
 * one entry an address, each kind's mask id naming exactly the rules whose
 * set holds the address (a wider prefix's included), prefixes under their
 * kind, and an IPv4-mapped address refused.
 */
#include <errno.h>
#include <string.h>

#include "addr.h"
#include "bank_addrs.h"
#include "gateway.h"
#include "gateway_load.h"
#include "gateway_site.h"
#include "testutil.h"

#define K(kind) (1u << PC_ADDR_##kind)
#define RULE_KINDS (K(RULES) | K(FWD_INIT) | K(FWD_RESP))

/* The set of rule r that kind reads. */
static const struct pc_addr *kind_set(const struct pc_rule *r, uint8_t kind, size_t *n)
{
	*n = kind == PC_ADDR_FWD_RESP ? r->nlocal : r->nremote;
	return kind == PC_ADDR_FWD_RESP ? r->local_addrs : r->remote_addrs;
}

/* The rules of kind whose set holds a (listed, or in a prefix listed);
 * *listed: whether some rule lists a itself. */
static struct pc_mask holding(const struct pc_ruleset *rs, uint8_t kind,
			      const struct pc_addr *a, bool *listed)
{
	struct pc_mask m = { { 0 } };

	*listed = false;
	for (size_t i = 0; i < rs->nrules; i++) {
		size_t n;
		const struct pc_addr *v = kind_set(&rs->rules[i], kind, &n);

		if (rs->rules[i].forward != (kind != PC_ADDR_RULES))
			continue;
		for (size_t j = 0; j < n; j++) {
			if (pc_addr_equal(&v[j], a))
				*listed = true;
			if (pc_addr_contains(&v[j], a))
				pc_mask_set(&m, i);
		}
	}
	return m;
}

/* The address of an entry's key (IPv4 from ::ffff:a.b.c.d). */
static struct pc_addr entry_addr(const struct pc_bank_entry *e)
{
	static const uint8_t v4[12] = { [10] = 0xff, [11] = 0xff };
	struct pc_addr a = { 0 };

	if (!memcmp(e->k.addr, v4, sizeof(v4))) {
		a.family = AF_INET;
		a.prefix = 32;
		memcpy(a.bytes, e->k.addr + 12, 4);
	} else {
		a.family = AF_INET6;
		a.prefix = 128;
		memcpy(a.bytes, e->k.addr, 16);
	}
	return a;
}

static const struct pc_bank_entry *find(const struct pc_bank_addrs *b, const char *addr)
{
	struct pc_addr a = tu_addr(addr);

	for (size_t i = 0; i < b->n; i++) {
		struct pc_addr e = entry_addr(&b->e[i]);

		if (pc_addr_equal(&e, &a))
			return &b->e[i];
	}
	return NULL;
}

static void load(struct pc_ruleset *rs)
{
	tu_load_ok(&tu_fx.p, gw_site);
	assert_int_equal(pc_compile_gateway(&tu_fx.p, pc_policy_find_host(&tu_fx.p, "gw"), rs), 0);
}

static int fill(struct pc_bank_addrs *b, const struct pc_ruleset *rs)
{
	int err = pc_bank_add_rules(b, rs, PC_ADDR_RULES);

	if (!err)
		err = pc_gateway_fill(b, rs);
	if (err)
		return err;
	pc_bank_add_marks(b, rs->policy);
	pc_bank_addrs_done(b);
	return 0;
}

static void test_entries(void **state)
{
	static const struct {
		const char *what, *addr;
		unsigned want, none; /* kind bits it has, kind bits it has not */
	} cases[] = {
		{ "cli: a peer of the gateway's own ssh, and an initiator", "192.0.2.20",
		  K(RULES) | K(FWD_INIT), K(OWN) | K(NOT_PEER) },
		{ "mgr: an initiator through the gateway, not a peer of its own", "192.0.2.10",
		  K(FWD_INIT), K(RULES) | K(OWN) },
		{ "mgr over IPv6", "2001:db8:a::10", K(FWD_INIT), K(RULES) | K(OWN) },
		{ "bmc: a destination", "198.51.100.41", K(FWD_RESP), K(RULES) | K(OWN) },
		{ "bmc over IPv6", "2001:db8:b::41", K(FWD_RESP), K(RULES) | K(OWN) },
		{ "the gateway: its own, in no forward set", "192.0.2.1", K(OWN),
		  K(FWD_INIT) | K(FWD_RESP) },
		{ "the gateway's other address", "198.51.100.1", K(OWN), K(FWD_INIT) | K(FWD_RESP) },
		{ "limited broadcast: never a peer", "255.255.255.255", K(NOT_PEER), K(OWN) },
		{ "a directed broadcast: never a peer", "198.51.100.255", K(NOT_PEER), K(OWN) },
	};
	struct pc_ruleset *rs = &tu_fx.rs[0];
	struct pc_maskset masks;
	struct pc_bank_addrs b;
	size_t naddrs = 0;
	bool lin = false;

	(void)state;
	load(rs);
	pc_maskset_init(&masks);
	pc_bank_addrs_init(&b, &masks);
	assert_int_equal(fill(&b, rs), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct pc_bank_entry *e = find(&b, cases[i].addr);

		if (!e)
			fail_msg("%s: no entry", cases[i].what);
		if ((e->v.kinds & cases[i].want) != cases[i].want || (e->v.kinds & cases[i].none))
			fail_msg("%s: kinds %#x, want %#x and none of %#x", cases[i].what,
				 e->v.kinds, cases[i].want, cases[i].none);
	}
	/* Every entry: one an address, and each kind's id is the rules that
	 * hold the address, for exactly the addresses some rule lists. */
	for (size_t i = 0; i < b.n; i++) {
		const struct pc_bank_entry *e = &b.e[i];
		struct pc_addr a = entry_addr(e);
		static const uint8_t kinds[] = { PC_ADDR_RULES, PC_ADDR_FWD_INIT, PC_ADDR_FWD_RESP };
		const uint16_t ids[] = { e->v.mask, e->v.fwd_init, e->v.fwd_resp };
		char s[PC_ADDR_STRLEN];

		if (i && memcmp(&b.e[i - 1].k, &e->k, sizeof(e->k)) >= 0)
			fail_msg("%s: entries not one an address, in order", pc_addr_format(&a, s));
		naddrs += (e->v.kinds & RULE_KINDS) != 0;
		for (size_t k = 0; k < sizeof(kinds); k++) {
			bool listed;
			struct pc_mask want = holding(rs, kinds[k], &a, &listed);
			bool has = e->v.kinds & (1u << kinds[k]);

			if (has != listed)
				fail_msg("%s: kind %u %s", pc_addr_format(&a, s), kinds[k],
					 has ? "not listed by any rule" : "missing");
			if (!has && ids[k])
				fail_msg("%s: an id %u without kind %u", pc_addr_format(&a, s),
					 ids[k], kinds[k]);
			if (has && memcmp(&masks.masks[ids[k]], &want, sizeof(want)))
				fail_msg("%s: kind %u's rules differ", pc_addr_format(&a, s), kinds[k]);
		}
	}
	assert_int_equal(b.naddrs, naddrs);
	/* lin's prefix: in the trie under a forward kind, in no entry. */
	for (size_t i = 0; i < b.np; i++) {
		struct pc_addr want = tu_addr("198.51.100.16/28");

		if (pc_addr_equal(&b.p[i].r.a, &want) && b.p[i].kind == PC_ADDR_FWD_RESP)
			lin = true;
	}
	assert_true(lin);
	assert_null(find(&b, "198.51.100.16"));
	pc_bank_addrs_free(&b);
	pc_maskset_free(&masks);
}

/* The datapath never looks an IPv4-mapped address up (portcullis.h,
 * pc_host_key): one in a forward set is refused, not written. */
static void test_mapped_refused(void **state)
{
	struct pc_ruleset *rs = &tu_fx.rs[0];
	struct pc_maskset masks;
	struct pc_bank_addrs b;
	bool changed = false;

	(void)state;
	load(rs);
	for (size_t i = rs->nown; i < rs->nrules && !changed; i++) {
		if (rs->rules[i].forward && rs->rules[i].nlocal) {
			rs->rules[i].local_addrs[0] = tu_addr("::ffff:198.51.100.41");
			changed = true;
		}
	}
	assert_true(changed);
	pc_maskset_init(&masks);
	pc_bank_addrs_init(&b, &masks);
	assert_int_equal(fill(&b, rs), -EINVAL);
	pc_bank_addrs_free(&b);
	pc_maskset_free(&masks);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_entries, tu_setup, tu_teardown),
		cmocka_unit_test_setup_teardown(test_mapped_refused, tu_setup, tu_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
