// SPDX-License-Identifier: GPL-2.0-only
/* portcullis monitor: the packets being denied, as they are denied. */
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <limits.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "compile.h"
#include "datapath.h"
#include "journal.h"
#include "metrics.h"
#include "portcullis.h"

#define STR_(x) #x
#define STR(x) STR_(x)

struct monitor {
	const char *pin_root;
	long count;   /* 0: no limit */
	long seconds; /* 0: no limit */
	bool json;
	long seen;
	long stale;          /* queued before monitor started: not shown */
	double mono_to_real; /* add to CLOCK_MONOTONIC seconds for wall time */
	double start;        /* CLOCK_MONOTONIC seconds at start */
};

static const struct pc_opt monitor_opts[] = {
	PC_OPT_JSON("one JSON object per line", struct monitor, json),
	PC_OPT_POSITIVE("count", "N", "stop after N packets", struct monitor, count),
	PC_OPT_POSITIVE("seconds", "S", "stop after S seconds", struct monitor, seconds),
	PC_OPT_PIN_ROOT(struct monitor, pin_root),
	{ 0 },
};

const struct pc_cmd_opts pc_monitor_cmd = {
	.cmd = "monitor",
	.about =
	"Prints the packets portcullis denies (in audit mode: would deny) as they\n"
	"happen: time, direction (ingress, egress, or forward: a packet a gateway\n"
	"forwards), drop reason, protocol, addresses and ports. The\n"
	"kernel reports at most " STR(PC_EVENTS_PER_SEC) " a second on each CPU so that a flood\n"
	"cannot starve this command; on exit it says how many it left out.\n"
	"Packets denied before it started are skipped (and counted on exit).\n"
	"It says \"watching\" on stderr once it reads the ring.\n"
	"Stops on Ctrl-C, after N packets, or after S seconds.",
	.opts = monitor_opts,
};

/* The kernel stamps events with a clock read once per jiffy (up to 10 ms
 * behind): an event this much older than the start may still be live. */
#define STALE_MARGIN_S 0.010

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static const char *proto_name(uint8_t proto, char buf[8])
{
	const char *name = pc_proto_name(proto);

	if (strcmp(name, "?") != 0)
		return name;
	snprintf(buf, 8, "%u", proto);
	return buf;
}

static void endpoint(const struct pc_event *e, const uint8_t *addr, uint16_t port_be,
		     char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN] = "-";
	bool ports = e->proto == IPPROTO_TCP || e->proto == IPPROTO_UDP;

	if (e->family == PC_AF_INET)
		inet_ntop(AF_INET, addr, a, sizeof(a));
	else if (e->family == PC_AF_INET6)
		inet_ntop(AF_INET6, addr, a, sizeof(a));
	if (!ports)
		snprintf(buf, len, "%s", a);
	else if (e->family == PC_AF_INET6)
		snprintf(buf, len, "[%s]:%u", a, ntohs(port_be));
	else
		snprintf(buf, len, "%s:%u", a, ntohs(port_be));
}

static int on_event(void *ctx, void *data, size_t size)
{
	static const char *const reasons[] = PC_DROP_REASON_NAMES;
	struct monitor *mo = ctx;
	const struct pc_event *e = data;
	char src[64], dst[64], when[32], pbuf[8];
	const char *dir;
	double t;
	time_t secs;
	struct tm tm;

	if (size < sizeof(*e))
		return 0;
	/* One poll hands over everything queued: print exactly --count. */
	if (mo->count && mo->seen >= mo->count)
		return 0;
	/* Drops from before we started are history, not what is happening. */
	if ((double)e->ts_ns / 1e9 < mo->start - STALE_MARGIN_S) {
		mo->stale++;
		return 0;
	}
	t = (double)e->ts_ns / 1e9 + mo->mono_to_real;
	secs = (time_t)t;
	localtime_r(&secs, &tm);
	strftime(when, sizeof(when), "%H:%M:%S", &tm);
	endpoint(e, e->saddr, e->sport, src, sizeof(src));
	endpoint(e, e->daddr, e->dport, dst, sizeof(dst));
	dir = pc_event_direction(e);
	if (mo->json) {
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "time", json_object_new_double(t));
		json_object_object_add(o, "direction", json_object_new_string(dir));
		json_object_object_add(o, "reason", json_object_new_string(
					       e->reason < PC_DROP_REASONS ? reasons[e->reason] : "?"));
		json_object_object_add(o, "verdict", json_object_new_string(e->audit ? "audit-pass" : "drop"));
		json_object_object_add(o, "protocol", json_object_new_string(proto_name(e->proto, pbuf)));
		json_object_object_add(o, "source", json_object_new_string(src));
		json_object_object_add(o, "destination", json_object_new_string(dst));
		json_object_object_add(o, "bytes", json_object_new_int64(e->len));
		puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
							JSON_C_TO_STRING_NOSLASHESCAPE));
		json_object_put(o);
	} else {
		printf("%s.%03d %-8s %-10s %-12s %-6s %s > %s (%u bytes)\n", when,
		       (int)((t - (double)secs) * 1000), dir,
		       e->audit ? "audit-pass" : "drop",
		       e->reason < PC_DROP_REASONS ? reasons[e->reason] : "?",
		       proto_name(e->proto, pbuf), src, dst, e->len);
	}
	fflush(stdout);
	mo->seen++;
	if (mo->count && mo->seen >= mo->count)
		stop = 1;
	return 0;
}

