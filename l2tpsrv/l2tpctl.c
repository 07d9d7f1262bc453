/*
 * l2tpctl: talks to l2tpsrv over its control socket (ctl_proto.h).
 *
 *   l2tpctl [-s SOCKET] [--json] [list]
 *   l2tpctl [-s SOCKET] [--json] show tunnels|sessions
 *   l2tpctl [-s SOCKET] [--json] stats
 *   l2tpctl [-s SOCKET] kill session TUNNEL SESSION | tunnel TUNNEL | user NAME | ip ADDRESS
 *   l2tpctl [-s SOCKET] close-tunnel TUNNEL
 *   l2tpctl [-s SOCKET] close-session TUNNEL SESSION
 *   l2tpctl [-s SOCKET] set-accm TUNNEL SESSION SEND_ACCM RECV_ACCM
 *   l2tpctl [-s SOCKET] reload
 *   l2tpctl [-s SOCKET] shutdown
 *   l2tpctl [-s SOCKET] [--json|--raw] diagnose PEER
 *   l2tpctl [--json|--raw] diagnose --history FILE [PEER]
 *   l2tpctl init [--force] [--user NAME] [--root DIR] [--pool CIDR]
 *   l2tpctl add-user NAME [--force] [--root DIR]
 *
 * init and add-user write a gateway's files (l2tpctl_init.h,
 * l2tpctl_add_user.h) and need no daemon.
 * diagnose asks what l2tpsrv recorded of a client's address (CTL_DIAGNOSE)
 * and says how far the client got and why it stopped
 * (l2tpctl_diagnose.h); --raw prints the events as they came, in the form
 * --history reads back.
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctl_proto.h"
#include "l2tpctl_add_user.h"
#include "l2tpctl_diagnose.h"
#include "l2tpctl_init.h"
#include "l2tpctl_stats.h"

struct listing {
	struct ctl_reply reply;
	struct ctl_text text; /* CTL_RELOAD's */
	struct ctl_stats stats; /* CTL_STATS's */
	struct ctl_tunnel *tunnels;
	struct ctl_session *sessions;
	struct ctl_history history; /* CTL_DIAGNOSE's */
	struct ctl_history_event *events;
};

static void usage(FILE *f)
{
	fprintf(f, "usage: l2tpctl [-s SOCKET] [--json] [list]\n"
		   "       l2tpctl [-s SOCKET] [--json] show tunnels|sessions\n"
		   "       l2tpctl [-s SOCKET] [--json] stats\n"
		   "       l2tpctl [-s SOCKET] kill session TUNNEL SESSION | tunnel TUNNEL |"
		   " user NAME | ip ADDRESS\n"
		   "       l2tpctl [-s SOCKET] close-tunnel TUNNEL\n"
		   "       l2tpctl [-s SOCKET] close-session TUNNEL SESSION\n"
		   "       l2tpctl [-s SOCKET] set-accm TUNNEL SESSION SEND_ACCM RECV_ACCM\n"
		   "       l2tpctl [-s SOCKET] reload\n"
		   "       l2tpctl [-s SOCKET] shutdown\n"
		   "       l2tpctl [-s SOCKET] [--json|--raw] diagnose PEER\n"
		   "       l2tpctl [--json|--raw] diagnose --history FILE [PEER]\n"
		   "       l2tpctl init [--force] [--user NAME] [--root DIR] [--pool CIDR]\n"
		   "       l2tpctl add-user NAME [--force] [--root DIR]\n"
		   "Default socket: %s\n",
		CTL_DEFAULT_SOCKET);
}

