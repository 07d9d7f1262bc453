/*
 * ipsec: see ipsec.h.
 */
#include <errno.h>
#include <linux/xfrm.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "charon_link.h"
#include "history_feed.h"
#include "ipsec.h"
#include "log.h"
#include "server.h"

struct ipsec {
	const struct l2tpsrv_config *cfg;
	struct lns *lns;
	struct peers *peers;
	struct charon_link *link;
	struct history *history; /* the server's: what happened to each client */
	bool synced; /* a sync-end came on this connection */
};

/* ---- the kernel's lock: an inbound ESP policy on the socket ---------- */

int ipsec_protect_socket(const struct ipsec *ipsec, int fd, int family)
{
	struct {
		struct xfrm_userpolicy_info info;
		struct xfrm_user_tmpl tmpl;
	} policy;

	if (ipsec->cfg->allow_unencrypted)
		return 0;
	memset(&policy, 0, sizeof(policy));
	/* a zero selector matches every packet of the socket */
	policy.info.sel.family = (uint16_t)family;
	policy.info.lft.soft_byte_limit = XFRM_INF;
	policy.info.lft.hard_byte_limit = XFRM_INF;
	policy.info.lft.soft_packet_limit = XFRM_INF;
	policy.info.lft.hard_packet_limit = XFRM_INF;
	policy.info.dir = XFRM_POLICY_IN;
	policy.info.action = XFRM_POLICY_ALLOW;
	policy.info.share = XFRM_SHARE_ANY;
	/* what must have been undone on the way in: ESP in transport mode, not optional */
	policy.tmpl.family = (uint16_t)family;
	policy.tmpl.id.proto = IPPROTO_ESP;
	policy.tmpl.mode = XFRM_MODE_TRANSPORT;
	policy.tmpl.optional = 0;
	policy.tmpl.aalgos = ~0u;
	policy.tmpl.ealgos = ~0u;
	policy.tmpl.calgos = ~0u;
	if (family == AF_INET6
		    ? setsockopt(fd, IPPROTO_IPV6, IPV6_XFRM_POLICY, &policy, sizeof(policy))
		    : setsockopt(fd, IPPROTO_IP, IP_XFRM_POLICY, &policy, sizeof(policy)))
		return -errno;
	return 0;
}

/* ---- charon's lock: the peer table ------------------------------------- */

/* Makes an identity safe to log between double quotes. */
static const char *printable(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < len; i++)
		buf[i] = (s[i] < 0x20 || s[i] > 0x7e || s[i] == '"' || s[i] == '\\') ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

void ipsec_remote_string(const struct peer_ike *ike, char *buf, size_t len)
{
	lns_sockaddr_string(&ike->sa.remote, buf, len);
}

struct tunnel_ref {
	uint16_t id;
	uint64_t owner;
	struct sockaddr_storage peer;
	uint32_t mark, reply_mark;
};

struct tunnel_refs {
	struct tunnel_ref *v;
	size_t n, cap;
};

static bool collect(void *ctx, const struct lns_tunnel_info *ti)
{
	struct tunnel_refs *refs = ctx;

	if (!ti->owner)
		return true; /* admitted unprotected (allow_unencrypted): nothing to follow */
	if (refs->n == refs->cap) {
		size_t cap = refs->cap ? 2 * refs->cap : 64;
		struct tunnel_ref *v = realloc(refs->v, cap * sizeof(*v));

		if (!v)
			return false;
		refs->v = v;
		refs->cap = cap;
	}
	refs->v[refs->n++] = (struct tunnel_ref){ .id = ti->tunnel_id,
						  .owner = ti->owner,
						  .peer = *ti->peer_addr,
						  .mark = ti->mark,
						  .reply_mark = ti->reply_mark };
	return true;
}

/*
 * Whether ike still protects the tunnel: a CHILD_SA of it covers the
 * tunnel's peer with the tunnel's mark (its mark-in bits: 0 if it had
 * none), and wants on what we send the mark the tunnel sends with (fixed
 * when its SCCRQ came).
 */
static bool still_protects(const struct peer_ike *ike, const struct tunnel_ref *r)
{
	const struct peer_child *c = peers_covering_child(ike, &r->peer, r->mark);

	return c && peers_child_mark_out(c) == r->reply_mark;
}

