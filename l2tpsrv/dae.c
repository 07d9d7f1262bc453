/*
 * dae: Disconnect-Request and CoA-Request (RFC 5176); see dae.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "dae.h"
#include "log.h"
#include "radius_fr.h"
#include "sockaddr.h"

#define DAE_CACHE 16
#define DAE_DATAGRAM_MAX 4096

/* libfreeradius-radius's MD5 and HMAC-MD5, as freeradius/md5.h declares
 * them: that header would also want OpenSSL's, which libfreeradius-dev
 * does not bring. */
void fr_md5_calc(uint8_t *out, uint8_t const *in, size_t inlen);
void fr_hmac_md5(uint8_t digest[AUTH_VECTOR_LEN], uint8_t const *text, size_t text_len,
		 uint8_t const *key, size_t key_len);

enum {
	CODE_DISCONNECT_REQUEST = 40,
	CODE_DISCONNECT_ACK = 41,
	CODE_DISCONNECT_NAK = 42,
	CODE_COA_REQUEST = 43,
	CODE_COA_ACK = 44,
	CODE_COA_NAK = 45,
	ATTR_ERROR_CAUSE = 101,
};

/* An answer already given, for a repeated request. */
struct dae_answer {
	struct sockaddr_storage from;
	socklen_t from_len;
	uint8_t id;
	uint8_t vector[AUTH_VECTOR_LEN];
	uint8_t data[DAE_DATAGRAM_MAX];
	size_t len; /* 0: empty slot */
};

struct dae {
	struct dae_config cfg;
	int fd;
	sd_event_source *io;
	dae_handler_fn fn;
	void *userdata;
	struct dae_answer cache[DAE_CACHE];
	unsigned int cache_next;
	struct dae_stats stats;
	uint64_t last_drop_log_usec;
};

/* An IPv4-mapped IPv6 address as the IPv4 one, so that it matches an IPv4 client. */
static void unmap(struct sockaddr_storage *ss, socklen_t *len)
{
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)ss;
	struct sockaddr_in in = { .sin_family = AF_INET };

	if (ss->ss_family != AF_INET6 || !IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr))
		return;
	memcpy(&in.sin_addr, &in6->sin6_addr.s6_addr[12], 4);
	in.sin_port = in6->sin6_port;
	memset(ss, 0, sizeof(*ss));
	memcpy(ss, &in, sizeof(in));
	*len = sizeof(in);
}

static bool same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return IN6_ARE_ADDR_EQUAL(&((const struct sockaddr_in6 *)a)->sin6_addr,
					  &((const struct sockaddr_in6 *)b)->sin6_addr);
	return false;
}

static const struct radius_server_config *find_client(const struct dae *d,
						      const struct sockaddr_storage *from)
{
	for (size_t i = 0; i < d->cfg.n_clients; i++)
		if (same_host(&d->cfg.clients[i].addr, from))
			return &d->cfg.clients[i];
	return NULL;
}

/* Counted; logged at most once a minute (a flood must not flood the log). */
static void drop(struct dae *d, const struct sockaddr_storage *from, const char *why)
{
	char text[SOCKADDR_STRING_MAX];
	uint64_t now = 0;

	d->stats.dropped++;
	sd_event_now(sd_event_source_get_event(d->io), CLOCK_MONOTONIC, &now);
	if (d->last_drop_log_usec && now < d->last_drop_log_usec + 60 * 1000000ULL)
		return;
	d->last_drop_log_usec = now;
	sockaddr_string(from, text, sizeof(text));
	log_msg(LOG_WARNING, "event=dae_dropped from=%s reason=\"%s\" dropped=%llu", text, why,
		(unsigned long long)d->stats.dropped);
}

static struct dae_answer *cached(struct dae *d, const struct sockaddr_storage *from,
				 socklen_t from_len, const uint8_t *data)
{
	for (unsigned int i = 0; i < DAE_CACHE; i++) {
		struct dae_answer *a = &d->cache[i];

		if (a->len && a->from_len == from_len && !memcmp(&a->from, from, from_len) &&
		    a->id == data[1] && !memcmp(a->vector, data + 4, AUTH_VECTOR_LEN))
			return a;
	}
	return NULL;
}

/* request's id and vector, not its data: rad_verify() zeroed the
 * authenticator there. */
