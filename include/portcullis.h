/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * What the BPF programs and userspace share: map names, fixed-size structs
 * and constants. Included by both sides; nothing else is. Every struct has
 * fixed-width fields, explicit padding and an asserted size; multi-byte
 * fields are in host byte order unless the comment says "network".
 */
#ifndef PORTCULLIS_H
#define PORTCULLIS_H

#include <linux/types.h>

#define PC_ASSERT_SIZE(type, size) \
	_Static_assert(sizeof(type) == (size), "size of " #type " changed")

/* Why a packet was dropped (index of the drop counters). */
enum pc_drop_reason {
	PC_DROP_NONE = 0,
	PC_DROP_NO_RULE,     /* no rule for this protocol, direction and ports */
	PC_DROP_WRONG_PEER,  /* a rule has the ports, not this remote address */
	PC_DROP_MALFORMED,   /* truncated or inconsistent headers */
	PC_DROP_FRAGMENT,    /* fragment whose first fragment was not allowed */
	PC_DROP_NO_CONNTRACK, /* a reply-direction packet with no connection */
	PC_DROP_NON_IP,      /* non-IP frame in strict mode */
	PC_DROP_ICMP,        /* ICMP that is not allowed */
	PC_DROP_TCP_FLAGS,   /* impossible TCP flags: NULL, SYN+FIN, SYN+RST, XMAS */
	PC_DROP_BAD_SOURCE,  /* broadcast or multicast source address */
	PC_DROP_PROTOCOL,    /* an IP protocol no rule can name (not TCP/UDP/ICMP) */
	PC_DROP_BAD_FRAGMENT, /* tiny, overlapping (offset 1) or chainless first fragment */
	PC_DROP_ICMP_RATE,   /* an ICMP error from a router beyond the rate limit */
	PC_DROP_ND,          /* neighbour discovery against RFC 4861, or a router
			      * advertisement/redirect the site does not allow */
	PC_DROP_RAW_BYPASS,  /* a setsockopt that would transmit below TC egress
			      * (PACKET_QDISC_BYPASS, AF_XDP rings), refused */
	PC_DROP_REASONS,
};

/* Names for the drop reasons, in enum order (userspace only). */
#define PC_DROP_REASON_NAMES                                                  \
	{ "none", "no-rule", "wrong-peer", "malformed", "fragment",            \
	  "no-conntrack", "non-ip", "icmp", "tcp-flags", "bad-source",         \
	  "protocol", "bad-fragment", "icmp-rate", "nd", "raw-bypass" }

/* Direction of a packet at the host, as in user/compile.h's enum pc_dir. */
#define PC_DIR_IN 0  /* XDP ingress */
#define PC_DIR_OUT 1 /* TC egress */
/* Counters (pc_fwd_stats), pc_event.forwarded and pc_denied_key.dir only:
 * a packet a gateway forwards, judged where it came in, neither its own
 * ingress nor egress. */
#define PC_DIR_FWD 2

#define PC_MAX_RULES 256      /* rules per host: bits of a rule mask */
#define PC_MASK_WORDS (PC_MAX_RULES / 64)
#define PC_MAX_PATHS 1024     /* path slots; slot 0 is "no path" */
#define PC_PATH_OTHER 0       /* ARP, neighbour discovery, echo, permitted non-IP */
#define PC_PATH_ID_LEN 64
#define PC_BANKS 2
#define PC_PORTS 65536
/*
 * Rows of a port bank, by how the initiating packet arrives and its proto
 * (0 = TCP, 1 = UDP): ingress to this host's own address (0, 1), ingress
 * to a broadcast address (2, 3), egress (4, 5). A rule's local_class says
 * which ingress rows hold it.
 */
#define PC_PORT_ROWS 6
#define PC_PORT_ROW(dir, bcast, proto_index)                                   \
	((dir) ? 4 + (proto_index) : (bcast) * 2 + (proto_index))
#define PC_PORT_BANK_ENTRIES (PC_PORT_ROWS * PC_PORTS)
/*
 * A port's rules are a class id (u16) in pc_lport/pc_rport, and the
 * class's rules a mask in pc_masks: a policy has few distinct masks, so
 * two bytes a port instead of 32. Ids are packed PC_PORT_LANES to a map
 * value (an array value takes at least 8 bytes); pc_lport's memory, seen
 * through mmap, is a flat u16 array indexed by PC_PORT_INDEX.
 */
#define PC_PORT_LANES 4
struct pc_port_classes {
	__u16 c[PC_PORT_LANES];
};
PC_ASSERT_SIZE(struct pc_port_classes, 8);
/* pc_masks[bank * PC_MAX_MASKS + id]: the distinct rule masks of a bank's
 * ports and addresses; id 0 is the empty mask. A power of two. */
#define PC_MAX_MASKS 8192
#define PC_MAX_ADDRS (1u << 20)  /* exact remote addresses per bank */
#define PC_MAX_CIDRS 16384       /* remote CIDR prefixes per bank */
/* Connection tables: established connections (a handshake completed, or
 * a reply seen) in one, new ones (half-open, one-way) in another, so that
 * a flood of new connections cannot evict established ones. Default sizes,
 * for a host's own connections (about 8 and 2 MiB: LRU maps are all
 * preallocated); settings: conntrack: max-connections changes both when
 * the maps are created. */
#define PC_CT_ENTRIES 65536
#define PC_CT_NEW_ENTRIES 16384
#define PC_CT_NEW_DIVISOR 4     /* new-table size = established / 4 ... */
#define PC_CT_MIN_ENTRIES 256   /* ... and never less than this */
/* Stamps of allowed ingress packets that have no connection entry yet
 * (bpf/conntrack.h, pc_ct_seen): one __u32 a slot, two slots to a value
 * of the array (the kernel keeps its values 8 bytes apart): 256 KiB. */
#define PC_CT_SEEN_SLOTS 65536
#define PC_FRAG_ENTRIES 4096 /* datagrams in pieces at once */
#define PC_MAX_IFACES 64

/* Index into a port map: bank, row (PC_PORT_ROW) and port (host order). */
#define PC_PORT_INDEX(bank, row, port)                                         \
	(((bank) * PC_PORT_ROWS + (row)) * PC_PORTS + (port))

/*
 * pc_lport_used: one bit per (bank, protocol index, local port), set when
 * some port row of that protocol (either direction, unicast or broadcast)
 * has a rule whose local range holds the port. A clear bit means no rule
 * at all, which the datapath can say with one lookup before the rows.
 * PC_LPORT_WORD_BITS ports to a map value; mmapable, written by the loader
 * with the bank's port maps.
 */
#define PC_LPORT_WORD_BITS 64
#define PC_LPORT_USED_ENTRIES (PC_BANKS * 2 * PC_PORTS / PC_LPORT_WORD_BITS)
#define PC_LPORT_USED_INDEX(bank, proto_index, port)                           \
	(((bank) * 2 + (proto_index)) * (PC_PORTS / PC_LPORT_WORD_BITS) +      \
	 (port) / PC_LPORT_WORD_BITS)

/* Denied packets reported to userspace, at most this many per second and CPU. */
#define PC_EVENTS_PER_SEC 200
#define PC_EVENTS_BYTES (256 * 1024) /* ring buffer size */

/* ICMP errors about a tracked connection from an address other than its
 * peer (a router on the path): at most this many a second and CPU, in
 * bursts of as many; the rest are dropped as PC_DROP_ICMP_RATE. */
#define PC_ICMP_ROUTER_ERRORS_PER_SEC 100

/*
 * Every map the programs share with userspace, once: X(field) is the map
 * pc_<field>, pinned as PIN_ROOT/maps/pc_<field> and a field of userspace's
 * struct pc_maps. (pc_clock, a per-object cache, is never shared.)
 */
#define PC_MAPS(X)                                                             \
	X(config) X(settings) X(lport) X(rport) X(addr) X(cidr) X(rule_path)   \
	X(path_names) X(path_stats) X(drops) X(ct) X(ct_new) X(ct_stats)     \
	X(ct_seen) X(frags) X(ifaces) X(events) X(event_budget) X(denied) X(denied_stats) \
	X(masks) X(lport_used) X(fwd_stats)
#define PC_MAP_NAME(field) "pc_" #field

/* A set of rules: bit i of word i / 64 is rule i (compiled rule order). */
struct pc_mask {
	__u64 w[PC_MASK_WORDS];
};
PC_ASSERT_SIZE(struct pc_mask, 32);

/*
 * pc_config[0]: the policy in force. One 32-bit word so that the loader's
 * flip is a single store: bit 0 the active bank, bits 1..31 the policy
 * generation (0: nothing loaded yet, everything passes).
 */
struct pc_config {
	__u32 bank_gen;
	__u32 _pad;
};
PC_ASSERT_SIZE(struct pc_config, 8);
#define PC_CONFIG_BANK(bg) ((bg) & 1u)
#define PC_CONFIG_GEN(bg) ((bg) >> 1)

enum pc_mode_value { PC_MODE_VALUE_ENFORCE = 0, PC_MODE_VALUE_AUDIT = 1 };

enum {
	PC_SET_ICMP_ECHO = 1u << 0,     /* echo with documented peers passes */
	PC_SET_NON_IP_STRICT = 1u << 1, /* drop non-IP other than ARP */
	PC_SET_KEEP_ESTABLISHED = 1u << 2, /* no re-check of older connections */
	PC_SET_RA_ANY = 1u << 3,        /* router advertisements from any router */
	PC_SET_RA_SITE = 1u << 4,       /* ... only from the site's routers
					 * (neither bit: none at all) */
	PC_SET_NON_IP_LINK = 1u << 5,   /* with STRICT: 802.1X and LLDP pass too */
	/* For the daemon only (the kernel ignores them): its journal of
	 * denied packets, off or all (neither: sampled). */
	PC_SET_LOG_DENIED_OFF = 1u << 6,
	PC_SET_LOG_DENIED_ALL = 1u << 7,
	PC_SET_RAW_BYPASS_ALLOW = 1u << 8, /* setsockopts that skip TC egress pass */
	PC_SET_GATEWAY = 1u << 9,       /* gateway mode (bpf/gateway.h) */
};

/* pc_settings[bank]: settings that go with the bank's rules. */
struct pc_bank_settings {
	__u8 mode;     /* enum pc_mode_value */
	__u8 _pad[3];
	__u32 flags;   /* PC_SET_* */
	__u32 nrules;
	__u32 ct_tcp_established; /* seconds */
	__u32 ct_tcp_transitory;  /* seconds */
	__u32 ct_udp;             /* seconds */
	__u32 ct_icmp;            /* seconds */
	__u32 naddrs;             /* exact addresses of this bank (for status) */
	/* Rules with a CIDR among their remotes: the only bits a pc_cidr
	 * lookup can add after a pc_addr miss, so the trie is skipped when
	 * none of them is left. */
	struct pc_mask cidr_rules;
	__u32 ncidrs;             /* prefixes of this bank (for status) */
	__u32 _pad2;
};
PC_ASSERT_SIZE(struct pc_bank_settings, 72);

/*
 * pc_addr[bank]: a hash map of the bank's own, made by the loader for each
 * policy and sized to its addresses (map-in-map: a reload that needs more
 * room makes a bigger one and swaps it in with the bank). Key: one remote
 * address, 16 bytes: IPv6 as it is, IPv4 as the IPv4-mapped IPv6 address
 * ::ffff:a.b.c.d (RFC 4291 2.5.5.2), which no packet carries on the wire
 * and the datapath never looks up for IPv6, so families never mix; 16
 * bytes and not 24 keep a million addresses within the memory target.
 */
struct pc_host_key {
	__u8 addr[16]; /* network order */
};
PC_ASSERT_SIZE(struct pc_host_key, 16);

/* pc_addr[bank]'s value: what the address is (bits 1 << PC_ADDR_*) and
 * the pc_masks ids of the rules naming it (or a CIDR holding it): host
 * rules' with PC_ADDR_RULES, gateway mode's forward rules' with
 * PC_ADDR_FWD_INIT / PC_ADDR_FWD_RESP. 8 bytes cost what 4 did: the
 * kernel rounds a hash value up to 8. */
struct pc_addr_value {
	__u16 mask;     /* PC_ADDR_RULES */
	__u16 kinds;
	__u16 fwd_init; /* PC_ADDR_FWD_INIT */
	__u16 fwd_resp; /* PC_ADDR_FWD_RESP */
};
PC_ASSERT_SIZE(struct pc_addr_value, 8);

/*
 * pc_cidr key: one remote prefix of one bank, behind the LPM prefix
 * length, which counts the bank and family words too (64 + the address
 * prefix), so banks and families never mix.
 */
struct pc_addr_key {
	__u32 bank;      /* host order */
	__u8 family;     /* PC_AF_INET or PC_AF_INET6 */
	__u8 kind;       /* 0, or gateway mode's PC_ADDR_FWD_INIT / _RESP */
	__u8 _pad[2];
	__u8 addr[16];   /* network order; IPv4 in the first 4 bytes */
};
PC_ASSERT_SIZE(struct pc_addr_key, 24);

struct pc_cidr_key {
	__u32 prefixlen; /* 64 + address prefix length */
	struct pc_addr_key a;
};
PC_ASSERT_SIZE(struct pc_cidr_key, 28);
#define PC_CIDR_KEY_PREFIX_BASE 64

/*
 * What a pc_addr entry says about its address (a bit each in its kinds).
 * PC_ADDR_RULES: its mask is the rules naming it.
 * PC_ADDR_NOT_PEER: a broadcast or
 * unspecified address (255.255.255.255, 0.0.0.0, a segment's directed
 * broadcast) that rules name only as such: never an ICMP echo peer nor
 * the destination of an echo, whatever rule names it.
 */
#define PC_ADDR_RULES 0
#define PC_ADDR_NOT_PEER 1
/* PC_ADDR_ROUTER: a link-local address of one of the
 * site's IPv6 routers, whose advertisements and redirects pass (RA Guard,
 * settings: ipv6-ra: site-routers). */
#define PC_ADDR_ROUTER 2
/*
 * Gateway mode (bpf/gateway.h). PC_ADDR_OWN: an address of the gateway
 * itself, whose packets its own host rules judge.
 * PC_ADDR_FWD_INIT / PC_ADDR_FWD_RESP: its fwd_init / fwd_resp is the
 * forward rules that have the address among their initiators (source) /
 * destinations; also the kind of pc_cidr keys of forward rules' prefixes
 * (0 there otherwise).
 */
#define PC_ADDR_OWN 3
#define PC_ADDR_FWD_INIT 4
#define PC_ADDR_FWD_RESP 5

/* Our own family numbers: the same on every platform. */
#define PC_AF_INET 4
#define PC_AF_INET6 6

/* pc_path_names[slot]: the stable path id that owns a counter slot. */
struct pc_path_name {
	char id[PC_PATH_ID_LEN]; /* NUL-terminated; empty: free */
};
PC_ASSERT_SIZE(struct pc_path_name, 64);

/* pc_path_stats[slot * 2 + dir] and pc_drops[reason * 2 + dir] (per CPU);
 * a gateway's forwarded packets in pc_fwd_stats[PC_FWD_PATH(slot)] and
 * [PC_FWD_DROP(reason)] instead, so each packet is counted once. */
struct pc_counter {
	__u64 packets;
	__u64 bytes;
};
PC_ASSERT_SIZE(struct pc_counter, 16);
#define PC_FWD_PATH(slot) (slot)
#define PC_FWD_DROP(reason) (PC_MAX_PATHS + (reason))
#define PC_FWD_STATS (PC_MAX_PATHS + PC_DROP_REASONS)

/*
 * pc_ct key: a connection as the host sees it, whichever way the packet
 * goes. For ICMP echo lport is the identifier and rport 0.
 */
struct pc_ct_key {
	__u8 family;   /* PC_AF_* */
	__u8 proto;    /* IPPROTO_* */
	__be16 lport;  /* network order */
	__be16 rport;  /* network order */
	__u16 _pad;
	__u8 laddr[16]; /* network order */
	__u8 raddr[16]; /* network order */
};
PC_ASSERT_SIZE(struct pc_ct_key, 40);

enum pc_ct_state {
	PC_CT_NEW = 0,        /* TCP SYN seen; UDP/ICMP: one way only */
	PC_CT_ESTABLISHED,    /* handshake done, or a reply seen */
	PC_CT_CLOSING,        /* FIN seen */
	PC_CT_CLOSED,         /* a FIN each way: goes in seconds, not renewed */
	PC_CT_REPLIED,        /* TCP SYN-ACK seen, the initiator's ACK not yet */
	PC_CT_TAKEN,          /* TCP taken over mid-stream, the other side
			       * not heard yet */
};
/* pc_ct holds ESTABLISHED, CLOSING and CLOSED entries; pc_ct_new the
 * others, and those closed before their handshake completed. */

/*
 * pc_ct_stats[i] (per CPU, __u64): what happened to the connection tables,
 * from which userspace derives the evictions of each LRU table:
 * created - deleted - live entries (+ seeded for pc_ct).
 */
enum pc_ct_stat {
	PC_CTS_NEW_CREATED = 0, /* entries put in pc_ct_new */
	PC_CTS_NEW_DELETED,     /* taken out of pc_ct_new: expired, ended,
				 * moved to pc_ct */
	PC_CTS_EST_CREATED,     /* entries put in pc_ct by the datapath */
	PC_CTS_EST_DELETED,     /* taken out of pc_ct: expired, ended, cut */
	PC_CTS_INSERT_FAILED,   /* an insert the kernel refused (no memory) */
	PC_CTS_SEEDED,          /* put in pc_ct by attach (userspace, CPU 0) */
	PC_CT_STATS,
};

struct pc_ct_value {
	__u64 last_seen_ns; /* bpf_ktime_get_ns() (CLOCK_MONOTONIC) */
	__u32 path_slot;
	__u32 generation;   /* policy generation it was allowed under */
	__u8 state;         /* enum pc_ct_state */
	__u8 init_dir;      /* PC_DIR_* of the initiating packet */
	__u8 fin_seen;      /* bit PC_DIR_*: that side sent FIN */
	__u8 init_bcast;    /* the initiating packet went to a broadcast address */
	__u8 _pad[4];
};
PC_ASSERT_SIZE(struct pc_ct_value, 24);

/* pc_frags key: one fragmented datagram (proto 0 for IPv6). */
struct pc_frag_key {
	__u8 family;
	__u8 proto;
	__u16 _pad;
	__u32 id;       /* IPv4: 16-bit id; IPv6: 32-bit id; network order */
	__u8 saddr[16]; /* network order */
	__u8 daddr[16]; /* network order */
};
PC_ASSERT_SIZE(struct pc_frag_key, 40);

struct pc_frag_value {
	__u64 last_seen_ns;
	__u32 path_slot;
	__u32 _pad;
};
PC_ASSERT_SIZE(struct pc_frag_value, 16);
#define PC_FRAG_TIMEOUT_NS (30ull * 1000000000ull)

/* pc_ifaces[ifindex]: what the controller added on an interface. */
enum {
	PC_IF_XDP = 1u << 0,           /* an XDP link pinned under links/ */
	PC_IF_TC = 1u << 1,            /* our egress filter */
	PC_IF_QDISC_CREATED = 1u << 2, /* we created clsact: detach removes it */
	PC_IF_XDP_GENERIC = 1u << 3,   /* XDP in generic (skb) mode */
	PC_IF_TC_INGRESS = 1u << 4,    /* ingress on clsact ingress, not XDP */
	PC_IF_TC_VLAN = 1u << 5,       /* pc_tc_vlan on clsact ingress */
};

struct pc_iface {
	__u32 ifindex;
	__u32 flags;       /* PC_IF_* */
	__u32 tc_handle;
	__u32 tc_priority;
	char name[16];     /* at attach time */
	__u64 attached_at; /* seconds since the epoch */
	/* The network namespace the interface was attached in (device and
	 * inode of its nsfs file): ifindexes mean something only there. */
	__u64 netns_dev;
	__u64 netns_ino;
};
PC_ASSERT_SIZE(struct pc_iface, 56);

#define PC_TC_HANDLE 0x7063 /* "pc" */
#define PC_TC_PRIORITY 1
/* pc_tc_vlan's filter on clsact ingress: after pc_tc_ingress's, if any. */
#define PC_TC_VLAN_PRIORITY 2

/*
 * pc_events: one denied packet (in audit mode: one that would have been),
 * for `portcullis monitor`. Rate-limited per CPU in the kernel, so that a
 * flood cannot starve userspace; pc_event_budget counts what was left out.
 */
struct pc_event {
	__u64 ts_ns;     /* CLOCK_MONOTONIC, as conntrack stamps */
	__u8 family;     /* PC_AF_* or 0 (not IP) */
	__u8 proto;      /* IPPROTO_* */
	__u8 dir;        /* PC_DIR_* */
	__u8 reason;     /* enum pc_drop_reason */
	__u8 audit;      /* 1: passed anyway (audit mode) */
	__u8 tcp_flags;
	__u8 forwarded;  /* 1: dropped while a gateway forwarded it (dir is
			  * PC_DIR_IN, where it came in: what older readers show) */
	__u8 _pad;
	__be16 sport;    /* network order */
	__be16 dport;    /* network order */
	__u32 len;       /* frame bytes */
	__u8 saddr[16];  /* network order */
	__u8 daddr[16];  /* network order */
};
PC_ASSERT_SIZE(struct pc_event, 56);

/* pc_event_budget (per CPU): the current one-second window. */
struct pc_event_budget {
	__u64 window;    /* ts_ns the window (a second) began */
	__u32 sent;      /* events in this window */
	__u32 _pad;
	__u64 suppressed; /* events left out, ever */
};
PC_ASSERT_SIZE(struct pc_event_budget, 24);

/*
 * pc_denied: the distinct flows the datapath dropped (in audit mode: would
 * have dropped), for `portcullis advise`. Written only on the drop path;
 * an LRU hash, so a scan evicts old entries instead of growing.
 * pc_denied_stats (per CPU, one struct pc_denied_stats) counts the
 * entries the datapath created (created - live entries = those the LRU
 * pushed out) and the drops it left out of the table: each CPU records at
 * most PC_DENIED_PER_SEC drops a second, so that a flood of drops costs a
 * per-CPU counter, not a shared hash entry, per packet (the drop counters
 * per reason stay exact; the table's packet counts are then lower bounds).
 *
 * A port at or above PC_DENIED_EPHEMERAL on one side, when the other side's
 * is not (or, both being so, the initiator's side: remote on ingress,
 * local on egress), is a client's random source port: it is kept as 0 with
 * its PC_DENIED_*_EPHEMERAL flag, so that each connection does not make
 * an entry of its own.
 */
#define PC_DENIED_ENTRIES 8192
#define PC_DENIED_PER_SEC 2000
#define PC_DENIED_EPHEMERAL 32768
enum {
	PC_DENIED_LPORT_EPHEMERAL = 1u << 0, /* lport folded: some port >= 32768 */
	PC_DENIED_RPORT_EPHEMERAL = 1u << 1, /* rport folded likewise */
	PC_DENIED_BROADCAST = 1u << 2,       /* ingress to a broadcast address */
};

struct pc_denied_key {
	__u8 family;     /* PC_AF_* or 0 (not IP: lport is the EtherType) */
	__u8 proto;      /* IPPROTO_*; 0 when not IP */
	__u8 dir;        /* PC_DIR_*; PC_DIR_FWD: addresses and ports as it came in */
	__u8 flags;      /* PC_DENIED_* */
	__u16 lport;     /* host order; ICMP: the type; 0 when folded */
	__u16 rport;     /* host order; ICMP: the code; 0 when folded */
	__u8 raddr[16];  /* network order; IPv4 in the first 4 bytes */
};
PC_ASSERT_SIZE(struct pc_denied_key, 24);

struct pc_denied_value {
	__u64 packets;       /* added atomically: every CPU shares the entry */
	__u64 first_ns;      /* CLOCK_MONOTONIC, as conntrack stamps */
	__u64 last_ns;
	__u8 reason;         /* enum pc_drop_reason of the last packet */
	__u8 audit;          /* 1: the last packet passed anyway (audit mode) */
	__u8 _pad[6];
};
PC_ASSERT_SIZE(struct pc_denied_value, 32);

struct pc_denied_stats {
	__u64 created;    /* entries created, ever */
	__u64 unrecorded; /* drops past the rate limit, ever: not in the table */
	__u64 window_ns;  /* start of the current one-second window */
	__u32 recorded;   /* drops recorded in that window */
	__u32 _pad;
};
PC_ASSERT_SIZE(struct pc_denied_stats, 32);

#endif
