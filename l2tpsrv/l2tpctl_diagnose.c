/*
 * l2tpctl_diagnose: a client's history read as a verdict; see
 * l2tpctl_diagnose.h.
 *
 * The events are replayed in order through a small model of what is up
 * (each phase; IKE and CHILD SAs by their ids, since a reauthentication
 * brings a new IKE SA up before the old one goes). The last attempt starts
 * where, with no session standing, IPsec starts again after the previous
 * attempt got past IPsec or ended, where L2TP starts again after an L2TP
 * attempt, or after a long silence. In it, a failure counts until a later
 * success at its phase or beyond overcomes it; of several, the one at the
 * furthest phase, then the most telling, says why the client stopped.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "l2tpctl_diagnose.h"

/* ---- names ---- */

static const char *const phase_names[CTL_PHASE_COUNT] = {
	"ike", "esp", "sccrq", "tunnel", "icrq", "iccn", "lcp", "auth", "ipcp",
};

static const char *const phase_titles[CTL_PHASE_COUNT] = {
	"IKE", "ESP", "SCCRQ", "SCCCN", "ICRQ", "ICCN", "LCP", "authentication", "IPCP",
};

static const char *const result_names[] = {
	[CTL_RESULT_FAIL] = "fail",
	[CTL_RESULT_OK] = "ok",
	[CTL_RESULT_DOWN] = "down",
};

const char *diag_phase_name(int phase)
{
	return phase >= 0 && phase < CTL_PHASE_COUNT ? phase_names[phase] : "?";
}

const char *diag_phase_title(int phase)
{
	return phase >= 0 && phase < CTL_PHASE_COUNT ? phase_titles[phase] : "nothing";
}

bool diag_phase_parse(const char *s, enum ctl_phase *out)
{
	for (int i = 0; i < CTL_PHASE_COUNT; i++)
		if (!strcmp(s, phase_names[i])) {
			*out = (enum ctl_phase)i;
			return true;
		}
	return false;
}

const char *diag_result_name(enum ctl_result r)
{
	return (unsigned int)r <= CTL_RESULT_DOWN ? result_names[r] : "?";
}

bool diag_result_parse(const char *s, enum ctl_result *out)
{
	for (unsigned int i = 0; i <= CTL_RESULT_DOWN; i++)
		if (!strcmp(s, result_names[i])) {
			*out = (enum ctl_result)i;
			return true;
		}
	return false;
}

const char *diag_state_name(enum diag_state s)
{
	switch (s) {
	case DIAG_CONNECTED:
		return "connected";
	case DIAG_IN_PROGRESS:
		return "in progress";
	case DIAG_FAILED:
		return "failed";
	case DIAG_ENDED:
		return "ended";
	case DIAG_UNKNOWN:
		break;
	}
	return "unknown";
}

/* ---- details ---- */

bool diag_detail_value(const char *detail, const char *key, char *out, size_t len)
{
	size_t klen = strlen(key);
	const char *p = detail;

	out[0] = '\0';
	while (*p) {
		const char *k = p, *eq, *v, *end;
		bool match;

		while (*p && *p != '=' && *p != ' ')
			p++;
		if (*p != '=') { /* a word without a value */
			while (*p == ' ')
				p++;
			continue;
		}
		eq = p;
		match = (size_t)(eq - k) == klen && !strncmp(k, key, klen);
		v = eq + 1;
		if (*v == '"') {
			v++;
			end = strchr(v, '"');
			if (!end)
				end = v + strlen(v);
			p = *end ? end + 1 : end;
		} else {
			end = v + strcspn(v, " ");
			p = end;
		}
		if (match) {
			size_t n = (size_t)(end - v) < len - 1 ? (size_t)(end - v) : len - 1;

			memcpy(out, v, n);
			out[n] = '\0';
			return true;
		}
		while (*p == ' ')
			p++;
	}
	return false;
}

static bool has_value(const struct diag_event *e, const char *key, const char *want)
{
	char v[64];

	return diag_detail_value(e->detail, key, v, sizeof(v)) && !strcmp(v, want);
}

/* Whether the value of key holds one of the words, in any case. */
static bool value_mentions(const struct diag_event *e, const char *key, const char *const *words)
{
	char v[CTL_HISTORY_DETAIL];

	if (!diag_detail_value(e->detail, key, v, sizeof(v)))
		return false;
	for (; *words; words++)
		if (strcasestr(v, *words))
			return true;
	return false;
}

static long number(const struct diag_event *e, const char *key)
{
	char v[24], *end;
	long n;

	if (!diag_detail_value(e->detail, key, v, sizeof(v)) || !v[0])
		return -1;
	n = strtol(v, &end, 10);
	return *end ? -1 : n;
}

/* ---- causes ---- */