static void remember(struct dae *d, const struct sockaddr_storage *from, socklen_t from_len,
		     const RADIUS_PACKET *request, const RADIUS_PACKET *reply)
{
	struct dae_answer *a = &d->cache[d->cache_next++ % DAE_CACHE];

	if (reply->data_len > sizeof(a->data))
		return;
	a->from = *from;
	a->from_len = from_len;
	a->id = (uint8_t)request->id;
	memcpy(a->vector, request->vector, AUTH_VECTOR_LEN);
	memcpy(a->data, reply->data, reply->data_len);
	a->len = reply->data_len;
}

static int add_vp(RADIUS_PACKET *p, unsigned int attr, const void *data, size_t len,
		  uint32_t integer)
{
	VALUE_PAIR *vp = fr_pair_afrom_da(p, dict_attrbyvalue(attr, 0));

	if (!vp)
		return -ENOMEM;
	if (data)
		fr_pair_value_memcpy(vp, data, len);
	else
		vp->vp_integer = integer;
	fr_pair_add(&p->vps, vp);
	return 0;
}

/* Where the first attribute of type is in packet p; 0: nowhere. */
static size_t attribute_at(const uint8_t *p, size_t len, uint8_t type)
{
	for (size_t at = 20; at + 2 <= len; at += p[at + 1]) {
		if (p[at + 1] < 2 || at + p[at + 1] > len)
			return 0;
		if (p[at] == type)
			return at;
	}
	return 0;
}

/*
 * FreeRADIUS 3.2's rad_sign() computes the Message-Authenticator of a
 * Disconnect/CoA-ACK/NAK over a zero authenticator; RFC 5176 section 3.5
 * (and FreeRADIUS's own rad_verify(), so radclient) over the request's
 * Request Authenticator. Computes it again so, then the Response
 * Authenticator, which covers it.
 */
static int sign_message_authenticator(RADIUS_PACKET *reply, const RADIUS_PACKET *request,
				      const char *secret)
{
	uint8_t text[DAE_DATAGRAM_MAX + RADIUS_MAX_SECRET], digest[AUTH_VECTOR_LEN];
	size_t secret_len = strlen(secret);
	size_t at = attribute_at(reply->data, reply->data_len, PW_MESSAGE_AUTHENTICATOR);

	if (!at || reply->data[at + 1] != 2 + AUTH_VECTOR_LEN ||
	    reply->data_len + secret_len > sizeof(text))
		return -EINVAL;
	memcpy(reply->data + 4, request->vector, AUTH_VECTOR_LEN);
	memset(reply->data + at + 2, 0, AUTH_VECTOR_LEN);
	fr_hmac_md5(digest, reply->data, reply->data_len, (const uint8_t *)secret, secret_len);
	memcpy(reply->data + at + 2, digest, AUTH_VECTOR_LEN);
	memcpy(text, reply->data, reply->data_len);
	memcpy(text + reply->data_len, secret, secret_len);
	fr_md5_calc(reply->data + 4, text, reply->data_len + secret_len);
	explicit_bzero(text, sizeof(text));
	return 0;
}

/* Signs and sends the answer to request; remembers it. */
static void answer(struct dae *d, const struct radius_server_config *client,
		   RADIUS_PACKET *request, enum dae_kind kind, enum dae_error err,
		   const struct sockaddr_storage *from, socklen_t from_len)
{
	static const uint8_t zero[AUTH_VECTOR_LEN];
	RADIUS_PACKET *reply = rad_alloc(NULL, false);
	bool had_ma = fr_pair_find_by_num(request->vps, PW_MESSAGE_AUTHENTICATOR, 0, TAG_ANY);

	if (!reply)
		return;
	reply->id = request->id;
	reply->code = kind == DAE_DISCONNECT ? (err ? CODE_DISCONNECT_NAK : CODE_DISCONNECT_ACK)
					     : (err ? CODE_COA_NAK : CODE_COA_ACK);
	if ((had_ma && add_vp(reply, PW_MESSAGE_AUTHENTICATOR, zero, sizeof(zero), 0) < 0) ||
	    (err && add_vp(reply, ATTR_ERROR_CAUSE, NULL, 0, err) < 0) ||
	    rad_encode(reply, request, client->secret) < 0 ||
	    rad_sign(reply, request, client->secret) < 0 ||
	    (had_ma && sign_message_authenticator(reply, request, client->secret) < 0)) {
		log_msg(LOG_ERR, "event=dae_encode_failed error=\"%s\"", fr_strerror());
		rad_free(&reply);
		return;
	}
	if (sendto(d->fd, reply->data, reply->data_len, 0, (const struct sockaddr *)from,
		   from_len) < 0)
		log_msg(LOG_WARNING, "event=dae_send_failed error=\"%m\"");
	remember(d, from, from_len, request, reply);
	if (err)
		d->stats.naks++;
	else
		d->stats.acks++;
	rad_free(&reply);
}

