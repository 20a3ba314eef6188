// SPDX-License-Identifier: GPL-2.0-only
/*
 * Differential test of the nftables export against the reference
 * classifier (user/classify.c): random and crafted first packets of
 * connections are judged by pc_classify() and sent through the ruleset
 * that `portcullis export --nft` wrote, loaded in the protected namespace.
 * The verdict of nftables is read from its named counters: every packet
 * ends on exactly one of them (its path's counter, or dropped_in /
 * dropped_out), so after each batch the counters must have moved exactly
 * as the classifier says. Egress packets also get a verdict each: sendto()
 * on a raw socket fails with EPERM when the output chain drops.
 *
 *   export_diff -c SITE --host NAME --host-ns /run/netns/A --peer-ns /run/netns/B
 *               [--ingress N] [--egress N] [--seed S] [--batch B]
 *
 * Ingress frames are written on the peer's eth0 (AF_PACKET, so any source
 * address and link-layer broadcast can be sent); egress packets are sent
 * from the host's namespace with raw IP sockets. Every packet has its own
 * 5-tuple, so connection tracking never sees a packet twice. Packets the
 * kernel would drop before netfilter (martian sources: 0.0.0.0 except to
 * 255.255.255.255, broadcast, the host's own addresses) are not generated.
 * Prints "# ..." lines and ends with one line "ingress N egress M
 * mismatches K"; exits 1 on any mismatch.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "classify.h"
#include "export.h"
#include "policy.h"

#define IFNAME "eth0"
#define MAX_COUNTERS 256
#define MAX_ADDRS 4096

struct pkt {
	struct pc_tuple t;      /* as the classifier sees it */
	struct pc_addr local;   /* the host's side */
	bool l2_bcast;          /* ingress: to ff:ff:ff:ff:ff:ff */
	struct pc_addr dst_ip;  /* ingress: the IP destination */
	int expect;             /* counter index */
};

static const struct pc_ruleset *rs;
static char counters[MAX_COUNTERS][PC_NFT_NAME_LEN];
static size_t ncounters;
static uint64_t state = 88172645463325252ull;