enum cause_id {
	C_IKE_PROPOSAL,
	C_PSK,
	C_IKE_AUTH,
	C_SERVER_AUTH,
	C_SERVER_PSK,
	C_CLIENT_CERT,
	C_AUTHORIZATION,
	C_NAT_809,
	C_IKE_TIMEOUT,
	C_IKE_MALFORMED,
	C_CLIENT_REFUSED,
	C_ESP_PROPOSAL,
	C_TS,
	C_ESP_INSTALL,
	C_NO_CHILD,
	C_NO_L2TP,
	C_UNPROTECTED,
	C_SCCRQ_REJECTED,
	C_TUNNEL_SECRET,
	C_TUNNEL_SETUP,
	C_NO_CALL,
	C_CALL_REJECTED,
	C_CALL_SETUP,
	C_POOL,
	C_NO_PPP,
	C_PPPD,
	C_LCP,
	C_PPP_GONE,
	C_AUTH_METHOD,
	C_PASSWORD,
	C_SERVER_REFUSED,
	C_RADIUS_DOWN,
	C_IPCP,
	C_CONNECTED,
	C_VANISHED,
	C_ENDED_BY_CLIENT,
	C_ENDED_BY_SERVER,
	C_UNKNOWN,
};

static const struct diag_cause causes[] = {
	[C_IKE_PROPOSAL] = { "ike-proposal",
		"the client's IKE proposals and the server's have none in common (no proposal chosen)",
		"allow one the client offers in the proposals of l2tpsrv-ikev1 "
		"(/etc/swanctl/conf.d/l2tpsrv.conf), then swanctl --load-all: Windows offers "
		"AES-CBC with SHA1 and MODP1024 or MODP2048 in IKEv1 Main Mode "
		"(aes256-sha1-modp1024, aes128-sha1-modp2048, ...); or make Windows offer "
		"AES-256 with MODP2048 (NegotiateDH2048_AES256 = 2 under "
		"HKLM\\SYSTEM\\CurrentControlSet\\Services\\RasMan\\Parameters)" },
	[C_PSK] = { "psk-mismatch",
		"the pre-shared keys differ (likely): the server could not decrypt the client's "
		"Main Mode message with the key derived from its own PSK",
		"give the client exactly the key in /etc/swanctl/conf.d/l2tpsrv-secrets.conf "
		"(swanctl --load-creds after a change); a client set up for certificates "
		"fails the same way against the PSK connection" },
	[C_IKE_AUTH] = { "ike-auth",
		"the client failed IKE authentication: a wrong pre-shared key, or a certificate "
		"or identity the server does not accept",
		"check the client's pre-shared key against l2tpsrv-secrets.conf, or its "
		"certificate against the CAs in /etc/swanctl/x509ca; charon's log names the "
		"identity it tried" },
	[C_SERVER_AUTH] = { "server-auth",
		"the server could not authenticate itself, or the client refused its "
		"authentication",
		"the server needs a PSK or certificate for the client's identity in swanctl; "
		"with certificates, the client must trust the server's CA and the server's "
		"certificate must name the address the client connects to (subjectAltName), "
		"with the serverAuth and IKE Intermediate extended key usages for Windows" },
	[C_SERVER_PSK] = { "server-psk",
		"the server found no pre-shared key for the client (or could not derive "
		"the IKE keys)",
		"load the key: /etc/swanctl/conf.d/l2tpsrv-secrets.conf must exist and "
		"swanctl --load-creds (or --load-all) must have read it; a key bound to "
		"ids must name the server's address and the client's (its private address "
		"behind a NAT), or name none" },
	[C_CLIENT_CERT] = { "client-cert",
		"the client's certificate was refused: expired, revoked, from no trusted CA, "
		"or otherwise invalid",
		"see alert= (cert-expired, cert-revoked, cert-untrusted, cert-invalid); put the "
		"issuing CA in /etc/swanctl/x509ca, or give the client a valid certificate" },
	[C_AUTHORIZATION] = { "ike-authorization",
		"the client authenticated, but a policy of the server refused it",
		"see the remote section's constraints (groups, cacerts, id) in swanctl" },
	[C_NAT_809] = { "nat-t-809",
		"the client stopped answering in the middle of IKE with NAT in the way: on "
		"Windows this is error 809",
		"on Windows, set the DWORD AssumeUDPEncapsulationContextOnSendRule = 2 under "
		"HKLM\\SYSTEM\\CurrentControlSet\\Services\\PolicyAgent and reboot (needed when "
		"the server is behind NAT, nat-local=1, or both are); check that UDP 500 and "
		"4500 pass every firewall both ways" },
	[C_IKE_TIMEOUT] = { "ike-timeout",
		"the client stopped answering in the middle of IKE",
		"check that UDP 500 and 4500 reach the server and its answers reach the client "
		"(firewalls, NAT); a client that gives up silently may dislike the server's "
		"proposal, identity or certificate: see the client's log" },
	[C_IKE_MALFORMED] = { "ike-malformed",
		"a message from the client could not be parsed",
		"a middlebox may drop or mangle IP fragments of large IKE messages "
		"(certificates): let fragments through, or enable IKE fragmentation; "
		"otherwise see charon's log" },
	[C_CLIENT_REFUSED] = { "client-refused",
		"the client refused the negotiation and said why (notify=)",
		"NO_PROPOSAL_CHOSEN: proposals; INVALID_ID_INFORMATION: identities or traffic "
		"selectors; AUTHENTICATION_FAILED, INVALID_HASH_INFORMATION: pre-shared key or "
		"certificate; see the client's log" },
	[C_ESP_PROPOSAL] = { "esp-proposal",
		"the client's ESP proposals and the server's have none in common",
		"allow one the client offers in esp_proposals of the l2tp child (Windows: "
		"aes256-sha1 or aes128-sha1, without PFS), then swanctl --load-all" },
	[C_TS] = { "ts-mismatch",
		"the client's traffic selectors match no CHILD_SA config: L2TP/IPsec wants "
		"transport mode for UDP port 1701",
		"the l2tp child needs mode = transport, local_ts = dynamic[udp/1701] and "
		"remote_ts = dynamic[udp] (macOS, iOS and Android send from any port); set the "
		"client to L2TP/IPsec, not IPsec or IKEv2 alone" },
	[C_ESP_INSTALL] = { "esp-install",
		"the kernel refused the IPsec SA or its policy",
		"see charon's log for the XFRM error: kernel modules (esp4, xfrm_user), or "
		"two clients behind one NAT with clashing transport-mode policies" },
	[C_NO_CHILD] = { "no-child",
		"the IKE SA came up, but no CHILD_SA for L2TP followed (Quick Mode did not "
		"complete)",
		"see charon's log for the Quick Mode; the client may have rejected the "
		"server's answer silently (its log says why)" },
	[C_NO_L2TP] = { "no-l2tp",
		"IPsec was up, but no L2TP SCCRQ reached l2tpsrv",
		"set the client to L2TP/IPsec (not IPsec or IKEv2 alone) and to this server's "
		"address; check that no firewall rule drops UDP 1701 after decryption, that "
		"l2tpsrv listens on the address the client connects to, and that the CHILD_SA "
		"covers the client's L2TP source port (esp ok ports=)" },
	[C_UNPROTECTED] = { "unprotected-l2tp",
		"L2TP came from the client without an IPsec SA that covers it, and was dropped",
		"the client sends L2TP outside IPsec (IPsec not set up on it, or its CHILD_SA "
		"covers another port); l2tpsrv takes L2TP only inside ESP (allow_unencrypted "
		"is for troubleshooting)" },
	[C_SCCRQ_REJECTED] = { "sccrq-rejected",
		"l2tpsrv turned the tunnel down at once",
		"see reason=: raise max_tunnels or max_tunnels_per_peer in l2tpsrv.conf if a "
		"limit was reached; otherwise the client's SCCRQ was malformed" },
	[C_TUNNEL_SECRET] = { "tunnel-secret",
		"the L2TP tunnel secret differs between client and server (not the IPsec PSK)",
		"set the same secret in l2tpsrv.conf (secret =) and on the client, or none on "
		"either: Windows, macOS, iOS and Android use none" },
	[C_TUNNEL_SETUP] = { "tunnel-setup",
		"the client did not complete the L2TP tunnel (no SCCCN), or stopped answering",
		"l2tpsrv's answers may not reach the client (UDP 1701 inside ESP, NAT); see the "
		"client's log for why it gave up" },
	[C_NO_CALL] = { "no-call",
		"the tunnel came up, but the client placed no call (ICRQ)",
		"see the client's log: it may dislike something in the tunnel's setup" },
	[C_CALL_REJECTED] = { "call-rejected",
		"l2tpsrv refused the call (ICRQ)",
		"see reason=: raise max_sessions or max_sessions_per_tunnel in l2tpsrv.conf if "
		"a limit was reached" },
	[C_CALL_SETUP] = { "call-setup",
		"the call was not connected",
		"see reason=: l2tpsrv could not set up the data path or start pppd (its log "
		"says why), or the client gave up (by=client)" },
	[C_POOL] = { "pool-empty",
		"the address pool is exhausted: no address for the client",
		"enlarge pool in l2tpsrv.conf (l2tpctl list shows how much is in use), or end "
		"stale sessions" },
	[C_NO_PPP] = { "no-ppp",
		"the call is up, but PPP has reported nothing",
		"PPP may still be negotiating; if it never ends, see pppd's log (the journal); "
		"with dataplane = null no PPP runs at all" },
	[C_PPPD] = { "pppd-failed",
		"pppd could not run, or was killed",
		"see exit= and pppd's log: its options (pppd_options), the plugin, PPP in the "
		"kernel" },
	[C_LCP] = { "lcp",
		"PPP's LCP negotiation failed: the client and pppd agreed on no link options",
		"compare the MRU/MTU, ACCM and authentication protocol in pppd's log (LCP "
		"Conf-Rej, Conf-Nak); let the client use the method l2tpsrv requires "
		"(ppp_auth in l2tpsrv.conf, MS-CHAP v2 for Windows)" },
	[C_PPP_GONE] = { "ppp-gone",
		"the client hung up or stopped answering before PPP was up",
		"see the client's log; after a PPP error the client says which (Windows: "
		"the error number)" },
	[C_AUTH_METHOD] = { "auth-method",
		"the client refused to authenticate with any method the server allows",
		"let the client use the server's method (Windows: allow MS-CHAP v2 under the "
		"connection's security settings), or allow the client's in ppp_auth in "
		"l2tpsrv.conf" },
	[C_PASSWORD] = { "wrong-password",
		"the user name or password is wrong",
		"check the user's line in /etc/ppp/chap-secrets, or RADIUS, against what the "
		"client sends (user names are case-sensitive; MS-CHAP needs the password "
		"stored in clear text)" },
	[C_SERVER_REFUSED] = { "server-refused",
		"the client refused the server's authentication (mutual MS-CHAP v2)",
		"the client checks that the server knows its password too: the user's "
		"password on the server differs from the client's" },
	[C_RADIUS_DOWN] = { "radius-down",
		"RADIUS did not answer",
		"check the RADIUS servers in l2tpsrv.conf (address, port, shared secret) and "
		"that they run and know this NAS" },
	[C_IPCP] = { "ipcp",
		"PPP's IPCP did not come up: no IP address was agreed",
		"see pppd's log (IPCP Conf-Rej, Conf-Nak): the client may refuse the address "
		"offered or insist on another (an address conflict), or RADIUS gave one "
		"l2tpsrv refused" },
	[C_CONNECTED] = { "connected",
		"the session reached IPCP: the client is connected",
		"if traffic still does not flow: routes and forwarding on the server, NAT "
		"(masquerade) for the pool, and the MTU" },
	[C_VANISHED] = { "client-vanished",
		"the session was up, then the client stopped answering",
		"a network outage, or the client went to sleep; nothing to change unless it "
		"keeps happening (then: NAT keepalives, dpd_delay)" },
	[C_ENDED_BY_CLIENT] = { "ended-by-client",
		"the session was up, then the client ended it",
		"nothing is wrong on the server's side" },
	[C_ENDED_BY_SERVER] = { "ended-by-server",
		"the session was up, then the server ended it (a limit, an administrator, "
		"RADIUS, or IPsec going away)",
		"see the last events: exit=12 idle timeout, exit=13 connect time limit, "
		"by=server reason=" },
	[C_UNKNOWN] = { "unknown",
		"the events do not say",
		"see l2tpsrv's and charon's logs" },
};

