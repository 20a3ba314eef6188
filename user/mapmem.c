// SPDX-License-Identifier: GPL-2.0-only
/* Map memory as the kernel accounts it (mapmem.h). */
#include "mapmem.h"

#include <bpf/bpf.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/* The memlock line of fd's fdinfo: bytes, 0 if it is not there. */
static uint64_t fd_memlock(int fd)
{
	char path[64], line[256];
	uint64_t bytes = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "memlock: %" SCNu64, &bytes) == 1)
			break;
	fclose(f);
	return bytes;
}

/* The maps an array of maps holds (each bank's address hash). */
static uint64_t inner_memlock(int outer)
{
	uint64_t bytes = 0;

	for (uint32_t bank = 0; bank < PC_BANKS; bank++) {
		uint32_t id;
		int fd;

		if (bpf_map_lookup_elem(outer, &bank, &id))
			continue; /* an empty slot */
		fd = bpf_map_get_fd_by_id(id);
		if (fd < 0)
			continue; /* gone meanwhile */
		bytes += fd_memlock(fd);
		close(fd);
	}
	return bytes;
}

int pc_map_memory_read(const struct pc_maps *m, struct pc_map_memory *out)
{
	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < PC_NMAPS; i++) {
		if (m->fd[i] < 0)
			return -EBADF;
		out->map_bytes[i] = fd_memlock(m->fd[i]);
		if (i == PC_MAP_INDEX_addr)
			out->map_bytes[i] += inner_memlock(m->fd[i]);
		out->bytes += out->map_bytes[i];
	}
	return 0;
}
