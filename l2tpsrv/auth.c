/*
 * auth: CTL_AUTH requests as RADIUS Access-Requests; see auth.h.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth.h"

/* MS-CHAP2-Success: Ident, then "S=" and 40 hex digits (RFC 2548 section 2.3.3). */
#define MSCHAP2_SUCCESS_LEN 43
/* pppd's response lengths without the length octet (chap_ms.h, RFC 1994). */
#define MD5_RESPONSE_LEN 16
#define MSCHAP_RESPONSE_LEN 49
#define MSCHAP_CHALLENGE_LEN 8
#define MSCHAP2_CHALLENGE_LEN 16
/* pppd's MS-CHAP response: LM 24, NT 24, use-NT flag (chap_ms.h MS_CHAP_USENT). */
#define MSCHAP_FLAGS_AT 48
/* pppd's MS-CHAPv2 response: peer challenge 16, reserved 8, NT 24, flags (MS_CHAP2_FLAGS). */
#define MSCHAP2_FLAGS_AT 48
/* RFC 2548's MS-CHAP-Response and MS-CHAP2-Response: Ident, Flags, then the 48 octets. */
#define MS_RADIUS_RESPONSE_LEN 50
/* Framed-IP-Address values that name no address (RFC 2865 section 5.8). */
#define FRAMED_IP_USER_CHOOSES 0xffffffffu
#define FRAMED_IP_NAS_CHOOSES 0xfffffffeu

struct auth {
	struct radius *radius;
	struct auth_nas nas;
};

struct auth_request {
	struct radius_request *radius_req;
	bool eap; /* a CTL_EAP round */
	auth_done_fn done;
	void *userdata;
	/* what reading the answer needs of the request: no credentials */
	struct ctl_auth_request rq;
};

const char *auth_method_name(uint32_t method)
{
	switch (method) {
	case CTL_AUTH_PAP:
		return "pap";
	case CTL_AUTH_CHAP:
		return "chap";
	case CTL_AUTH_MSCHAP:
		return "mschap";
	case CTL_AUTH_MSCHAP_V2:
		return "mschap-v2";
	case CTL_AUTH_EAP:
		return "eap";
	}
	return "?";
}

static bool terminated(const char *s, size_t len)
{
	return memchr(s, '\0', len) != NULL;
}

bool auth_request_is_valid(const struct ctl_auth_request *rq)
{
	if (!terminated(rq->user, sizeof(rq->user)) || !rq->user[0] ||
	    !terminated(rq->password, sizeof(rq->password)) ||
	    rq->challenge_len > CTL_AUTH_MAX_CHALLENGE || rq->response_len > CTL_AUTH_MAX_RESPONSE)
		return false;
	switch (rq->method) {
	case CTL_AUTH_PAP:
		return true;
	case CTL_AUTH_CHAP:
		return rq->challenge_len > 0 && rq->response_len == MD5_RESPONSE_LEN;
	case CTL_AUTH_MSCHAP:
		return rq->challenge_len == MSCHAP_CHALLENGE_LEN &&
		       rq->response_len == MSCHAP_RESPONSE_LEN;
	case CTL_AUTH_MSCHAP_V2:
		return rq->challenge_len == MSCHAP2_CHALLENGE_LEN &&
		       rq->response_len == MSCHAP_RESPONSE_LEN;
	}
	return false;
}

void auth_acct_session_id(char *buf, size_t len, uint32_t start, uint16_t tunnel_id,
			  uint16_t session_id)
{
	snprintf(buf, len, "%08x-%04x%04x", start, tunnel_id, session_id);
}

/* The address of ss as text, without the port; "" for other families. */
static void host_string(const struct sockaddr_storage *ss, char *buf, size_t len)
{
	buf[0] = '\0';
	if (ss->ss_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, buf, len);
	else if (ss->ss_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, buf, len);
}

/*
 * CHAP-Password, or MS-CHAP(2)-Response: Ident, then for MS-CHAP the Flags
 * octet pppd keeps last, then the rest in pppd's order (RFC 2548 puts the
 * flags first; pppd's radius plugin does the same).
 */
