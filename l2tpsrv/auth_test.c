/*
 * Tests of auth: CTL_AUTH requests sent through radius.c to a real
 * FreeRADIUS on loopback (radius_test.h, shared with radius_test.c), for PAP, CHAP-MD5,
 * MS-CHAP and MS-CHAPv2 (RFC 2759's test vectors); the attributes of the
 * Access-Request, checked by FreeRADIUS's own check items; what an
 * Access-Accept grants, and what it does to the address pool; and the
 * verdicts for answers FreeRADIUS would not give.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <md5.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "auth.h"
#include "check_tap.h"
#include "pool.h"
#include "radius.h"
#include "radius_test.h"

#define ADDR(a, b, c, d) ((uint32_t)(a) << 24 | (b) << 16 | (c) << 8 | (d))

/*
 * RFC 2759 section 9.2: user "User", password "clientPass". The 8-octet
 * Challenge it derives is also an MS-CHAP (v1) challenge: MS-CHAPv1's
 * NT-Response is ChallengeResponse(challenge, NtPasswordHash) (RFC 2433
 * section A.5), the same function, so the same NT-Response answers it.
 */
static const uint8_t rfc2759_auth_challenge[16] = {
	0x5B, 0x5D, 0x7C, 0x7D, 0x7B, 0x3F, 0x2F, 0x3E,
	0x3C, 0x2C, 0x60, 0x21, 0x32, 0x26, 0x26, 0x28,
};
static const uint8_t rfc2759_peer_challenge[16] = {
	0x21, 0x40, 0x23, 0x24, 0x25, 0x5E, 0x26, 0x2A,
	0x28, 0x29, 0x5F, 0x2B, 0x3A, 0x33, 0x7C, 0x7E,
};
static const uint8_t rfc2759_challenge[8] = { 0xD0, 0x2E, 0x43, 0x86, 0xBC, 0xE9, 0x12, 0x26 };
static const uint8_t rfc2759_nt_response[24] = {
	0x82, 0x30, 0x9E, 0xCD, 0x8D, 0x70, 0x8B, 0x5E, 0xA0, 0x8F, 0xAA, 0x39,
	0x81, 0xCD, 0x83, 0x54, 0x42, 0x33, 0x11, 0x4A, 0x3D, 0x85, 0xD6, 0xDF,
};
#define RFC2759_AUTHENTICATOR_RESPONSE "S=407A5589115FD0D6209F510FE9C04566932CDA56"

/* check items (first line) are what the Access-Request must carry */
static const char users[] =
	"alice Cleartext-Password := \"alice-password\"\n"
	"bob Cleartext-Password := \"bob-password\"\n"
	"User Cleartext-Password := \"clientPass\"\n"
	"carol Cleartext-Password := \"carol-pw\"\n"
	"\tFramed-IP-Address = 192.168.42.77, Session-Timeout = 60, Class = 0x6162,\n"
	"\tIdle-Timeout = 300, Framed-MTU = 1300, Acct-Interim-Interval = 120,\n"
	"\tMS-Primary-DNS-Server = 10.0.0.53, MS-Secondary-DNS-Server = 9.9.9.9\n"
	"dave Cleartext-Password := \"dave-pw\"\n"
	"\tFramed-IP-Address = 203.0.113.9\n"
	"dora Cleartext-Password := \"dora-pw\", NAS-Identifier == \"lns-test\","
	" NAS-IP-Address == 198.51.100.1, NAS-Port == 9, NAS-Port-Type == Virtual,"
	" Service-Type == Framed-User, Framed-Protocol == PPP,"
	" Calling-Station-Id == \"203.0.113.5:4500\", Called-Station-Id == \"198.51.100.1\","
	" Tunnel-Type == L2TP, Tunnel-Medium-Type == IPv4,"
	" Tunnel-Client-Endpoint == \"192.0.2.7\", Tunnel-Server-Endpoint == \"198.51.100.1\","
	" Tunnel-Client-Auth-ID == \"CN=dora, O=Example\", Acct-Session-Id == \"5f5e1000-00070009\"\n"
	/* names are taken as they are, passwords read backslash escapes */
	"\"EXAMPLE\\erin\" Cleartext-Password := \"erin\\\\pw\\\"$x\"\n"
	"frank Auth-Type := Accept\n"
	"gina Auth-Type := Reject\n"
	"\tReply-Message = \"account expired\"\n";

