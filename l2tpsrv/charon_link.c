/*
 * charon_link: see charon_link.h.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <unistd.h>

#include "charon_link.h"
#include "charon_proto.h"
#include "log.h"
#include "unix_listen.h"

/* Records read per wake-up before other sources get a turn. */
#define READ_BATCH 64

struct charon_link {
	const struct charon_link_ops *ops;
	void *ctx;
	sd_event *event;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int listen_fd;
	sd_event_source *listen_source;
	int fd; /* the plugin's connection, -1 when none */
	sd_event_source *source;
	pid_t pid;
	bool requests; /* its hello said requests=1 */
};

static void drop_connection(struct charon_link *link)
{
	link->source = sd_event_source_disable_unref(link->source);
	if (link->fd >= 0)
		close(link->fd);
	link->fd = -1;
	link->requests = false;
}

static void lost(struct charon_link *link, const char *why)
{
	log_msg(LOG_WARNING, "event=charon_lost pid=%d reason=\"%s\"", (int)link->pid, why);
	drop_connection(link);
	link->ops->lost(link->ctx);
}

static void handle(struct charon_link *link, const uint8_t *buf, size_t len)
{
	struct charon_event ev;
	char err[128];

	if (charon_msg_parse(buf, len, &ev, err, sizeof(err)) < 0) {
		log_msg(LOG_WARNING, "event=charon_bad_message error=\"%s\"", err);
		return;
	}
	if (ev.kind == CHARON_HELLO) {
		log_msg(LOG_INFO, "event=charon_hello pid=%d proto=%u plugin=\"%s\" requests=%s",
			(int)link->pid, ev.proto, ev.version, ev.requests ? "yes" : "no");
		link->requests = ev.requests;
		if (ev.proto != CHARON_PROTO_VERSION)
			log_msg(LOG_WARNING, "event=charon_proto_mismatch ours=%u theirs=%u",
				CHARON_PROTO_VERSION, ev.proto);
	}
	link->ops->event(link->ctx, &ev);
}

static int on_readable(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
	struct charon_link *link = userdata;
	uint8_t buf[CHARON_MSG_MAX + 1];

	for (int i = 0; i < READ_BATCH && link->fd == fd; i++) {
		ssize_t n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT | MSG_TRUNC);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				return 0;
			lost(link, strerror(errno));
			return 0;
		}
		if (n == 0) {
			lost(link, "connection closed");
			return 0;
		}
		if ((size_t)n > CHARON_MSG_MAX) {
			log_msg(LOG_WARNING, "event=charon_bad_message error=\"record of %zd bytes\"", n);
			continue;
		}
		handle(link, buf, (size_t)n);
	}
	return 0;
}

static int on_accept(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
	struct charon_link *link = userdata;
	struct ucred cred;
	socklen_t cred_len = sizeof(cred);
	int c, r;

	c = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (c < 0)
		return 0;
	if (getsockopt(c, SOL_SOCKET, SO_PEERCRED, &cred, &cred_len) < 0 ||
	    (cred.uid != 0 && cred.uid != geteuid())) {
		log_msg(LOG_WARNING, "event=charon_refused uid=%d reason=\"not root\"",
			cred_len == sizeof(cred) ? (int)cred.uid : -1);
		close(c);
		return 0;
	}
	if (link->fd >= 0) {
		/* the newer wins; its sync tells what still holds */
		log_msg(LOG_NOTICE, "event=charon_replaced old_pid=%d pid=%d", (int)link->pid,
			(int)cred.pid);
		drop_connection(link);
	}
	r = sd_event_add_io(link->event, &link->source, c, EPOLLIN, on_readable, link);
	if (r < 0) {
		close(c);
		link->ops->lost(link->ctx);
		return 0;
	}
	link->fd = c;
	link->pid = cred.pid;
	log_msg(LOG_INFO, "event=charon_connected pid=%d", (int)cred.pid);
	return 0;
}

int charon_link_new(struct charon_link **out, sd_event *event, const char *path,
		    const struct charon_link_ops *ops, void *ctx)
{
	struct charon_link *link = calloc(1, sizeof(*link));
	int r;

	*out = NULL;
	if (!link)
		return -ENOMEM;
	link->ops = ops;
	link->ctx = ctx;
	link->event = event;
	link->fd = -1;
	snprintf(link->path, sizeof(link->path), "%s", path);
	link->listen_fd = unix_listen(path, SOCK_SEQPACKET, 4);
	r = link->listen_fd;
	if (r >= 0)
		r = sd_event_add_io(event, &link->listen_source, link->listen_fd, EPOLLIN, on_accept,
				    link);
	if (r < 0) {
		log_msg(LOG_ERR, "event=charon_socket_failed path=%s error=\"%s\"", path,
			strerror(-r));
		if (link->listen_fd >= 0)
			close(link->listen_fd);
		free(link);
		return r;
	}
	*out = link;
	return 0;
}

struct charon_link *charon_link_free(struct charon_link *link)
{
	if (!link)
		return NULL;
	drop_connection(link);
	sd_event_source_disable_unref(link->listen_source);
	close(link->listen_fd);
	unlink(link->path);
	free(link);
	return NULL;
}

bool charon_link_connected(const struct charon_link *link)
{
	return link->fd >= 0;
}

int charon_link_terminate_ike(struct charon_link *link, uint32_t ike_uid, const char *reason)
{
	char rec[CHARON_MSG_MAX + 1];
	int len;

	if (link->fd < 0)
		return -ENOTCONN;
	if (!link->requests)
		return -EOPNOTSUPP;
	len = charon_msg_terminate_ike(rec, sizeof(rec), ike_uid, reason);
	if (len < 0)
		return len;
	if (send(link->fd, rec, (size_t)len, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		return -errno;
	log_msg(LOG_DEBUG, "event=charon_request request=terminate-ike ike=%u", ike_uid);
	return 0;
}