/* How telling a failure is, among several of one phase. */
enum {
	W_WEAK = 1,   /* someone stopped answering, or gave up */
	W_PLAIN = 2,
	W_STRONG = 3, /* names the cause */
	W_FIRST = 4,  /* names the cause, and what follows only repeats it */
};

struct verdict {
	int weight;
	const struct diag_cause *causes[DIAG_MAX_CAUSES];
	size_t n;
};

static void say(struct verdict *v, int weight, enum cause_id a, int b)
{
	v->weight = weight;
	v->causes[0] = &causes[a];
	v->n = 1;
	if (b >= 0)
		v->causes[v->n++] = &causes[b];
}

static void classify_ike(const struct diag_event *e, struct verdict *v)
{
	char a[64];
	bool nat = has_value(e, "nat-local", "1") || has_value(e, "nat-remote", "1");

	diag_detail_value(e->detail, "alert", a, sizeof(a));
	if (!strcmp(a, "proposal-ike"))
		say(v, W_STRONG, C_IKE_PROPOSAL, -1);
	else if (!strcmp(a, "proposal-child"))
		say(v, W_STRONG, C_ESP_PROPOSAL, -1);
	else if (!strcmp(a, "ts-mismatch"))
		say(v, W_STRONG, C_TS, -1);
	else if (!strcmp(a, "install-failed"))
		say(v, W_STRONG, C_ESP_INSTALL, -1);
	else if (!strcmp(a, "auth-failed"))
		say(v, W_STRONG, C_IKE_AUTH, -1);
	else if (!strcmp(a, "local-auth-failed"))
		say(v, W_STRONG, C_SERVER_AUTH, -1);
	else if (!strcmp(a, "key-failed"))
		say(v, W_STRONG, C_SERVER_PSK, -1);
	else if (!strncmp(a, "cert-", 5))
		say(v, W_FIRST, C_CLIENT_CERT, -1);
	else if (!strcmp(a, "authorization-failed"))
		say(v, W_STRONG, C_AUTHORIZATION, -1);
	else if (!strcmp(a, "parse-error") && has_value(e, "encrypted", "1") &&
		 (has_value(e, "exchange", "main-mode") ||
		  has_value(e, "exchange", "aggressive-mode")))
		/* see charon-plugin/l2tpsrv_ike_fail.c: a PSK mismatch, mostly */
		say(v, W_FIRST, C_PSK, C_IKE_AUTH);
	else if (!strcmp(a, "parse-error"))
		say(v, W_PLAIN, C_IKE_MALFORMED, -1);
	else if (!strcmp(a, "timeout"))
		say(v, W_WEAK, nat ? C_NAT_809 : C_IKE_TIMEOUT, nat ? C_IKE_TIMEOUT : -1);
	else if (!strcmp(a, "peer-notify"))
		say(v, W_PLAIN, C_CLIENT_REFUSED, -1);
	else
		say(v, W_PLAIN, C_UNKNOWN, -1);
}