static void take_datagram(struct dae *d, const uint8_t *data, size_t len,
			  struct sockaddr_storage *from, socklen_t from_len)
{
	const struct radius_server_config *client = find_client(d, from);
	const struct dae_answer *again;
	struct radius_attrs attrs;
	RADIUS_PACKET *request;
	enum dae_kind kind;
	enum dae_error err;
	decode_fail_t reason;

	if (!client) {
		drop(d, from, "not a configured client");
		return;
	}
	if (len < 20 || (data[0] != CODE_DISCONNECT_REQUEST &&
				     data[0] != CODE_COA_REQUEST)) {
		drop(d, from, "not a Disconnect-Request or CoA-Request");
		return;
	}
	kind = data[0] == CODE_DISCONNECT_REQUEST ? DAE_DISCONNECT : DAE_COA;
	request = rad_alloc(NULL, false);
	if (!request)
		return;
	request->data = talloc_memdup(request, data, len);
	request->data_len = len;
	if (!request->data || !rad_packet_ok(request, 0, &reason)) {
		drop(d, from, "malformed");
		goto out;
	}
	if (rad_verify(request, NULL, client->secret) < 0) {
		drop(d, from, "bad authenticator");
		goto out;
	}
	again = cached(d, from, from_len, data); /* only a verified request gets it again */
	if (again) {
		d->stats.repeats++;
		sendto(d->fd, again->data, again->len, 0, (const struct sockaddr *)from, from_len);
		goto out;
	}
	if (rad_decode(request, NULL, client->secret) != 0) {
		drop(d, from, "attributes do not decode");
		goto out;
	}
	d->stats.requests++;
	attrs = (struct radius_attrs){ .ctx = request, .vps = request->vps };
	err = d->fn(d->userdata, kind, &attrs);
	answer(d, client, request, kind, err, from, from_len);
out:
	rad_free(&request);
}

static int on_readable(sd_event_source *source, int fd, uint32_t revents, void *userdata)
{
	struct dae *d = userdata;
	uint8_t buf[DAE_DATAGRAM_MAX];

	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage from;
		socklen_t from_len = sizeof(from);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from,
				     &from_len);

		if (n < 0)
			break;
		unmap(&from, &from_len);
		take_datagram(d, buf, (size_t)n, &from, from_len);
	}
	return 0;
}

int dae_new(struct dae **out, sd_event *event, const struct dae_config *cfg, dae_handler_fn fn,
	    void *userdata)
{
	struct sockaddr_in6 any = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_ANY_INIT };
	struct dae *d;
	int off = 0, r;

	if (!radius_library_ready())
		return -ENOPKG;
	if (!cfg->port || !cfg->n_clients)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->cfg = *cfg;
	d->fn = fn;
	d->userdata = userdata;
	any.sin6_port = htons(cfg->port);
	d->fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (d->fd < 0 ||
	    setsockopt(d->fd, IPPROTO_IPV6, IPV6_V6ONLY, &off, sizeof(off)) < 0 ||
	    bind(d->fd, (const struct sockaddr *)&any, sizeof(any)) < 0) {
		r = -errno;
		goto fail;
	}
	r = sd_event_add_io(event, &d->io, d->fd, EPOLLIN, on_readable, d);
	if (r < 0)
		goto fail;
	*out = d;
	return 0;
fail:
	if (d->fd >= 0)
		close(d->fd);
	explicit_bzero(d, sizeof(*d));
	free(d);
	return r;
}

struct dae *dae_free(struct dae *d)
{
	if (!d)
		return NULL;
	sd_event_source_disable_unref(d->io);
	close(d->fd);
	explicit_bzero(&d->cfg, sizeof(d->cfg));
	free(d);
	return NULL;
}

void dae_get_stats(const struct dae *d, struct dae_stats *out)
{
	*out = d->stats;
}
