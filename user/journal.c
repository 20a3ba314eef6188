// SPDX-License-Identifier: GPL-2.0-only
/* Journal entries for policy changes and denied packets: see journal.h. */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <systemd/sd-journal.h>

#include "compile.h"
#include "datapath.h"
#include "journal.h"

/* One entry: fields formatted into one buffer, an iovec each. */
#define MAX_FIELDS 20

struct entry {
	struct iovec iov[MAX_FIELDS];
	int n;
	size_t used;
	char text[4096];
};

static void add(struct entry *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void add(struct entry *e, const char *fmt, ...)
{
	size_t room = sizeof(e->text) - e->used;
	va_list ap;
	int len;

	if (e->n >= MAX_FIELDS || room < 2)
		return;
	va_start(ap, fmt);
	len = vsnprintf(e->text + e->used, room, fmt, ap);
	va_end(ap);
	if (len < 0)
		return;
	if ((size_t)len >= room) /* cut: the field stays, shortened */
		len = (int)room - 1;
	e->iov[e->n++] = (struct iovec){ .iov_base = e->text + e->used, .iov_len = (size_t)len };
	e->used += (size_t)len + 1;
}

static int send_entry(struct pc_journal *j, struct entry *e)
{
	int r = j->sendv(e->iov, e->n);

	/* No journald (not under systemd): stderr has the daemon's lines. */
	return r == -ENOENT || r == -ECONNREFUSED ? 0 : r;
}

static int journal_sendv(const struct iovec *iov, int n)
{
	return sd_journal_sendv(iov, n);
}

/* Each kind of entry has its MESSAGE_ID, for `journalctl MESSAGE_ID=`. */
#define ID_POLICY "MESSAGE_ID=3f1c7a52c0e94b0d9a1e6d2b7c4f8a01"
#define ID_PATH "MESSAGE_ID=3f1c7a52c0e94b0d9a1e6d2b7c4f8a02"
#define ID_REFUSED "MESSAGE_ID=3f1c7a52c0e94b0d9a1e6d2b7c4f8a03"
#define ID_DENIED "MESSAGE_ID=3f1c7a52c0e94b0d9a1e6d2b7c4f8a04"
#define ID_LEFT_OUT "MESSAGE_ID=3f1c7a52c0e94b0d9a1e6d2b7c4f8a05"

/* The names the site parser reads (settings: log-denied), in enum order. */
static const char *const denied_names[] = PC_LOG_DENIED_NAMES;

int pc_log_denied_parse(const char *s, enum pc_log_denied *out)
{
	for (size_t i = 0; i < sizeof(denied_names) / sizeof(denied_names[0]); i++)
		if (strcmp(s, denied_names[i]) == 0) {
			*out = (enum pc_log_denied)i;
			return 0;
		}
	return -EINVAL;
}

const char *pc_log_denied_name(enum pc_log_denied m)
{
	return (unsigned)m < sizeof(denied_names) / sizeof(denied_names[0]) ? denied_names[m] : "?";
}

enum pc_log_denied pc_log_denied_in_force(const char *pin_root)
{
	struct pc_bank_settings set = { 0 };
	enum pc_log_denied v = PC_LOG_DENIED_SAMPLE;
	uint32_t bank, gen;
	struct pc_maps m;

	if (pc_maps_open_pinned(&m, pin_root ? pin_root : PC_DEFAULT_PIN_ROOT))
		return v;
	if (pc_loader_state(&m, &bank, &gen) == 0 &&
	    bpf_map_lookup_elem(m.settings, &bank, &set) == 0)
		v = set.flags & PC_SET_LOG_DENIED_OFF ? PC_LOG_DENIED_OFF :
		    set.flags & PC_SET_LOG_DENIED_ALL ? PC_LOG_DENIED_ALL : PC_LOG_DENIED_SAMPLE;
	pc_maps_close(&m);
	return v;
}

void pc_journal_init(struct pc_journal *j, enum pc_log_denied denied)
{
	*j = (struct pc_journal){ .denied = denied, .events_fd = -1, .sendv = journal_sendv };
}

int pc_journal_policy(struct pc_journal *j, const char *who, const char *site,
		      const struct pc_ctl_res *res)
{
	const struct pc_ruleset_diff *d = &res->diff;
	struct entry e = { 0 };
	int err;

	add(&e, "MESSAGE=portcullis: policy generation %u -> %u in force (%s, %zu rules) from %s, by %s: "
	    "paths: %zu changed, %zu added, %zu removed, %zu unchanged",
	    res->old_generation, res->generation, res->name ? res->name : "?", res->nrules,
	    site ? site : "the recorded site", who, d->changed, d->added, d->removed, d->unchanged);
	add(&e, ID_POLICY);
	add(&e, "PRIORITY=%d", LOG_NOTICE);
	add(&e, "PORTCULLIS_EVENT=policy");
	add(&e, "PORTCULLIS_WHO=%s", who);
	add(&e, "PORTCULLIS_SITE=%s", site ? site : "");
	add(&e, "PORTCULLIS_HOST=%s", res->name ? res->name : "");
	add(&e, "PORTCULLIS_GENERATION=%u", res->generation);
	add(&e, "PORTCULLIS_OLD_GENERATION=%u", res->old_generation);
	add(&e, "PORTCULLIS_RULES=%zu", res->nrules);
	add(&e, "PORTCULLIS_CHANGED=%zu", d->changed);
	add(&e, "PORTCULLIS_ADDED=%zu", d->added);
	add(&e, "PORTCULLIS_REMOVED=%zu", d->removed);
	err = send_entry(j, &e);
	for (size_t i = 0; !err && res->have_diff && i < d->count; i++) {
		const struct pc_path_change *c = &d->changes[i];
		const char *kind = pc_change_kind_name(c->kind);

		e = (struct entry){ 0 };
		add(&e, "MESSAGE=portcullis: path %s %s%s%s", c->path, kind,
		    c->detail && *c->detail ? ": " : "", c->detail ? c->detail : "");
		add(&e, ID_PATH);
		add(&e, "PRIORITY=%d", LOG_INFO);
		add(&e, "PORTCULLIS_EVENT=path-%s", kind);
		add(&e, "PORTCULLIS_PATH=%s", c->path);
		add(&e, "PORTCULLIS_CHANGE=%s", kind);
		add(&e, "PORTCULLIS_DETAIL=%s", c->detail ? c->detail : "");
		add(&e, "PORTCULLIS_GENERATION=%u", res->generation);
		add(&e, "PORTCULLIS_WHO=%s", who);
		err = send_entry(j, &e);
	}
	return err;
}

int pc_journal_refused(struct pc_journal *j, const char *who, const char *site)
{
	struct entry e = { 0 };

	add(&e, "MESSAGE=portcullis: the policy from %s (by %s) was refused; the policy in force is unchanged",
	    site ? site : "the recorded site", who);
	add(&e, ID_REFUSED);
	add(&e, "PRIORITY=%d", LOG_ERR);
	add(&e, "PORTCULLIS_EVENT=policy-refused");
	add(&e, "PORTCULLIS_WHO=%s", who);
	add(&e, "PORTCULLIS_SITE=%s", site ? site : "");
	return send_entry(j, &e);
}

static void address(const struct pc_event *e, const uint8_t *a, char buf[INET6_ADDRSTRLEN])
{
	int af = e->family == PC_AF_INET ? AF_INET : e->family == PC_AF_INET6 ? AF_INET6 : 0;

	if (!af || !inet_ntop(af, a, buf, INET6_ADDRSTRLEN))
		strcpy(buf, "-");
}

static int left_out_entry(struct pc_journal *j)
{
	struct entry e = { 0 };
	unsigned long long n = j->left_out;

	j->left_out = 0;
	add(&e, "MESSAGE=portcullis: %llu denied packets not logged (log-denied: sample, at most %d a second)",
	    n, PC_LOG_DENIED_PER_SEC);
	add(&e, ID_LEFT_OUT);
	add(&e, "PRIORITY=%d", LOG_WARNING);
	add(&e, "PORTCULLIS_EVENT=denied-left-out");
	add(&e, "PORTCULLIS_LEFT_OUT=%llu", n);
	return send_entry(j, &e);
}

const char *pc_event_direction(const struct pc_event *e)
{
	if (e->forwarded)
		return "forward";
	return e->dir == PC_DIR_OUT ? "egress" : "ingress";
}

int pc_journal_denied(struct pc_journal *j, const struct pc_event *ev)
{
	static const char *const reasons[] = PC_DROP_REASON_NAMES;
	char src[INET6_ADDRSTRLEN], dst[INET6_ADDRSTRLEN], sp[8] = "", dp[8] = "";
	const char *reason = ev->reason < PC_DROP_REASONS ? reasons[ev->reason] : "?";
	const char *dir = pc_event_direction(ev);
	const char *proto = pc_proto_name(ev->proto);
	uint64_t second = ev->ts_ns / 1000000000ULL;
	struct entry e = { 0 };
	int err = 0;

	if (j->denied == PC_LOG_DENIED_OFF)
		return 0;
	if (j->denied == PC_LOG_DENIED_SAMPLE) {
		if (second != j->window) {
			if (j->left_out)
				err = left_out_entry(j);
			j->window = second;
			j->in_window = 0;
		}
		if (j->in_window >= PC_LOG_DENIED_PER_SEC) {
			j->left_out++;
			return err;
		}
		j->in_window++;
	}
	address(ev, ev->saddr, src);
	address(ev, ev->daddr, dst);
	if (ev->proto == IPPROTO_TCP || ev->proto == IPPROTO_UDP) {
		snprintf(sp, sizeof(sp), ":%u", ntohs(ev->sport));
		snprintf(dp, sizeof(dp), ":%u", ntohs(ev->dport));
	}
	add(&e, "MESSAGE=portcullis: %s %s %s%s > %s%s (%s, %s)", ev->audit ? "would deny" : "denied",
	    proto, src, sp, dst, dp, dir, reason);
	add(&e, ID_DENIED);
	add(&e, "PRIORITY=%d", LOG_WARNING);
	add(&e, "PORTCULLIS_EVENT=denied");
	add(&e, "PORTCULLIS_REASON=%s", reason);
	add(&e, "PORTCULLIS_VERDICT=%s", ev->audit ? "audit-pass" : "drop");
	add(&e, "PORTCULLIS_DIRECTION=%s", dir);
	add(&e, "PORTCULLIS_PROTO=%s", proto);
	add(&e, "PORTCULLIS_SRC=%s", src);
	add(&e, "PORTCULLIS_DST=%s", dst);
	if (*sp) {
		add(&e, "PORTCULLIS_SRC_PORT=%s", sp + 1);
		add(&e, "PORTCULLIS_DST_PORT=%s", dp + 1);
	}
	add(&e, "PORTCULLIS_BYTES=%u", ev->len);
	return send_entry(j, &e) ?: err;
}

static int on_event(void *ctx, void *data, size_t size)
{
	if (size >= sizeof(struct pc_event))
		pc_journal_denied(ctx, data);
	return 0;
}

int pc_journal_denied_open(struct pc_journal *j, const char *pin_root)
{
	char path[PATH_MAX];
	int err;

	/* Off: leave the ring to `portcullis monitor` (one reader gets each event). */
	if (j->denied == PC_LOG_DENIED_OFF)
		return -ECANCELED;
	snprintf(path, sizeof(path), "%s/maps/%s", pin_root ? pin_root : PC_DEFAULT_PIN_ROOT,
		 PC_MAP_NAME(events));
	j->events_fd = bpf_obj_get(path);
	if (j->events_fd < 0)
		return -errno;
	j->rb = ring_buffer__new(j->events_fd, on_event, j, NULL);
	if (!j->rb) {
		err = -errno;
		close(j->events_fd);
		j->events_fd = -1;
		return err;
	}
	return ring_buffer__epoll_fd(j->rb);
}

void pc_journal_denied_read(struct pc_journal *j)
{
	if (j->rb)
		ring_buffer__consume(j->rb);
}

void pc_journal_close(struct pc_journal *j)
{
	if (j->denied == PC_LOG_DENIED_SAMPLE && j->left_out)
		left_out_entry(j);
	ring_buffer__free(j->rb);
	j->rb = NULL;
	if (j->events_fd >= 0)
		close(j->events_fd);
	j->events_fd = -1;
}