static uint64_t rnd(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

static uint32_t rnd_below(uint32_t n)
{
	return (uint32_t)(rnd() % n);
}

static int counter_index(const char *name)
{
	for (size_t i = 0; i < ncounters; i++)
		if (!strcmp(counters[i], name))
			return (int)i;
	if (ncounters == MAX_COUNTERS)
		return -1;
	snprintf(counters[ncounters], PC_NFT_NAME_LEN, "%s", name);
	return (int)ncounters++;
}

/* --- addresses --------------------------------------------------------- */

static struct pc_addr pool[MAX_ADDRS]; /* remotes to draw from */
static size_t npool;
static struct pc_addr own4, own6, own_bcast4; /* the host, its segment */
static bool have4, have6;

static bool is_own(const struct pc_addr *a)
{
	for (size_t i = 0; rs->host && i < rs->host->naddrs; i++)
		if (pc_addr_contains(&rs->host->addrs[i], a))
			return true;
	return false;
}

/* A host address inside prefix a (its first, last, or a random one). */
static struct pc_addr pick_in(const struct pc_addr *a)
{
	struct pc_addr h = *a;
	int bits = pc_addr_maxlen(a) - a->prefix, len = pc_addr_maxlen(a) / 8;
	uint32_t how = rnd_below(4);

	h.prefix = (uint8_t)pc_addr_maxlen(a);
	for (int i = len - 1, b = 0; i >= 0 && b < bits; i--, b += 8) {
		uint8_t m = (uint8_t)(bits - b >= 8 ? 0xff : (1u << (bits - b)) - 1);
		uint8_t v = how == 0 ? 0 : how == 1 ? 0xff : (uint8_t)rnd();

		h.bytes[i] = (uint8_t)((h.bytes[i] & ~m) | (v & m));
	}
	return h;
}

static void pool_add(const struct pc_addr *a)
{
	for (size_t i = 0; i < npool; i++)
		if (pc_addr_equal(&pool[i], a))
			return; /* once each: strangers as likely as peers */
	if (npool < MAX_ADDRS)
		pool[npool++] = *a;
}

static void build_pool(const struct pc_policy *p)
{
	static const char *const strangers[] = {
		"192.0.2.99", "192.0.2.254", "198.51.100.77", "203.0.113.5",
		"198.51.100.255", "2001:db8:a::99", "2001:db8:b::77", "2001:db8:ffff::1",
	};
	struct pc_addr a;
	const char *why;

	for (size_t i = 0; i < rs->nrules; i++)
		for (size_t j = 0; j < rs->rules[i].nremote; j++)
			pool_add(&rs->rules[i].remote_addrs[j]);
	for (size_t i = 0; i < p->nhosts; i++) /* other hosts, not peers */
		for (size_t j = 0; j < p->hosts[i].naddrs; j++)
			pool_add(&p->hosts[i].addrs[j]);
	for (size_t i = 0; i < sizeof(strangers) / sizeof(*strangers); i++)
		if (!pc_addr_parse(strangers[i], &a, &why))
			pool_add(&a);
	for (size_t i = 0; rs->host && i < rs->host->naddrs; i++) {
		const struct pc_addr *h = &rs->host->addrs[i];

		if (h->family == AF_INET && !have4) {
			own4 = *h;
			have4 = true;
			for (size_t s = 0; s < p->nsegments; s++)
				if (pc_addr_contains(&p->segments[s], h))
					own_bcast4 = pc_addr_broadcast(&p->segments[s]);
		} else if (h->family == AF_INET6 && !have6) {
			own6 = *h;
			have6 = true;
		}
	}
}

static bool is_bcast4(const struct pc_addr *a)
{
	struct pc_addr all = pc_addr_v4(0xffffffffu);

	if (a->family != AF_INET)
		return false;
	if (pc_addr_equal(a, &all))
		return true;
	for (size_t s = 0; s < rs->policy->nsegments; s++) {
		struct pc_addr b = pc_addr_broadcast(&rs->policy->segments[s]);

		if (pc_addr_equal(a, &b))
			return true;
	}
	return false;
}

static bool is_special(const struct pc_addr *a)
{
	if (a->family == AF_INET)
		return a->bytes[0] == 0 || a->bytes[0] == 127 || a->bytes[0] >= 224;
	return a->bytes[0] == 0xff || a->bytes[0] == 0 || (a->bytes[0] == 0xfe && a->bytes[1] >= 0x80);
}

/* --- generation -------------------------------------------------------- */

static uint16_t pick_port(struct pc_port_range r)
{
	switch (rnd_below(8)) {
	case 0:
		return r.lo;
	case 1:
		return r.hi;
	case 2:
		return (uint16_t)(r.lo - 1); /* just outside (wraps at 0) */
	case 3:
		return (uint16_t)(r.hi + 1);
	case 4:
		return (uint16_t)rnd();
	default:
		return (uint16_t)(r.lo + rnd_below((uint32_t)(r.hi - r.lo) + 1));
	}
}

/* 5-tuples already used: open addressing on a hash. */
static uint64_t *seen;
static size_t seen_cap;

static bool tuple_fresh(const struct pkt *k)
{
	uint64_t h = 1469598103934665603ull;
	const uint8_t *parts[] = { k->t.remote.bytes, k->local.bytes };

	for (size_t p = 0; p < 2; p++)
		for (size_t i = 0; i < 16; i++)
			h = (h ^ parts[p][i]) * 1099511628211ull;
	h = (h ^ k->t.proto) * 1099511628211ull;
	h = (h ^ k->t.local_port) * 1099511628211ull;
	h = (h ^ k->t.remote_port) * 1099511628211ull;
	h |= 1;
	for (size_t i = h % seen_cap;; i = (i + 1) % seen_cap) {
		if (seen[i] == h)
			return false;
		if (!seen[i]) {
			seen[i] = h;
			return true;
		}
	}
}

static bool generate(struct pkt *k, enum pc_dir dir)
{
	const struct pc_rule *r = rs->nrules ? &rs->rules[rnd_below((uint32_t)rs->nrules)] : NULL;
	bool from_rule = r && r->nremote && rnd_below(10) < 7;
	struct pc_addr remote;

	memset(k, 0, sizeof(*k));
	/* Mostly near a rule of this direction: likelier to pass. */
	for (size_t tries = 0; from_rule && r->dir != dir && tries < 8; tries++)
		r = &rs->rules[rnd_below((uint32_t)rs->nrules)];
	from_rule = from_rule && r->dir == dir && r->nremote;
	/* A rule's ports with someone else's address a quarter of the time:
	 * the wrong-peer probe. */
	remote = from_rule && rnd_below(4) ? r->remote_addrs[rnd_below((uint32_t)r->nremote)] :
					     pool[rnd_below((uint32_t)npool)];
	if (!pc_addr_is_host(&remote))
		remote = pick_in(&remote);
	k->t.dir = dir;
	k->t.remote = remote;
	k->t.proto = from_rule && rnd_below(10) < 8 ? r->proto :
		     (rnd_below(2) ? IPPROTO_TCP : IPPROTO_UDP);
	if (from_rule) {
		k->t.local_port = pick_port(r->local);
		k->t.remote_port = pick_port(r->remote);
	} else {
		k->t.local_port = (uint16_t)rnd();
		k->t.remote_port = rnd_below(2) ? (uint16_t)rnd() : (uint16_t)rnd_below(1024);
	}
	if (remote.family == AF_INET ? !have4 : !have6)
		return false;
	k->local = remote.family == AF_INET ? own4 : own6;
	if (is_own(&remote))
		return false;
	if (dir == PC_DIR_EGRESS) {
		/* 0.0.0.0 and own addresses would go to lo. */
		if (is_special(&remote) && !is_bcast4(&remote))
			return false;
	} else {
		uint32_t how = rnd_below(20);

		k->dst_ip = k->local;
		if (remote.family == AF_INET && how < 3) {
			k->dst_ip = pc_addr_v4(0xffffffffu);
			k->l2_bcast = how < 2; /* and once to our own MAC */
		} else if (remote.family == AF_INET && how < 5 && own_bcast4.family) {
			k->dst_ip = own_bcast4;
			k->l2_bcast = true;
		} else if (how < 6) {
			k->l2_bcast = true; /* own address in a broadcast frame */
		}
		/* Martian sources never reach netfilter. */
		if (is_bcast4(&remote) || (is_special(&remote) &&
		    !(remote.family == AF_INET && remote.bytes[0] == 0 &&
		      !memcmp(&remote.bytes[1], "\0\0", 3) &&
		      k->dst_ip.bytes[0] == 0xff && k->dst_ip.bytes[3] == 0xff &&
		      k->dst_ip.bytes[1] == 0xff && k->dst_ip.bytes[2] == 0xff)))
			return false;
		k->t.to_broadcast = k->l2_bcast || is_bcast4(&k->dst_ip);
	}
	return tuple_fresh(k);
}

static void expect(struct pkt *k)
{
	struct pc_verdict v;
	char name[PC_NFT_NAME_LEN];

	pc_classify(rs, &k->t, &v);
	if (v.kind == PC_VERDICT_PASS)
		k->expect = counter_index(pc_nft_counter_name(v.rule->flow, v.rule->dir, name));
	else
		k->expect = counter_index(k->t.dir == PC_DIR_INGRESS ? PC_NFT_DROPPED_IN :
							      PC_NFT_DROPPED_OUT);
}

/* --- packets ----------------------------------------------------------- */

static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)(p[len - 1] << 8);
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* The IP packet of k (no link layer); returns its length. */
static size_t build_ip(const struct pkt *k, const struct pc_addr *src,
		       const struct pc_addr *dst, uint16_t sport, uint16_t dport,
		       uint8_t *buf)
{
	bool v4 = src->family == AF_INET;
	size_t ihl = v4 ? 20 : 40, l4len = k->t.proto == IPPROTO_TCP ? 20 : 8 + 4;
	uint8_t *l4 = buf + ihl;
	uint32_t sum;

	memset(buf, 0, ihl + l4len);
	if (v4) {
		buf[0] = 0x45;
		buf[2] = (uint8_t)((ihl + l4len) >> 8);
		buf[3] = (uint8_t)(ihl + l4len);
		buf[8] = 64;
		buf[9] = k->t.proto;
		memcpy(buf + 12, src->bytes, 4);
		memcpy(buf + 16, dst->bytes, 4);
		sum = csum_fold(csum_add(0, buf, 20));
		buf[10] = (uint8_t)(sum >> 8);
		buf[11] = (uint8_t)sum;
	} else {
		buf[0] = 0x60;
		buf[4] = (uint8_t)(l4len >> 8);
		buf[5] = (uint8_t)l4len;
		buf[6] = k->t.proto;
		buf[7] = 64;
		memcpy(buf + 8, src->bytes, 16);
		memcpy(buf + 24, dst->bytes, 16);
	}
	l4[0] = (uint8_t)(sport >> 8);
	l4[1] = (uint8_t)sport;
	l4[2] = (uint8_t)(dport >> 8);
	l4[3] = (uint8_t)dport;
	if (k->t.proto == IPPROTO_TCP) {
		uint32_t seq = (uint32_t)rnd();

		memcpy(l4 + 4, &seq, 4);
		l4[12] = 5 << 4;
		l4[13] = 0x02; /* SYN: the first packet of a connection */
		l4[14] = 0xff;
		l4[15] = 0xff;
	} else {
		l4[4] = (uint8_t)(l4len >> 8);
		l4[5] = (uint8_t)l4len;
		memcpy(l4 + 8, "pcx!", 4);
	}
	/* Pseudo-header, then the L4 header and data. */
	sum = csum_add(0, src->bytes, v4 ? 4 : 16);
	sum = csum_add(sum, dst->bytes, v4 ? 4 : 16);
	sum += k->t.proto + (uint32_t)l4len;
	sum = csum_fold(csum_add(sum, l4, l4len));
	if (k->t.proto == IPPROTO_UDP && sum == 0)
		sum = 0xffff;
	l4[k->t.proto == IPPROTO_TCP ? 16 : 6] = (uint8_t)(sum >> 8);
	l4[k->t.proto == IPPROTO_TCP ? 17 : 7] = (uint8_t)sum;
	return ihl + l4len;
}