static int add_credentials(struct radius_attrs *a, const struct ctl_auth_request *rq)
{
	uint8_t buf[1 + MS_RADIUS_RESPONSE_LEN];
	int r;

	switch (rq->method) {
	case CTL_AUTH_PAP:
		return radius_attrs_add_octets(a, "User-Password", rq->password,
					       strlen(rq->password));
	case CTL_AUTH_CHAP:
		buf[0] = rq->chap_id;
		memcpy(buf + 1, rq->response, MD5_RESPONSE_LEN);
		r = radius_attrs_add_octets(a, "CHAP-Password", buf, 1 + MD5_RESPONSE_LEN);
		if (r == 0)
			r = radius_attrs_add_octets(a, "CHAP-Challenge", rq->challenge,
						    rq->challenge_len);
		break;
	case CTL_AUTH_MSCHAP:
	case CTL_AUTH_MSCHAP_V2:
		buf[0] = rq->chap_id;
		buf[1] = rq->response[rq->method == CTL_AUTH_MSCHAP ? MSCHAP_FLAGS_AT
								      : MSCHAP2_FLAGS_AT];
		memcpy(buf + 2, rq->response, MS_RADIUS_RESPONSE_LEN - 2);
		r = radius_attrs_add_octets(a, "MS-CHAP-Challenge", rq->challenge,
					    rq->challenge_len);
		if (r == 0)
			r = radius_attrs_add_octets(a,
						    rq->method == CTL_AUTH_MSCHAP
							    ? "MS-CHAP-Response"
							    : "MS-CHAP2-Response",
						    buf, MS_RADIUS_RESPONSE_LEN);
		break;
	default:
		return -EINVAL;
	}
	explicit_bzero(buf, sizeof(buf));
	return r;
}

/* A string attribute, its octets as they are (no escapes interpreted). */
static int add_string(struct radius_attrs *a, const char *name, const char *value)
{
	return radius_attrs_add_octets(a, name, value, strlen(value));
}

int auth_add_call_attrs(struct radius_attrs *a, const struct auth_nas *nas,
			const struct auth_call *call)
{
	char peer[INET6_ADDRSTRLEN], local[INET6_ADDRSTRLEN], nas_ip[INET_ADDRSTRLEN], port[8];
	int r = 0;

	host_string(&call->peer, peer, sizeof(peer));
	host_string(&call->local, local, sizeof(local));
	snprintf(port, sizeof(port), "%u", call->session_id);
	if (nas->identifier[0])
		r = add_string(a, "NAS-Identifier", nas->identifier);
	if (r == 0 && nas->ip)
		r = radius_attrs_add(a, "NAS-IP-Address",
				     inet_ntop(AF_INET, &nas->ip, nas_ip, sizeof(nas_ip)));
	if (r == 0)
		r = radius_attrs_add(a, "NAS-Port", port);
	if (r == 0)
		r = radius_attrs_add(a, "NAS-Port-Type", "Virtual");
	if (r == 0)
		r = radius_attrs_add(a, "Service-Type", "Framed-User");
	if (r == 0)
		r = radius_attrs_add(a, "Framed-Protocol", "PPP");
	if (r == 0 && call->calling_station[0])
		r = add_string(a, "Calling-Station-Id", call->calling_station);
	if (r == 0 && local[0])
		r = add_string(a, "Called-Station-Id", local);
	if (r == 0)
		r = radius_attrs_add(a, "Tunnel-Type", "L2TP");
	if (r == 0)
		r = radius_attrs_add(a, "Tunnel-Medium-Type",
				     call->peer.ss_family == AF_INET6 ? "IPv6" : "IPv4");
	if (r == 0 && peer[0])
		r = add_string(a, "Tunnel-Client-Endpoint", peer);
	if (r == 0 && local[0])
		r = add_string(a, "Tunnel-Server-Endpoint", local);
	if (r == 0 && call->ike_id[0])
		r = add_string(a, "Tunnel-Client-Auth-ID", call->ike_id);
	if (r == 0 && call->acct_session_id[0])
		r = add_string(a, "Acct-Session-Id", call->acct_session_id);
	return r;
}

int auth_build_request(struct radius_attrs *attrs, const struct auth_nas *nas,
		       const struct ctl_auth_request *rq, const struct auth_call *call)
{
	int r;

	if (!auth_request_is_valid(rq))
		return -EINVAL;
	r = add_string(attrs, "User-Name", rq->user);
	if (r == 0)
		r = add_credentials(attrs, rq);
	if (r == 0)
		r = auth_add_call_attrs(attrs, nas, call);
	return r;
}

static bool is_mschap(uint32_t method)
{
	return method == CTL_AUTH_MSCHAP || method == CTL_AUTH_MSCHAP_V2;
}

/*
 * An MS-CHAP Failure message (RFC 2433 section 4, RFC 2759 section 6) when
 * RADIUS sent no MS-CHAP-Error: error 691, no retry (pppd ends the link).
 */
