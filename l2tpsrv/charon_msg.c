/*
 * charon_msg: the plugin's records, see charon_msg.h and charon_proto.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "charon_msg.h"
#include "charon_proto.h"

static const struct {
	enum charon_event_kind kind;
	const char *name;
} events[] = {
	{ CHARON_HELLO, "hello" },
	{ CHARON_SYNC_BEGIN, "sync-begin" },
	{ CHARON_SYNC_END, "sync-end" },
	{ CHARON_IKE_UP, "ike-up" },
	{ CHARON_IKE_DOWN, "ike-down" },
	{ CHARON_IKE_UPDATE, "ike-update" },
	{ CHARON_IKE_REKEY, "ike-rekey" },
	{ CHARON_CHILD_UP, "child-up" },
	{ CHARON_CHILD_DOWN, "child-down" },
	{ CHARON_CHILD_REKEY, "child-rekey" },
	{ CHARON_CHILD_MIGRATE, "child-migrate" },
	{ CHARON_IKE_FAIL, "ike-fail" },
};

const char *charon_event_name(enum charon_event_kind kind)
{
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		if (events[i].kind == kind)
			return events[i].name;
	return "?";
}

/* A slice of the record. */
struct span {
	const char *p;
	size_t len;
};

static bool span_is(struct span s, const char *lit)
{
	return s.len == strlen(lit) && memcmp(s.p, lit, s.len) == 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Undoes the %XX escapes into out (NUL-terminated); false if malformed or too long. */
static bool unescape(struct span v, char *out, size_t out_len)
{
	size_t n = 0;

	for (size_t i = 0; i < v.len; i++) {
		char c = v.p[i];

		if (c == '%') {
			int hi, lo;

			if (v.len - i < 3)
				return false;
			hi = hexval(v.p[i + 1]);
			lo = hexval(v.p[i + 2]);
			if (hi < 0 || lo < 0)
				return false;
			c = (char)(hi << 4 | lo);
			i += 2;
		}
		if (c == '\0' || n + 1 >= out_len)
			return false;
		out[n++] = c;
	}
	out[n] = '\0';
	return true;
}

static bool parse_u32(const char *s, int base, uint32_t *out)
{
	char *end;
	unsigned long v;

	/* digits only: no sign, no white space, no 0x */
	if (!*s)
		return false;
	for (const char *c = s; *c; c++)
		if (base == 16 ? hexval(*c) < 0 : (*c < '0' || *c > '9'))
			return false;
	errno = 0;
	v = strtoul(s, &end, base);
	if (errno || *end || v > UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

static bool parse_port(const char *s, uint16_t *out)
{
	uint32_t v;

	if (!parse_u32(s, 10, &v) || v > 65535)
		return false;
	*out = (uint16_t)v;
	return true;
}

static bool parse_bool(const char *s, bool *out)
{
	if (strcmp(s, "0") && strcmp(s, "1"))
		return false;
	*out = s[0] == '1';
	return true;
}

/* "VALUE/MASK" in hex */
static bool parse_mark(const char *s, uint32_t *value, uint32_t *mask)
{
	const char *slash = strchr(s, '/');
	char v[16];

	if (!slash || (size_t)(slash - s) >= sizeof(v))
		return false;
	memcpy(v, s, (size_t)(slash - s));
	v[slash - s] = '\0';
	return parse_u32(v, 16, value) && parse_u32(slash + 1, 16, mask);
}

/* "LOW-HIGH" */
static bool parse_ports(const char *s, uint16_t *lo, uint16_t *hi)
{
	const char *dash = strchr(s, '-');
	char v[8];

	if (!dash || (size_t)(dash - s) >= sizeof(v))
		return false;
	memcpy(v, s, (size_t)(dash - s));
	v[dash - s] = '\0';
	return parse_port(v, lo) && parse_port(dash + 1, hi) && *lo <= *hi;
}

static bool parse_addr(const char *s, struct sockaddr_storage *ss)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1) {
		sin->sin_family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, s, &sin6->sin6_addr) == 1) {
		sin6->sin6_family = AF_INET6;
		return true;
	}
	return false;
}

