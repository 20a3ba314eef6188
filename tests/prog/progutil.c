// SPDX-License-Identifier: GPL-2.0-only
#include "progutil.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "datapath.h"
#include "portcullis.skel.h"

const char px_site[] =
	"site: prog-tests\n"
	"hosts:\n"
	"  - name: mgr\n"
	"    kinds: [management-server]\n"
	"    os: windows\n"
	"    addresses: [192.0.2.10, \"2001:db8::10\"]\n"
	"  - name: desk\n"
	"    kinds: [management-client]\n"
	"    addresses: [192.0.2.64/26, \"2001:db8:100::/64\"]\n"
	"  - name: web\n"
	"    kinds: [linux]\n"
	"    os: linux\n"
	"    addresses: [198.51.100.11, \"2001:db8:0:2::11\"]\n"
	"  - name: win\n"
	"    kinds: [windows]\n"
	"    os: windows\n"
	"    addresses: [198.51.100.21]\n"
	"  - name: hv\n"
	"    kinds: [hyper-v]\n"
	"    os: windows\n"
	"    addresses: [198.51.100.22]\n"
	"  - name: vm\n"
	"    kinds: [esxi]\n"
	"    addresses: [198.51.100.23]\n"
	"  - name: bmc\n"
	"    kinds: [bmc]\n"
	"    addresses: [203.0.113.0/28]\n"
	"  - name: svp\n"
	"    kinds: [svp]\n"
	"    addresses: [203.0.113.20]\n"
	"  - name: hvm\n"
	"    kinds: [hvm]\n"
	"    addresses: [203.0.113.21]\n"
	"  - name: mail\n"
	"    kinds: [smtp-server]\n"
	"    addresses: [192.0.2.25]\n"
	"  - name: dm\n"
	"    kinds: [device-manager]\n"
	"    addresses: [192.0.2.26]\n"
	"  - name: auth\n"
	"    kinds: [auth-server]\n"
	"    addresses: [\"2001:db8:1::88\"]\n"
	"  - name: dhcp\n"
	"    kinds: [dhcp-server]\n"
	"    addresses: [192.0.2.67]\n"
	"segments: [192.0.2.0/24, 198.51.100.0/24]\n";

static int quiet_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level == LIBBPF_WARN || getenv("PC_TEST_VERBOSE"))
		return vfprintf(stderr, fmt, ap);
	return 0;
}

void fx_open_sized(struct fx *f, uint32_t max_connections)
{
	memset(f, 0, sizeof(*f));
	libbpf_set_print(quiet_print);
	f->skel = portcullis__open();
	if (!f->skel || pc_dp_size_ct(f->skel, max_connections) ||
	    portcullis__load(f->skel))
		fail_msg("cannot load the BPF object: %s", strerror(errno));
	pc_maps_from_skel(&f->maps, f->skel);
}

void fx_open(struct fx *f)
{
	fx_open_sized(f, 0);
}

void fx_load_host(struct fx *f, const char *host, enum pc_mode mode)
{
	struct pc_settings s = f->policy.settings;
	struct pc_load_info info;
	int err;

	if (f->have_rs)
		pc_ruleset_free(&f->rs);
	f->have_rs = false;
	if (pc_compile_host(&f->policy, host, &f->rs))
		fail_msg("no host %s", host);
	f->have_rs = true;
	s.mode = mode;
	err = pc_loader_load(&f->maps, &f->rs, &s, &info);
	if (err)
		fail_msg("loading %s: %s", host, strerror(-err));
	assert_int_equal(info.nrules, f->rs.nrules);
}

void fx_load(struct fx *f, const char *site, const char *host, enum pc_mode mode)
{
	struct pc_diags d = { 0 };
	int err;

	err = pc_policy_load_text(&f->policy, "catalog.yaml", pc_builtin_catalog,
				  pc_builtin_catalog_len, "site.yaml", site,
				  strlen(site), &d);
	if (err) {
		pc_diags_print(&d);
		pc_diags_free(&d);
		fail_msg("the test site does not load");
	}
	pc_diags_free(&d);
	f->have_policy = true;
	fx_load_host(f, host, mode);
}

void fx_close(struct fx *f)
{
	if (f->have_rs)
		pc_ruleset_free(&f->rs);
	if (f->have_policy)
		pc_policy_free(&f->policy);
	portcullis__destroy(f->skel);
	memset(f, 0, sizeof(*f));
}

static void clear_map(int fd, size_t key_size)
{
	unsigned char key[64];

	while (bpf_map_get_next_key(fd, NULL, key) == 0)
		if (bpf_map_delete_elem(fd, key))
			break;
	(void)key_size;
}

