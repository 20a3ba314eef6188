// SPDX-License-Identifier: GPL-2.0-only
/* Loading, querying and freeing a policy (catalog + site). */
#include "policy.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "policy_parse.h"
#include "yaml_tree.h"

/* The parties of HCSM's port table, A.4. */
static const char *const builtin_kinds[] = {
	"management-server", "management-client", "windows", "hyper-v",
	"linux", "esxi", "svp", "bmc", "hvm", "smtp-server", "device-manager",
	"auth-server", "dhcp-server",
};

#define MAX_POLICY_FILE (256u << 20)

static void set_defaults(struct pc_policy *p)
{
	p->nkinds = sizeof(builtin_kinds) / sizeof(*builtin_kinds);
	p->nbuiltin_kinds = p->nkinds;
	for (size_t i = 0; i < p->nkinds; i++)
		p->kinds[i] = pc_xstrdup(builtin_kinds[i]);
	p->settings = (struct pc_settings){
		.mode = PC_MODE_ENFORCE,
		.icmp_echo = true,
		.non_ip = PC_NON_IP_LINK_LAYER,
		.log_denied = PC_LOG_DENIED_SAMPLE,
		.ct_tcp_established = 7200,
		.ct_tcp_transitory = 120,
		.ct_udp = 60,
		.ct_icmp = 30,
	};
}

const char *pc_non_ip_meaning(enum pc_non_ip v)
{
	switch (v) {
	case PC_NON_IP_PERMISSIVE:
		return "every frame that is not IP passes";
	case PC_NON_IP_STRICT:
		return "frames that are not IP are dropped, except ARP";
	default:
		return "frames that are not IP are dropped, except ARP, 802.1X and LLDP";
	}
}

static bool site_has(const struct pc_policy *p, const char *kind,
		     bool (*pred)(const struct pc_policy *, const struct pc_host *))
{
	int k = pc_policy_find_kind(p, kind);

	for (size_t i = 0; k >= 0 && i < p->nhosts; i++)
		if ((p->hosts[i].kinds & (1ull << k)) && pred(p, &p->hosts[i]))
			return true;
	return false;
}

static bool is_windows(const struct pc_policy *p, const struct pc_host *h)
{
	(void)p;
	return h->os && strcmp(h->os, "windows") == 0;
}

static bool is_not_server(const struct pc_policy *p, const struct pc_host *h)
{
	return !(h->kinds & (1ull << pc_policy_find_kind(p, "management-server")));
}

/*
 * With a site file, parts the site does not switch follow the site itself:
 * Deployment Manager runs only on a Windows management server,
 * and A-3 note 1's DHCP rows only occur with a separate DHCP server.
 * Without a site file every part is on: the whole catalog.
 */
static void derive_parts(struct pc_policy *p)
{
	for (size_t i = 0; i < p->nparts; i++) {
		struct pc_part *part = &p->parts[i];

		if (part->set_at.line)
			continue;
		if (strcmp(part->name, "deployment-manager") == 0)
			part->enabled = site_has(p, "management-server", is_windows);
		else if (strcmp(part->name, "separate-dhcp-server") == 0)
			part->enabled = site_has(p, "dhcp-server", is_not_server);
	}
}

static int load_tree(struct pc_policy *p, int slot, const char *file,
		     const char *text, size_t len, struct pc_diags *d,
		     bool site)
{
	struct pc_parse ctx = { .p = p, .d = d, .site = site };
	struct pc_ytree tree;
	int err;

	err = pc_ytree_parse(&tree, file, text, len, d);
	/* Positions point at this name: the policy keeps it. */
	p->files[slot] = tree.file;
	tree.file = NULL;
	if (!err)
		err = site ? pc_parse_site(&ctx, tree.root) :
			     pc_parse_catalog(&ctx, tree.root);
	pc_ytree_free(&tree);
	return err;
}

int pc_policy_load_text(struct pc_policy *p, const char *catalog_file,
			const char *catalog_text, size_t catalog_len,
			const char *site_file, const char *site_text,
			size_t site_len, struct pc_diags *diags)
{
	int err;

	memset(p, 0, sizeof(*p));
	set_defaults(p);
	err = load_tree(p, 0, catalog_file, catalog_text, catalog_len, diags, false);
	if (err)
		return -EINVAL;
	if (site_text) {
		err = load_tree(p, 1, site_file, site_text, site_len, diags, true);
		if (err)
			return -EINVAL;
		derive_parts(p);
	}
	return diags->count ? -EINVAL : 0;
}