struct io {
	int packet_fd;        /* peer namespace, AF_PACKET on eth0 */
	int ifindex;          /* of the peer's eth0 */
	uint8_t peer_mac[6], host_mac[6];
	int raw4, raw6;       /* host namespace, raw IP */
};

static int send_ingress(struct io *io, const struct pkt *k)
{
	uint8_t frame[128];
	struct ether_header *eh = (struct ether_header *)frame;
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_ifindex = io->ifindex,
				   .sll_halen = 6 };
	size_t len;

	memcpy(eh->ether_dhost, k->l2_bcast ? (const uint8_t *)"\xff\xff\xff\xff\xff\xff" :
		io->host_mac, 6);
	memcpy(eh->ether_shost, io->peer_mac, 6);
	eh->ether_type = htons(k->t.remote.family == AF_INET ? ETHERTYPE_IP : ETHERTYPE_IPV6);
	len = sizeof(*eh) + build_ip(k, &k->t.remote, &k->dst_ip, k->t.remote_port,
				     k->t.local_port, frame + sizeof(*eh));
	memcpy(sll.sll_addr, eh->ether_dhost, 6);
	if (sendto(io->packet_fd, frame, len, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return -errno;
	return 0;
}

/* 0: sent (passed the output chain), -EPERM: dropped by it. */
static int send_egress(struct io *io, const struct pkt *k)
{
	uint8_t buf[128];
	size_t len = build_ip(k, &k->local, &k->t.remote, k->t.local_port,
			      k->t.remote_port, buf);
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;

	if (k->t.remote.family == AF_INET) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, k->t.remote.bytes, 4);
		sl = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, k->t.remote.bytes, 16);
		sl = sizeof(*sin6);
	}
	if (sendto(k->t.remote.family == AF_INET ? io->raw4 : io->raw6, buf, len, 0,
		   (struct sockaddr *)&ss, sl) < 0)
		return -errno;
	return 0;
}

