/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Connection and fragment tracking, kernel side. Contract:
 *
 * pc_ct_key_of(pkt, dir, key) builds the key of the packet's connection as
 * the host sees it (local = destination on ingress, source on egress), so
 * both directions of a connection share one key.
 * Two tables (maps.h): pc_ct for established connections, pc_ct_new for
 * new ones, so that a flood of new connections from documented peers
 * evicts only new ones. An established packet costs one lookup (pc_ct),
 * a SYN or SYN-ACK one (pc_ct_new, see pc_ct_lookup_flags); only a
 * packet of a connection not yet known looks in both.
 * pc_ct_lookup(key, set, now) returns the live entry or NULL; an entry
 * idle longer than its state's timeout is deleted and NULL returned.
 * pc_ct_lookup_flags(key, set, now, tcp_flags) is the same for a packet
 * with these TCP flags (0: not TCP), asking first the table its
 * connection is most likely in: pc_ct_new for a SYN-ACK, and for an
 * opening SYN (SYN without ACK) only pc_ct_new, since no entry of pc_ct
 * can pass one (pc_ct_syn); a caller that then lets the SYN open a
 * connection ends the pc_ct entry of the same ports
 * (pc_ct_delete_established). So the common packets of a connection pay
 * one hash lookup each.
 * pc_ct_delete(key) removes one. The state says which table holds an
 * entry (portcullis.h), so nothing here depends on where it was found.
 * pc_ct_create(key, dir, bcast, slot, gen, tcp_flags, now) records in
 * pc_ct_new a connection that policy allowed in its initiating direction
 * dir (bcast: sent to a broadcast address, kept for re-checks after a
 * reload): on the host, one the host opens (egress); gateway.h's
 * forwarded connections too.
 * Ingress never inserts: an allowed ingress packet of a connection not
 * yet known leaves a stamp instead (pc_ct_stamp: one store in the array
 * pc_ct_seen, no lock, no allocation), and the host's first answer on
 * egress, if it finds the stamp fresh (pc_ct_stamped) and the rules in
 * force allow the connection, creates the entry (pc_ct_answer) and
 * clears the stamp (pc_ct_unstamp). So only the host's own packets
 * create entries: no packet from outside costs a hash insert, and a SYN
 * or UDP flood from documented peers fills no table, only the answers
 * the host chooses to send do; undocumented traffic neither stamps nor
 * creates. (Fragments still record on ingress: pc_frag_record, for a
 * first fragment that passed. Gateway mode's forwarded connections,
 * pc_fwd_ct in gateway.h, are not covered.)
 * Every change to an established entry of pc_ct ends the cached verdicts
 * of its key (pc_ct_forget, ctcache.h).
 * pc_ct_update(ct, dir, proto, tcp_flags, now) advances the state
 * (TCP flags; a reply makes UDP and ICMP established) and the idle clock,
 * and says what to do with the entry (enum pc_ct_verdict): keep it, end
 * it, or move it to pc_ct (pc_ct_promote) once the TCP handshake has
 * completed or the other side has answered; pc_ct_follow(key, ct, ...)
 * calls it and does what it says (what every caller does).
 * Every insert and delete is counted in pc_ct_stats, from which userspace
 * derives the LRU evictions.
 * pc_frag_record / pc_frag_lookup remember the first fragment of a
 * datagram that passed, and find it for the later fragments.
 * Timeouts come from the active bank's settings, in seconds.
 *
 * Races: an entry is updated in place, without a lock, by whichever CPU
 * sees a packet of the connection, so the two directions (or two queues)
 * may write it at once. Every field is a naturally aligned word written
 * and read with one access (PC_WRITE_ONCE / PC_READ_ONCE: the compiler may
 * neither tear nor repeat it), so a reader sees an old or a new value of
 * each field, never a mix. What can then go wrong is only ordering between
 * fields: two idle stamps race (either is a time of this jiffy), and two
 * state steps race (a FIN on one CPU, data on the other): the later store
 * wins and a lost step is taken again by the next packet of its kind (TCP
 * retransmits FIN and SYN until answered). No step opens more than the
 * policy allowed: every state is one of an allowed connection.
 *
 * pc_now() is the time these stamps use: CLOCK_MONOTONIC nanoseconds
 * (bpf_ktime_get_ns(), what user/seed.c writes too), read once per jiffy
 * per CPU and reused until the jiffy changes, so a stamp lags by at most
 * one tick (1-10 ms against timeouts of seconds). Why: in a VM the clock
 * read costs as much as the rest of an established packet's path. A
 * connection's idle stamp is renewed once it is 10 ms old (pc_ct_touch).
 */