static void mschap_failure(const struct ctl_auth_request *rq, char *buf, size_t len)
{
	char challenge[2 * CTL_AUTH_MAX_CHALLENGE + 1];

	for (size_t i = 0; i < rq->challenge_len; i++)
		snprintf(challenge + 2 * i, 3, "%02X", rq->challenge[i]);
	challenge[2 * rq->challenge_len] = '\0';
	if (rq->method == CTL_AUTH_MSCHAP_V2)
		snprintf(buf, len, "E=691 R=0 C=%s V=3 M=Authentication failed", challenge);
	else
		snprintf(buf, len, "E=691 R=0 C=%s V=0", challenge);
}

/* An MS-CHAP attribute's text after its Ident octet into buf; false when absent or empty. */
static bool ms_text(const struct radius_attrs *a, const char *name, char *buf, size_t len)
{
	uint8_t raw[256];
	ssize_t n = radius_attrs_get_octets(a, name, raw, sizeof(raw));
	size_t text;

	if (n < 2)
		return false;
	text = (size_t)n - 1;
	if (text >= len)
		text = len - 1;
	memcpy(buf, raw + 1, text);
	buf[text] = '\0';
	return strlen(buf) > 0;
}

/* MS-CHAP2-Success: Ident, "S=", 40 hex digits; buf gets "S=...". */
static bool mschap2_success(const struct radius_attrs *a, char *buf, size_t len)
{
	uint8_t raw[MSCHAP2_SUCCESS_LEN + 1];
	ssize_t n = radius_attrs_get_octets(a, "MS-CHAP2-Success", raw, sizeof(raw));

	if (n != MSCHAP2_SUCCESS_LEN || raw[1] != 'S' || raw[2] != '=')
		return false;
	for (size_t i = 3; i < MSCHAP2_SUCCESS_LEN; i++)
		if (!((raw[i] >= '0' && raw[i] <= '9') || (raw[i] >= 'A' && raw[i] <= 'F') ||
		      (raw[i] >= 'a' && raw[i] <= 'f')))
			return false;
	snprintf(buf, len, "%.*s", MSCHAP2_SUCCESS_LEN - 1, (const char *)raw + 1);
	return true;
}

/* What an Access-Accept grants, beyond the verdict. */
static void read_grants(const struct radius_attrs *a, struct auth_result *out)
{
	struct ctl_auth_reply *rp = &out->reply;
	uint8_t class[256]; /* an attribute's longest value is 253 */
	ssize_t n;

	if (radius_attrs_get_ipv4(a, "Framed-IP-Address", &rp->framed_ip) &&
	    (ntohl(rp->framed_ip) == FRAMED_IP_USER_CHOOSES ||
	     ntohl(rp->framed_ip) == FRAMED_IP_NAS_CHOOSES))
		rp->framed_ip = 0; /* we choose: the pool's */
	radius_attrs_get_uint(a, "Session-Timeout", &rp->session_timeout_s);
	radius_attrs_get_uint(a, "Idle-Timeout", &rp->idle_timeout_s);
	radius_attrs_get_uint(a, "Framed-MTU", &rp->framed_mtu);
	radius_attrs_get_uint(a, "Acct-Interim-Interval", &rp->interim_s);
	radius_attrs_get_ipv4(a, "MS-Primary-DNS-Server", &rp->dns[0]);
	radius_attrs_get_ipv4(a, "MS-Secondary-DNS-Server", &rp->dns[1]);
	n = radius_attrs_get_octets(a, "Class", class, sizeof(class));
	if (n > (ssize_t)sizeof(out->class)) {
		out->class_dropped = (size_t)n;
	} else if (n > 0) {
		memcpy(out->class, class, (size_t)n);
		out->class_len = (size_t)n;
	}
}