static struct freeradius fr;
static const struct auth_nas nas = { .identifier = "lns-test" };

static void server(struct radius_server_config *s, uint16_t port)
{
	struct sockaddr_in *in = (struct sockaddr_in *)&s->addr;

	memset(s, 0, sizeof(*s));
	in->sin_family = AF_INET;
	in->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	in->sin_port = htons(port);
	s->addr_len = sizeof(*in);
	snprintf(s->secret, sizeof(s->secret), "%s", TEST_SECRET);
}

/* fr as the one auth and accounting server; short timeouts. */
static void freeradius_config(const struct freeradius *f, struct radius_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	server(&cfg->auth[0], f->auth_port);
	cfg->n_auth = 1;
	server(&cfg->acct[0], f->acct_port);
	cfg->n_acct = 1;
	cfg->timeout_ms = 2000;
	cfg->retries = 1;
	cfg->dead_time_s = 30;
}

static struct auth_call sample_call(void)
{
	struct auth_call call = { .tunnel_id = 7, .session_id = 9 };
	struct sockaddr_in *peer = (struct sockaddr_in *)&call.peer;
	struct sockaddr_in *local = (struct sockaddr_in *)&call.local;

	peer->sin_family = AF_INET;
	peer->sin_addr.s_addr = htonl(ADDR(192, 0, 2, 7));
	peer->sin_port = htons(1701);
	local->sin_family = AF_INET;
	local->sin_addr.s_addr = htonl(ADDR(198, 51, 100, 1));
	local->sin_port = htons(1701);
	snprintf(call.calling_station, sizeof(call.calling_station), "203.0.113.5:4500");
	snprintf(call.ike_id, sizeof(call.ike_id), "CN=dora, O=Example");
	auth_acct_session_id(call.acct_session_id, sizeof(call.acct_session_id), 0x5f5e1000, 7, 9);
	return call;
}

static struct ctl_auth_request pap(const char *user, const char *password)
{
	struct ctl_auth_request rq = { .method = CTL_AUTH_PAP };

	snprintf(rq.user, sizeof(rq.user), "%s", user);
	snprintf(rq.password, sizeof(rq.password), "%s", password);
	return rq;
}

/* A CHAP-MD5 response as the peer computes it: MD5(Identifier, secret, challenge). */
static struct ctl_auth_request chap_md5(const char *user, const char *secret)
{
	struct ctl_auth_request rq = { .method = CTL_AUTH_CHAP, .chap_id = 0x2a };
	MD5_CTX md5;

	snprintf(rq.user, sizeof(rq.user), "%s", user);
	rq.challenge_len = 20;
	for (int i = 0; i < rq.challenge_len; i++)
		rq.challenge[i] = (uint8_t)(17 * i + 3);
	MD5Init(&md5);
	MD5Update(&md5, &rq.chap_id, 1);
	MD5Update(&md5, (const uint8_t *)secret, strlen(secret));
	MD5Update(&md5, rq.challenge, rq.challenge_len);
	MD5Final(rq.response, &md5);
	rq.response_len = 16;
	return rq;
}

/* RFC 2759's vectors, laid out as pppd hands them over (chap_ms.h). */
static struct ctl_auth_request mschap_v2(const char *user)
{
	struct ctl_auth_request rq = { .method = CTL_AUTH_MSCHAP_V2, .chap_id = 0x11 };

	snprintf(rq.user, sizeof(rq.user), "%s", user);
	rq.challenge_len = 16;
	memcpy(rq.challenge, rfc2759_auth_challenge, 16);
	rq.response_len = 49;
	memcpy(rq.response, rfc2759_peer_challenge, 16); /* then 8 reserved zeros */
	memcpy(rq.response + 24, rfc2759_nt_response, 24);
	rq.response[48] = 0; /* flags */
	return rq;
}

static struct ctl_auth_request mschap_v1(const char *user)
{
	struct ctl_auth_request rq = { .method = CTL_AUTH_MSCHAP, .chap_id = 0x12 };

	snprintf(rq.user, sizeof(rq.user), "%s", user);
	rq.challenge_len = 8;
	memcpy(rq.challenge, rfc2759_challenge, 8);
	rq.response_len = 49; /* no LM-Response: 24 zeros */
	memcpy(rq.response + 24, rfc2759_nt_response, 24);
	rq.response[48] = 1; /* use the NT-Response */
	return rq;
}