/* Ports come in keys of their own, before or after the address. */
static void set_port(struct sockaddr_storage *ss, uint16_t port)
{
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else if (ss->ss_family == AF_INET6)
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

/* Which keys each event must have. */
enum {
	NEED_IKE = 1 << 0,
	NEED_CHILD = 1 << 1,
	NEED_NEW = 1 << 2,
	NEED_ADDRESSES = 1 << 3,
	NEED_PROTO = 1 << 4,
	NEED_REMOTE = 1 << 5,
	NEED_ALERT = 1 << 6,
};

static unsigned int needs(enum charon_event_kind kind)
{
	switch (kind) {
	case CHARON_HELLO:
		return NEED_PROTO;
	case CHARON_SYNC_BEGIN:
	case CHARON_SYNC_END:
		return 0;
	case CHARON_IKE_UP:
	case CHARON_IKE_UPDATE:
		return NEED_IKE | NEED_ADDRESSES;
	case CHARON_IKE_DOWN:
		return NEED_IKE;
	case CHARON_IKE_REKEY:
		return NEED_IKE | NEED_NEW | NEED_ADDRESSES;
	case CHARON_CHILD_UP:
		return NEED_IKE | NEED_CHILD | NEED_ADDRESSES;
	case CHARON_CHILD_DOWN:
	case CHARON_CHILD_MIGRATE:
		return NEED_IKE | NEED_CHILD;
	case CHARON_CHILD_REKEY:
		return NEED_IKE | NEED_CHILD | NEED_NEW | NEED_ADDRESSES;
	case CHARON_IKE_FAIL:
		return NEED_ALERT | NEED_REMOTE;
	}
	return 0;
}

int charon_msg_parse(const uint8_t *buf, size_t len, struct charon_event *ev, char *err,
		     size_t err_len)
{
	const char *p = (const char *)buf, *end = p + len;
	char value[CHARON_MSG_MAX];
	unsigned int have = 0;
	bool has_local = false, has_remote = false;
	uint16_t local_port = 0, remote_port = 0;
	struct span tok;
	bool known = false;

	memset(ev, 0, sizeof(*ev));
	ev->child_sa.port_hi = 65535;
	if (len == 0 || len > CHARON_MSG_MAX) {
		snprintf(err, err_len, "record of %zu bytes", len);
		return -EINVAL;
	}
	tok.p = p;
	while (p < end && *p != ' ')
		p++;
	tok.len = (size_t)(p - tok.p);
	for (size_t i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		if (span_is(tok, events[i].name)) {
			ev->kind = events[i].kind;
			known = true;
		}
	if (!known) {
		snprintf(err, err_len, "unknown event '%.*s'", (int)(tok.len > 32 ? 32 : tok.len),
			 tok.p);
		return -EINVAL;
	}
	while (p < end) {
		struct span key, val;
		const char *eq;
		bool ok = true;

		p++; /* the space */
		key.p = p;
		while (p < end && *p != ' ')
			p++;
		eq = memchr(key.p, '=', (size_t)(p - key.p));
		if (!eq) {
			snprintf(err, err_len, "'%.*s' is not KEY=VALUE",
				 (int)((p - key.p) > 32 ? 32 : (p - key.p)), key.p);
			return -EINVAL;
		}
		key.len = (size_t)(eq - key.p);
		val.p = eq + 1;
		val.len = (size_t)(p - val.p);
		if (!unescape(val, value, sizeof(value))) {
			snprintf(err, err_len, "bad escape in %.*s", (int)(key.len > 32 ? 32 : key.len),
				 key.p);
			return -EINVAL;
		}
#define KEY(lit) span_is(key, lit)
#define COPY(dst) (ok = strlen(value) < sizeof(dst), ok ? (void)strcpy(dst, value) : (void)0)
		if (KEY("ike")) {
			ok = parse_u32(value, 10, &ev->ike) && ev->ike;
			have |= NEED_IKE;
		} else if (KEY("child")) {
			ok = parse_u32(value, 10, &ev->child) && ev->child;
			have |= NEED_CHILD;
		} else if (KEY("new")) {
			ok = parse_u32(value, 10, &ev->new_id) && ev->new_id;
			have |= NEED_NEW;
		} else if (KEY("proto")) {
			ok = parse_u32(value, 10, &ev->proto);
			have |= NEED_PROTO;
		} else if (KEY("version")) {
			COPY(ev->version);
		} else if (KEY("requests")) {
			ok = parse_bool(value, &ev->requests);
		} else if (KEY("ikev")) {
			uint32_t v;

			ok = parse_u32(value, 10, &v) && (v == 1 || v == 2);
			ev->ike_sa.version = (uint8_t)v;
		} else if (KEY("local")) {
			ok = has_local = parse_addr(value, &ev->ike_sa.local);
		} else if (KEY("local-port")) {
			ok = parse_port(value, &local_port);
		} else if (KEY("remote")) {
			ok = has_remote = parse_addr(value, &ev->ike_sa.remote);
		} else if (KEY("remote-port")) {
			ok = parse_port(value, &remote_port);
		} else if (KEY("nat-local")) {
			ok = parse_bool(value, &ev->ike_sa.nat_local);
		} else if (KEY("nat-remote")) {
			ok = parse_bool(value, &ev->ike_sa.nat_remote);
		} else if (KEY("remote-id")) {
			COPY(ev->ike_sa.remote_id);
		} else if (KEY("eap-id")) {
			COPY(ev->ike_sa.eap_id);
		} else if (KEY("xauth-id")) {
			COPY(ev->ike_sa.xauth_id);
		} else if (KEY("cert")) {
			COPY(ev->ike_sa.cert);
		} else if (KEY("name")) {
			COPY(ev->child_sa.name);
		} else if (KEY("mode")) {
			ok = !strcmp(value, "transport") || !strcmp(value, "tunnel");
			ev->child_sa.transport = !strcmp(value, "transport");
		} else if (KEY("reqid")) {
			ok = parse_u32(value, 10, &ev->child_sa.reqid);
		} else if (KEY("spi-in")) {
			ok = strlen(value) == 8 && parse_u32(value, 16, &ev->child_sa.spi_in);
		} else if (KEY("spi-out")) {
			ok = strlen(value) == 8 && parse_u32(value, 16, &ev->child_sa.spi_out);
		} else if (KEY("mark-in")) {
			ok = parse_mark(value, &ev->child_sa.mark_in, &ev->child_sa.mark_in_mask);
		} else if (KEY("mark-out")) {
			ok = parse_mark(value, &ev->child_sa.mark_out, &ev->child_sa.mark_out_mask);
		} else if (KEY("remote-ports")) {
			ok = parse_ports(value, &ev->child_sa.port_lo, &ev->child_sa.port_hi);
		} else if (KEY("alert")) {
			COPY(ev->fail.alert);
			ok = ok && value[0];
			have |= NEED_ALERT;
		} else if (KEY("exchange")) {
			COPY(ev->fail.exchange);
		} else if (KEY("notify")) {
			COPY(ev->fail.notify);
		} else if (KEY("encrypted")) {
			ok = parse_bool(value, &ev->fail.encrypted);
		} /* other keys: newer plugins may send more */
#undef KEY
#undef COPY
		if (!ok) {
			snprintf(err, err_len, "bad value for %.*s", (int)(key.len > 32 ? 32 : key.len),
				 key.p);
			return -EINVAL;
		}
	}
	set_port(&ev->ike_sa.local, local_port);
	set_port(&ev->ike_sa.remote, remote_port);
	if (has_local && has_remote)
		have |= NEED_ADDRESSES;
	if (has_remote)
		have |= NEED_REMOTE;
	ev->ike_sa.has_addresses = has_local && has_remote;
	ev->fail.has_remote = has_remote;
	if ((needs(ev->kind) & have) != needs(ev->kind)) {
		unsigned int missing = needs(ev->kind) & ~have;

		snprintf(err, err_len, "%s without %s", charon_event_name(ev->kind),
			 missing & NEED_IKE	  ? "ike="
			 : missing & NEED_CHILD	  ? "child="
			 : missing & NEED_NEW	  ? "new="
			 : missing & NEED_PROTO	  ? "proto="
			 : missing & NEED_ALERT	  ? "alert="
			 : missing & NEED_REMOTE  ? "remote="
						  : "local= and remote=");
		return -EINVAL;
	}
	return 0;
}

/* Appends v with the %XX escapes at buf + *n; false if it and a NUL do not fit in size. */
static bool append_escaped(char *buf, size_t size, size_t *n, const char *v)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *v; v++) {
		unsigned char c = (unsigned char)*v;
		bool plain = c >= 0x21 && c <= 0x7e && c != '%';

		if (size - *n <= (plain ? 1u : 3u))
			return false;
		if (plain) {
			buf[(*n)++] = (char)c;
		} else {
			buf[(*n)++] = '%';
			buf[(*n)++] = hex[c >> 4];
			buf[(*n)++] = hex[c & 0x0f];
		}
	}
	buf[*n] = '\0';
	return true;
}

int charon_msg_terminate_ike(char *buf, size_t size, uint32_t ike, const char *reason)
{
	int head;
	size_t n;

	if (!ike)
		return -EINVAL;
	head = snprintf(buf, size, "terminate-ike ike=%u reason=", ike);
	if (head < 0 || (size_t)head >= size)
		return -EMSGSIZE;
	n = (size_t)head;
	if (!append_escaped(buf, size, &n, reason ? reason : "") || n > CHARON_MSG_MAX)
		return -EMSGSIZE;
	return (int)n;
}