/* A client that hung up or vanished, as pppd's exit status says. */
static bool ppp_gone(long exit_status)
{
	return exit_status == 0 || exit_status == 5 || exit_status == 15 || exit_status == 16;
}

/* What a client's StopCCN text says when the tunnel secrets do not match */
static const char *const secret_words[] = { "secret", "challenge", "not authorized", NULL };

/* What a failure event says. */
static void classify(const struct diag_event *e, struct verdict *v)
{
	long exit_status = number(e, "exit");

	switch (e->phase) {
	case CTL_PHASE_IKE:
	case CTL_PHASE_ESP:
		classify_ike(e, v);
		return;
	case CTL_PHASE_SCCRQ:
		if (has_value(e, "refused", "unprotected"))
			say(v, W_STRONG, C_UNPROTECTED, -1);
		else
			say(v, W_STRONG, C_SCCRQ_REJECTED, -1);
		return;
	case CTL_PHASE_TUNNEL:
		if (number(e, "result") == 4 && has_value(e, "by", "server"))
			say(v, W_STRONG, C_TUNNEL_SECRET, -1); /* Not Authorized: tunnel.c's challenge */
		else if (has_value(e, "by", "client") && value_mentions(e, "message", secret_words))
			/* our Challenge, and a client with no secret or another one:
			 * xl2tpd says "No secret key on our end" (result 2, error 6) */
			say(v, W_STRONG, C_TUNNEL_SECRET, -1);
		else
			say(v, W_WEAK, C_TUNNEL_SETUP, -1);
		return;
	case CTL_PHASE_ICRQ:
		say(v, W_STRONG, C_CALL_REJECTED, -1);
		return;
	case CTL_PHASE_ICCN:
		if (has_value(e, "pool", "empty"))
			say(v, W_STRONG, C_POOL, -1);
		else
			say(v, has_value(e, "by", "client") ? W_WEAK : W_PLAIN, C_CALL_SETUP, -1);
		return;
	case CTL_PHASE_LCP:
	case CTL_PHASE_IPCP:
		if (exit_status == 10 || exit_status == 17)
			say(v, W_STRONG, e->phase == CTL_PHASE_LCP ? C_LCP : C_IPCP, -1);
		else if (ppp_gone(exit_status))
			say(v, W_WEAK, C_PPP_GONE, -1);
		else
			say(v, W_PLAIN, C_PPPD, -1);
		return;
	case CTL_PHASE_AUTH:
		/* RADIUS's verdict, then pppd's exit=11 that only repeats it */
		if (has_value(e, "radius", "no-answer"))
			say(v, W_FIRST, C_RADIUS_DOWN, -1);
		else if (has_value(e, "radius", "reject"))
			say(v, W_FIRST, C_PASSWORD, -1);
		else if (exit_status == 19)
			say(v, W_STRONG, C_SERVER_REFUSED, -1);
		else if (has_value(e, "method", "none"))
			say(v, W_STRONG, C_AUTH_METHOD, -1);
		else
			say(v, W_STRONG, C_PASSWORD, -1);
		return;
	default:
		say(v, W_PLAIN, C_UNKNOWN, -1);
		return;
	}
}