struct outcome {
	bool done;
	struct auth_result result;
};

static void on_done(void *userdata, struct auth_result *result)
{
	struct outcome *o = userdata;

	ck_assert(!o->done);
	o->done = true;
	o->result = *result;
}

/*
 * Sends rq for call to cfg's servers as nas, and runs the loop until the
 * verdict or wait_ms; with cancel, cancels it at once.
 */
static struct outcome ask_as(const struct radius_config *cfg, const struct auth_nas *as,
			     const struct ctl_auth_request *rq, const struct auth_call *call,
			     int wait_ms, bool cancel)
{
	struct auth_request *req = NULL;
	struct outcome o = { 0 };
	struct radius *radius;
	struct auth *auth;
	sd_event *e;

	ck_assert_int_ge(sd_event_new(&e), 0);
	ck_assert_int_eq(radius_new(&radius, e, cfg), 0);
	auth = auth_new(radius, as);
	ck_assert_ptr_nonnull(auth);
	ck_assert_int_eq(auth_start(auth, rq, call, on_done, &o, &req), 0);
	ck_assert_ptr_nonnull(req);
	ck_assert(!o.done); /* never from within auth_start */
	if (cancel)
		auth_cancel(req);
	for (int waited = 0; !o.done && waited < wait_ms; waited += 50)
		ck_assert_int_ge(sd_event_run(e, 50 * 1000), 0);
	auth_free(auth);
	radius_free(radius);
	sd_event_unref(e);
	return o;
}

static struct outcome ask_servers(const struct radius_config *cfg, const struct ctl_auth_request *rq,
				  const struct auth_call *call, int wait_ms)
{
	return ask_as(cfg, &nas, rq, call, wait_ms, false);
}

/* A reject the MS-CHAP peer understands: error 691, authentication failure. */
static void assert_mschap_refused(const struct auth_result *r)
{
	ck_assert_uint_eq(r->reply.result, CTL_AUTH_REJECT);
	ck_assert_msg(strncmp(r->reply.message, "E=691 ", 6) == 0, "message '%s'", r->reply.message);
}

static struct auth_result ask(const struct ctl_auth_request *rq)
{
	struct auth_call call = sample_call();
	struct radius_config cfg;
	struct outcome o;

	freeradius_config(&fr, &cfg);
	o = ask_servers(&cfg, rq, &call, 10000);
	ck_assert_msg(o.done, "no verdict for %s", rq->user);
	return o.result;
}

/* ---- EAP (CTL_EAP), relayed round by round ---- */

/* One EAP round for call: the peer's Response eap (len octets) with state. */
static struct auth_result ask_eap(const char *user, const uint8_t *eap, size_t len,
				  const uint8_t *state, size_t state_len)
{
	struct ctl_eap_request rq = { .eap_len = (uint16_t)len, .state_len = (uint16_t)state_len };
	struct auth_call call = sample_call();
	struct radius_config cfg;
	struct auth_request *req = NULL;
	struct outcome o = { 0 };
	struct radius *radius;
	struct auth *auth;
	sd_event *e;

	snprintf(rq.user, sizeof(rq.user), "%s", user);
	memcpy(rq.eap, eap, len);
	memcpy(rq.state, state, state_len);
	freeradius_config(&fr, &cfg);
	ck_assert_int_ge(sd_event_new(&e), 0);
	ck_assert_int_eq(radius_new(&radius, e, &cfg), 0);
	auth = auth_new(radius, &nas);
	ck_assert_int_eq(auth_start_eap(auth, &rq, &call, on_done, &o, &req), 0);
	for (int waited = 0; !o.done && waited < 10000; waited += 50)
		ck_assert_int_ge(sd_event_run(e, 50 * 1000), 0);
	auth_free(auth);
	radius_free(radius);
	sd_event_unref(e);
	ck_assert_msg(o.done, "no answer to an EAP round of %s", user);
	return o.result;
}

/* EAP-Response/Identity, Identifier id. */
static size_t eap_identity(uint8_t *out, uint8_t id, const char *name)
{
	size_t len = 5 + strlen(name);

	out[0] = 2;
	out[1] = id;
	out[2] = (uint8_t)(len >> 8);
	out[3] = (uint8_t)len;
	out[4] = 1;
	memcpy(out + 5, name, strlen(name));
	return len;
}