int pc_policy_read_file(const char *path, char **out, size_t *len)
{
	struct stat st;
	ssize_t n;
	int fd, err;
	char *buf;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		err = -errno;
		close(fd);
		return err;
	}
	if (!S_ISREG(st.st_mode) || (size_t)st.st_size > MAX_POLICY_FILE) {
		close(fd);
		return S_ISREG(st.st_mode) ? -EFBIG : -EISDIR;
	}
	buf = pc_xcalloc(1, (size_t)st.st_size + 1);
	n = read(fd, buf, (size_t)st.st_size);
	err = n < 0 ? -errno : 0;
	close(fd);
	if (err) {
		free(buf);
		return err;
	}
	*out = buf;
	*len = (size_t)n;
	return 0;
}

int pc_policy_load_keep(struct pc_policy *p, const char *site_path,
			struct pc_diags *diags, char **site_text, size_t *site_len)
{
	char *text = NULL;
	size_t len = 0;
	int err;

	if (site_path) {
		err = pc_policy_read_file(site_path, &text, &len);
		if (err) {
			memset(p, 0, sizeof(*p));
			pc_diags_add(diags, (struct pc_pos){ site_path, 0, 0 },
				     "cannot read the site file: %s",
				     err == -EFBIG ? "larger than 256 MiB" : strerror(-err));
			return err;
		}
	}
	err = pc_policy_load_text(p, PC_BUILTIN_CATALOG_NAME, pc_builtin_catalog,
				  pc_builtin_catalog_len, site_path, text, len,
				  diags);
	if (site_text && !err) {
		*site_text = text;
		*site_len = len;
	} else {
		free(text);
	}
	return err;
}

int pc_policy_load(struct pc_policy *p, const char *site_path,
		   struct pc_diags *diags)
{
	return pc_policy_load_keep(p, site_path, diags, NULL, NULL);
}

static void endpoint_free(struct pc_endpoint *e)
{
	for (size_t i = 0; i < e->nhosts; i++)
		free(e->hosts[i]);
	free(e->hosts);
	free(e->host_pos);
	free(e->process);
	free(e->ports.items);
}

void pc_policy_free(struct pc_policy *p)
{
	for (size_t i = 0; i < p->nflows; i++) {
		struct pc_flow *f = &p->flows[i];

		free(f->id);
		free(f->table);
		free(f->purpose_ja);
		free(f->purpose_en);
		free(f->application);
		endpoint_free(&f->initiator);
		endpoint_free(&f->responder);
		for (size_t j = 0; j < f->nnotes; j++) {
			free(f->notes[j].ref);
			free(f->notes[j].ja);
			free(f->notes[j].en);
		}
		free(f->notes);
	}
	free(p->flows);
	for (size_t i = 0; i < p->nparams; i++) {
		free(p->params[i].name);
		free(p->params[i].description);
		free(p->params[i].values);
	}
	free(p->params);
	for (size_t i = 0; i < p->nparts; i++) {
		free(p->parts[i].name);
		free(p->parts[i].description);
	}
	free(p->parts);
	for (size_t i = 0; i < p->nhosts; i++) {
		free(p->hosts[i].name);
		free(p->hosts[i].os);
		free(p->hosts[i].gateway);
		free(p->hosts[i].addrs);
	}
	free(p->hosts);
	free(p->host_index);
	free(p->segments);
	free(p->routers);
	for (size_t i = 0; i < p->nkind_groups; i++)
		free(p->kind_groups[i].name);
	free(p->kind_groups);
	for (size_t i = 0; i < p->nkinds; i++)
		free(p->kinds[i]);
	free(p->files[0]);
	free(p->files[1]);
	free(p->catalog_name);
	free(p->catalog_source);
	free(p->site_name);
	memset(p, 0, sizeof(*p));
}

int pc_policy_find_kind(const struct pc_policy *p, const char *name)
{
	for (size_t i = 0; i < p->nkinds; i++)
		if (strcmp(p->kinds[i], name) == 0)
			return (int)i;
	return -1;
}

/* Hosts that failed to parse have no name and sort first; equal names keep
 * their order, so a search finds the first host of a name. */