/* Why a session that was up ended. */
static enum cause_id end_cause(const struct diag_event *e)
{
	long exit_status = number(e, "exit");

	if (has_value(e, "alert", "dpd-timeout") || has_value(e, "lost", "1") || exit_status == 15)
		return C_VANISHED;
	if (has_value(e, "by", "client") || exit_status == 0 || exit_status == 16 ||
	    e->phase <= CTL_PHASE_ESP)
		return C_ENDED_BY_CLIENT;
	return C_ENDED_BY_SERVER;
}

/* What usually follows a phase, and is missing when a client stops after it. */
static enum cause_id next_missing(int reached)
{
	switch (reached) {
	case CTL_PHASE_IKE:
		return C_NO_CHILD;
	case CTL_PHASE_ESP:
		return C_NO_L2TP;
	case CTL_PHASE_SCCRQ:
		return C_TUNNEL_SETUP;
	case CTL_PHASE_TUNNEL:
		return C_NO_CALL;
	case CTL_PHASE_ICRQ:
		return C_CALL_SETUP;
	case CTL_PHASE_ICCN:
	case CTL_PHASE_LCP:
		return C_NO_PPP;
	case CTL_PHASE_AUTH:
		return C_IPCP;
	default:
		return C_UNKNOWN;
	}
}

