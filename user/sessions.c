// SPDX-License-Identifier: GPL-2.0-only
/* Sessions in progress that a new policy would cut (sock_diag). */
#include "sessions.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <linux/inet_diag.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "classify.h"
#include "diag.h"
#include "seed.h"

/* $SSH_CONNECTION: "CLIENT-ADDR CLIENT-PORT SERVER-ADDR SERVER-PORT". */
struct ssh_conn {
	bool have, seen;
	struct pc_addr client, server;
	unsigned cport, sport;
};

struct scan {
	const struct pc_ruleset *rs, *old;
	struct pc_addr *locals; /* the interfaces' addresses */
	size_t nlocals;
	struct ssh_conn ssh;
	struct pc_sessions *out;
};

static bool parse_ssh(const char *env, struct ssh_conn *c)
{
	char client[64], server[64];
	const char *why;

	if (!env || sscanf(env, "%63s %u %63s %u", client, &c->cport, server, &c->sport) != 4)
		return false;
	return pc_addr_parse(client, &c->client, &why) == 0 &&
	       pc_addr_parse(server, &c->server, &why) == 0;
}

/* The addresses of the interfaces ifindex[0..n). */
static int iface_addrs(const int *ifindex, size_t n, struct scan *s)
{
	struct ifaddrs *all, *a;

	if (getifaddrs(&all))
		return -errno;
	for (a = all; a; a = a->ifa_next) {
		int idx = a->ifa_addr ? (int)if_nametoindex(a->ifa_name) : 0;
		struct pc_addr *p;
		bool ours = false;

		for (size_t i = 0; i < n && idx; i++)
			ours |= ifindex[i] == idx;
		if (!ours || (a->ifa_addr->sa_family != AF_INET &&
			      a->ifa_addr->sa_family != AF_INET6))
			continue;
		s->locals = pc_xrealloc(s->locals, s->nlocals + 1, sizeof(*s->locals));
		p = &s->locals[s->nlocals++];
		memset(p, 0, sizeof(*p));
		p->family = (uint8_t)a->ifa_addr->sa_family;
		if (p->family == AF_INET) {
			p->prefix = 32;
			memcpy(p->bytes, &((struct sockaddr_in *)a->ifa_addr)->sin_addr, 4);
		} else {
			p->prefix = 128;
			memcpy(p->bytes, &((struct sockaddr_in6 *)a->ifa_addr)->sin6_addr, 16);
		}
	}
	freeifaddrs(all);
	return 0;
}

static bool is_local(const struct scan *s, const struct pc_addr *a)
{
	for (size_t i = 0; i < s->nlocals; i++)
		if (pc_addr_equal(&s->locals[i], a))
			return true;
	return false;
}

static void add(struct scan *s, const struct pc_addr *local, const struct pc_tuple *t,
		enum pc_verdict_kind why, bool own_ssh)
{
	char l[PC_ADDR_STRLEN], r[PC_ADDR_STRLEN];
	struct pc_session *e;
	bool v6 = t->remote.family == AF_INET6;

	s->out->v = pc_xrealloc(s->out->v, s->out->n + 1, sizeof(*s->out->v));
	e = &s->out->v[s->out->n++];
	e->own_ssh = own_ssh;
	snprintf(e->text, sizeof(e->text), "tcp %s%s%s:%u <-> %s%s%s:%u (%s)",
		 v6 ? "[" : "", pc_addr_format(local, l), v6 ? "]" : "", t->local_port,
		 v6 ? "[" : "", pc_addr_format(&t->remote, r), v6 ? "]" : "",
		 t->remote_port, pc_verdict_name(why));
}

static void scan_one(void *ctx, const struct inet_diag_msg *d)
{
	struct scan *s = ctx;
	struct pc_verdict v, old;
	struct pc_addr local;
	struct pc_tuple t;
	bool own;

	pc_tcp_tuple(d, &t, &local);
	if (!is_local(s, &local))
		return;
	own = s->ssh.have && pc_addr_equal(&t.remote, &s->ssh.client) &&
	      pc_addr_equal(&local, &s->ssh.server) && t.remote_port == s->ssh.cport &&
	      t.local_port == s->ssh.sport;
	s->ssh.seen |= own;
	if (!pc_tcp_judge(s->rs, &t, &v) && (!s->old || pc_tcp_judge(s->old, &t, &old)))
		add(s, &local, &t, v.kind, own);
}

int pc_sessions_cut(const struct pc_ruleset *rs, const struct pc_ruleset *old,
		    const int *ifindex, size_t n, struct pc_sessions *out)
{
	struct scan s = { .rs = rs, .old = old, .out = out };
	int err;

	memset(out, 0, sizeof(*out));
	s.ssh.have = parse_ssh(getenv("SSH_CONNECTION"), &s.ssh);
	err = iface_addrs(ifindex, n, &s);
	if (!err)
		err = pc_tcp_dump(1u << TCP_ESTABLISHED, scan_one, &s);
	/* The operator's session not in this namespace's table (a socket of
	 * another namespace with the same address): judged all the same. */
	if (!err && s.ssh.have && !s.ssh.seen && is_local(&s, &s.ssh.server)) {
		struct pc_tuple t = {
			.proto = IPPROTO_TCP, .remote = s.ssh.client,
			.local_port = (uint16_t)s.ssh.sport, .remote_port = (uint16_t)s.ssh.cport,
		};
		struct pc_verdict v;

		if (!pc_tcp_judge(rs, &t, &v) && (!old || pc_tcp_judge(old, &t, &v)))
			add(&s, &s.ssh.server, &t, v.kind, true);
	}
	free(s.locals);
	if (err)
		pc_sessions_free(out);
	return err;
}

void pc_sessions_free(struct pc_sessions *s)
{
	free(s->v);
	memset(s, 0, sizeof(*s));
}
