/*
 * metrics: libmicrohttpd on the daemon's sd-event loop; see metrics.h.
 *
 * MHD runs in its "external" mode with epoll (MHD_USE_EPOLL, no thread of
 * its own): we bind the listening socket (so that a bind error says why),
 * give it to MHD, watch MHD's epoll descriptor as one io source, and after
 * every MHD_run() arm one timer for what MHD_get_timeout() asks (idle
 * connections to close, work already buffered). Every request is answered
 * from within MHD_run(), on the loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <unistd.h>

#include "log.h"
#include "metrics.h"
#include "sockaddr.h"

#define METRICS_PATH "/metrics"
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"
#define TEXT_CONTENT_TYPE "text/plain; charset=utf-8"
/* Scrapers are few: a handful of connections, closed when idle this long. */
#define MAX_CONNECTIONS 16
#define IDLE_TIMEOUT_S 10
#define LISTEN_BACKLOG 16
#define TIMER_ACCURACY_USEC 1000

struct metrics {
	struct MHD_Daemon *mhd;
	sd_event_source *io;	/* MHD's epoll descriptor */
	sd_event_source *timer; /* MHD_get_timeout()'s */
	metrics_stats_fn stats;
	void *userdata;
	char where[SOCKADDR_STRING_MAX];
};

static enum MHD_Result queue(struct MHD_Connection *conn, unsigned int status,
			     struct MHD_Response *r, const char *content_type)
{
	enum MHD_Result ret;

	if (!r)
		return MHD_NO; /* out of memory: MHD closes the connection */
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	ret = MHD_queue_response(conn, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result answer_text(struct MHD_Connection *conn, unsigned int status,
				   const char *text)
{
	return queue(conn, status,
		     MHD_create_response_from_buffer(strlen(text), (void *)text,
						     MHD_RESPMEM_PERSISTENT),
		     TEXT_CONTENT_TYPE);
}

/* The counters as they are now, in the exposition format. */
static enum MHD_Result answer_metrics(struct metrics *m, struct MHD_Connection *conn)
{
	struct MHD_Response *r;
	struct stats st;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int err;

	if (!f)
		return answer_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	m->stats(m->userdata, &st);
	err = stats_write_prometheus(&st, f);
	if (fclose(f) != 0 || err < 0) {
		free(buf);
		return answer_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "out of memory\n");
	}
	r = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
	if (!r)
		free(buf);
	return queue(conn, MHD_HTTP_OK, r, METRICS_CONTENT_TYPE);
}

/*
 * MHD's MHD_AccessHandlerCallback. It is called once the headers are in,
 * then with each piece of a body (ignored), then once more: the answer
 * goes then, so that MHD may keep the connection for the next scrape.
 */
static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **req_cls)
{
	static int headers_seen;
	struct metrics *m = cls;

	if (!*req_cls) {
		*req_cls = &headers_seen;
		return MHD_YES;
	}
	if (*upload_data_size) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (strcmp(url, METRICS_PATH) != 0)
		return answer_text(conn, MHD_HTTP_NOT_FOUND, "not found: the metrics are at /metrics\n");
	if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
		return answer_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "only GET and HEAD\n");
	return answer_metrics(m, conn);
}

/* MHD's complaints are about one client's connection: debug. */
__attribute__((format(printf, 2, 0))) static void on_mhd_log(void *cls, const char *fmt,
							      va_list ap)
{
	struct metrics *m = cls;
	char text[256];
	size_t n;

	if (!log_enabled(LOG_DEBUG))
		return;
	vsnprintf(text, sizeof(text), fmt, ap);
	n = strcspn(text, "\n");
	text[n] = '\0';
	log_msg(LOG_DEBUG, "event=metrics_http address=%s message=\"%s\"", m->where, text);
}

/* Lets MHD do what it can now, then arms the timer for what it waits for. */
static void run(struct metrics *m)
{
	MHD_UNSIGNED_LONG_LONG ms;

	MHD_run(m->mhd);
	if (MHD_get_timeout(m->mhd, &ms) == MHD_YES) {
		sd_event_source_set_time_relative(m->timer, (uint64_t)ms * 1000);
		sd_event_source_set_enabled(m->timer, SD_EVENT_ONESHOT);
	} else {
		sd_event_source_set_enabled(m->timer, SD_EVENT_OFF);
	}
}

static int on_io(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
	run(userdata);
	return 0;
}

static int on_timer(sd_event_source *source, uint64_t usec, void *userdata)
{
	run(userdata);
	return 0;
}

/* A TCP socket listening on addr: fd or a negative errno. */
static int listen_on(const struct sockaddr_storage *addr, socklen_t addr_len)
{
	int one = 1, fd, r;

	fd = socket(addr->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (fd < 0)
		return -errno;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (addr->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (const struct sockaddr *)addr, addr_len) < 0 || listen(fd, LISTEN_BACKLOG) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

/* MHD and the two event sources over it. */
static int start(struct metrics *m, sd_event *event, int fd)
{
	const union MHD_DaemonInfo *info;
	int r;

	m->mhd = MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, m,
				  MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, m,
				  MHD_OPTION_LISTEN_SOCKET, (MHD_socket)fd,
				  MHD_OPTION_CONNECTION_LIMIT, (unsigned int)MAX_CONNECTIONS,
				  MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)IDLE_TIMEOUT_S,
				  MHD_OPTION_END);
	if (!m->mhd) {
		if (fcntl(fd, F_GETFD) >= 0) /* not closed on MHD's way out */
			close(fd);
		return -ENOMEM;
	}
	info = MHD_get_daemon_info(m->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (!info || info->epoll_fd < 0)
		return -EOPNOTSUPP;
	r = sd_event_add_io(event, &m->io, info->epoll_fd, EPOLLIN, on_io, m);
	if (r < 0)
		return r;
	return sd_event_add_time_relative(event, &m->timer, CLOCK_MONOTONIC, 0, TIMER_ACCURACY_USEC,
					  on_timer, m);
}

int metrics_new(struct metrics **out, sd_event *event, const struct sockaddr_storage *addr,
		socklen_t addr_len, metrics_stats_fn stats, void *userdata)
{
	struct metrics *m = calloc(1, sizeof(*m));
	int fd, r;

	*out = NULL;
	if (!m)
		return -ENOMEM;
	m->stats = stats;
	m->userdata = userdata;
	sockaddr_string(addr, m->where, sizeof(m->where));
	fd = listen_on(addr, addr_len);
	r = fd < 0 ? fd : start(m, event, fd);
	if (r < 0) {
		log_msg(LOG_ERR, "event=metrics_failed address=%s error=\"%s\"", m->where,
			strerror(-r));
		metrics_free(m);
		return r;
	}
	log_msg(LOG_INFO, "event=metrics_listening address=%s path=%s", m->where, METRICS_PATH);
	*out = m;
	return 0;
}

struct metrics *metrics_free(struct metrics *m)
{
	if (!m)
		return NULL;
	sd_event_source_disable_unref(m->io);
	sd_event_source_disable_unref(m->timer);
	if (m->mhd)
		MHD_stop_daemon(m->mhd); /* closes the listening socket and the connections */
	free(m);
	return NULL;
}