/* The MD5-Challenge Response to request (RFC 3748 5.4: MD5(id, secret, challenge)). */
static size_t eap_md5_response(uint8_t *out, const uint8_t *request, const char *secret)
{
	uint8_t id = request[1], value_size = request[5];
	MD5_CTX md5;

	ck_assert_uint_eq(request[4], 4); /* MD5-Challenge */
	MD5Init(&md5);
	MD5Update(&md5, &id, 1);
	MD5Update(&md5, (const uint8_t *)secret, strlen(secret));
	MD5Update(&md5, request + 6, value_size);
	out[0] = 2;
	out[1] = id;
	out[2] = 0;
	out[3] = 22;
	out[4] = 4;
	out[5] = 16;
	MD5Final(out + 6, &md5);
	return 22;
}

/* alice through EAP-MD5 with secret: the final answer. */
static struct auth_result eap_md5_login(const char *secret)
{
	uint8_t eap[64], state[CTL_EAP_STATE_MAX];
	struct auth_result r;
	size_t len = eap_identity(eap, 7, "alice"), state_len;

	r = ask_eap("alice", eap, len, NULL, 0);
	ck_assert_uint_eq(r.reply.result, CTL_AUTH_CHALLENGE);
	ck_assert_uint_ge(r.eap.eap_len, 22);
	ck_assert_uint_eq(r.eap.eap[0], 1); /* a Request */
	ck_assert_uint_eq(r.eap.eap[4], 4); /* MD5-Challenge: FreeRADIUS's default type */
	ck_assert_uint_eq(r.eap.eap_len, r.eap.eap[2] << 8 | r.eap.eap[3]);
	ck_assert_uint_gt(r.eap.state_len, 0);
	state_len = r.eap.state_len;
	memcpy(state, r.eap.state, state_len);
	len = eap_md5_response(eap, r.eap.eap, secret);
	return ask_eap("alice", eap, len, state, state_len);
}

START_TEST(eap_md5_accept_and_reject)
{
	struct auth_result r = eap_md5_login("alice-password");

	ck_assert_uint_eq(r.reply.result, CTL_AUTH_ACCEPT);
	ck_assert_uint_eq(r.eap.eap_len, 4);
	ck_assert_uint_eq(r.eap.eap[0], 3); /* EAP Success for the peer */
	r = eap_md5_login("not-her-password");
	ck_assert_uint_eq(r.reply.result, CTL_AUTH_REJECT);
	ck_assert_uint_eq(r.eap.eap_len, 4);
	ck_assert_uint_eq(r.eap.eap[0], 4); /* EAP Failure */
}
END_TEST