#ifndef PC_BPF_CONNTRACK_H
#define PC_BPF_CONNTRACK_H

#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>

#include "ctcache.h"
#include "maps.h"
#include "parsing.h"
#include "portcullis.h"

#define PC_NSEC 1000000000ull
/* How long a TCP connection closed by a FIN each way stays, for the last
 * ACK and retransmitted FINs: a few seconds, not renewed. */
#define PC_CT_CLOSED_SECS 5
#define PC_READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define PC_WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))

static __always_inline __u64 pc_now(void)
{
	__u32 zero = 0;
	struct pc_clock *c = bpf_map_lookup_elem(&pc_clock, &zero);
	__u64 j = bpf_jiffies64();

	if (!c)
		return bpf_ktime_get_ns();
	if (c->jiffies != j || !c->ns) {
		c->ns = bpf_ktime_get_ns();
		c->jiffies = j;
	}
	return c->ns;
}

static __always_inline void pc_ct_key_of(const struct pc_pkt *p, __u32 dir,
					 struct pc_ct_key *k)
{
	k->family = p->family;
	k->proto = p->proto;
	if (dir == PC_DIR_IN) {
		k->lport = p->dport;
		k->rport = p->sport;
		__builtin_memcpy(k->laddr, p->daddr, 16);
		__builtin_memcpy(k->raddr, p->saddr, 16);
	} else {
		k->lport = p->sport;
		k->rport = p->dport;
		__builtin_memcpy(k->laddr, p->saddr, 16);
		__builtin_memcpy(k->raddr, p->daddr, 16);
	}
}

static __always_inline __u64 pc_ct_timeout(const struct pc_ct_value *ct,
					   __u8 proto,
					   const struct pc_bank_settings *set)
{
	__u8 state = PC_READ_ONCE(ct->state);
	__u32 secs;

	if (proto == IPPROTO_TCP) {
		if (state == PC_CT_ESTABLISHED)
			secs = set->ct_tcp_established;
		else if (state == PC_CT_CLOSED && set->ct_tcp_transitory > PC_CT_CLOSED_SECS)
			secs = PC_CT_CLOSED_SECS;
		else
			secs = set->ct_tcp_transitory;
	} else if (proto == IPPROTO_UDP) {
		secs = set->ct_udp;
	} else {
		secs = set->ct_icmp;
	}
	return secs * PC_NSEC;
}

static __always_inline void pc_ct_count(__u32 stat)
{
	__u64 *c = bpf_map_lookup_elem(&pc_ct_stats, &stat);

	if (c)
		*c += 1;
}

/* Removes the connection from whichever table holds it: both are asked,
 * so that no verifier state depends on which (deletes are rare: an
 * expiry, a RST, a SYN starting over, a reload's cut). */
static __always_inline void pc_ct_delete(const struct pc_ct_key *k)
{
	if (!bpf_map_delete_elem(&pc_ct, k)) { /* another CPU may have first */
		pc_ct_count(PC_CTS_EST_DELETED);
		pc_ct_forget(k);
	}
	if (!bpf_map_delete_elem(&pc_ct_new, k))
		pc_ct_count(PC_CTS_NEW_DELETED);
}

/* An opening SYN was allowed: a connection of pc_ct on the same ports is
 * over (a new one starts) or stale (a SYN the reply way). */
static __always_inline void pc_ct_delete_established(const struct pc_ct_key *k)
{
	/* Looked up first: a miss, the common case, then takes no lock. */
	if (bpf_map_lookup_elem(&pc_ct, k) && !bpf_map_delete_elem(&pc_ct, k)) {
		pc_ct_count(PC_CTS_EST_DELETED);
		pc_ct_forget(k);
	}
}

/* Whether ct, of protocol proto, has been idle past its timeout. */
static __always_inline int pc_ct_idle_past(const struct pc_ct_value *ct, __u8 proto,
					   const struct pc_bank_settings *set, __u64 now)
{
	__u64 seen = PC_READ_ONCE(ct->last_seen_ns);

	return now > seen && now - seen > pc_ct_timeout(ct, proto, set);
}