/* --- nft counters ------------------------------------------------------ */

/* Reads every named counter of the table (packets) into got[]. */
static int read_counters(uint64_t *got)
{
	FILE *f = popen("nft -j list counters table inet " PC_NFT_TABLE, "r");
	struct json_object *root, *arr;
	char *text = NULL;
	size_t cap = 0, len = 0, n;
	int err = 0;

	if (!f)
		return -errno;
	do {
		if (len + 4096 > cap)
			text = realloc(text, cap = cap * 2 + 8192);
		n = fread(text + len, 1, cap - len - 1, f);
		len += n;
	} while (n > 0);
	text[len] = '\0';
	if (pclose(f) != 0)
		err = -EIO;
	root = json_tokener_parse(text);
	free(text);
	if (!root || !json_object_object_get_ex(root, "nftables", &arr)) {
		json_object_put(root);
		return -EINVAL;
	}
	memset(got, 0, sizeof(*got) * MAX_COUNTERS);
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *c, *name, *pk;
		int idx;

		if (!json_object_object_get_ex(json_object_array_get_idx(arr, i), "counter", &c) ||
		    !json_object_object_get_ex(c, "name", &name) ||
		    !json_object_object_get_ex(c, "packets", &pk))
			continue;
		idx = counter_index(json_object_get_string(name));
		if (idx >= 0)
			got[idx] = (uint64_t)json_object_get_int64(pk);
	}
	json_object_put(root);
	return err;
}