static bool read_all(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

/* Sends rq and, for the commands that take one, arg (arg_len bytes). */
static int request(const char *path, const struct ctl_request *rq, const void *arg,
		   size_t arg_len, struct listing *out)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	int fd = -1, r = -EPROTO;

	memset(out, 0, sizeof(*out));
	if (strlen(path) >= sizeof(sun.sun_path)) {
		fprintf(stderr, "l2tpctl: socket path too long: %s\n", path);
		return -ENAMETOOLONG;
	}
	memcpy(sun.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0) {
		r = -errno;
		fprintf(stderr, "l2tpctl: cannot reach l2tpsrv at %s: %s\n", path, strerror(errno));
		goto out;
	}
	if (write(fd, rq, sizeof(*rq)) != (ssize_t)sizeof(*rq) ||
	    (arg_len && write(fd, arg, arg_len) != (ssize_t)arg_len) ||
	    !read_all(fd, &out->reply, sizeof(out->reply)) || out->reply.magic != CTL_MAGIC ||
	    out->reply.n_tunnels > 65536 || out->reply.n_sessions > 65536 * 16) {
		fprintf(stderr, "l2tpctl: bad reply from l2tpsrv\n");
		goto out;
	}
	out->tunnels = calloc(out->reply.n_tunnels + 1, sizeof(*out->tunnels));
	out->sessions = calloc(out->reply.n_sessions + 1, sizeof(*out->sessions));
	if (!out->tunnels || !out->sessions) {
		r = -ENOMEM;
		goto out;
	}
	if (!read_all(fd, out->tunnels, out->reply.n_tunnels * sizeof(*out->tunnels)) ||
	    !read_all(fd, out->sessions, out->reply.n_sessions * sizeof(*out->sessions))) {
		fprintf(stderr, "l2tpctl: truncated reply from l2tpsrv\n");
		goto out;
	}
	if ((rq->command == CTL_RELOAD && !read_all(fd, &out->text, sizeof(out->text))) ||
	    (rq->command == CTL_STATS && out->reply.status == 0 &&
	     !read_all(fd, &out->stats, sizeof(out->stats)))) {
		fprintf(stderr, "l2tpctl: truncated reply from l2tpsrv\n");
		goto out;
	}
	if (rq->command == CTL_DIAGNOSE) {
		if (!read_all(fd, &out->history, sizeof(out->history)) ||
		    out->history.n_events > CTL_HISTORY_EVENTS) {
			fprintf(stderr, "l2tpctl: bad reply from l2tpsrv\n");
			goto out;
		}
		out->events = calloc(out->history.n_events + 1, sizeof(*out->events));
		if (!out->events) {
			r = -ENOMEM;
			goto out;
		}
		if (!read_all(fd, out->events, out->history.n_events * sizeof(*out->events))) {
			fprintf(stderr, "l2tpctl: truncated reply from l2tpsrv\n");
			goto out;
		}
	}
	out->text.text[sizeof(out->text.text) - 1] = '\0';
	r = 0;
out:
	if (fd >= 0)
		close(fd);
	return r;
}

/* Strings from the daemon are NUL-terminated within their arrays; make sure. */
static void terminate(char *s, size_t len)
{
	s[len - 1] = '\0';
}