void auth_read_reply(enum radius_result r, const struct radius_attrs *reply,
		     const struct ctl_auth_request *rq, struct auth_result *out)
{
	struct ctl_auth_reply *rp = &out->reply;

	memset(out, 0, sizeof(*out));
	snprintf(out->why, sizeof(out->why), "%s", radius_result_name(r));
	if (r == RADIUS_TIMEOUT || r == RADIUS_ERROR || !reply) {
		rp->result = CTL_AUTH_ERROR;
		if (is_mschap(rq->method))
			mschap_failure(rq, rp->message, sizeof(rp->message));
		return;
	}
	radius_attrs_get_string(reply, "Reply-Message", rp->message, sizeof(rp->message));
	if (r != RADIUS_ACCEPT) {
		rp->result = CTL_AUTH_REJECT;
		if (r == RADIUS_CHALLENGE)
			snprintf(out->why, sizeof(out->why), "Access-Challenge, which only EAP uses");
		if (is_mschap(rq->method) &&
		    !ms_text(reply, "MS-CHAP-Error", rp->message, sizeof(rp->message)))
			mschap_failure(rq, rp->message, sizeof(rp->message));
		return;
	}
	if (rq->method == CTL_AUTH_MSCHAP_V2 &&
	    !mschap2_success(reply, rp->message, sizeof(rp->message))) {
		/* without it the client cannot check us: pppd's radius plugin refuses too */
		rp->result = CTL_AUTH_REJECT;
		snprintf(out->why, sizeof(out->why), "accept without a valid MS-CHAP2-Success");
		auth_refuse(rq, out);
		return;
	}
	rp->result = CTL_AUTH_ACCEPT;
	read_grants(reply, out);
}

/* ---- EAP (CTL_EAP) ---- */

#define EAP_REQUEST 1
#define EAP_RESPONSE 2
#define EAP_HEADER_LEN 4
#define EAP_MESSAGE_MAX 253 /* one attribute's value */

/* One whole EAP packet of code: its length field is len. */
static bool is_eap_packet(const uint8_t *p, size_t len, uint8_t code)
{
	return len >= EAP_HEADER_LEN && len <= CTL_EAP_MAX && p[0] == code &&
	       (size_t)(p[2] << 8 | p[3]) == len;
}

bool auth_eap_request_is_valid(const struct ctl_eap_request *rq)
{
	return terminated(rq->user, sizeof(rq->user)) && rq->user[0] &&
	       rq->state_len <= CTL_EAP_STATE_MAX &&
	       is_eap_packet(rq->eap, rq->eap_len, EAP_RESPONSE);
}

int auth_build_eap_request(struct radius_attrs *attrs, const struct auth_nas *nas,
			   const struct ctl_eap_request *rq, const struct auth_call *call)
{
	int r;

	if (!auth_eap_request_is_valid(rq))
		return -EINVAL;
	r = add_string(attrs, "User-Name", rq->user);
	for (size_t at = 0; r == 0 && at < rq->eap_len; at += EAP_MESSAGE_MAX) {
		size_t n = rq->eap_len - at < EAP_MESSAGE_MAX ? rq->eap_len - at : EAP_MESSAGE_MAX;

		r = radius_attrs_add_octets(attrs, "EAP-Message", rq->eap + at, n);
	}
	if (r == 0 && rq->state_len)
		r = radius_attrs_add_octets(attrs, "State", rq->state, rq->state_len);
	if (r == 0)
		r = auth_add_call_attrs(attrs, nas, call);
	return r;
}

/* The EAP-Message attributes, joined, into out->eap; false when they make no EAP packet. */
static bool read_eap_message(const struct radius_attrs *a, struct auth_eap *out)
{
	size_t len = 0;

	for (unsigned int n = 0;; n++) {
		ssize_t got = radius_attrs_get_octets_nth(a, "EAP-Message", n, out->eap + len,
							  sizeof(out->eap) - len);

		if (got == -1)
			break;
		if (got < 0) { /* longer than CTL_EAP_MAX in all */
			len = 0;
			break;
		}
		len += (size_t)got;
	}
	if (len < EAP_HEADER_LEN || (size_t)(out->eap[2] << 8 | out->eap[3]) != len) {
		out->eap_len = 0;
		return false;
	}
	out->eap_len = (uint16_t)len;
	return true;
}

void auth_read_eap_reply(enum radius_result r, const struct radius_attrs *reply,
			 struct auth_result *out)
{
	struct ctl_auth_reply *rp = &out->reply;
	ssize_t n;

	memset(out, 0, sizeof(*out));
	snprintf(out->why, sizeof(out->why), "%s", radius_result_name(r));
	if (r == RADIUS_TIMEOUT || r == RADIUS_ERROR || !reply) {
		rp->result = CTL_AUTH_ERROR;
		return;
	}
	radius_attrs_get_string(reply, "Reply-Message", rp->message, sizeof(rp->message));
	read_eap_message(reply, &out->eap);
	switch (r) {
	case RADIUS_CHALLENGE:
		if (!out->eap.eap_len || out->eap.eap[0] != EAP_REQUEST) {
			snprintf(out->why, sizeof(out->why), "Access-Challenge without an EAP Request");
			out->eap.eap_len = 0;
			rp->result = CTL_AUTH_REJECT;
			return;
		}
		n = radius_attrs_get_octets(reply, "State", out->eap.state, sizeof(out->eap.state));
		out->eap.state_len = n > 0 ? (uint16_t)n : 0;
		rp->result = CTL_AUTH_CHALLENGE;
		return;
	case RADIUS_ACCEPT:
		rp->result = CTL_AUTH_ACCEPT;
		read_grants(reply, out);
		return;
	default:
		rp->result = CTL_AUTH_REJECT;
		return;
	}
}