/* ct, found under k, if it has not been idle past its timeout. */
static __always_inline struct pc_ct_value *
pc_ct_live(const struct pc_ct_key *k, struct pc_ct_value *ct,
	   const struct pc_bank_settings *set, __u64 now)
{
	if (!ct)
		return NULL;
	if (pc_ct_idle_past(ct, k->proto, set, now)) {
		pc_ct_delete(k);
		return NULL;
	}
	return ct;
}

static __always_inline struct pc_ct_value *
pc_ct_lookup_flags(const struct pc_ct_key *k, const struct pc_bank_settings *set,
		   __u64 now, __u8 flags)
{
	struct pc_ct_value *ct = NULL;

	if (!(flags & PC_TCP_SYN))
		ct = bpf_map_lookup_elem(&pc_ct, k);
	if (!ct)
		ct = bpf_map_lookup_elem(&pc_ct_new, k);
	if (!ct && (flags & (PC_TCP_SYN | PC_TCP_ACK)) == (PC_TCP_SYN | PC_TCP_ACK))
		ct = bpf_map_lookup_elem(&pc_ct, k);
	return pc_ct_live(k, ct, set, now);
}

/* pc_ct_lookup_flags for a packet without SYN whose key pc_ct is known
 * not to hold (pc_established asked it). */
static __always_inline struct pc_ct_value *
pc_ct_lookup_new(const struct pc_ct_key *k, const struct pc_bank_settings *set,
		 __u64 now)
{
	return pc_ct_live(k, bpf_map_lookup_elem(&pc_ct_new, k), set, now);
}

static __always_inline struct pc_ct_value *
pc_ct_lookup(const struct pc_ct_key *k, const struct pc_bank_settings *set,
	     __u64 now)
{
	return pc_ct_lookup_flags(k, set, now, 0);
}

/* The entry was seen now. Written only when its stamp is PC_CT_TOUCH_NS
 * old or more: the two directions of a busy connection run on two CPUs,
 * each with its own pc_now (read once a jiffy, so the two differ by up to
 * a tick), and a store whenever they differ would move the entry's cache
 * line between the CPUs on every packet. Timeouts are seconds; a stamp
 * lags by at most this much more. */
#define PC_CT_TOUCH_NS 10000000ull /* 10 ms */

static __always_inline void pc_ct_touch(struct pc_ct_value *ct, __u64 now)
{
	__u64 seen = PC_READ_ONCE(ct->last_seen_ns);

	if (now > seen && now - seen >= PC_CT_TOUCH_NS)
		PC_WRITE_ONCE(ct->last_seen_ns, now);
}

/* What a packet does to the entry it matched (pc_ct_syn, pc_ct_update). */
enum pc_ct_verdict {
	PC_CT_PASS = 0,  /* the packet belongs to the connection */
	PC_CT_END,       /* it does, and it ends it (RST): delete the entry */
	PC_CT_PROMOTE,   /* it does, and the connection is now established:
			  * move the entry from pc_ct_new to pc_ct */
	PC_CT_MISS,      /* not this connection's (a SYN the reply way):
			  * judged by the rules, the entry stays */
	PC_CT_RESTART,   /* a new connection on the same ports (a SYN the
			  * opening way after the handshake): the entry goes,
			  * the rules judge the SYN */
	PC_CT_CLOSES,    /* it does, and the established connection is
			  * closing (a FIN): its cached verdicts end */
};

/* Whether a TCP SYN (without ACK) belongs to the entry it hit: only a
 * retransmission of the opening SYN does. Called before pc_ct_update. */
static __always_inline int pc_ct_syn(const struct pc_ct_value *ct, __u32 dir)
{
	__u8 state = PC_READ_ONCE(ct->state);

	if (dir != ct->init_dir)
		return PC_CT_MISS;
	return state == PC_CT_NEW || state == PC_CT_REPLIED ? PC_CT_PASS :
							      PC_CT_RESTART;
}