static void sanitize(struct listing *l)
{
	for (uint32_t i = 0; i < l->reply.n_tunnels; i++) {
		terminate(l->tunnels[i].state, sizeof(l->tunnels[i].state));
		terminate(l->tunnels[i].peer, sizeof(l->tunnels[i].peer));
		terminate(l->tunnels[i].host_name, sizeof(l->tunnels[i].host_name));
	}
	for (uint32_t i = 0; i < l->reply.n_sessions; i++) {
		terminate(l->sessions[i].state, sizeof(l->sessions[i].state));
		terminate(l->sessions[i].calling_number, sizeof(l->sessions[i].calling_number));
		terminate(l->sessions[i].called_number, sizeof(l->sessions[i].called_number));
		terminate(l->sessions[i].peer, sizeof(l->sessions[i].peer));
		terminate(l->sessions[i].ppp_state, sizeof(l->sessions[i].ppp_state));
		terminate(l->sessions[i].user, sizeof(l->sessions[i].user));
		terminate(l->sessions[i].method, sizeof(l->sessions[i].method));
		terminate(l->sessions[i].ifname, sizeof(l->sessions[i].ifname));
		terminate(l->sessions[i].ike_remote, sizeof(l->sessions[i].ike_remote));
		terminate(l->sessions[i].ike_id, sizeof(l->sessions[i].ike_id));
		terminate(l->sessions[i].ike_user, sizeof(l->sessions[i].ike_user));
		terminate(l->sessions[i].ike_cert, sizeof(l->sessions[i].ike_cert));
		terminate(l->sessions[i].acct_session_id, sizeof(l->sessions[i].acct_session_id));
		if (l->sessions[i].radius_class_len > sizeof(l->sessions[i].radius_class))
			l->sessions[i].radius_class_len = sizeof(l->sessions[i].radius_class);
	}
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void ipv4_string(uint32_t addr_be, char *buf)
{
	if (addr_be)
		inet_ntop(AF_INET, &addr_be, buf, INET_ADDRSTRLEN);
	else
		buf[0] = '\0';
}

/* The PPP part of a session, as JSON members (after a comma). */
static void print_json_ppp(const struct ctl_session *s)
{
	char local[INET_ADDRSTRLEN], remote[INET_ADDRSTRLEN];

	ipv4_string(s->local_addr, local);
	ipv4_string(s->remote_addr, remote);
	printf(",\"peer\":");
	json_string(s->peer);
	printf(",\"ppp\":{\"state\":");
	json_string(s->ppp_state);
	printf(",\"pppd_pid\":%" PRId32 ",\"user\":", s->pppd_pid);
	json_string(s->user);
	printf(",\"method\":");
	json_string(s->method);
	printf(",\"interface\":");
	json_string(s->ifname);
	printf(",\"local_address\":");
	json_string(local);
	printf(",\"address\":");
	json_string(remote);
	printf(",\"bytes_in\":%" PRIu64 ",\"bytes_out\":%" PRIu64 ",\"packets_in\":%" PRIu64
	       ",\"packets_out\":%" PRIu64 "}",
	       s->bytes_in, s->bytes_out, s->packets_in, s->packets_out);
}

/* The IPsec part of a session, as a JSON member (after a comma); null when unprotected. */
static void print_json_ipsec(const struct ctl_session *s)
{
	if (!s->ike_sa) {
		printf(",\"ipsec\":null");
		return;
	}
	printf(",\"ipsec\":{\"ike_sa\":%" PRIu32 ",\"ike_version\":%u,\"remote\":", s->ike_sa,
	       s->ike_version);
	json_string(s->ike_remote);
	printf(",\"nat\":%s,\"id\":", s->ike_nat ? "true" : "false");
	json_string(s->ike_id);
	printf(",\"user\":");
	json_string(s->ike_user);
	printf(",\"cert\":");
	json_string(s->ike_cert);
	putchar('}');
}

/*
 * What RADIUS accounting knows of a session, as a JSON member (after a
 * comma): its Acct-Session-Id and what the Access-Accept gave; null
 * without PPP.
 */
static void print_json_radius(const struct ctl_session *s)
{
	if (!s->acct_session_id[0]) {
		printf(",\"radius\":null");
		return;
	}
	printf(",\"radius\":{\"acct_session_id\":");
	json_string(s->acct_session_id);
	printf(",\"class\":\"");
	for (size_t i = 0; i < s->radius_class_len; i++)
		printf("%02x", s->radius_class[i]);
	printf("\",\"interim_s\":%" PRIu32 "}", s->acct_interim_s);
}

static void print_json_session(const struct ctl_session *s)
{
	printf("{\"id\":%u,\"peer_id\":%u,\"tunnel_id\":%u,\"state\":", s->session_id,
	       s->peer_session_id, s->tunnel_id);
	json_string(s->state);
	printf(",\"serial\":%" PRIu32 ",\"calling_number\":", s->call_serial_number);
	json_string(s->calling_number);
	printf(",\"called_number\":");
	json_string(s->called_number);
	printf(",\"tx_connect_speed\":%" PRIu32 ",\"send_accm\":%" PRIu32 ",\"recv_accm\":%" PRIu32
	       ",\"wen\":{\"count\":%" PRIu32 ",\"crc_errors\":%" PRIu32
	       ",\"framing_errors\":%" PRIu32 ",\"hardware_overruns\":%" PRIu32
	       ",\"buffer_overruns\":%" PRIu32 ",\"timeout_errors\":%" PRIu32
	       ",\"alignment_errors\":%" PRIu32 "},\"age_ms\":%" PRIu64,
	       s->tx_connect_speed, s->send_accm, s->recv_accm, s->wen_count, s->crc_errors,
	       s->framing_errors, s->hardware_overruns, s->buffer_overruns, s->timeout_errors,
	       s->alignment_errors, s->age_ms);
	print_json_ppp(s);
	print_json_ipsec(s);
	print_json_radius(s);
	putchar('}');
}

/* How a tunnel's own socket is bound (ctl_tunnel.path). */
static const char *path_name(uint8_t path)
{
	switch (path) {
	case CTL_PATH_NONE:
		return "none";
	case CTL_PATH_SAME_PORT:
		return "same-port";
	case CTL_PATH_NAT_PORT:
		return "nat-port";
	default:
		return "?";
	}
}

static void print_json(const struct listing *l)
{
	printf("{\"uptime_ms\":%" PRIu64 ",\"tunnels_established\":%" PRIu64
	       ",\"sessions_established\":%" PRIu64 ",\"packets_dropped\":%" PRIu64
	       ",\"pool\":{\"in_use\":%" PRIu32 ",\"size\":%" PRIu32 "},\"tunnels\":[",
	       l->reply.uptime_ms, l->reply.tunnels_established, l->reply.sessions_established,
	       l->reply.packets_dropped, l->reply.pool_in_use, l->reply.pool_size);
	for (uint32_t i = 0; i < l->reply.n_tunnels; i++) {
		const struct ctl_tunnel *t = &l->tunnels[i];
		bool first = true;

		printf("%s{\"id\":%u,\"peer_id\":%u,\"state\":", i ? "," : "", t->tunnel_id,
		       t->peer_tunnel_id);
		json_string(t->state);
		printf(",\"peer\":");
		json_string(t->peer);
		printf(",\"host_name\":");
		json_string(t->host_name);
		printf(",\"ike_sa\":%" PRIu32 ",\"mark_in\":%" PRIu32 ",\"mark_out\":%" PRIu32,
		       t->ike_sa, t->mark, t->reply_mark);
		printf(",\"socket\":\"%s\",\"socket_port\":%u", path_name(t->path), t->path_port);
		printf(",\"age_ms\":%" PRIu64 ",\"transport\":{\"sent\":%" PRIu64
		       ",\"retransmitted\":%" PRIu64 ",\"delivered\":%" PRIu64
		       ",\"duplicates\":%" PRIu64 ",\"out_of_order\":%" PRIu64
		       ",\"cwnd\":%u,\"peer_window\":%u,\"unacked\":%u,\"queued\":%u},\"sessions\":[",
		       t->age_ms, t->sent, t->retransmitted, t->delivered, t->duplicates,
		       t->out_of_order, t->cwnd, t->peer_window, t->unacked, t->queued);
		for (uint32_t j = 0; j < l->reply.n_sessions; j++) {
			if (l->sessions[j].tunnel_id != t->tunnel_id)
				continue;
			printf("%s", first ? "" : ",");
			print_json_session(&l->sessions[j]);
			first = false;
		}
		printf("]}");
	}
	printf("]}\n");
}

static void print_tunnels_text(const struct listing *l, bool with_sessions)
{
	printf("%" PRIu32 " tunnels, %" PRIu32 " sessions (since start: %" PRIu64
	       " tunnels, %" PRIu64 " sessions established)",
	       l->reply.n_tunnels, l->reply.n_sessions, l->reply.tunnels_established,
	       l->reply.sessions_established);
	if (l->reply.pool_size)
		printf(", pool %" PRIu32 "/%" PRIu32 " in use", l->reply.pool_in_use,
		       l->reply.pool_size);
	printf("\n");
	for (uint32_t i = 0; i < l->reply.n_tunnels; i++) {
		const struct ctl_tunnel *t = &l->tunnels[i];

		printf("tunnel %u peer-tunnel %u %s peer %s host \"%s\" sessions %" PRIu32
		       " up %" PRIu64 "s retransmitted %" PRIu64,
		       t->tunnel_id, t->peer_tunnel_id, t->state, t->peer, t->host_name,
		       t->sessions, t->age_ms / 1000, t->retransmitted);
		if (t->ike_sa)
			printf(" ike %" PRIu32, t->ike_sa);
		if (t->mark || t->reply_mark)
			printf(" mark-in %#" PRIx32 " mark-out %#" PRIx32, t->mark, t->reply_mark);
		if (t->path == CTL_PATH_NAT_PORT)
			printf(" socket nat-port %u", t->path_port);
		else if (t->path != CTL_PATH_NONE)
			printf(" socket %s", path_name(t->path));
		printf("\n");
		for (uint32_t j = 0; with_sessions && j < l->reply.n_sessions; j++) {
			const struct ctl_session *s = &l->sessions[j];

			if (s->tunnel_id != t->tunnel_id)
				continue;
			char remote[INET_ADDRSTRLEN];

			ipv4_string(s->remote_addr, remote);
			printf("  session %u peer-session %u %s serial %" PRIu32 " calling \"%s\""
			       " speed %" PRIu32 " accm %08" PRIx32 "/%08" PRIx32 " wen %" PRIu32
			       " up %" PRIu64 "s",
			       s->session_id, s->peer_session_id, s->state, s->call_serial_number,
			       s->calling_number, s->tx_connect_speed, s->send_accm, s->recv_accm,
			       s->wen_count, s->age_ms / 1000);
			if (s->ppp_state[0])
				printf(" ppp %s user \"%s\" address %s interface %s", s->ppp_state,
				       s->user, remote[0] ? remote : "-",
				       s->ifname[0] ? s->ifname : "-");
			printf("\n");
		}
	}
}

/* 59s, 1m05s, 2h03m04s */
static void format_uptime(uint64_t s, char *buf, size_t len)
{
	if (s < 60)
		snprintf(buf, len, "%" PRIu64 "s", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m%02" PRIu64 "s", s / 3600,
			 s / 60 % 60, s % 60);
}

/*
 * The RADIUS Class of a session for the text listing: as it is when it is
 * printable without spaces (what admins usually put there), else 0x and
 * hex; "-" without one.
 */
static void class_string(const struct ctl_session *s, char *buf, size_t len)
{
	size_t n = s->radius_class_len, i, at = 0;
	bool text = n > 0;

	for (i = 0; i < n; i++)
		text = text && s->radius_class[i] > 0x20 && s->radius_class[i] < 0x7f;
	if (n == 0) {
		snprintf(buf, len, "-");
	} else if (text) {
		snprintf(buf, len, "%.*s", (int)n, (const char *)s->radius_class);
	} else {
		at = (size_t)snprintf(buf, len, "0x");
		for (i = 0; i < n && at + 3 <= len; i++)
			at += (size_t)snprintf(buf + at, len - at, "%02x", s->radius_class[i]);
	}
}

/* One line per session: who is connected, from where, with which address. */
static void print_sessions_text(const struct listing *l)
{
	printf("%-7s %-7s %-21s %-20s %-16s %-9s %-15s %-7s %-13s %8s %12s %12s %s\n", "TUNNEL",
	       "SESSION", "PEER", "IKE-ID", "USER", "METHOD", "ADDRESS", "IFACE", "STATE", "UPTIME",
	       "BYTES-IN", "BYTES-OUT", "CLASS");
	for (uint32_t i = 0; i < l->reply.n_sessions; i++) {
		const struct ctl_session *s = &l->sessions[i];
		char remote[INET_ADDRSTRLEN], up[24], class[2 * sizeof(s->radius_class) + 3];
		/* the outer address IKE sees (NAT-T port included); the L2TP one without IPsec */
		const char *peer = s->ike_remote[0] ? s->ike_remote : s->peer[0] ? s->peer : "-";

		ipv4_string(s->remote_addr, remote);
		format_uptime(s->age_ms / 1000, up, sizeof(up));
		class_string(s, class, sizeof(class));
		printf("%-7u %-7u %-21s %-20s %-16s %-9s %-15s %-7s %-13s %8s %12" PRIu64
		       " %12" PRIu64 " %s\n",
		       s->tunnel_id, s->session_id, peer, s->ike_id[0] ? s->ike_id : "-",
		       s->user[0] ? s->user : "-", s->method[0] ? s->method : "-",
		       remote[0] ? remote : "-", s->ifname[0] ? s->ifname : "-",
		       s->ppp_state[0] ? s->ppp_state : s->state, up, s->bytes_in, s->bytes_out,
		       class);
	}
}

static void print_sessions_json(const struct listing *l)
{
	printf("[");
	for (uint32_t i = 0; i < l->reply.n_sessions; i++) {
		printf("%s", i ? "," : "");
		print_json_session(&l->sessions[i]);
	}
	printf("]\n");
}

static bool parse_u32(const char *s, int base, uint32_t max, uint32_t *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || end == s || *end || v > max || s[0] == '-')
		return false;
	*out = (uint32_t)v;
	return true;
}