void auth_refuse(const struct ctl_auth_request *rq, struct auth_result *result)
{
	memset(&result->reply, 0, sizeof(result->reply));
	memset(&result->eap, 0, sizeof(result->eap)); /* EAP: the plugin sends a Failure */
	result->reply.result = CTL_AUTH_REJECT;
	if (is_mschap(rq->method))
		mschap_failure(rq, result->reply.message, sizeof(result->reply.message));
	memset(result->class, 0, sizeof(result->class));
	result->class_len = 0;
}

int auth_assign_address(struct pool *pool, uint32_t framed, uint32_t *addr, bool *in_pool)
{
	int r;

	if (framed == *addr)
		return 0;
	if (pool_contains(pool, framed)) {
		r = pool_reserve(pool, framed);
		if (r < 0)
			return r;
	}
	if (*addr && *in_pool)
		pool_release(pool, *addr);
	*in_pool = pool_contains(pool, framed);
	*addr = framed;
	return 0;
}

struct auth *auth_new(struct radius *radius, const struct auth_nas *nas)
{
	struct auth *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->radius = radius;
	a->nas = *nas;
	return a;
}

struct auth *auth_free(struct auth *a)
{
	free(a);
	return NULL;
}

/* RADIUS answered: the verdict goes to done; req is freed. */
static void on_radius_done(void *userdata, enum radius_result result,
			   const struct radius_attrs *reply)
{
	struct auth_request *req = userdata;
	struct auth_result out;

	if (req->eap)
		auth_read_eap_reply(result, reply, &out);
	else
		auth_read_reply(result, reply, &req->rq, &out);
	req->done(req->userdata, &out);
	free(req);
}

/*
 * Sends attrs (built, or r < 0: not) for a request that keeps rq's method
 * and challenge for reading the answer; frees attrs on failure.
 */
static int send_request(struct auth *a, struct radius_attrs *attrs, int r, bool eap,
			const struct ctl_auth_request *rq, auth_done_fn done, void *userdata,
			struct auth_request **handle)
{
	struct auth_request *req = r < 0 ? NULL : calloc(1, sizeof(*req));

	if (!req) {
		radius_attrs_free(attrs);
		return r < 0 ? r : -ENOMEM;
	}
	req->eap = eap;
	req->done = done;
	req->userdata = userdata;
	req->rq.method = rq->method;
	req->rq.chap_id = rq->chap_id;
	req->rq.challenge_len = rq->challenge_len;
	memcpy(req->rq.challenge, rq->challenge, sizeof(req->rq.challenge));
	r = radius_send(a->radius, RADIUS_AUTH, attrs, on_radius_done, req, &req->radius_req);
	if (r < 0) {
		free(req);
		return r;
	}
	if (handle)
		*handle = req;
	return 0;
}

int auth_start(struct auth *a, const struct ctl_auth_request *rq, const struct auth_call *call,
	       auth_done_fn done, void *userdata, struct auth_request **handle)
{
	struct radius_attrs *attrs;

	if (!auth_request_is_valid(rq))
		return -EINVAL;
	attrs = radius_attrs_new();
	return send_request(a, attrs, attrs ? auth_build_request(attrs, &a->nas, rq, call) : -ENOMEM,
			    false, rq, done, userdata, handle);
}

int auth_start_eap(struct auth *a, const struct ctl_eap_request *rq, const struct auth_call *call,
		   auth_done_fn done, void *userdata, struct auth_request **handle)
{
	static const struct ctl_auth_request eap = { .method = CTL_AUTH_EAP };
	struct radius_attrs *attrs;

	if (!auth_eap_request_is_valid(rq))
		return -EINVAL;
	attrs = radius_attrs_new();
	return send_request(a, attrs,
			    attrs ? auth_build_eap_request(attrs, &a->nas, rq, call) : -ENOMEM, true,
			    &eap, done, userdata, handle);
}

void auth_cancel(struct auth_request *req)
{
	if (!req)
		return;
	radius_cancel(req->radius_req);
	free(req);
}
