// SPDX-License-Identifier: GPL-2.0-only
/*
 * xdp-filter's map layout (xdp-tools, xdp-filter/xdpfilt_prog.h and
 * common_kern_user.h): filter_ports is a per-CPU array indexed by the port
 * as the packet holds it (network order, in a u32 key); filter_ipv4/ipv6 are
 * per-CPU hashes keyed by the address. Each value's low bits are flags
 * (SRC 1, DST 2, TCP 4, UDP 8), a counter lives above bit 6, and an entry
 * matches when all the flags the packet needs are set. The dny_* objects
 * drop on a miss and pass on a match: an allow list.
 *
 * Rules file, one entry a line ('#' comments):
 *   tcp|udp src|dst PORT[-PORT]     ip src|dst ADDRESS
 */
#include "xdpfilt.h"

#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FL_SRC 1
#define FL_DST 2
#define FL_TCP 4
#define FL_UDP 8

/* Per-CPU maps take one value per possible CPU: OR the flags into all. */
static int or_flags(int fd, const void *key, uint64_t flags)
{
	int n = libbpf_num_possible_cpus();
	uint64_t *v;
	int err;

	if (n < 0)
		return n;
	v = calloc(n, sizeof(*v));
	if (!v)
		return -ENOMEM;
	if (bpf_map_lookup_elem(fd, key, v))
		memset(v, 0, n * sizeof(*v));
	for (int i = 0; i < n; i++)
		v[i] |= flags;
	err = bpf_map_update_elem(fd, key, v, BPF_ANY) ? -errno : 0;
	free(v);
	return err;
}

static int configure(struct bpf_object *obj, const char *rules)
{
	struct bpf_map *ports = bpf_object__find_map_by_name(obj, "filter_ports");
	struct bpf_map *v4 = bpf_object__find_map_by_name(obj, "filter_ipv4");
	struct bpf_map *v6 = bpf_object__find_map_by_name(obj, "filter_ipv6");
	char line[256], proto[8], dir[8], val[64];
	int err = 0, lineno = 0;
	FILE *f = fopen(rules, "r");

	if (!f)
		return -errno;
	while (!err && fgets(line, sizeof(line), f)) {
		uint64_t fl;

		lineno++;
		line[strcspn(line, "#\n")] = 0;
		if (sscanf(line, "%7s %7s %63s", proto, dir, val) != 3)
			continue;
		fl = !strcmp(dir, "src") ? FL_SRC : FL_DST;
		if (!strcmp(proto, "ip")) {
			uint8_t a[16];
			int is6 = strchr(val, ':') != NULL;
			struct bpf_map *m = is6 ? v6 : v4;

			if (!m || inet_pton(is6 ? AF_INET6 : AF_INET, val, a) != 1)
				err = -EINVAL;
			else
				err = or_flags(bpf_map__fd(m), a, fl);
		} else {
			unsigned lo, hi;
			int n = sscanf(val, "%u-%u", &lo, &hi);

			if (n == 1)
				hi = lo;
			if (!ports || n < 1 || lo > hi || hi > 65535) {
				err = -EINVAL;
				break;
			}
			fl |= !strcmp(proto, "tcp") ? FL_TCP : FL_UDP;
			for (unsigned p = lo; !err && p <= hi; p++) {
				uint32_t key = htons((uint16_t)p);

				err = or_flags(bpf_map__fd(ports), &key, fl);
			}
		}
		if (err)
			fprintf(stderr, "bench: %s:%d: cannot apply '%s'\n",
				rules, lineno, line);
	}
	fclose(f);
	return err;
}

/* libbpf's info lines (e.g. xdp-filter's sections it skips) are noise here;
 * its warnings are not. */
static int quiet_print(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	return lvl == LIBBPF_WARN ? vfprintf(stderr, fmt, ap) : 0;
}

int bench_load_xdp(const char *path, const char *prog_name, const char *rules,
		   struct bpf_object **objp)
{
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_map *map;
	int err;

	libbpf_set_print(quiet_print);
	obj = bpf_object__open_file(path, NULL);
	if (!obj)
		return -errno;
	bpf_object__for_each_map(map, obj)
		bpf_map__set_pin_path(map, NULL);
	prog = prog_name ? bpf_object__find_program_by_name(obj, prog_name) :
			   bpf_object__next_program(obj, NULL);
	if (!prog) {
		err = -ENOENT;
		goto fail;
	}
	bpf_program__set_type(prog, BPF_PROG_TYPE_XDP);
	err = bpf_object__load(obj);
	if (err)
		goto fail;
	if (rules) {
		err = configure(obj, rules);
		if (err)
			goto fail;
	}
	*objp = obj;
	return bpf_program__fd(prog);
fail:
	bpf_object__close(obj);
	return err;
}