static int cmp_host_index(const void *x, const void *y, void *hosts)
{
	const struct pc_host *h = hosts;
	size_t a = *(const size_t *)x, b = *(const size_t *)y;
	const char *na = h[a].name, *nb = h[b].name;
	int c = !na || !nb ? (nb == NULL) - (na == NULL) : strcmp(na, nb);

	return c ? c : (a > b) - (a < b);
}

void pc_policy_index_hosts(struct pc_policy *p)
{
	free(p->host_index);
	p->host_index = pc_xcalloc(p->nhosts ? p->nhosts : 1, sizeof(*p->host_index));
	for (size_t i = 0; i < p->nhosts; i++)
		p->host_index[i] = i;
	qsort_r(p->host_index, p->nhosts, sizeof(*p->host_index), cmp_host_index,
		p->hosts);
}

const struct pc_host *pc_policy_find_host(const struct pc_policy *p,
					  const char *name)
{
	size_t lo = 0, hi = p->nhosts;

	if (!p->host_index) {
		for (size_t i = 0; i < p->nhosts; i++)
			if (p->hosts[i].name && strcmp(p->hosts[i].name, name) == 0)
				return &p->hosts[i];
		return NULL;
	}
	/* The first index whose name is not below name. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *n = p->hosts[p->host_index[mid]].name;

		if (!n || strcmp(n, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < p->nhosts && p->hosts[p->host_index[lo]].name &&
	    strcmp(p->hosts[p->host_index[lo]].name, name) == 0)
		return &p->hosts[p->host_index[lo]];
	return NULL;
}

const struct pc_flow *pc_policy_find_flow(const struct pc_policy *p,
					  const char *id)
{
	for (size_t i = 0; i < p->nflows; i++)
		if (strcmp(p->flows[i].id, id) == 0)
			return &p->flows[i];
	return NULL;
}

struct owned_addr {
	const struct pc_addr *a;
	size_t host;
};

static int cmp_owned(const void *x, const void *y)
{
	const struct owned_addr *a = x, *b = y;
	int c = pc_addr_cmp(a->a, b->a);

	return c ? c : (a->host > b->host) - (a->host < b->host);
}

static int cmp_shared(const void *x, const void *y)
{
	const struct pc_shared_addr *a = x, *b = y;

	if (a->other != b->other)
		return a->other < b->other ? -1 : 1;
	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	return pc_addr_cmp(&a->addr, &b->addr);
}

size_t pc_policy_shared_addrs(const struct pc_policy *p,
			      struct pc_shared_addr **out)
{
	struct owned_addr *v;
	size_t n = 0, nout = 0;

	for (size_t i = 0; i < p->nhosts; i++)
		n += p->hosts[i].naddrs;
	v = pc_xcalloc(n ? n : 1, sizeof(*v));
	*out = pc_xcalloc(n ? n : 1, sizeof(**out));
	n = 0;
	for (size_t i = 0; i < p->nhosts; i++)
		for (size_t j = 0; j < p->hosts[i].naddrs; j++)
			v[n++] = (struct owned_addr){ &p->hosts[i].addrs[j], i };
	qsort(v, n, sizeof(*v), cmp_owned);
	/* In a run of one address, each host is paired with the earliest host
	 * of other kinds: the run's first, or the first unlike the first. */
	for (size_t i = 0, end; i < n; i = end) {
		size_t unlike = SIZE_MAX;

		for (end = i + 1; end < n && pc_addr_equal(v[i].a, v[end].a); end++) {
			const struct pc_host *h = &p->hosts[v[end].host];
			const struct pc_host *first = &p->hosts[v[i].host];

			if (h->kinds != first->kinds) {
				if (unlike == SIZE_MAX)
					unlike = end;
			} else if (unlike != SIZE_MAX) {
				first = &p->hosts[v[unlike].host];
			} else {
				continue;
			}
			(*out)[nout++] = (struct pc_shared_addr){ *v[end].a, first, h };
		}
	}
	free(v);
	qsort(*out, nout, sizeof(**out), cmp_shared);
	return nout;
}

bool pc_endpoint_has_host(const struct pc_endpoint *e, const struct pc_host *h)
{
	if (!h->name) /* a host entry that failed to parse */
		return false;
	if (e->kinds & h->kinds)
		return true;
	for (size_t i = 0; i < e->nhosts; i++)
		if (strcmp(e->hosts[i], h->name) == 0)
			return true;
	return false;
}