/* The stamps (pc_ct_seen, mmapable): PC_CT_SEEN_SLOTS 4-byte slots, two
 * to each 8-byte value of the array, so one __u32 array as mapped. Every
 * slot cleared, or moved age_units units (2^30 ns) back. */
#define STAMPS_SIZE (PC_CT_SEEN_SLOTS * sizeof(uint32_t))

static void stamps_rewrite(struct fx *f, bool clear, uint32_t age_units)
{
	uint32_t *v = mmap(NULL, STAMPS_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			   f->maps.ct_seen, 0);

	assert_true(v != MAP_FAILED);
	if (clear)
		memset(v, 0, STAMPS_SIZE);
	for (uint32_t i = 0; !clear && i < PC_CT_SEEN_SLOTS; i++)
		if (v[i])
			v[i] = (v[i] & 0xffff0000u) | ((v[i] - age_units) & 0xffffu);
	munmap(v, STAMPS_SIZE);
}

/* Every element of every CPU's cache of established connections (the
 * datapath's pc_ct_cache) emptied, or its verdict made to hold for hours
 * of jiffies (its last field is the jiffies it holds until). */
static void cache_rewrite(struct fx *f, bool clear)
{
	const struct bpf_map *map = f->skel->maps.pc_ct_cache;
	size_t value = bpf_map__value_size(map);
	int ncpus = libbpf_num_possible_cpus(), fd = bpf_map__fd(map);
	unsigned char *v = calloc((size_t)ncpus, value);

	assert_non_null(v);
	for (__u32 i = 0; i < bpf_map__max_entries(map); i++) {
		if (!clear)
			assert_int_equal(bpf_map_lookup_elem(fd, &i, v), 0);
		for (int c = 0; c < ncpus && !clear; c++) {
			uint64_t *until = (uint64_t *)(v + (size_t)c * value + value - 8);

			if (*until)
				*until += 1u << 24; /* jiffies: hours at any HZ */
		}
		assert_int_equal(bpf_map_update_elem(fd, &i, v, BPF_ANY), 0);
	}
	free(v);
}

/* What the clock moved back by seconds does to the cached verdicts, which
 * hold for a clock tick. */
void fx_forget_cached(struct fx *f)
{
	cache_rewrite(f, true);
}

/* As if the packets that follow came within the clock tick a verdict
 * holds, however slow the test. */
void fx_hold_cached(struct fx *f)
{
	cache_rewrite(f, false);
}

void fx_evict_established(struct fx *f)
{
	clear_map(f->maps.ct, sizeof(struct pc_ct_key));
}

void fx_clear_tracking(struct fx *f)
{
	clear_map(f->maps.ct, sizeof(struct pc_ct_key));
	clear_map(f->maps.ct_new, sizeof(struct pc_ct_key));
	clear_map(f->maps.frags, sizeof(struct pc_frag_key));
	stamps_rewrite(f, true, 0);
	fx_forget_cached(f);
}

uint32_t fx_stamps(struct fx *f)
{
	uint32_t *v = mmap(NULL, STAMPS_SIZE, PROT_READ, MAP_SHARED, f->maps.ct_seen, 0);
	uint32_t live = 0;

	assert_true(v != MAP_FAILED);
	for (uint32_t i = 0; i < PC_CT_SEEN_SLOTS; i++)
		live += v[i] != 0;
	munmap(v, STAMPS_SIZE);
	return live;
}

void fx_stamp_slots(struct fx *f, uint32_t *slots)
{
	uint32_t *v = mmap(NULL, STAMPS_SIZE, PROT_READ, MAP_SHARED, f->maps.ct_seen, 0);

	assert_true(v != MAP_FAILED);
	memcpy(slots, v, STAMPS_SIZE);
	munmap(v, STAMPS_SIZE);
}

void fx_age_tracking(struct fx *f, unsigned secs)
{
	int fds[2] = { f->maps.ct, f->maps.ct_new };

	for (int i = 0; i < 2; i++) {
		struct pc_ct_key k, next, *prev = NULL;
		struct pc_ct_value v;

		while (bpf_map_get_next_key(fds[i], prev, &next) == 0) {
			k = next;
			prev = &k;
			if (bpf_map_lookup_elem(fds[i], &k, &v))
				continue;
			v.last_seen_ns -= (uint64_t)secs * 1000000000ull;
			bpf_map_update_elem(fds[i], &k, &v, BPF_EXIST);
		}
	}
	fx_forget_cached(f);
	/* Stamps count in units of 2^30 ns: at least secs back. */
	stamps_rewrite(f, false,
		       (uint32_t)(((uint64_t)secs * 1000000000ull + (1u << 30) - 1) >> 30));
}