/*
 * Each tunnel still protected by its IKE SA stays; one whose IKE SA went
 * moves to another IKE SA that covers its peer (a reauthentication, or an
 * IKEv1 CHILD_SA moved with its marks), or is aborted with why.
 */
static void recheck(struct ipsec *ipsec, const char *why)
{
	struct tunnel_refs refs = { 0 };
	uint64_t now = 0;

	lns_foreach_tunnel(ipsec->lns, collect, &refs);
	for (size_t i = 0; i < refs.n; i++) {
		const struct tunnel_ref *r = &refs.v[i];
		const struct peer_ike *ike = r->owner <= UINT32_MAX
						     ? peers_find(ipsec->peers, (uint32_t)r->owner)
						     : NULL;

		if (ike && still_protects(ike, r))
			continue;
		ike = peers_match(ipsec->peers, &r->peer, r->mark, NULL);
		if (ike && still_protects(ike, r)) {
			log_msg(LOG_INFO, "tunnel=%u event=ipsec_moved ike=%llu new_ike=%u", r->id,
				(unsigned long long)r->owner, ike->uid);
			lns_set_tunnel_owner(ipsec->lns, r->id, ike->uid);
			continue;
		}
		if (!now)
			now = server_now();
		lns_abort_tunnel(ipsec->lns, now, r->id, why);
	}
	free(refs.v);
}

/* A negotiation failed: key=value words, every value from the plugin made printable. */
static void log_fail(const struct charon_event *ev)
{
	char peer[64], id[CHARON_ID_MAX], alert[CHARON_NAME_MAX], exchange[CHARON_NAME_MAX];
	char notify[CHARON_NAME_MAX];

	lns_sockaddr_string(&ev->ike_sa.remote, peer, sizeof(peer));
	log_msg(LOG_INFO,
		"event=ipsec_failed ike=%u peer=%s alert=\"%s\" exchange=\"%s\" notify=\"%s\" "
		"nat_local=%s nat=%s id=\"%s\"",
		ev->ike, peer, printable(ev->fail.alert, alert, sizeof(alert)),
		printable(ev->fail.exchange, exchange, sizeof(exchange)),
		printable(ev->fail.notify, notify, sizeof(notify)),
		ev->ike_sa.nat_local ? "yes" : "no", ev->ike_sa.nat_remote ? "yes" : "no",
		printable(ev->ike_sa.remote_id, id, sizeof(id)));
}

static void log_child_up(const struct charon_event *ev)
{
	char peer[64], id[CHARON_ID_MAX], user[CHARON_ID_MAX];
	const char *u = ev->ike_sa.xauth_id[0] ? ev->ike_sa.xauth_id : ev->ike_sa.eap_id;

	lns_sockaddr_string(&ev->ike_sa.remote, peer, sizeof(peer));
	log_msg(LOG_INFO,
		"event=ipsec_up ike=%u child=%u peer=%s nat=%s id=\"%s\" user=\"%s\" child_name=\"%s\" "
		"mode=%s reqid=%u spi_in=%08x spi_out=%08x ports=%u-%u mark_in=%x/%x mark_out=%x/%x",
		ev->ike, ev->kind == CHARON_CHILD_REKEY ? ev->new_id : ev->child, peer,
		ev->ike_sa.nat_remote ? "yes" : "no", printable(ev->ike_sa.remote_id, id, sizeof(id)),
		printable(u, user, sizeof(user)), ev->child_sa.name,
		ev->child_sa.transport ? "transport" : "tunnel", ev->child_sa.reqid,
		ev->child_sa.spi_in, ev->child_sa.spi_out, ev->child_sa.port_lo,
		ev->child_sa.port_hi, ev->child_sa.mark_in, ev->child_sa.mark_in_mask,
		ev->child_sa.mark_out, ev->child_sa.mark_out_mask);
}

/*
 * A child-rekey gives the new CHILD_SA the old one's marks (strongSwan
 * does, IKEv1 and IKEv2): the tunnels it carries keep theirs. Should they
 * differ, those tunnels' datagrams no longer match what they were bound to
 * and the recheck that follows aborts them; this says why.
 */