bool pc_flow_enabled(const struct pc_policy *p, const struct pc_flow *f)
{
	for (size_t i = 0; i < p->nparts; i++)
		if ((f->parts & (1ull << i)) && !p->parts[i].enabled)
			return false;
	return true;
}

static void append(char *buf, size_t len, const char *s)
{
	size_t used = strlen(buf);

	if (used + 1 < len)
		snprintf(buf + used, len - used, "%s", s);
}

const char *pc_kinds_format(const struct pc_policy *p, pc_kindset k,
			    char *buf, size_t len)
{
	buf[0] = '\0';
	/* A whole kind group reads better by its name. */
	for (size_t g = 0; g < p->nkind_groups; g++) {
		pc_kindset m = p->kind_groups[g].members;

		if (m && (k & m) == m) {
			append(buf, len, buf[0] ? ", " : "");
			append(buf, len, p->kind_groups[g].name);
			k &= ~m;
		}
	}
	for (size_t i = 0; i < p->nkinds; i++) {
		if (!(k & (1ull << i)))
			continue;
		append(buf, len, buf[0] ? ", " : "");
		append(buf, len, p->kinds[i]);
	}
	return buf;
}

size_t pc_port_spec_ranges(const struct pc_policy *p,
			   const struct pc_port_spec *s,
			   struct pc_port_range *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < s->count; i++) {
		const struct pc_port_item *it = &s->items[i];
		const struct pc_param *prm = NULL;

		if (it->type == PC_PORT_FIXED) {
			if (n < max)
				out[n++] = it->range;
			continue;
		}
		if (it->type == PC_PORT_PARAM) {
			prm = &p->params[it->param];
		} else {
			for (size_t j = 0; j < p->nparams && !prm; j++)
				if (strcmp(p->params[j].name, "auto-ports") == 0)
					prm = &p->params[j];
			if (!prm) {
				if (n < max)
					out[n++] = (struct pc_port_range){ 1024, 65535 };
				continue;
			}
		}
		for (size_t j = 0; j < prm->nvalues && n < max; j++)
			out[n++] = prm->values[j];
	}
	return n;
}

const char *pc_range_format(struct pc_port_range r, char buf[16])
{
	if (r.lo == r.hi)
		snprintf(buf, 16, "%u", r.lo);
	else
		snprintf(buf, 16, "%u-%u", r.lo, r.hi);
	return buf;
}

static void format_range(char *buf, size_t len, struct pc_port_range r)
{
	char tmp[16];

	append(buf, len, pc_range_format(r, tmp));
}

const char *pc_port_spec_format(const struct pc_policy *p,
				const struct pc_port_spec *s, char *buf,
				size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < s->count; i++) {
		const struct pc_port_item *it = &s->items[i];

		if (i)
			append(buf, len, ",");
		if (it->type == PC_PORT_FIXED) {
			format_range(buf, len, it->range);
		} else if (it->type == PC_PORT_AUTO) {
			append(buf, len, "auto");
		} else {
			const struct pc_param *prm = &p->params[it->param];

			append(buf, len, "$");
			append(buf, len, prm->name);
			append(buf, len, "=");
			for (size_t j = 0; j < prm->nvalues; j++) {
				if (j)
					append(buf, len, "+");
				format_range(buf, len, prm->values[j]);
			}
		}
	}
	return buf;
}

const char *pc_protocols_format(unsigned protocols)
{
	switch (protocols & (PC_PROTO_TCP | PC_PROTO_UDP)) {
	case PC_PROTO_TCP:
		return "tcp";
	case PC_PROTO_UDP:
		return "udp";
	case PC_PROTO_TCP | PC_PROTO_UDP:
		return "tcp,udp";
	default:
		return "-";
	}
}

const char *pc_addressing_format(unsigned addressing, char *buf, size_t len)
{
	buf[0] = '\0';
	if (addressing & PC_ADDRESSING_UNICAST)
		append(buf, len, "unicast");
	if (addressing & PC_ADDRESSING_LIMITED_BCAST)
		append(buf, len, buf[0] ? ",limited-broadcast" : "limited-broadcast");
	if (addressing & PC_ADDRESSING_DIRECTED_BCAST)
		append(buf, len, buf[0] ? ",directed-broadcast" : "directed-broadcast");
	return buf;
}
