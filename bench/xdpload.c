// SPDX-License-Identifier: GPL-2.0-only
/*
 * xdpload: attach a benchmark XDP object (or xdp-filter's, configured from
 * a rules file) to an interface of the current namespace, in native mode,
 * and print the program id. Nothing is pinned: the attachment holds the
 * program, and deleting the namespace (or `ip link set DEV xdp off`) frees
 * it. Plain netlink attach, not libxdp's dispatcher: one program, no
 * chaining cost, the same for every candidate.
 *
 *   xdpload IFNAME OBJ [RULES]
 */
#include "xdpfilt.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>

int main(int argc, char **argv)
{
	struct bpf_prog_info info = {0};
	__u32 info_len = sizeof(info);
	struct bpf_object *obj;
	unsigned ifindex;
	int fd, err;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: xdpload IFNAME OBJ [RULES]\n");
		return 2;
	}
	ifindex = if_nametoindex(argv[1]);
	if (!ifindex) {
		fprintf(stderr, "xdpload: no interface %s here\n", argv[1]);
		return 1;
	}
	fd = bench_load_xdp(argv[2], NULL, argc == 4 ? argv[3] : NULL, &obj);
	if (fd < 0) {
		fprintf(stderr, "xdpload: cannot load %s: %s\n", argv[2], strerror(-fd));
		return 1;
	}
	err = bpf_xdp_attach(ifindex, fd, XDP_FLAGS_DRV_MODE, NULL);
	if (!err)
		err = bpf_obj_get_info_by_fd(fd, &info, &info_len);
	if (err) {
		fprintf(stderr, "xdpload: cannot attach to %s: %s\n", argv[1], strerror(-err));
		bpf_object__close(obj);
		return 1;
	}
	printf("%u\n", info.id);
	bpf_object__close(obj);
	return 0;
}