static void log_marks_changed(const struct ipsec *ipsec, const struct charon_event *ev)
{
	const struct peer_ike *ike = peers_find(ipsec->peers, ev->ike);
	const struct charon_child *old = NULL, *now = &ev->child_sa;

	for (size_t i = 0; ike && i < ike->n_children; i++)
		if (ike->children[i].uid == ev->child)
			old = &ike->children[i].sa;
	if (!old || (old->mark_in == now->mark_in && old->mark_in_mask == now->mark_in_mask &&
		     old->mark_out == now->mark_out && old->mark_out_mask == now->mark_out_mask))
		return;
	log_msg(LOG_WARNING,
		"event=ipsec_marks_changed ike=%u child=%u new=%u mark_in=%x/%x new_mark_in=%x/%x "
		"mark_out=%x/%x new_mark_out=%x/%x reason=\"a rekeyed CHILD_SA should keep its "
		"marks; its tunnels end\"",
		ev->ike, ev->child, ev->new_id, old->mark_in, old->mark_in_mask, now->mark_in,
		now->mark_in_mask, old->mark_out, old->mark_out_mask, now->mark_out,
		now->mark_out_mask);
}

static bool ike_has_child(const struct peer_ike *ike, uint32_t child)
{
	for (size_t i = 0; i < ike->n_children; i++)
		if (ike->children[i].uid == child)
			return true;
	return false;
}

/* Whether the history has a record of the address. */
static bool known(const struct ipsec *ipsec, const struct sockaddr_storage *remote)
{
	struct history_event one;

	return history_get(ipsec->history, remote, &one, 1, NULL) != -ENOENT;
}

/*
 * The client's history: how far it got with IPsec. Called before the
 * event changes the peer table, which knows where what goes down was.
 */
static void record(struct ipsec *ipsec, const struct charon_event *ev)
{
	const struct peer_ike *ike = ev->ike ? peers_find(ipsec->peers, ev->ike) : NULL;
	uint64_t now = server_now();

	switch (ev->kind) {
	case CHARON_IKE_FAIL:
		history_feed_charon(ipsec->history, now, ev, &ev->ike_sa.remote, ike != NULL);
		break;
	case CHARON_IKE_UP:
	case CHARON_CHILD_UP:
		if (ipsec->synced) {
			history_feed_charon(ipsec->history, now, ev, &ev->ike_sa.remote, true);
		} else if (ev->kind == CHARON_CHILD_UP && !known(ipsec, &ev->ike_sa.remote)) {
			/*
			 * A sync's replay is no news, but for a client l2tpsrv has
			 * no record of (it started after the SA came up, or just
			 * before): its IKE and ESP SA are up, or diagnose would say
			 * it never got there.
			 */
			struct charon_event ike_up = *ev;

			ike_up.kind = CHARON_IKE_UP;
			history_feed_charon(ipsec->history, now, &ike_up, &ev->ike_sa.remote, true);
			history_feed_charon(ipsec->history, now, ev, &ev->ike_sa.remote, true);
		}
		break;
	case CHARON_CHILD_DOWN:
		/* only the CHILD_SAs that carry L2TP, which the table has */
		if (ike && ike->sa.has_addresses && ike_has_child(ike, ev->child))
			history_feed_charon(ipsec->history, now, ev, &ike->sa.remote, true);
		break;
	case CHARON_IKE_DOWN:
		if (ike && ike->sa.has_addresses)
			history_feed_charon(ipsec->history, now, ev, &ike->sa.remote, true);
		break;
	default:
		break;
	}
}

static void on_event(void *ctx, const struct charon_event *ev)
{
	struct ipsec *ipsec = ctx;
	char why[96];
	bool changed;

	switch (ev->kind) {
	case CHARON_CHILD_UP:
	case CHARON_CHILD_REKEY:
		if (ipsec->synced || ev->kind == CHARON_CHILD_REKEY)
			log_child_up(ev);
		break;
	case CHARON_CHILD_DOWN:
	case CHARON_IKE_DOWN:
		log_msg(LOG_INFO, "event=ipsec_down ike=%u child=%u", ev->ike, ev->child);
		break;
	case CHARON_SYNC_BEGIN:
		ipsec->synced = false;
		break;
	case CHARON_IKE_FAIL:
		log_fail(ev);
		break;
	default:
		log_msg(LOG_DEBUG, "event=charon_%s ike=%u child=%u new=%u",
			charon_event_name(ev->kind), ev->ike, ev->child, ev->new_id);
		break;
	}
	if (ev->kind == CHARON_CHILD_REKEY)
		log_marks_changed(ipsec, ev);
	record(ipsec, ev);
	changed = peers_apply(ipsec->peers, ev);
	if (ev->kind == CHARON_SYNC_END) {
		ipsec->synced = true;
		log_msg(LOG_INFO, "event=charon_synced ike_sas=%u child_sas=%u",
			peers_count_ike(ipsec->peers), peers_count_children(ipsec->peers));
	}
	if (!changed)
		return;
	switch (ev->kind) {
	case CHARON_CHILD_DOWN:
		snprintf(why, sizeof(why), "IPsec SA gone (CHILD_SA %u of IKE SA %u down)", ev->child,
			 ev->ike);
		break;
	case CHARON_IKE_DOWN:
		snprintf(why, sizeof(why), "IPsec SA gone (IKE SA %u down)", ev->ike);
		break;
	case CHARON_SYNC_END:
		snprintf(why, sizeof(why), "IPsec SA gone (charon no longer has it)");
		break;
	default:
		snprintf(why, sizeof(why), "IPsec SA changed (%s of IKE SA %u)",
			 charon_event_name(ev->kind), ev->ike);
		break;
	}
	recheck(ipsec, why);
}