/*
 * TCP: NEW (initiator's SYN) -> REPLIED (the SYN-ACK) -> ESTABLISHED (the
 * initiator's ACK) -> CLOSING (a FIN) -> CLOSED (a FIN from each side). A
 * SYN never matches the other way, and the opening way only before the
 * handshake completes (a retransmission; pc_ct_syn decides before); a RST
 * ends the entry; a CLOSED entry is not renewed, so it goes
 * PC_CT_CLOSED_SECS after the second FIN whatever comes later. An entry
 * taken over mid-stream is TAKEN until the other side speaks. UDP and
 * ICMP: a packet the other way makes the entry established. The step to
 * ESTABLISHED is PC_CT_PROMOTE: the entry moves from pc_ct_new to pc_ct
 * (not for ICMP echo, see below).
 */
static __always_inline int pc_ct_update(struct pc_ct_value *ct, __u32 dir,
					__u8 proto, __u8 flags, __u64 now)
{
	__u8 state = PC_READ_ONCE(ct->state), fins;
	__u8 init_dir = ct->init_dir;

	if (proto != IPPROTO_TCP) {
		pc_ct_touch(ct, now);
		if (dir == init_dir || state == PC_CT_ESTABLISHED)
			return PC_CT_PASS;
		PC_WRITE_ONCE(ct->state, PC_CT_ESTABLISHED);
		/* Echo exchanges stay in pc_ct_new: short-lived, and a peer
		 * pinging with ever new identifiers gets every one answered. */
		return proto == IPPROTO_UDP ? PC_CT_PROMOTE : PC_CT_PASS;
	}
	if (flags & PC_TCP_RST)
		return PC_CT_END;
	if (state == PC_CT_CLOSED)
		return PC_CT_PASS; /* not renewed */
	pc_ct_touch(ct, now);
	if (flags & PC_TCP_FIN) {
		/* Two FINs at once on two CPUs may keep one bit: the entry
		 * then stays CLOSING and goes after the transitory timeout. */
		fins = PC_READ_ONCE(ct->fin_seen) | (1u << dir);
		PC_WRITE_ONCE(ct->fin_seen, fins);
		PC_WRITE_ONCE(ct->state, fins == 3 ? PC_CT_CLOSED : PC_CT_CLOSING);
		return state == PC_CT_ESTABLISHED ? PC_CT_CLOSES : PC_CT_PASS;
	}
	if (dir != init_dir) {
		if (state == PC_CT_NEW && (flags & PC_TCP_SYN))
			PC_WRITE_ONCE(ct->state, PC_CT_REPLIED);
		else if (state == PC_CT_TAKEN)
			goto established;
		return PC_CT_PASS;
	}
	if (state == PC_CT_REPLIED && !(flags & PC_TCP_SYN))
		goto established;
	return PC_CT_PASS;
established:
	PC_WRITE_ONCE(ct->state, PC_CT_ESTABLISHED);
	return PC_CT_PROMOTE;
}

/* Inserts v under k in one of the tables, counted as created. A key that
 * is already there (two CPUs creating the same connection) is overwritten
 * without counting, so that created - deleted - live stays the evictions. */
static __always_inline void pc_ct_insert(const struct pc_ct_key *k,
					 const struct pc_ct_value *v,
					 __u32 in_new)
{
	long err = in_new ? bpf_map_update_elem(&pc_ct_new, k, v, BPF_NOEXIST) :
			    bpf_map_update_elem(&pc_ct, k, v, BPF_NOEXIST);

	if (err == -17 /* EEXIST */) {
		err = in_new ? bpf_map_update_elem(&pc_ct_new, k, v, BPF_EXIST) :
			       bpf_map_update_elem(&pc_ct, k, v, BPF_EXIST);
		if (!in_new)
			pc_ct_forget(k);
	} else if (!err)
		pc_ct_count(in_new ? PC_CTS_NEW_CREATED : PC_CTS_EST_CREATED);
	if (err && err != -2 /* ENOENT: deleted meanwhile */)
		pc_ct_count(PC_CTS_INSERT_FAILED);
}

/* The connection is established: its entry moves from pc_ct_new to pc_ct
 * (a copy; two CPUs promoting at once insert one entry, see
 * pc_ct_insert, and delete it once). */
static __always_inline void pc_ct_promote(const struct pc_ct_key *k,
					  const struct pc_ct_value *ct)
{
	struct pc_ct_value v = *ct;

	v.state = PC_CT_ESTABLISHED;
	pc_ct_insert(k, &v, 0);
	if (!bpf_map_delete_elem(&pc_ct_new, k))
		pc_ct_count(PC_CTS_NEW_DELETED);
}