/* Events the kernel left out, summed over CPUs. */
unsigned long long pc_events_suppressed(int fd)
{
	int ncpu = libbpf_num_possible_cpus();
	struct pc_event_budget *v;
	unsigned long long sum = 0;
	uint32_t zero = 0;

	if (fd < 0 || ncpu <= 0)
		return 0;
	v = calloc((size_t)ncpu, sizeof(*v));
	if (v && bpf_map_lookup_elem(fd, &zero, v) == 0)
		for (int i = 0; i < ncpu; i++)
			sum += v[i].suppressed;
	free(v);
	return sum;
}

int pc_cmd_monitor(int argc, char **argv)
{
	struct monitor mo = { .pin_root = PC_DEFAULT_PIN_ROOT };
	char path[PATH_MAX + 64];
	struct ring_buffer *rb;
	unsigned long long left_before;
	int rc, fd, budget_fd;
	double deadline;

	rc = pc_opts_parse(&pc_monitor_cmd, argc, argv, &mo);
	if (rc >= 0)
		return rc;
	snprintf(path, sizeof(path), "%s/maps/%s", mo.pin_root, PC_MAP_NAME(events));
	fd = bpf_obj_get(path);
	if (fd < 0) {
		rc = -errno;
		pc_err("cannot open %s: %s", path, rc == -ENOENT ?
		       "nothing is attached there (or it was attached by an older portcullis)" :
		       pc_strerror(rc));
		return PC_EXIT_POLICY;
	}
	snprintf(path, sizeof(path), "%s/maps/%s", mo.pin_root, PC_MAP_NAME(event_budget));
	budget_fd = bpf_obj_get(path);
	left_before = pc_events_suppressed(budget_fd);
	mo.mono_to_real = clock_s(CLOCK_REALTIME) - clock_s(CLOCK_MONOTONIC);
	mo.start = clock_s(CLOCK_MONOTONIC);
	rb = ring_buffer__new(fd, on_event, &mo, NULL);
	if (!rb) {
		pc_err("cannot read the event ring: %s", pc_strerror(-errno));
		close(fd);
		return PC_EXIT_POLICY;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	/* The line scripts wait for: from here on no denied packet is missed. */
	pc_info("monitor: watching denied packets under %s", mo.pin_root);
	deadline = mo.seconds ? clock_s(CLOCK_MONOTONIC) + (double)mo.seconds : 0;
	while (!stop && (!deadline || clock_s(CLOCK_MONOTONIC) < deadline)) {
		int n = ring_buffer__poll(rb, 200);

		if (n < 0 && n != -EINTR) {
			pc_err("reading the event ring: %s", pc_strerror(n));
			break;
		}
	}
	ring_buffer__free(rb);
	if (!mo.json)
		fprintf(stderr, "portcullis: monitor: %ld shown, %llu left out by the rate limit, %ld from before the start skipped\n",
			mo.seen, pc_events_suppressed(budget_fd) - left_before, mo.stale);
	if (budget_fd >= 0)
		close(budget_fd);
	close(fd);
	return PC_EXIT_OK;
}