static void on_lost(void *ctx)
{
	struct ipsec *ipsec = ctx;

	ipsec->synced = false;
	peers_clear(ipsec->peers);
	recheck(ipsec, "IPsec SA gone (charon is gone)");
}

static const struct charon_link_ops link_ops = {
	.event = on_event,
	.lost = on_lost,
};

int ipsec_admit(struct ipsec *ipsec, const struct lns_addr *addr, struct lns_admission *out)
{
	const struct peer_child *child;
	const struct peer_ike *ike = peers_match(ipsec->peers, &addr->peer, addr->mark, &child);
	char peer[64];

	if (ike) {
		out->owner = ike->uid;
		/* with none (mask 0), other marks the datagrams may carry name nobody */
		out->mark_mask = child->sa.mark_in_mask;
		out->reply_mark = peers_child_mark_out(child);
		return 0;
	}
	if (!ipsec->cfg->allow_unencrypted)
		return -EACCES;
	lns_sockaddr_string(&addr->peer, peer, sizeof(peer));
	log_msg(LOG_WARNING,
		"peer=%s event=unencrypted_tunnel reason=\"allow_unencrypted = yes: no IPsec SA "
		"protects this peer\"",
		peer);
	return 0;
}

const struct peer_ike *ipsec_owner(const struct ipsec *ipsec, uint64_t owner)
{
	if (!owner || owner > UINT32_MAX)
		return NULL;
	return peers_find(ipsec->peers, (uint32_t)owner);
}

const struct peers *ipsec_peers(const struct ipsec *ipsec)
{
	return ipsec->peers;
}

bool ipsec_charon_connected(const struct ipsec *ipsec)
{
	return charon_link_connected(ipsec->link);
}

int ipsec_terminate_ike(struct ipsec *ipsec, uint64_t owner, const char *reason)
{
	if (!owner || owner > UINT32_MAX)
		return -ENOENT;
	return charon_link_terminate_ike(ipsec->link, (uint32_t)owner, reason);
}

int ipsec_new(struct ipsec **out, sd_event *event, const struct l2tpsrv_config *cfg,
	      struct lns *lns, struct history *history)
{
	struct ipsec *ipsec = calloc(1, sizeof(*ipsec));
	int r;

	*out = NULL;
	if (!ipsec)
		return -ENOMEM;
	ipsec->cfg = cfg;
	ipsec->lns = lns;
	ipsec->history = history;
	ipsec->peers = peers_new();
	if (!ipsec->peers) {
		free(ipsec);
		return -ENOMEM;
	}
	r = charon_link_new(&ipsec->link, event, cfg->charon_socket, &link_ops, ipsec);
	if (r < 0) {
		peers_free(ipsec->peers);
		free(ipsec);
		return r;
	}
	if (cfg->allow_unencrypted)
		log_msg(LOG_WARNING, "event=unencrypted_allowed reason=\"allow_unencrypted = yes: "
				     "L2TP without IPsec is accepted; for troubleshooting only\"");
	*out = ipsec;
	return 0;
}

struct ipsec *ipsec_free(struct ipsec *ipsec)
{
	if (!ipsec)
		return NULL;
	charon_link_free(ipsec->link);
	peers_free(ipsec->peers);
	free(ipsec);
	return NULL;
}