/* A packet of connection k (entry ct) seen: pc_ct_update, and the entry
 * ended or moved to pc_ct as it says. */
static __always_inline void pc_ct_follow(const struct pc_ct_key *k,
					 struct pc_ct_value *ct, __u32 dir,
					 __u8 proto, __u8 flags, __u64 now)
{
	int v = pc_ct_update(ct, dir, proto, flags, now);

	if (v == PC_CT_END)
		pc_ct_delete(k);
	else if (v == PC_CT_PROMOTE)
		pc_ct_promote(k, ct);
	else if (v == PC_CT_CLOSES)
		pc_ct_forget(k);
}

static __always_inline void pc_ct_create(const struct pc_ct_key *k, __u32 dir,
					 __u32 bcast, __u32 slot, __u32 gen,
					 __u8 flags, __u64 now)
{
	struct pc_ct_value v = {};

	v.init_bcast = bcast;
	v.last_seen_ns = now;
	v.path_slot = slot;
	v.generation = gen;
	v.init_dir = dir;
	/* A TCP packet other than a SYN belongs to a connection that existed
	 * before we attached (or we missed its start): take it over. */
	if (k->proto == IPPROTO_TCP && !(flags & PC_TCP_SYN))
		v.state = PC_CT_TAKEN;
	else
		v.state = PC_CT_NEW;
	pc_ct_insert(k, &v, 1);
}

/*
 * The host's first answer (egress, with these TCP flags) to connection k,
 * which a peer opened and whose packet stamped: the entry the state
 * machine would hold after both. A SYN-ACK: REPLIED in pc_ct_new; other
 * TCP (a connection taken over mid-stream) and UDP: established, in
 * pc_ct. (A RST creates nothing: the caller does not call.)
 */
static __always_inline void pc_ct_answer(const struct pc_ct_key *k, __u32 slot,
					 __u32 gen, __u8 flags, __u64 now)
{
	struct pc_ct_value v = {};
	__u32 in_new = 0;

	v.last_seen_ns = now;
	v.path_slot = slot;
	v.generation = gen;
	v.init_dir = PC_DIR_IN;
	v.state = PC_CT_ESTABLISHED;
	if (k->proto == IPPROTO_TCP && (flags & PC_TCP_SYN)) {
		v.state = PC_CT_REPLIED;
		in_new = 1;
	} else if (k->proto == IPPROTO_TCP && (flags & PC_TCP_FIN)) {
		v.state = PC_CT_CLOSING;
		v.fin_seen = 1u << PC_DIR_OUT;
	}
	pc_ct_insert(k, &v, in_new);
}

/*
 * Stamps. A slot of pc_ct_seen holds the 16-bit tag of the last key
 * stamped there (the top bits of its hash, never 0, so an empty slot
 * matches nothing) and 16 bits of the time it was stamped, in units of
 * 2^30 ns (about 1.07 s; the count wraps after about 19 hours). The slot
 * is another part of the hash (its low bits, with the high half folded
 * in). Two keys on one slot overwrite each other: the earlier answer then
 * fails like an unsolicited one (no-conntrack), and the peer's
 * retransmission stamps again. A false accept needs a tag match (1 in
 * 65,535 for a packet whose key's slot holds a live stamp of another key;
 * PC_CT_SEEN_SLOTS = 65,536 slots) AND the reverse rule AND a documented
 * peer: it lets through only what the host itself sends to a peer the
 * policy names, on ports a rule names. A stamp carries no policy: its
 * answer is judged by the rules in force.
 * Two slots share one 8-byte value of the array (the kernel keeps an
 * array's values 8 bytes apart, so a __u32 value would waste half), the
 * slot's lowest bit choosing the half. Each half is read and written
 * with its own 32-bit access, so two CPUs stamping the two halves at once
 * neither tear nor clobber each other.
 */
#define PC_CT_SEEN_UNIT_SHIFT 30