/* The EAP layer's own checks, and answers that make no EAP packet. */
START_TEST(eap_requests_and_answers_are_checked)
{
	struct ctl_eap_request rq = { .eap_len = 10 };
	struct radius_attrs *a = radius_attrs_new();
	struct auth_result r;
	uint8_t big[600];

	uint8_t part[253];

	snprintf(rq.user, sizeof(rq.user), "alice");
	/* a 600-octet Response goes as three EAP-Message attributes (253, 253, 94) */
	memset(rq.eap, 0x5a, 600);
	rq.eap[0] = 2;
	rq.eap[2] = 600 >> 8;
	rq.eap[3] = 600 & 0xff;
	rq.eap_len = 600;
	ck_assert(auth_eap_request_is_valid(&rq));
	ck_assert_int_eq(auth_build_eap_request(a, &nas, &rq, &(struct auth_call){ 0 }), 0);
	ck_assert_int_eq(radius_attrs_get_octets_nth(a, "EAP-Message", 0, part, sizeof(part)), 253);
	ck_assert_int_eq(radius_attrs_get_octets_nth(a, "EAP-Message", 2, part, sizeof(part)), 94);
	ck_assert_int_eq(radius_attrs_get_octets_nth(a, "EAP-Message", 3, part, sizeof(part)), -1);
	radius_attrs_free(a);
	rq.eap_len = (uint16_t)eap_identity(rq.eap, 1, "alice");
	ck_assert(auth_eap_request_is_valid(&rq));
	rq.eap[0] = 1; /* a Request is not the peer's to send */
	ck_assert(!auth_eap_request_is_valid(&rq));
	rq.eap[0] = 2;
	rq.eap_len = 11; /* its length field says 10 */
	ck_assert(!auth_eap_request_is_valid(&rq));
	rq.eap_len = 10;
	rq.state_len = CTL_EAP_STATE_MAX + 1;
	ck_assert(!auth_eap_request_is_valid(&rq));
	rq.state_len = 0;
	rq.user[0] = '\0';
	ck_assert(!auth_eap_request_is_valid(&rq));

	memset(big, 0xab, sizeof(big));
	big[0] = 1;
	big[1] = 9;
	big[2] = sizeof(big) >> 8;
	big[3] = sizeof(big) & 0xff;
	a = radius_attrs_new();
	for (size_t at = 0; at < sizeof(big); at += 253)
		ck_assert_int_eq(radius_attrs_add_octets(a, "EAP-Message", big + at,
						       sizeof(big) - at < 253 ? sizeof(big) - at : 253),
				 0);
	ck_assert_int_eq(radius_attrs_add_octets(a, "State", "st", 2), 0);
	auth_read_eap_reply(RADIUS_CHALLENGE, a, &r);
	ck_assert_uint_eq(r.reply.result, CTL_AUTH_CHALLENGE);
	ck_assert_uint_eq(r.eap.eap_len, sizeof(big)); /* joined again */
	ck_assert(!memcmp(r.eap.eap, big, sizeof(big)));
	ck_assert_uint_eq(r.eap.state_len, 2);
	radius_attrs_free(a);
	/* a Challenge whose EAP-Message length lies is a reject */
	a = radius_attrs_new();
	big[3] = 0x10;
	ck_assert_int_eq(radius_attrs_add_octets(a, "EAP-Message", big, 20), 0);
	auth_read_eap_reply(RADIUS_CHALLENGE, a, &r);
	ck_assert_uint_eq(r.reply.result, CTL_AUTH_REJECT);
	ck_assert_uint_eq(r.eap.eap_len, 0);
	radius_attrs_free(a);
	/* no answer at all */
	auth_read_eap_reply(RADIUS_TIMEOUT, NULL, &r);
	ck_assert_uint_eq(r.reply.result, CTL_AUTH_ERROR);
	ck_assert_str_eq(auth_method_name(CTL_AUTH_EAP), "eap");
}
END_TEST

START_TEST(pap_accept_and_reject)
{
	struct ctl_auth_request rq = pap("alice", "alice-password");
	struct auth_result r = ask(&rq);

	ck_assert_uint_eq(r.reply.result, CTL_AUTH_ACCEPT);
	ck_assert_uint_eq(r.reply.framed_ip, 0);
	ck_assert_uint_eq(r.class_len, 0);
	rq = pap("alice", "bob-password");
	r = ask(&rq);
	ck_assert_uint_eq(r.reply.result, CTL_AUTH_REJECT);
	ck_assert_str_eq(r.why, radius_result_name(RADIUS_REJECT));
	rq = pap("gina", "whatever");
	r = ask(&rq);
	ck_assert_uint_eq(r.reply.result, CTL_AUTH_REJECT);
	ck_assert_str_eq(r.reply.message, "account expired");
}
END_TEST

START_TEST(pap_name_and_password_go_as_they_are)
{
	/* a Windows domain login: a backslash, and quotes and a dollar in the password */
	struct ctl_auth_request rq = pap("EXAMPLE\\erin", "erin\\pw\"$x");

	ck_assert_uint_eq(ask(&rq).reply.result, CTL_AUTH_ACCEPT);
	rq = pap("EXAMPLE\\erin", "erin\\\\pw\"$x");
	ck_assert_uint_eq(ask(&rq).reply.result, CTL_AUTH_REJECT);
}
END_TEST

START_TEST(chap_md5_accept_and_reject)
{
	struct ctl_auth_request rq = chap_md5("bob", "bob-password");

	ck_assert_uint_eq(ask(&rq).reply.result, CTL_AUTH_ACCEPT);
	rq = chap_md5("bob", "alice-password");
	ck_assert_uint_eq(ask(&rq).reply.result, CTL_AUTH_REJECT);
	rq = chap_md5("bob", "bob-password");
	rq.chap_id++; /* the Identifier is part of the hash */
	ck_assert_uint_eq(ask(&rq).reply.result, CTL_AUTH_REJECT);
}
END_TEST