bool fx_run(struct fx *f, int dir, const struct pkt *p)
{
	struct bpf_program *prog = dir ? f->skel->progs.pc_tc_egress :
					 f->skel->progs.pc_xdp_ingress;
	uint8_t out[PKT_MAX + 512];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p->b,
		    .data_size_in = (__u32)p->len, .data_out = out,
		    .data_size_out = sizeof(out), .repeat = 1);
	int err;

	err = bpf_prog_test_run_opts(bpf_program__fd(prog), &opts);
	if (err)
		fail_msg("BPF_PROG_TEST_RUN (%s, %zu bytes): %s", dir ? "tc" : "xdp",
			 p->len, strerror(errno));
	if (dir)
		return opts.retval == TC_ACT_OK;
	assert_true(opts.retval == XDP_PASS || opts.retval == XDP_DROP);
	return opts.retval == XDP_PASS;
}

static uint32_t slot_of(struct fx *f, const char *path)
{
	struct pc_path_name n;

	if (!path)
		return PC_PATH_OTHER;
	for (uint32_t i = 1; i < PC_MAX_PATHS; i++) {
		if (bpf_map_lookup_elem(f->maps.path_names, &i, &n))
			break;
		if (!strcmp(n.id, path))
			return i;
	}
	fail_msg("path %s has no counter slot", path);
	return 0;
}

uint64_t fx_path_packets(struct fx *f, const char *path, int dir)
{
	struct pc_counter c;

	if (dir == PC_DIR_FWD)
		assert_int_equal(pc_counter_read(f->maps.fwd_stats,
						 PC_FWD_PATH(slot_of(f, path)), &c), 0);
	else
		assert_int_equal(pc_counter_read(f->maps.path_stats,
						 slot_of(f, path) * 2 + (uint32_t)dir, &c), 0);
	return c.packets;
}

uint64_t fx_drop_packets(struct fx *f, int reason, int dir)
{
	struct pc_counter c;

	if (dir == PC_DIR_FWD)
		assert_int_equal(pc_counter_read(f->maps.fwd_stats,
						 PC_FWD_DROP((uint32_t)reason), &c), 0);
	else
		assert_int_equal(pc_counter_read(f->maps.drops, (uint32_t)reason * 2 +
						 (uint32_t)dir, &c), 0);
	return c.packets;
}

int px_expect(const struct pc_ruleset *rs, const struct pc_tuple *t,
	      const char **path)
{
	struct pc_tuple rev = *t;
	struct pc_verdict v, rv;

	*path = NULL;
	pc_classify(rs, t, &v);
	if (v.kind == PC_VERDICT_PASS) {
		*path = v.rule->flow->id;
		return PC_DROP_NONE;
	}
	rev.dir = t->dir == PC_DIR_INGRESS ? PC_DIR_EGRESS : PC_DIR_INGRESS;
	rev.to_broadcast = false;
	pc_classify(rs, &rev, &rv);
	if (rv.kind == PC_VERDICT_PASS)
		return PC_DROP_NO_CONNTRACK;
	return v.kind == PC_VERDICT_WRONG_PEER ? PC_DROP_WRONG_PEER : PC_DROP_NO_RULE;
}

void px_addr_inside(const struct pc_addr *a, char *buf, size_t len)
{
	struct pc_addr x = *a;
	int max = pc_addr_maxlen(a);

	if (a->prefix < max) {
		int last = (max / 8) - 1;

		x.bytes[last] |= 1; /* network + 1: inside any prefix < /32 */
	}
	inet_ntop(a->family, x.bytes, buf, (socklen_t)len);
}

const char *px_local_addr(const struct pc_ruleset *rs, int family, char *buf,
			  size_t len)
{
	for (size_t i = 0; rs->host && i < rs->host->naddrs; i++) {
		if (rs->host->addrs[i].family == family) {
			px_addr_inside(&rs->host->addrs[i], buf, len);
			return buf;
		}
	}
	snprintf(buf, len, "%s", family == AF_INET ? "192.0.2.200" : "2001:db8::200");
	return buf;
}

int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	fx_open(f);
	*state = f;
	return 0;
}

int fx_teardown(void **state)
{
	struct fx *f = *state;

	fx_close(f);
	free(f);
	return 0;
}