static __always_inline __u32 *pc_ct_seen_slot(const struct pc_ct_key *k,
					      __u32 *tag)
{
	__u64 w[sizeof(*k) / 8], h = 0;
	struct pc_ct_seen_pair *pair;
	__u32 i, half;

	__builtin_memcpy(w, k, sizeof(w));
#pragma unroll
	for (i = 0; i < sizeof(w) / 8; i++)
		h = (h ^ w[i]) * 0x9e3779b97f4a7c15ull;
	h ^= h >> 32;
	*tag = (__u32)(h >> 48);
	if (!*tag)
		*tag = 1;
	i = (__u32)h & (PC_CT_SEEN_SLOTS - 1);
	half = i & 1;
	i >>= 1;
	pair = bpf_map_lookup_elem(&pc_ct_seen, &i);
	return pair ? &pair->half[half] : NULL;
}

/* An allowed ingress packet of k, whose connection has no entry. */
static __always_inline void pc_ct_stamp(const struct pc_ct_key *k, __u64 now)
{
	__u32 tag, v, *s = pc_ct_seen_slot(k, &tag);

	if (!s)
		return;
	/* A retransmission within the same time unit writes nothing, so
	 * that a flood of one key does not bounce the line between CPUs. */
	v = tag << 16 | ((now >> PC_CT_SEEN_UNIT_SHIFT) & 0xffff);
	if (PC_READ_ONCE(*s) != v)
		PC_WRITE_ONCE(*s, v);
}

/* How long a stamp of a connection of this protocol waits for its answer:
 * the timeout of the entry it stands for (TCP: new or taken over). */
static __always_inline __u64 pc_ct_seen_timeout(__u8 proto,
						const struct pc_bank_settings *set)
{
	__u32 secs = proto == IPPROTO_TCP ? set->ct_tcp_transitory :
		     proto == IPPROTO_UDP ? set->ct_udp : set->ct_icmp;

	return secs * PC_NSEC;
}

/* The slot holding k's stamp if it is there and younger than its
 * protocol's timeout, else NULL. */
static __always_inline __u32 *pc_ct_stamped(const struct pc_ct_key *k,
					    const struct pc_bank_settings *set,
					    __u64 now)
{
	__u32 tag, v, *s = pc_ct_seen_slot(k, &tag);
	__u64 age;

	if (!s)
		return NULL;
	v = PC_READ_ONCE(*s);
	if (v >> 16 != tag)
		return NULL;
	age = ((now >> PC_CT_SEEN_UNIT_SHIFT) - v) & 0xffff;
	return age << PC_CT_SEEN_UNIT_SHIFT <= pc_ct_seen_timeout(k->proto, set) ? s : NULL;
}

/* The host answered k and its entry is made: the stamp has done its job,
 * so that it makes one entry (once that entry ends, by a RST or an
 * expiry, the host's later packets no longer pass on the peer's old
 * stamp). Echo replies make no entry and leave the stamp. */
static __always_inline void pc_ct_unstamp(const struct pc_ct_key *k)
{
	__u32 tag, *s = pc_ct_seen_slot(k, &tag);

	if (s && PC_READ_ONCE(*s) >> 16 == tag)
		PC_WRITE_ONCE(*s, 0);
}

static __always_inline void pc_frag_key_of(const struct pc_pkt *p,
					   struct pc_frag_key *k)
{
	k->family = p->family;
	k->proto = p->family == PC_AF_INET ? p->proto : 0;
	k->id = p->frag_id;
	__builtin_memcpy(k->saddr, p->saddr, 16);
	__builtin_memcpy(k->daddr, p->daddr, 16);
}

static __always_inline void pc_frag_record(const struct pc_pkt *p, __u32 slot,
					   __u64 now)
{
	struct pc_frag_key k = {};
	struct pc_frag_value v = {};

	pc_frag_key_of(p, &k);
	v.last_seen_ns = now;
	v.path_slot = slot;
	bpf_map_update_elem(&pc_frags, &k, &v, BPF_ANY);
}

/* The slot of the datagram's first fragment, or -1 if it was not allowed. */
static __always_inline int pc_frag_lookup(const struct pc_pkt *p, __u64 now,
					  __u32 *slot)
{
	struct pc_frag_key k = {};
	struct pc_frag_value *v;

	pc_frag_key_of(p, &k);
	v = bpf_map_lookup_elem(&pc_frags, &k);
	if (!v)
		return -1;
	if (now > v->last_seen_ns && now - v->last_seen_ns > PC_FRAG_TIMEOUT_NS) {
		bpf_map_delete_elem(&pc_frags, &k);
		return -1;
	}
	v->last_seen_ns = now;
	*slot = v->path_slot;
	return 0;
}

#endif
