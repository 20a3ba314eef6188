// SPDX-License-Identifier: GPL-2.0-only
/* Connection table seeding from sock_diag (NETLINK_SOCK_DIAG). */
#include "seed.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "classify.h"
#include "diag.h"

/* TCP states worth keeping: the connection is up or closing. */
#define SEED_STATES                                                      \
	((1u << TCP_ESTABLISHED) | (1u << TCP_FIN_WAIT1) |               \
	 (1u << TCP_FIN_WAIT2) | (1u << TCP_CLOSE_WAIT) |                \
	 (1u << TCP_LAST_ACK) | (1u << TCP_CLOSING))

/* What seeding needs to write an entry: the maps, the rules, the policy
 * generation, and the path slot names read once (slot -> id). */
struct seed {
	const struct pc_maps *m;
	const struct pc_ruleset *rs;
	uint32_t gen;
	struct pc_path_name *names;
	size_t seeded;
};

static uint32_t slot_of(const struct seed *s, const char *id)
{
	for (uint32_t i = 1; i < PC_MAX_PATHS; i++)
		if (!strncmp(s->names[i].id, id, sizeof(s->names[i].id)))
			return i;
	return PC_PATH_OTHER;
}

void pc_tcp_tuple(const struct inet_diag_msg *d, struct pc_tuple *t,
		  struct pc_addr *local)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
	const uint8_t *src = (const uint8_t *)d->id.idiag_src;
	const uint8_t *dst = (const uint8_t *)d->id.idiag_dst;
	int family = d->idiag_family;
	size_t len;

	if (family == AF_INET6 && !memcmp(src, mapped, 12) && !memcmp(dst, mapped, 12)) {
		family = AF_INET;
		src += 12;
		dst += 12;
	}
	len = family == AF_INET ? 4 : 16;
	memset(t, 0, sizeof(*t));
	memset(local, 0, sizeof(*local));
	t->proto = IPPROTO_TCP;
	t->local_port = ntohs(d->id.idiag_sport);
	t->remote_port = ntohs(d->id.idiag_dport);
	t->remote.family = (uint8_t)family;
	t->remote.prefix = (uint8_t)(len * 8);
	memcpy(t->remote.bytes, dst, len);
	local->family = (uint8_t)family;
	local->prefix = (uint8_t)(len * 8);
	memcpy(local->bytes, src, len);
}

bool pc_tcp_judge(const struct pc_ruleset *rs, struct pc_tuple *t,
		  struct pc_verdict *v)
{
	t->dir = PC_DIR_EGRESS;
	pc_classify(rs, t, v);
	if (v->kind == PC_VERDICT_PASS)
		return true;
	t->dir = PC_DIR_INGRESS;
	pc_classify(rs, t, v);
	return v->kind == PC_VERDICT_PASS;
}

static void seed_one(void *ctx, const struct inet_diag_msg *d)
{
	struct seed *s = ctx;
	struct pc_ct_value v = { 0 };
	struct pc_ct_key k = { 0 };
	struct pc_tuple t;
	struct pc_addr local;
	struct pc_verdict verdict;
	struct timespec now;
	size_t len;

	pc_tcp_tuple(d, &t, &local);
	if (!pc_tcp_judge(s->rs, &t, &verdict))
		return;
	len = t.remote.family == AF_INET ? 4 : 16;
	k.family = t.remote.family == AF_INET ? PC_AF_INET : PC_AF_INET6;
	k.proto = IPPROTO_TCP;
	k.lport = d->id.idiag_sport;
	k.rport = d->id.idiag_dport;
	memcpy(k.laddr, local.bytes, len);
	memcpy(k.raddr, t.remote.bytes, len);
	clock_gettime(CLOCK_MONOTONIC, &now); /* bpf_ktime_get_ns()'s clock */
	v.last_seen_ns = (uint64_t)now.tv_sec * 1000000000ull + (uint64_t)now.tv_nsec;
	v.path_slot = slot_of(s, verdict.rule->flow->id);
	v.generation = s->gen;
	v.state = d->idiag_state == TCP_ESTABLISHED ? PC_CT_ESTABLISHED : PC_CT_CLOSING;
	v.init_dir = t.dir == PC_DIR_EGRESS ? PC_DIR_OUT : PC_DIR_IN;
	if (bpf_map_update_elem(s->m->ct, &k, &v, BPF_NOEXIST) == 0)
		s->seeded++;
}

static int dump_family(int family, uint32_t states,
		       void (*fn)(void *ctx, const struct inet_diag_msg *d), void *ctx)
{
	struct {
		struct nlmsghdr nlh;
		struct inet_diag_req_v2 r;
	} req = {
		.nlh = { .nlmsg_len = sizeof(req), .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.r = { .sdiag_family = (uint8_t)family, .sdiag_protocol = IPPROTO_TCP,
		       .idiag_states = states },
	};
	static char buf[32768] __attribute__((aligned(8)));
	int fd, err = 0;
	bool done = false;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
	if (fd < 0)
		return -errno;
	if (send(fd, &req, sizeof(req), 0) < 0) {
		err = -errno;
		goto out;
	}
	while (!done) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *h;

		if (len < 0) {
			err = -errno;
			break;
		}
		if (len == 0)
			break;
		for (h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)len);
		     h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				err = e->error;
				done = true;
				break;
			}
			if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(struct inet_diag_msg)))
				fn(ctx, NLMSG_DATA(h));
		}
	}
out:
	close(fd);
	return err;
}

int pc_tcp_dump(uint32_t states, void (*fn)(void *ctx, const struct inet_diag_msg *d),
		void *ctx)
{
	int err = dump_family(AF_INET, states, fn, ctx);

	return err ? err : dump_family(AF_INET6, states, fn, ctx);
}

int pc_seed_connections(const struct pc_maps *m, const struct pc_ruleset *rs,
			size_t *seeded)
{
	struct seed s = { .m = m, .rs = rs };
	uint32_t bank;
	int err;

	*seeded = 0;
	err = pc_loader_state(m, &bank, &s.gen);
	if (err)
		return err;
	s.names = pc_xcalloc(PC_MAX_PATHS, sizeof(*s.names));
	for (uint32_t i = 0; i < PC_MAX_PATHS; i++) {
		if (bpf_map_lookup_elem(m->path_names, &i, &s.names[i])) {
			err = -errno;
			goto out;
		}
		s.names[i].id[PC_PATH_ID_LEN - 1] = '\0';
	}
	err = pc_tcp_dump(SEED_STATES, seed_one, &s);
	*seeded = s.seeded;
	/* Counted, so that the table's evictions are not misread. */
	if (*seeded && pc_ct_stat_add(m, PC_CTS_SEEDED, *seeded))
		pc_warn("cannot count the kept connections");
out:
	free(s.names);
	return err;
}