START_TEST(mschap_v2_rfc2759_vectors)
{
	struct ctl_auth_request rq = mschap_v2("User");
	struct auth_result r = ask(&rq);

	ck_assert_uint_eq(r.reply.result, CTL_AUTH_ACCEPT);
	ck_assert_str_eq(r.reply.message, RFC2759_AUTHENTICATOR_RESPONSE);
	rq.response[30] ^= 0x01; /* a wrong NT-Response */
	r = ask(&rq);
	assert_mschap_refused(&r);
	rq = mschap_v2("alice"); /* right response, another user's password */
	r = ask(&rq);
	assert_mschap_refused(&r);
}
END_TEST

START_TEST(mschap_v1_vectors)
{
	struct ctl_auth_request rq = mschap_v1("User");
	struct auth_result r = ask(&rq);

	ck_assert_uint_eq(r.reply.result, CTL_AUTH_ACCEPT);
	rq.response[24] ^= 0x80;
	r = ask(&rq);
	assert_mschap_refused(&r);
}
END_TEST

START_TEST(mschap_v2_accept_without_success_is_refused)
{
	/* FreeRADIUS accepts frank without checking anything: no MS-CHAP2-Success */
	struct ctl_auth_request rq = mschap_v2("frank");
	struct auth_result r = ask(&rq);

	assert_mschap_refused(&r);
	ck_assert_ptr_nonnull(strstr(r.why, "MS-CHAP2-Success"));
}
END_TEST

START_TEST(request_carries_the_call)
{
	/* dora's check items want every attribute as sample_call() gives it */
	struct ctl_auth_request rq = pap("dora", "dora-pw");
	struct auth_call call = sample_call();
	struct radius_config cfg;
	struct auth_nas with_ip = nas;
	struct outcome o;

	ck_assert_uint_eq(ask(&rq).reply.result, CTL_AUTH_REJECT); /* no NAS-IP-Address */
	with_ip.ip = htonl(ADDR(198, 51, 100, 1));
	freeradius_config(&fr, &cfg);
	o = ask_as(&cfg, &with_ip, &rq, &call, 10000, false);
	ck_assert(o.done);
	ck_assert_uint_eq(o.result.reply.result, CTL_AUTH_ACCEPT);
}
END_TEST

START_TEST(accept_grants_and_the_pool)
{
	struct config_pool_range range = { ADDR(192, 168, 42, 10), ADDR(192, 168, 42, 250) };
	struct ctl_auth_request rq = pap("carol", "carol-pw");
	struct auth_result r = ask(&rq);
	struct pool *pool = pool_new(&range, 1);
	uint32_t addr, other;
	bool in_pool = true;

	ck_assert_uint_eq(r.reply.result, CTL_AUTH_ACCEPT);
	ck_assert_uint_eq(ntohl(r.reply.framed_ip), ADDR(192, 168, 42, 77));
	ck_assert_uint_eq(r.reply.session_timeout_s, 60);
	ck_assert_uint_eq(r.reply.idle_timeout_s, 300);
	ck_assert_uint_eq(r.reply.framed_mtu, 1300);
	ck_assert_uint_eq(r.reply.interim_s, 120);
	ck_assert_uint_eq(ntohl(r.reply.dns[0]), ADDR(10, 0, 0, 53));
	ck_assert_uint_eq(ntohl(r.reply.dns[1]), ADDR(9, 9, 9, 9));
	ck_assert_uint_eq(r.class_len, 2);
	ck_assert_mem_eq(r.class, "ab", 2);
	/* the call had a pool address: it moves to RADIUS's, the old one goes back */
	ck_assert_int_eq(pool_alloc(pool, &addr), 0);
	ck_assert_int_eq(auth_assign_address(pool, ntohl(r.reply.framed_ip), &addr, &in_pool), 0);
	ck_assert_uint_eq(addr, ADDR(192, 168, 42, 77));
	ck_assert(in_pool);
	ck_assert_uint_eq(pool_in_use(pool), 1);
	ck_assert_int_eq(pool_reserve(pool, ADDR(192, 168, 42, 77)), -EEXIST);
	ck_assert_int_eq(pool_reserve(pool, ADDR(192, 168, 42, 10)), 0); /* given back */
	/* the same again: nothing changes */
	ck_assert_int_eq(auth_assign_address(pool, ADDR(192, 168, 42, 77), &addr, &in_pool), 0);
	ck_assert_uint_eq(pool_in_use(pool), 2);
	/* another call asks for it: refused, that call keeps its own */
	ck_assert_int_eq(pool_alloc(pool, &other), 0);
	in_pool = true;
	ck_assert_int_eq(auth_assign_address(pool, ADDR(192, 168, 42, 77), &other, &in_pool),
			 -EEXIST);
	ck_assert(in_pool);
	ck_assert_uint_eq(pool_in_use(pool), 3);
	/* outside every pool: used, not counted, and the pool address goes back */
	rq = pap("dave", "dave-pw");
	r = ask(&rq);
	ck_assert_uint_eq(r.reply.result, CTL_AUTH_ACCEPT);
	ck_assert_int_eq(auth_assign_address(pool, ntohl(r.reply.framed_ip), &other, &in_pool), 0);
	ck_assert_uint_eq(other, ADDR(203, 0, 113, 9));
	ck_assert(!in_pool);
	ck_assert_uint_eq(pool_in_use(pool), 2);
	pool_free(pool);
}
END_TEST