static void describe(const struct pkt *k, char *buf, size_t len)
{
	char r[PC_ADDR_STRLEN], d[PC_ADDR_STRLEN];

	snprintf(buf, len, "%s %s remote %s:%u local :%u%s%s%s", pc_dir_name(k->t.dir),
		 pc_proto_name(k->t.proto), pc_addr_format(&k->t.remote, r),
		 k->t.remote_port, k->t.local_port,
		 k->t.dir == PC_DIR_INGRESS ? " to " : "",
		 k->t.dir == PC_DIR_INGRESS ? pc_addr_format(&k->dst_ip, d) : "",
		 k->l2_bcast ? " (L2 broadcast)" : "");
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/*
 * Sends one batch and waits until the counters have taken every packet
 * (or 3 s). Compares each counter's delta with the classifier's count.
 * Returns the number of packets on counters that disagree.
 */
static size_t run_batch(struct io *io, struct pkt *b, size_t n, uint64_t *base)
{
	uint64_t want[MAX_COUNTERS] = { 0 }, got[MAX_COUNTERS], total = 0, seen_total;
	size_t bad = 0;
	int egress_wrong = 0;

	for (size_t i = 0; i < n; i++) {
		want[b[i].expect]++;
		if (b[i].t.dir == PC_DIR_INGRESS) {
			if (send_ingress(io, &b[i]))
				fprintf(stderr, "# send: %s\n", strerror(errno));
		} else {
			int err = send_egress(io, &b[i]);
			bool dropped = err == -EPERM;
			bool want_drop = !strcmp(counters[b[i].expect], PC_NFT_DROPPED_OUT);

			if (dropped != want_drop) {
				char d[160];

				describe(&b[i], d, sizeof(d));
				printf("# egress verdict differs: %s: sendto %s, classifier says %s\n",
				       d, err ? strerror(-err) : "ok", counters[b[i].expect]);
				egress_wrong++;
			}
		}
	}
	for (int t = 0; t < 300; t++) {
		if (read_counters(got))
			continue;
		seen_total = 0;
		total = 0;
		for (size_t c = 0; c < ncounters; c++) {
			seen_total += got[c] - base[c];
			total += want[c];
		}
		if (seen_total >= total)
			break;
		sleep_ms(10);
	}
	for (size_t c = 0; c < ncounters; c++) {
		uint64_t d = got[c] - base[c];

		if (d != want[c]) {
			printf("# counter %s moved by %llu, the classifier expects %llu\n",
			       counters[c], (unsigned long long)d, (unsigned long long)want[c]);
			bad += d > want[c] ? d - want[c] : want[c] - d;
			for (size_t i = 0, shown = 0; i < n && shown < 5; i++) {
				char desc[160];

				if (b[i].expect != (int)c)
					continue;
				describe(&b[i], desc, sizeof(desc));
				printf("#   expected here: %s\n", desc);
				shown++;
			}
		}
		base[c] = got[c];
	}
	return bad + (size_t)egress_wrong;
}

/* --- setup ------------------------------------------------------------- */

static int enter(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), err = 0;

	if (fd < 0 || setns(fd, CLONE_NEWNET))
		err = -errno;
	if (fd >= 0)
		close(fd);
	return err;
}

static int mac_of(int fd, uint8_t mac[6], int *ifindex)
{
	struct ifreq ifr = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), IFNAME);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		return -errno;
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	if (ifindex) {
		if (ioctl(fd, SIOCGIFINDEX, &ifr))
			return -errno;
		*ifindex = ifr.ifr_ifindex;
	}
	return 0;
}