static bool parse_id(const char *s, uint16_t *id)
{
	uint32_t v;

	if (!parse_u32(s, 10, 65535, &v) || v == 0) {
		fprintf(stderr, "l2tpctl: bad id '%s'\n", s);
		return false;
	}
	*id = (uint16_t)v;
	return true;
}

/* kill session T S | tunnel T | user NAME | ip ADDRESS */
static bool parse_match(char **args, int n, struct ctl_match *m)
{
	struct in_addr a;

	if (n == 3 && !strcmp(args[0], "session")) {
		m->by = CTL_MATCH_SESSION;
		return parse_id(args[1], &m->tunnel_id) && parse_id(args[2], &m->session_id);
	}
	if (n == 2 && !strcmp(args[0], "tunnel")) {
		m->by = CTL_MATCH_TUNNEL;
		return parse_id(args[1], &m->tunnel_id);
	}
	if (n == 2 && !strcmp(args[0], "user") && args[1][0] &&
	    strlen(args[1]) < sizeof(m->user)) {
		m->by = CTL_MATCH_USER;
		snprintf(m->user, sizeof(m->user), "%s", args[1]);
		return true;
	}
	if (n == 2 && !strcmp(args[0], "ip")) {
		if (inet_pton(AF_INET, args[1], &a) != 1) {
			fprintf(stderr, "l2tpctl: bad IPv4 address '%s'\n", args[1]);
			return false;
		}
		m->by = CTL_MATCH_ADDR;
		m->addr = a.s_addr;
		return true;
	}
	fprintf(stderr, "l2tpctl: kill session TUNNEL SESSION | tunnel TUNNEL | user NAME |"
			" ip ADDRESS\n");
	return false;
}