/* ---- the walk ---- */

#define MAX_IDS 64

/* SAs of one kind that are up, by their ids. */
struct ids {
	uint32_t v[MAX_IDS];
	size_t n;
};

struct walk {
	bool live[CTL_PHASE_COUNT];
	struct ids ikes, children;
	int reached;
	bool past_esp;   /* the attempt had an event beyond ESP */
	bool past_sccrq; /* ... at SCCRQ or beyond */
	const struct diag_event *fail;
	struct verdict why;
	const struct diag_event *end;
	size_t first;
};

/* The first phase of what a phase belongs to: the tunnel, the call, PPP. */
static int object_start(int phase)
{
	switch (phase) {
	case CTL_PHASE_TUNNEL:
		return CTL_PHASE_SCCRQ;
	case CTL_PHASE_ICCN:
		return CTL_PHASE_ICRQ;
	case CTL_PHASE_AUTH:
	case CTL_PHASE_IPCP:
		return CTL_PHASE_LCP;
	default:
		return phase;
	}
}

/* What failed or ended at phase is no longer up, nor anything above it. */
static void take_down(struct walk *w, int phase)
{
	for (int p = object_start(phase); p < CTL_PHASE_COUNT; p++)
		w->live[p] = false;
}

static bool live_from(const struct walk *w, int phase)
{
	for (int p = phase; p < CTL_PHASE_COUNT; p++)
		if (w->live[p])
			return true;
	return false;
}

static void ids_add(struct ids *s, uint32_t id)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == id)
			return;
	if (s->n < MAX_IDS)
		s->v[s->n++] = id;
}

/* Takes id out; true when none is left (or id was unknown and none is known). */
static bool ids_remove(struct ids *s, uint32_t id)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == id) {
			s->v[i] = s->v[--s->n];
			break;
		}
	return s->n == 0;
}

/* The set of ids of the phase, NULL for phases without. */
static struct ids *ids_of(struct walk *w, const struct diag_event *e, uint32_t *id)
{
	long n = number(e, e->phase == CTL_PHASE_IKE ? "ike" : "child");

	if ((e->phase != CTL_PHASE_IKE && e->phase != CTL_PHASE_ESP) || n <= 0)
		return NULL;
	*id = (uint32_t)n;
	return e->phase == CTL_PHASE_IKE ? &w->ikes : &w->children;
}

static bool starts_attempt(const struct walk *w, const struct diag_event *prev,
			   const struct diag_event *e)
{
	if (!prev || live_from(w, CTL_PHASE_SCCRQ)) /* a session stands: rekeys, reauthentication */
		return false;
	if (prev->age_ms >= e->age_ms + DIAG_ATTEMPT_GAP_MS)
		return true;
	if (e->result == CTL_RESULT_DOWN)
		return false;
	if (e->phase <= CTL_PHASE_ESP)
		return w->past_esp || w->end;
	if (e->phase == CTL_PHASE_SCCRQ)
		return w->past_sccrq;
	return false;
}

static void apply_ok(struct walk *w, const struct diag_event *e)
{
	struct ids *s;
	uint32_t id;

	if ((s = ids_of(w, e, &id)))
		ids_add(s, id);
	w->live[e->phase] = true;
	if ((int)e->phase > w->reached)
		w->reached = (int)e->phase;
	if (w->fail && w->fail->phase <= e->phase)
		w->fail = NULL; /* overcome */
	if (w->end && w->end->phase <= e->phase)
		w->end = NULL;
}