START_TEST(no_answer_is_an_error)
{
	struct ctl_auth_request rq = mschap_v2("User");
	struct auth_call call = sample_call();
	struct sockaddr_in silent = { .sin_family = AF_INET,
				      .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(silent);
	struct radius_config cfg;
	struct outcome o;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	/* a server that reads and never answers */
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&silent, sizeof(silent)), 0);
	ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&silent, &len), 0);
	freeradius_config(&fr, &cfg);
	((struct sockaddr_in *)&cfg.auth[0].addr)->sin_port = silent.sin_port;
	cfg.timeout_ms = 200;
	cfg.retries = 0;
	o = ask_servers(&cfg, &rq, &call, 5000);
	close(fd);
	ck_assert(o.done);
	ck_assert_uint_eq(o.result.reply.result, CTL_AUTH_ERROR);
	ck_assert_str_eq(o.result.why, radius_result_name(RADIUS_TIMEOUT));
	/* the MS-CHAPv2 peer still gets a Failure it understands */
	ck_assert_str_eq(o.result.reply.message,
			 "E=691 R=0 C=5B5D7C7D7B3F2F3E3C2C602132262628 V=3 M=Authentication failed");
}
END_TEST

START_TEST(cancelled_request_never_answers)
{
	struct ctl_auth_request rq = pap("alice", "alice-password");
	struct auth_call call = sample_call();
	struct radius_config cfg;

	freeradius_config(&fr, &cfg);
	ck_assert(!ask_as(&cfg, &nas, &rq, &call, 1000, true).done);
}
END_TEST

/* ---- without a server ---- */

START_TEST(requests_are_checked)
{
	struct ctl_auth_request rq = mschap_v2("User");
	struct auth_call call = sample_call();
	struct radius_attrs *a = radius_attrs_new();

	ck_assert(auth_request_is_valid(&rq));
	rq.response_len = 48;
	ck_assert(!auth_request_is_valid(&rq));
	rq = mschap_v2("User");
	rq.challenge_len = 8;
	ck_assert(!auth_request_is_valid(&rq));
	rq = mschap_v1("User");
	ck_assert(auth_request_is_valid(&rq));
	rq.challenge_len = 16;
	ck_assert(!auth_request_is_valid(&rq));
	rq = chap_md5("bob", "x");
	ck_assert(auth_request_is_valid(&rq));
	rq.response_len = 17;
	ck_assert(!auth_request_is_valid(&rq));
	rq = pap("alice", "pw");
	ck_assert(auth_request_is_valid(&rq));
	memset(rq.user, 'u', sizeof(rq.user)); /* no NUL */
	ck_assert(!auth_request_is_valid(&rq));
	rq = pap("", "pw");
	ck_assert(!auth_request_is_valid(&rq));
	rq = pap("alice", "pw");
	rq.method = 5;
	ck_assert(!auth_request_is_valid(&rq));
	ck_assert_int_eq(auth_build_request(a, &nas, &rq, &call), -EINVAL);
	ck_assert_str_eq(auth_method_name(CTL_AUTH_MSCHAP_V2), "mschap-v2");
	ck_assert_str_eq(auth_method_name(9), "?");
	radius_attrs_free(a);
}
END_TEST