/* The daemon's events as diagnose reads them; false for one it should not have sent. */
static bool take_events(const struct listing *l, struct diag_event *ev)
{
	for (uint32_t i = 0; i < l->history.n_events; i++) {
		const struct ctl_history_event *e = &l->events[i];

		if (e->phase >= CTL_PHASE_COUNT || e->result > CTL_RESULT_DOWN) {
			fprintf(stderr, "l2tpctl: bad event from l2tpsrv\n");
			return false;
		}
		ev[i].age_ms = e->age_ms;
		ev[i].phase = (enum ctl_phase)e->phase;
		ev[i].result = (enum ctl_result)e->result;
		snprintf(ev[i].detail, sizeof(ev[i].detail), "%.*s", (int)sizeof(e->detail) - 1,
			 e->detail);
	}
	return true;
}

enum diag_output { DIAG_TEXT, DIAG_JSON, DIAG_RAW };

/* origin: where the events come from, for --raw's first line. */
static void print_diagnosis(const char *origin, const char *peer, const struct diag_event *ev,
			    size_t n, enum diag_output how)
{
	struct diagnosis d;

	if (how == DIAG_RAW) {
		diag_print_raw(stdout, origin, peer, ev, n);
		return;
	}
	diagnose(ev, n, &d);
	if (how == DIAG_JSON)
		diag_print_json(stdout, peer, ev, n, &d);
	else
		diag_print_text(stdout, peer, ev, n, &d);
}