static void apply_fail(struct walk *w, const struct diag_event *e)
{
	struct verdict v;

	/* a rekeying, or another client behind the same NAT, while a session stands */
	if (e->phase <= CTL_PHASE_ESP && live_from(w, CTL_PHASE_SCCRQ))
		return;
	take_down(w, e->phase);
	classify(e, &v);
	if (!w->fail || e->phase > w->fail->phase ||
	    (e->phase == w->fail->phase && v.weight >= w->why.weight &&
	     w->why.weight != W_FIRST)) {
		w->fail = e;
		w->why = v;
	}
}

static void apply_down(struct walk *w, const struct diag_event *e)
{
	struct ids *s;
	uint32_t id;

	/* one IKE or CHILD SA of several going is no end: a reauthentication */
	if ((s = ids_of(w, e, &id)) && !ids_remove(s, id))
		return;
	if (!live_from(w, object_start(e->phase)))
		return; /* what a failure or an earlier end took down already */
	take_down(w, e->phase);
	/* the first end says why; the rest of the teardown follows from it */
	if (!w->end)
		w->end = e;
}

static void verdict_of(const struct walk *w, struct diagnosis *d)
{
	enum cause_id c;

	d->first = w->first;
	d->reached = w->reached;
	if (w->live[CTL_PHASE_IPCP]) {
		d->state = DIAG_CONNECTED;
		d->causes[d->n_causes++] = &causes[C_CONNECTED];
		return;
	}
	if (w->fail) {
		d->state = DIAG_FAILED;
		d->stop = w->fail;
		if ((int)w->fail->phase > d->reached)
			d->reached = (int)w->fail->phase;
		for (size_t i = 0; i < w->why.n; i++)
			d->causes[d->n_causes++] = w->why.causes[i];
		return;
	}
	if (w->reached < 0) {
		d->state = DIAG_UNKNOWN;
		d->causes[d->n_causes++] = &causes[C_UNKNOWN];
		return;
	}
	d->state = w->end ? DIAG_ENDED : DIAG_IN_PROGRESS;
	d->stop = w->end;
	c = w->end && w->reached == CTL_PHASE_IPCP ? end_cause(w->end) : next_missing(w->reached);
	d->causes[d->n_causes++] = &causes[c];
}

void diagnose(const struct diag_event *ev, size_t n, struct diagnosis *out)
{
	struct walk w = { .reached = -1 };

	memset(out, 0, sizeof(*out));
	out->reached = -1;
	for (size_t i = 0; i < n; i++) {
		const struct diag_event *e = &ev[i];

		if ((unsigned int)e->phase >= CTL_PHASE_COUNT)
			continue;
		if (starts_attempt(&w, i ? &ev[i - 1] : NULL, e)) {
			memset(&w, 0, sizeof(w));
			w.reached = -1;
			w.first = i;
		}
		if (e->phase > CTL_PHASE_ESP)
			w.past_esp = true;
		if (e->phase >= CTL_PHASE_SCCRQ)
			w.past_sccrq = true;
		switch (e->result) {
		case CTL_RESULT_OK:
			apply_ok(&w, e);
			break;
		case CTL_RESULT_FAIL:
			apply_fail(&w, e);
			break;
		case CTL_RESULT_DOWN:
			apply_down(&w, e);
			break;
		}
	}
	verdict_of(&w, out);
}

/* ---- the raw form ---- */

bool diag_parse_line(const char *line, struct diag_event *ev, char *err, size_t err_len)
{
	char phase[16], result[16];
	unsigned long long age;
	int used = 0;

	memset(ev, 0, sizeof(*ev));
	if (sscanf(line, "%llu %15s %15s %n", &age, phase, result, &used) != 3 || !used) {
		snprintf(err, err_len, "not AGE_MS PHASE RESULT DETAIL");
		return false;
	}
	if (line[0] == '-' || line[0] == '+') {
		snprintf(err, err_len, "bad age");
		return false;
	}
	if (!diag_phase_parse(phase, &ev->phase)) {
		snprintf(err, err_len, "unknown phase '%s'", phase);
		return false;
	}
	if (!diag_result_parse(result, &ev->result)) {
		snprintf(err, err_len, "unknown result '%s' (ok, fail, down)", result);
		return false;
	}
	ev->age_ms = age;
	snprintf(ev->detail, sizeof(ev->detail), "%s", line + used);
	return true;
}

