// SPDX-License-Identifier: GPL-2.0-only
/* GET /metrics over HTTP with libmicrohttpd, for Prometheus to scrape;
 * GET /report, the page of `report --html`, beside it for people. */
#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "cli.h"
#include "http_metrics.h"
#include "metrics.h"
#include "report.h"

struct pc_http_metrics {
	struct MHD_Daemon *mhd;
	const char *pin_root, *site;
};

static enum MHD_Result reply(struct MHD_Connection *c, unsigned int status,
			     char *body, size_t len, const char *type)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	enum MHD_Result ret;

	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", type);
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result text(struct MHD_Connection *c, unsigned int status, const char *msg)
{
	char *body = strdup(msg);

	return body ? reply(c, status, body, strlen(body), "text/plain; charset=utf-8") : MHD_NO;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version,
			      const char *upload, size_t *upload_size, void **req)
{
	struct pc_http_metrics *h = cls;
	char *body = NULL;
	size_t len = 0;
	FILE *out;
	int rc;

	(void)version, (void)upload, (void)upload_size, (void)req;
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "GET /metrics or GET /report\n");
	if (strcmp(url, "/metrics") && strcmp(url, "/report"))
		return text(c, MHD_HTTP_NOT_FOUND, "portcullis serves GET /metrics and GET /report\n");
	out = open_memstream(&body, &len);
	if (!out)
		return MHD_NO;
	if (!strcmp(url, "/report")) {
		rc = pc_report_live(out, h->pin_root, h->site, NULL, true);
		if (fclose(out) || rc) {
			free(body);
			return text(c, MHD_HTTP_SERVICE_UNAVAILABLE,
				    "portcullis: no report (nothing attached, or the policy does not load)\n");
		}
		return reply(c, MHD_HTTP_OK, body, len, "text/html; charset=utf-8");
	}
	rc = pc_metrics_print(out, h->pin_root, h->site, true);
	if (fclose(out) || rc) {
		free(body);
		return text(c, MHD_HTTP_SERVICE_UNAVAILABLE,
			    "portcullis: no counters (nothing attached, or the maps cannot be read)\n");
	}
	return reply(c, MHD_HTTP_OK, body, len, "text/plain; version=0.0.4; charset=utf-8");
}

/* ADDR:PORT or [ADDR6]:PORT, numeric, into an address to bind. */
static int parse_listen(const char *listen, struct sockaddr_storage *ss)
{
	const struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE,
					.ai_socktype = SOCK_STREAM };
	const char *colon = strrchr(listen, ':');
	struct addrinfo *ai;
	char host[64];
	size_t n;

	if (!colon || !colon[1])
		return -EINVAL;
	n = (size_t)(colon - listen);
	if (n >= 2 && listen[0] == '[' && listen[n - 1] == ']')
		listen++, n -= 2;
	if (!n || n >= sizeof(host))
		return -EINVAL;
	memcpy(host, listen, n);
	host[n] = '\0';
	if (getaddrinfo(host, colon + 1, &hints, &ai))
		return -EINVAL;
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	return 0;
}

int pc_http_metrics_start(const char *listen, const char *pin_root, const char *site,
			  struct pc_http_metrics **out)
{
	struct sockaddr_storage ss = { 0 };
	struct pc_http_metrics *h;
	sigset_t all, old;
	int err;

	if (parse_listen(listen, &ss)) {
		pc_err("--metrics takes ADDR:PORT or [ADDR6]:PORT (numeric), not '%s'", listen);
		return -EINVAL;
	}
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->pin_root = pin_root;
	h->site = site;
	/* The server's thread takes no signals: the daemon reads them from
	 * its signalfd, which only sees signals blocked in every thread. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	h->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG |
				  (ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				  0, NULL, NULL, handle, h,
				  MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
				  MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
	err = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!h->mhd) {
		pc_err("cannot serve metrics on %s: %s", listen, strerror(err ? err : EADDRINUSE));
		free(h);
		return err ? -err : -EADDRINUSE;
	}
	*out = h;
	return 0;
}

void pc_http_metrics_stop(struct pc_http_metrics *h)
{
	if (!h)
		return;
	MHD_stop_daemon(h->mhd);
	free(h);
}