/* diagnose --history FILE [PEER]: events from a file ("-": standard input). */
static int diagnose_file(const char *file, const char *peer_arg, enum diag_output how)
{
	static struct diag_event ev[1024];
	char peer[256], err[160], origin[PATH_MAX + 32];
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	int n;

	if (!f) {
		fprintf(stderr, "l2tpctl: %s: %s\n", file, strerror(errno));
		return EXIT_FAILURE;
	}
	snprintf(peer, sizeof(peer), "%s", peer_arg ? peer_arg : file);
	n = diag_read_raw(f, ev, sizeof(ev) / sizeof(ev[0]), peer, peer_arg ? 0 : sizeof(peer),
			  err, sizeof(err));
	if (f != stdin)
		fclose(f);
	if (n < 0) {
		fprintf(stderr, "l2tpctl: %s: %s\n", file, err);
		return EXIT_FAILURE;
	}
	if (n == 0) {
		fprintf(stderr, "l2tpctl: %s: no events\n", file);
		return EXIT_FAILURE;
	}
	snprintf(origin, sizeof(origin), "replayed from %s", file);
	print_diagnosis(origin, peer, ev, (size_t)n, how);
	return EXIT_SUCCESS;
}

/* diagnose PEER: what l2tpsrv recorded of that address. */
static int diagnose_peer(const char *path, const char *peer, enum diag_output how)
{
	struct ctl_request rq = { .magic = CTL_MAGIC, .version = CTL_VERSION,
				  .command = CTL_DIAGNOSE };
	struct diag_event ev[CTL_HISTORY_EVENTS];
	struct ctl_peer p = { 0 };
	char origin[160];
	struct in6_addr a6;
	struct listing l;
	int r, rc = EXIT_FAILURE;

	if (strlen(peer) >= sizeof(p.addr) ||
	    (inet_pton(AF_INET, peer, &a6) != 1 && inet_pton(AF_INET6, peer, &a6) != 1)) {
		fprintf(stderr, "l2tpctl: diagnose: '%s' is not an IPv4 or IPv6 address\n", peer);
		return EXIT_FAILURE;
	}
	snprintf(p.addr, sizeof(p.addr), "%s", peer);
	r = request(path, &rq, &p, sizeof(p), &l);
	if (r == 0 && l.reply.status == -ENOENT)
		fprintf(stderr, "l2tpctl: no record of %s: l2tpsrv has heard nothing of that "
				"address lately (it remembers the last %u addresses)\n",
			peer, CTL_HISTORY_PEERS);
	else if (r == 0 && l.reply.status < 0)
		fprintf(stderr, "l2tpctl: diagnose: %s\n", strerror(-l.reply.status));
	else if (r == 0 && take_events(&l, ev)) {
		l.history.peer[sizeof(l.history.peer) - 1] = '\0';
		snprintf(origin, sizeof(origin), "recorded: l2tpctl diagnose --raw %s (l2tpctl %s)",
			 peer, PACKAGE_VERSION);
		print_diagnosis(origin, l.history.peer[0] ? l.history.peer : peer, ev,
				l.history.n_events, how);
		if (l.history.n_lost)
			fprintf(stderr, "l2tpctl: %" PRIu32 " older events of %s are no longer kept\n",
				l.history.n_lost, peer);
		rc = EXIT_SUCCESS;
	}
	free(l.tunnels);
	free(l.sessions);
	free(l.events);
	return rc;
}