START_TEST(acct_session_id_is_fixed_width)
{
	char id[AUTH_ACCT_SESSION_ID_LEN];

	auth_acct_session_id(id, sizeof(id), 0x65f0a1b2, 65535, 1);
	ck_assert_str_eq(id, "65f0a1b2-ffff0001");
	auth_acct_session_id(id, sizeof(id), 0, 7, 9);
	ck_assert_str_eq(id, "00000000-00070009");
}
END_TEST

/* Answers FreeRADIUS would not give, read from attribute lists we build. */
START_TEST(odd_answers)
{
	struct ctl_auth_request v2 = mschap_v2("User"), p = pap("alice", "pw");
	struct radius_attrs *a = radius_attrs_new();
	struct auth_result r;
	uint8_t success[43] = { 0x11, 'S', '=' };

	memset(success + 3, 'G', 40); /* not hex */
	ck_assert_int_eq(radius_attrs_add_octets(a, "MS-CHAP2-Success", success, 43), 0);
	ck_assert_int_eq(radius_attrs_add(a, "Framed-IP-Address", "255.255.255.254"), 0);
	auth_read_reply(RADIUS_ACCEPT, a, &v2, &r);
	ck_assert_uint_eq(r.reply.result, CTL_AUTH_REJECT);
	auth_read_reply(RADIUS_ACCEPT, a, &p, &r); /* PAP: no MS-CHAP2-Success needed */
	ck_assert_uint_eq(r.reply.result, CTL_AUTH_ACCEPT);
	ck_assert_uint_eq(r.reply.framed_ip, 0); /* "the NAS chooses": the pool's */
	auth_read_reply(RADIUS_CHALLENGE, a, &p, &r);
	ck_assert_uint_eq(r.reply.result, CTL_AUTH_REJECT);
	auth_read_reply(RADIUS_ERROR, NULL, &p, &r);
	ck_assert_uint_eq(r.reply.result, CTL_AUTH_ERROR);
	ck_assert_str_eq(r.reply.message, "");
	radius_attrs_free(a);
	a = radius_attrs_new();
	ck_assert_int_eq(radius_attrs_add_octets(a, "MS-CHAP-Error", "\x11" "E=649 R=0", 10), 0);
	auth_read_reply(RADIUS_REJECT, a, &v2, &r);
	ck_assert_str_eq(r.reply.message, "E=649 R=0");
	radius_attrs_free(a);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("auth");
	TCase *pure = tcase_create("pure");
	TCase *server = tcase_create("freeradius");
	char err[256];
	int r;

	/* here, not in a fixture, so that a server that cannot start fails the run */
	if (radius_library_init(NULL, err, sizeof(err)) < 0 ||
	    !freeradius_start(&fr, true, users, err, sizeof(err))) {
		fprintf(stderr, "auth_test: %s\n", err);
		return EXIT_FAILURE;
	}
	tcase_add_test(pure, requests_are_checked);
	tcase_add_test(pure, acct_session_id_is_fixed_width);
	tcase_add_test(pure, odd_answers);
	tcase_add_test(pure, eap_requests_and_answers_are_checked);
	suite_add_tcase(s, pure);
	tcase_set_timeout(server, 60);
	tcase_add_test(server, pap_accept_and_reject);
	tcase_add_test(server, pap_name_and_password_go_as_they_are);
	tcase_add_test(server, chap_md5_accept_and_reject);
	tcase_add_test(server, mschap_v2_rfc2759_vectors);
	tcase_add_test(server, mschap_v1_vectors);
	tcase_add_test(server, mschap_v2_accept_without_success_is_refused);
	tcase_add_test(server, request_carries_the_call);
	tcase_add_test(server, accept_grants_and_the_pool);
	tcase_add_test(server, no_answer_is_an_error);
	tcase_add_test(server, cancelled_request_never_answers);
	tcase_add_test(server, eap_md5_accept_and_reject);
	suite_add_tcase(s, server);
	r = check_run_tap(s);
	freeradius_stop(&fr);
	return r;
}