int diag_read_raw(FILE *f, struct diag_event *ev, size_t max, char *peer, size_t peer_len,
		  char *err, size_t err_len)
{
	char line[512], why[96];
	size_t n = 0, lineno = 0;

	while (fgets(line, sizeof(line), f)) {
		size_t len = strlen(line);

		lineno++;
		if (len && line[len - 1] != '\n' && !feof(f)) {
			snprintf(err, err_len, "line %zu: longer than %zu bytes", lineno,
				 sizeof(line) - 2);
			return -1;
		}
		line[strcspn(line, "\r\n")] = '\0';
		if (!strncmp(line, "# peer ", 7)) {
			snprintf(peer, peer_len, "%s", line + 7);
			continue;
		}
		if (line[0] == '#' || line[strspn(line, " \t")] == '\0')
			continue;
		if (n == max) { /* keep the newest */
			memmove(ev, ev + 1, (max - 1) * sizeof(*ev));
			n--;
		}
		if (!diag_parse_line(line, &ev[n], why, sizeof(why))) {
			snprintf(err, err_len, "line %zu: %s", lineno, why);
			return -1;
		}
		n++;
	}
	return (int)n;
}

void diag_print_raw(FILE *f, const char *origin, const char *peer, const struct diag_event *ev,
		    size_t n)
{
	fprintf(f, "# %s\n", origin);
	fprintf(f, "# peer %s\n", peer);
	fprintf(f, "# AGE_MS PHASE RESULT DETAIL (l2tpctl diagnose --raw; read back with"
		   " --history FILE)\n");
	for (size_t i = 0; i < n; i++)
		fprintf(f, "%" PRIu64 " %s %s %s\n", ev[i].age_ms, diag_phase_name(ev[i].phase),
			diag_result_name(ev[i].result), ev[i].detail);
}

/* ---- the verdict ---- */

/* "850ms", "12.5s", "3m05s", "2h01m" */
static void format_age(uint64_t ms, char *buf, size_t len)
{
	uint64_t s = ms / 1000;

	if (ms < 1000)
		snprintf(buf, len, "%" PRIu64 "ms", ms);
	else if (s < 60)
		snprintf(buf, len, "%" PRIu64 ".%" PRIu64 "s", s, ms % 1000 / 100);
	else if (s < 3600)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", s / 3600, s / 60 % 60);
}

void diag_print_text(FILE *f, const char *peer, const struct diag_event *ev, size_t n,
		     const struct diagnosis *d)
{
	char age[32];

	format_age(n ? ev[n - 1].age_ms : 0, age, sizeof(age));
	fprintf(f, "peer %s: %zu event%s (the last attempt: %zu to %zu), the newest %s ago\n",
		peer, n, n == 1 ? "" : "s", n ? d->first + 1 : 0, n, age);
	fprintf(f, "reached: %s (%s)\n", diag_phase_title(d->reached), diag_state_name(d->state));
	if (d->stop)
		fprintf(f, "stopped at: %s %s %s\n", diag_phase_name(d->stop->phase),
			diag_result_name(d->stop->result), d->stop->detail);
	for (size_t i = 0; i < d->n_causes; i++) {
		fprintf(f, "%s: %s: %s\n", i ? "or" : "likely", d->causes[i]->id, d->causes[i]->text);
		fprintf(f, "advice: %s\n", d->causes[i]->advice);
	}
	fprintf(f, "events of the last attempt (age, phase, result, detail):\n");
	for (size_t i = d->first; i < n; i++) {
		format_age(ev[i].age_ms, age, sizeof(age));
		fprintf(f, "  %8s  %-6s %-4s %s\n", age, diag_phase_name(ev[i].phase),
			diag_result_name(ev[i].result), ev[i].detail);
	}
}

static void json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void json_event(FILE *f, const struct diag_event *e)
{
	fprintf(f, "{\"age_ms\":%" PRIu64 ",\"phase\":\"%s\",\"result\":\"%s\",\"detail\":",
		e->age_ms, diag_phase_name(e->phase), diag_result_name(e->result));
	json_string(f, e->detail);
	fputc('}', f);
}

void diag_print_json(FILE *f, const char *peer, const struct diag_event *ev, size_t n,
		     const struct diagnosis *d)
{
	fprintf(f, "{\"peer\":");
	json_string(f, peer);
	fprintf(f, ",\"state\":\"%s\",\"reached\":", diag_state_name(d->state));
	if (d->reached >= 0)
		fprintf(f, "\"%s\"", diag_phase_name(d->reached));
	else
		fprintf(f, "null");
	fprintf(f, ",\"stop\":");
	if (d->stop)
		json_event(f, d->stop);
	else
		fprintf(f, "null");
	fprintf(f, ",\"causes\":[");
	for (size_t i = 0; i < d->n_causes; i++) {
		fprintf(f, "%s{\"id\":", i ? "," : "");
		json_string(f, d->causes[i]->id);
		fprintf(f, ",\"text\":");
		json_string(f, d->causes[i]->text);
		fprintf(f, ",\"advice\":");
		json_string(f, d->causes[i]->advice);
		fputc('}', f);
	}
	fprintf(f, "],\"attempt_first\":%zu,\"events\":[", d->first);
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(',', f);
		json_event(f, &ev[i]);
	}
	fprintf(f, "]}\n");
}