static void print(const struct listing *l, bool json, char show)
{
	if (show == 's')
		json ? print_sessions_json(l) : print_sessions_text(l);
	else if (json)
		print_json(l);
	else if (show == 't')
		print_tunnels_text(l, false);
	else
		print_tunnels_text(l, true);
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "socket", required_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "raw", no_argument, NULL, 'r' },
		{ "history", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct ctl_request rq = { .magic = CTL_MAGIC, .version = CTL_VERSION };
	const char *path = CTL_DEFAULT_SOCKET, *cmd, *history = NULL;
	bool raw = false;
	struct ctl_match match = { 0 };
	const void *arg = NULL;
	size_t arg_len = 0;
	struct listing l;
	bool json = false;
	char show = 0; /* 't' tunnels, 's' sessions, 0 the whole list */
	uint32_t v[4] = { 0 };
	char **args;
	int c, nargs, r;

	/* the gateway's setup, which needs no daemon, has options of its own */
	if (argc > 1 && !strcmp(argv[1], "init"))
		return l2tpctl_init(argc - 1, argv + 1);
	if (argc > 1 && !strcmp(argv[1], "add-user"))
		return l2tpctl_add_user(argc - 1, argv + 1);
	while ((c = getopt_long(argc, argv, "s:jhV", opts, NULL)) != -1) {
		switch (c) {
		case 's':
			path = optarg;
			break;
		case 'j':
			json = true;
			break;
		case 'r':
			raw = true;
			break;
		case 'H':
			history = optarg;
			break;
		case 'h':
			usage(stdout);
			return EXIT_SUCCESS;
		case 'V':
			printf("l2tpctl %s\n", PACKAGE_VERSION);
			return EXIT_SUCCESS;
		default:
			usage(stderr);
			return EXIT_FAILURE;
		}
	}
	cmd = optind < argc ? argv[optind++] : "list";
	nargs = argc - optind;
	args = argv + optind;
	if (!strcmp(cmd, "diagnose")) {
		enum diag_output how = raw ? DIAG_RAW : json ? DIAG_JSON : DIAG_TEXT;

		if ((raw && json) || nargs > 1 || (!history && nargs != 1)) {
			fprintf(stderr, "l2tpctl: diagnose PEER, or diagnose --history FILE [PEER];"
					" --json or --raw\n");
			return EXIT_FAILURE;
		}
		return history ? diagnose_file(history, nargs ? args[0] : NULL, how)
			       : diagnose_peer(path, args[0], how);
	}
	if (raw || history) {
		fprintf(stderr, "l2tpctl: --raw and --history go with diagnose\n");
		usage(stderr);
		return EXIT_FAILURE;
	}
	if (!strcmp(cmd, "show") && nargs == 1 &&
	    (!strcmp(args[0], "tunnels") || !strcmp(args[0], "sessions"))) {
		rq.command = CTL_LIST;
		show = args[0][0];
		nargs = 0;
	} else if (!strcmp(cmd, "kill")) {
		if (!parse_match(args, nargs, &match))
			return EXIT_FAILURE;
		rq.command = CTL_KILL;
		arg = &match;
		arg_len = sizeof(match);
		nargs = 0;
	} else if (!strcmp(cmd, "list") && nargs == 0) {
		rq.command = CTL_LIST;
	} else if (!strcmp(cmd, "close-tunnel") && nargs == 1) {
		rq.command = CTL_CLOSE_TUNNEL;
	} else if (!strcmp(cmd, "close-session") && nargs == 2) {
		rq.command = CTL_CLOSE_SESSION;
	} else if (!strcmp(cmd, "set-accm") && nargs == 4) {
		rq.command = CTL_SET_ACCM;
	} else if (!strcmp(cmd, "shutdown") && nargs == 0) {
		rq.command = CTL_SHUTDOWN;
	} else if (!strcmp(cmd, "reload") && nargs == 0) {
		rq.command = CTL_RELOAD;
	} else if (!strcmp(cmd, "stats") && nargs == 0) {
		rq.command = CTL_STATS;
	} else {
		fprintf(stderr, "l2tpctl: unknown command or wrong arguments: %s\n", cmd);
		usage(stderr);
		return EXIT_FAILURE;
	}
	for (int i = 0; i < nargs; i++) {
		bool accm = i >= 2;

		if (!parse_u32(args[i], accm ? 16 : 10, accm ? UINT32_MAX : 65535, &v[i]) ||
		    (!accm && v[i] == 0)) {
			fprintf(stderr, "l2tpctl: bad %s '%s'\n", accm ? "ACCM (hex)" : "id",
				args[i]);
			return EXIT_FAILURE;
		}
	}
	rq.tunnel_id = (uint16_t)v[0];
	rq.session_id = (uint16_t)v[1];
	rq.arg[0] = v[2];
	rq.arg[1] = v[3];

	r = request(path, &rq, arg, arg_len, &l);
	if (r == 0 && rq.command == CTL_RELOAD) {
		/* the daemon's words: "file:line: problem" when refused */
		fprintf(l.reply.status < 0 ? stderr : stdout, "%s%s\n",
			l.reply.status < 0 ? "l2tpctl: reload refused: " : "", l.text.text);
		r = l.reply.status;
	} else if (r == 0 && l.reply.status < 0) {
		fprintf(stderr, "l2tpctl: %s: %s\n", cmd,
			l.reply.status == -ENOENT ? "no such tunnel or session"
						  : strerror(-l.reply.status));
		r = l.reply.status;
	} else if (r == 0 && (rq.command == CTL_LIST || rq.command == CTL_KILL)) {
		sanitize(&l);
		print(&l, json, rq.command == CTL_KILL ? 's' : show);
	} else if (r == 0 && rq.command == CTL_STATS) {
		l2tpctl_print_stats(&l.stats, json);
	}
	free(l.tunnels);
	free(l.sessions);
	free(l.events);
	return r < 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}