static int open_io(struct io *io, const char *host_ns, const char *peer_ns)
{
	int one = 1, fd;

	if (enter(peer_ns))
		return -errno;
	io->packet_fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (io->packet_fd < 0 || mac_of(io->packet_fd, io->peer_mac, &io->ifindex))
		return -errno;
	if (enter(host_ns))
		return -errno;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || mac_of(fd, io->host_mac, NULL))
		return -errno;
	close(fd);
	io->raw4 = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	io->raw6 = socket(AF_INET6, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
	if (io->raw4 < 0 || io->raw6 < 0 ||
	    setsockopt(io->raw4, SOL_SOCKET, SO_BROADCAST, &one, sizeof(one)))
		return -errno;
	return 0; /* stays in the host namespace: nft reads its counters */
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "host", required_argument, NULL, 'H' },
		{ "host-ns", required_argument, NULL, 'N' },
		{ "peer-ns", required_argument, NULL, 'P' },
		{ "ingress", required_argument, NULL, 'i' },
		{ "egress", required_argument, NULL, 'e' },
		{ "seed", required_argument, NULL, 's' },
		{ "batch", required_argument, NULL, 'b' },
		{ 0 },
	};
	const char *site = NULL, *host = NULL, *host_ns = NULL, *peer_ns = NULL;
	size_t nin = 100000, neg = 20000, batch = 500, bad = 0, counts[2] = { 0 };
	uint64_t base[MAX_COUNTERS] = { 0 };
	struct pc_diags diags = { 0 };
	struct pc_ruleset ruleset;
	struct pc_policy p;
	struct io io = { 0 };
	struct pkt *b;
	int c;

	while ((c = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		switch (c) {
		case 'c': site = optarg; break;
		case 'H': host = optarg; break;
		case 'N': host_ns = optarg; break;
		case 'P': peer_ns = optarg; break;
		case 'i': nin = strtoul(optarg, NULL, 10); break;
		case 'e': neg = strtoul(optarg, NULL, 10); break;
		case 's': state = strtoull(optarg, NULL, 10) * 2654435761u + 1; break;
		case 'b': batch = strtoul(optarg, NULL, 10); break;
		default: return 2;
		}
	}
	if (!site || !host || !host_ns || !peer_ns || batch == 0) {
		fprintf(stderr, "usage: export_diff -c SITE --host NAME --host-ns PATH --peer-ns PATH\n");
		return 2;
	}
	if (pc_policy_load(&p, site, &diags) || pc_compile_host(&p, host, &ruleset)) {
		pc_diags_print(&diags);
		fprintf(stderr, "export_diff: cannot compile %s for %s\n", site, host);
		return 1;
	}
	rs = &ruleset;
	build_pool(&p);
	counter_index(PC_NFT_DROPPED_IN);
	counter_index(PC_NFT_DROPPED_OUT);
	seen_cap = 4 * (nin + neg) + 1024;
	seen = calloc(seen_cap, sizeof(*seen));
	b = calloc(batch, sizeof(*b));
	if (!seen || !b || open_io(&io, host_ns, peer_ns)) {
		fprintf(stderr, "export_diff: setup failed: %s\n", strerror(errno));
		return 1;
	}
	if (read_counters(base)) {
		fprintf(stderr, "export_diff: cannot read the nft counters\n");
		return 1;
	}
	for (int phase = 0; phase < 2; phase++) {
		size_t total = phase == 0 ? nin : neg, done = 0;
		enum pc_dir dir = phase == 0 ? PC_DIR_INGRESS : PC_DIR_EGRESS;
		size_t pass = 0;

		while (done < total) {
			size_t n = total - done < batch ? total - done : batch;

			for (size_t i = 0; i < n; i++) {
				while (!generate(&b[i], dir))
					;
				expect(&b[i]);
				pass += strncmp(counters[b[i].expect], "dropped_", 8) != 0;
			}
			bad += run_batch(&io, b, n, base);
			done += n;
		}
		counts[phase] = done;
		printf("# %s: %zu packets, %zu pass and %zu drop by the classifier\n",
		       phase == 0 ? "ingress" : "egress", done, pass, done - pass);
	}
	printf("ingress %zu egress %zu mismatches %zu\n", counts[0], counts[1], bad);
	free(b);
	free(seen);
	pc_ruleset_free(&ruleset);
	pc_policy_free(&p);
	pc_diags_free(&diags);
	return bad ? 1 : 0;
}
