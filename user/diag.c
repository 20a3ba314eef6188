// SPDX-License-Identifier: GPL-2.0-only
#include "diag.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int pc_verbosity;

void pc_diags_add(struct pc_diags *d, struct pc_pos pos, const char *fmt, ...)
{
	struct pc_diag *item;
	va_list ap;

	if (d->count == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		d->items = pc_xrealloc(d->items, d->cap, sizeof(*d->items));
	}
	item = &d->items[d->count++];
	item->file = pc_xstrdup(pos.file ? pos.file : "<policy>");
	item->line = pos.line;
	item->col = pos.col;
	va_start(ap, fmt);
	if (vasprintf(&item->msg, fmt, ap) < 0) {
		va_end(ap);
		fputs("portcullis: out of memory\n", stderr);
		exit(1);
	}
	va_end(ap);
}

void pc_diags_print(const struct pc_diags *d)
{
	for (size_t i = 0; i < d->count; i++) {
		const struct pc_diag *it = &d->items[i];

		if (it->line > 0)
			fprintf(stderr, "%s:%d:%d: error: %s\n", it->file, it->line,
				it->col, it->msg);
		else
			fprintf(stderr, "%s: error: %s\n", it->file, it->msg);
	}
}

void pc_diags_free(struct pc_diags *d)
{
	for (size_t i = 0; i < d->count; i++) {
		free(d->items[i].file);
		free(d->items[i].msg);
	}
	free(d->items);
	memset(d, 0, sizeof(*d));
}

static void vmsg(FILE *f, const char *level, const char *fmt, va_list ap)
{
	fputs("portcullis: ", f);
	if (level)
		fputs(level, f);
	vfprintf(f, fmt, ap);
	fputc('\n', f);
}

void pc_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(stderr, NULL, fmt, ap);
	va_end(ap);
}

void pc_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vmsg(stderr, "warning: ", fmt, ap);
	va_end(ap);
}

void pc_info(const char *fmt, ...)
{
	va_list ap;

	if (pc_verbosity < 0)
		return;
	va_start(ap, fmt);
	vmsg(stderr, NULL, fmt, ap);
	va_end(ap);
}

void pc_debug(const char *fmt, ...)
{
	va_list ap;

	if (pc_verbosity < 1)
		return;
	va_start(ap, fmt);
	vmsg(stderr, NULL, fmt, ap);
	va_end(ap);
}

const char *pc_strerror(int err)
{
	switch (-err) {
	case EPERM:
	case EACCES:
		return "permission denied (needs root, or CAP_BPF and CAP_NET_ADMIN)";
	case ENODEV:
		return "the interface does not exist";
	case E2BIG:
		return "a map is full";
	case EEXIST:
		return "something is already attached there";
	case ENOENT:
		return "not found";
	case EBUSY:
		return "busy: another program is attached";
	case EINVAL:
		return "invalid argument (the kernel refused it)";
	case ENOMEM:
		return "out of memory (or the locked-memory limit is too low)";
	case EOPNOTSUPP:
		return "not supported by this kernel or driver";
	default:
		return strerror(-err);
	}
}

static void oom(void)
{
	fputs("portcullis: out of memory\n", stderr);
	exit(1);
}

void *pc_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		oom();
	return p;
}

void *pc_xrealloc(void *p, size_t n, size_t size)
{
	void *q;

	if (size && n > (size_t)-1 / size)
		oom();
	q = realloc(p, n && size ? n * size : 1);
	if (!q)
		oom();
	return q;
}

char *pc_xstrdup(const char *s)
{
	char *p = strdup(s ? s : "");

	if (!p)
		oom();
	return p;
}

char *pc_xasprintf(const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	if (n < 0)
		oom();
	return s;
}
