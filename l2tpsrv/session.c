/*
 * session: the call state machine of the LNS (RFC 2661 sections 5.2,
 * 5.3, 5.4 and 7.4).
 *
 *   ICRQ/ICRP --> WAIT_CONNECT --ICCN--> ESTABLISHED
 *   OCRQ/OCRP+OCCN --> ESTABLISHED   (a peer placing an "outgoing" call:
 *                                     we answer as the RFC's LAC would)
 *   any --CDN received, or session_stop() (CDN sent)--> freed
 *
 * WEN and SLI are taken in any state, whichever side the peer thinks it
 * is (the Windows documentation names their directions the other way
 * round): WEN counters are kept, an SLI's ACCM goes to the data path. We
 * send only SLI, as RFC 2661 6.14 has the LNS do.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "lns_private.h"
#include "log.h"

#define DEFAULT_ACCM 0xffffffffu

const char *session_state_name(enum session_state s)
{
	switch (s) {
	case SESSION_WAIT_CONNECT:
		return "wait-connect";
	case SESSION_ESTABLISHED:
		return "established";
	}
	return "?";
}

void session_set_end(struct session *s, enum lns_end end)
{
	if (s->end_set)
		return;
	s->end = end;
	s->end_set = true;
}

void session_free(struct session *s)
{
	struct lns *lns = s->tunnel->lns;

	session_set_end(s, s->tunnel->end_set ? s->tunnel->end : LNS_END_ERROR);
	if (s->state != SESSION_ESTABLISHED)
		lns->counters.sessions_failed++;
	if (s->ppp_up && lns->io.session_down)
		lns->io.session_down(lns->io_ctx, s->tunnel->id, s->id, s->end);
	if (s->dp_added)
		lns->dp->ops->session_del(lns->dp, s->tunnel->id, s->id);
	lns_session_detach(lns, s);
	free(s);
}

static void set_result(struct l2tp_msg *m, uint16_t result, uint16_t error, const char *text)
{
	m->result_code = result;
	m->has_error_code = error != 0;
	m->error_code = error;
	m->error_message.ptr = (const uint8_t *)text;
	m->error_message.len = (uint16_t)strnlen(text, 255);
	l2tp_msg_set(m, L2TP_AVP_RESULT_CODE);
}

static void send_cdn(struct tunnel *t, uint16_t our_id, uint16_t peer_id, uint16_t result,
		     uint16_t error, const char *text)
{
	struct l2tp_msg m;

	l2tp_msg_init(&m, L2TP_MSG_CDN);
	m.assigned_session_id = our_id;
	l2tp_msg_set(&m, L2TP_AVP_ASSIGNED_SESSION_ID);
	set_result(&m, result, error, text);
	tunnel_send(t, peer_id, &m);
}

void session_stop(struct session *s, uint16_t result, uint16_t error, const char *text)
{
	struct tunnel *t = s->tunnel;

	log_msg(LOG_NOTICE,
		"tunnel=%u session=%u peer=%s event=stop state=%s result=%u error=%u reason=\"%s\"",
		t->id, s->id, t->peer_str, session_state_name(s->state), result, error, text);
	lns_report(t->lns, &(struct lns_event){ .kind = LNS_EV_CALL_STOP,
						.peer = &t->addr.peer,
						.tunnel_id = t->id,
						.session_id = s->id,
						.result = result,
						.error = error,
						.established = s->state == SESSION_ESTABLISHED,
						.text = text });
	send_cdn(t, s->id, s->peer_id, result, error, text);
	session_free(s);
}

/* A call we will not take: CDN with no session of ours (Assigned Session ID 0). */
static void reject_call(struct tunnel *t, uint16_t peer_id, uint16_t result, uint16_t error,
			const char *text)
{
	log_msg(LOG_NOTICE, "tunnel=%u session=0 peer=%s event=reject peer_session=%u reason=\"%s\"",
		t->id, t->peer_str, peer_id, text);
	lns_report(t->lns, &(struct lns_event){ .kind = LNS_EV_CALL_REJECTED,
						.peer = &t->addr.peer,
						.tunnel_id = t->id,
						.result = result,
						.error = error,
						.text = text });
	send_cdn(t, 0, peer_id, result, error, text);
}

/* The one failure path for a message that makes no sense now. */
static void fsm_error(struct session *s, const struct l2tp_msg *m)
{
	char text[96];

	snprintf(text, sizeof(text), "received %s in state %s", l2tp_msg_type_name(m->type),
		 session_state_name(s->state));
	session_stop(s, L2TP_CDN_GENERAL_ERROR, L2TP_ERR_NONE, text);
}

static struct session *new_call(struct tunnel *t, const struct l2tp_msg *rq)
{
	const struct l2tpsrv_config *cfg = t->lns->cfg;
	struct session *s;

	if (rq->assigned_session_id == 0) { /* 0 means "no session" (RFC 2661 3.1) */
		reject_call(t, 0, L2TP_CDN_GENERAL_ERROR, L2TP_ERR_BAD_VALUE,
			    "Assigned Session ID 0");
		return NULL;
	}
	if ((cfg->max_sessions && t->lns->n_sessions >= cfg->max_sessions) ||
	    (cfg->max_sessions_per_tunnel && t->n_sessions >= cfg->max_sessions_per_tunnel)) {
		t->lns->counters.refused_session_limit++;
		reject_call(t, rq->assigned_session_id, L2TP_CDN_NO_RESOURCES_TEMPORARY, 0,
			    "session limit reached");
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s || (s->tunnel = t, lns_session_attach(t->lns, s) < 0)) {
		free(s);
		reject_call(t, rq->assigned_session_id, L2TP_CDN_NO_RESOURCES_TEMPORARY,
			    L2TP_ERR_NO_RESOURCES, "out of resources");
		return NULL;
	}
	s->peer_id = rq->assigned_session_id;
	s->created_usec = t->lns->now;
	s->call_serial_number = rq->call_serial_number;
	s->send_accm = DEFAULT_ACCM;
	s->recv_accm = DEFAULT_ACCM;
	lns_printable(s->calling_number, sizeof(s->calling_number), &rq->calling_number);
	lns_printable(s->called_number, sizeof(s->called_number), &rq->called_number);
	log_msg(LOG_INFO,
		"tunnel=%u session=%u peer=%s event=%s peer_session=%u serial=%u calling=\"%s\" called=\"%s\"",
		t->id, s->id, t->peer_str, rq->type == L2TP_MSG_ICRQ ? "icrq" : "ocrq", s->peer_id,
		s->call_serial_number, s->calling_number, s->called_number);
	lns_report(t->lns, &(struct lns_event){ .kind = LNS_EV_CALL,
						.peer = &t->addr.peer,
						.tunnel_id = t->id,
						.session_id = s->id,
						.text = "" });
	return s;
}

/* Connects the data path, then PPP; on failure the call ends with CDN. */
static void connect_call(struct session *s)
{
	struct lns *lns = s->tunnel->lns;
	struct dp_session dps = {
		.tunnel_id = s->tunnel->id,
		.session_id = s->id,
		.peer_session_id = s->peer_id,
		.sequencing = s->sequencing,
	};
	struct lns_call call = {
		.tunnel_id = s->tunnel->id,
		.session_id = s->id,
		.peer_tunnel_id = s->tunnel->peer_id,
		.peer_session_id = s->peer_id,
	};

	if (lns->dp->ops->session_add(lns->dp, &dps) < 0) {
		session_stop(s, L2TP_CDN_NO_RESOURCES_TEMPORARY, L2TP_ERR_NO_RESOURCES,
			     "cannot set up the data path");
		return;
	}
	s->dp_added = true;
	if (lns->io.session_up && lns->io.session_up(lns->io_ctx, &call) < 0) {
		session_stop(s, L2TP_CDN_NO_RESOURCES_TEMPORARY, L2TP_ERR_NO_RESOURCES,
			     "cannot start PPP");
		return;
	}
	s->ppp_up = lns->io.session_up != NULL;
	s->state = SESSION_ESTABLISHED;
	s->established_usec = lns->now;
	lns->counters.sessions_established++;
	log_msg(LOG_INFO,
		"tunnel=%u session=%u peer=%s event=established peer_session=%u speed=%u framing=%u sequencing=%s",
		s->tunnel->id, s->id, s->tunnel->peer_str, s->peer_id, s->tx_connect_speed,
		s->framing_type, s->sequencing ? "yes" : "no");
	lns_report(lns, &(struct lns_event){ .kind = LNS_EV_CALL_UP,
					     .peer = &s->tunnel->addr.peer,
					     .tunnel_id = s->tunnel->id,
					     .session_id = s->id,
					     .text = "" });
}

static void on_icrq(struct tunnel *t, const struct l2tp_msg *rq)
{
	struct session *s = new_call(t, rq);
	struct l2tp_msg m;

	if (!s)
		return;
	l2tp_msg_init(&m, L2TP_MSG_ICRP);
	m.assigned_session_id = s->id;
	l2tp_msg_set(&m, L2TP_AVP_ASSIGNED_SESSION_ID);
	s->state = SESSION_WAIT_CONNECT;
	tunnel_send(t, s->peer_id, &m);
}

static void on_ocrq(struct tunnel *t, const struct l2tp_msg *rq)
{
	struct session *s = new_call(t, rq);
	struct l2tp_msg m;

	if (!s)
		return;
	s->outgoing = true;
	l2tp_msg_init(&m, L2TP_MSG_OCRP);
	m.assigned_session_id = s->id;
	l2tp_msg_set(&m, L2TP_AVP_ASSIGNED_SESSION_ID);
	tunnel_send(t, s->peer_id, &m);

	/* Nothing to dial: the call is connected at once, at the speed asked for. */
	s->tx_connect_speed = rq->maximum_bps;
	s->framing_type = rq->framing_type & (L2TP_FRAMING_SYNC | L2TP_FRAMING_ASYNC);
	if (!s->framing_type)
		s->framing_type = L2TP_FRAMING_ASYNC;
	l2tp_msg_init(&m, L2TP_MSG_OCCN);
	m.tx_connect_speed = s->tx_connect_speed;
	l2tp_msg_set(&m, L2TP_AVP_TX_CONNECT_SPEED);
	m.framing_type = s->framing_type;
	l2tp_msg_set(&m, L2TP_AVP_FRAMING_TYPE);
	tunnel_send(t, s->peer_id, &m);
	connect_call(s);
}

static void on_iccn(struct session *s, const struct l2tp_msg *m)
{
	s->tx_connect_speed = m->tx_connect_speed;
	s->framing_type = m->framing_type;
	s->sequencing = l2tp_msg_has(m, L2TP_AVP_SEQUENCING_REQUIRED);
	if (l2tp_msg_has(m, L2TP_AVP_RX_CONNECT_SPEED))
		s->rx_connect_speed = m->rx_connect_speed;
	connect_call(s);
}

static void on_cdn(struct session *s, const struct l2tp_msg *m)
{
	struct tunnel *t = s->tunnel;
	char text[128];

	lns_printable(text, sizeof(text), &m->error_message);
	log_msg(LOG_INFO,
		"tunnel=%u session=%u peer=%s event=stopped_by_peer state=%s result=%u error=%u q931=%u message=\"%s\"",
		t->id, s->id, t->peer_str, session_state_name(s->state), m->result_code,
		m->error_code, l2tp_msg_has(m, L2TP_AVP_Q931_CAUSE_CODE) ? m->q931_cause : 0, text);
	lns_report(t->lns, &(struct lns_event){ .kind = LNS_EV_CALL_STOPPED,
						.peer = &t->addr.peer,
						.tunnel_id = t->id,
						.session_id = s->id,
						.result = m->result_code,
						.error = m->error_code,
						.established = s->state == SESSION_ESTABLISHED,
						.text = text });
	session_set_end(s, LNS_END_PEER);
	session_free(s);
}

static void on_wen(struct session *s, const struct l2tp_msg *m)
{
	s->wen_count++;
	s->errors = m->call_errors; /* the LAC's counters are cumulative (6.13) */
	log_msg(LOG_DEBUG, "tunnel=%u session=%u peer=%s event=wen crc=%u framing=%u",
		s->tunnel->id, s->id, s->tunnel->peer_str, s->errors.crc_errors,
		s->errors.framing_errors);
}

static void on_sli(struct session *s, const struct l2tp_msg *m)
{
	struct lns *lns = s->tunnel->lns;

	s->send_accm = m->send_accm;
	s->recv_accm = m->receive_accm;
	log_msg(LOG_INFO, "tunnel=%u session=%u peer=%s event=sli send_accm=0x%08x recv_accm=0x%08x",
		s->tunnel->id, s->id, s->tunnel->peer_str, s->send_accm, s->recv_accm);
	if (s->dp_added && lns->dp->ops->session_set_accm(lns->dp, s->tunnel->id, s->id,
							   s->send_accm, s->recv_accm) < 0)
		log_msg(LOG_WARNING, "tunnel=%u session=%u peer=%s event=accm_failed",
			s->tunnel->id, s->id, s->tunnel->peer_str);
}

/*
 * A LAC that clears a call before our ICRP reached it does not know our id
 * yet: its CDN goes to session 0 and names the call by its own id (5.2).
 */
static struct session *find_by_peer_id(struct tunnel *t, uint16_t peer_id)
{
	for (struct session *s = t->sessions; s; s = s->next)
		if (s->peer_id == peer_id)
			return s;
	return NULL;
}

void session_recv(struct tunnel *t, uint16_t session_id, const struct l2tp_msg *m)
{
	struct session *s;

	if (m->type == L2TP_MSG_ICRQ || m->type == L2TP_MSG_OCRQ) {
		if (m->type == L2TP_MSG_ICRQ)
			on_icrq(t, m);
		else
			on_ocrq(t, m);
		return;
	}
	s = lns_session_find(t->lns, t->id, session_id);
	if (!s && session_id == 0 && m->type == L2TP_MSG_CDN)
		s = find_by_peer_id(t, m->assigned_session_id);
	if (!s) {
		/* Typically a CDN crossing ours; nothing to answer (no such call). */
		log_msg(LOG_DEBUG, "tunnel=%u session=%u peer=%s event=ignored msg=%s reason=\"%s\"",
			t->id, session_id, t->peer_str, l2tp_msg_type_name(m->type),
			"no such session");
		return;
	}
	switch (m->type) {
	case L2TP_MSG_ICCN:
		if (s->state != SESSION_WAIT_CONNECT || s->outgoing)
			break;
		on_iccn(s, m);
		return;
	case L2TP_MSG_CDN:
		on_cdn(s, m);
		return;
	case L2TP_MSG_WEN:
		on_wen(s, m);
		return;
	case L2TP_MSG_SLI:
		on_sli(s, m);
		return;
	}
	fsm_error(s, m);
}

void session_recv_bad(struct tunnel *t, uint16_t session_id, const struct l2tp_msg *m,
		      const struct l2tp_msg_error *err)
{
	struct session *s = session_id ? lns_session_find(t->lns, t->id, session_id) : NULL;

	if (s)
		session_stop(s, L2TP_CDN_GENERAL_ERROR, err->error_code, err->text);
	else if ((err->msg_type == L2TP_MSG_ICRQ || err->msg_type == L2TP_MSG_OCRQ) &&
		 l2tp_msg_has(m, L2TP_AVP_ASSIGNED_SESSION_ID))
		reject_call(t, m->assigned_session_id, L2TP_CDN_GENERAL_ERROR, err->error_code,
			    err->text);
}

int session_send_sli(struct session *s, uint32_t send_accm, uint32_t recv_accm)
{
	struct l2tp_msg m;

	if (s->state != SESSION_ESTABLISHED)
		return -EAGAIN;
	l2tp_msg_init(&m, L2TP_MSG_SLI);
	m.send_accm = send_accm;
	m.receive_accm = recv_accm;
	l2tp_msg_set(&m, L2TP_AVP_ACCM);
	return tunnel_send(s->tunnel, s->peer_id, &m);
}

/* A LAC that never sends ICCN must not hold a session forever. */
static uint64_t call_setup_limit(const struct tunnel *t)
{
	return transport_give_up_usec(&t->lns->tcfg);
}

uint64_t session_waiting_deadline(const struct tunnel *t)
{
	uint64_t deadline = LNS_NO_DEADLINE;

	for (const struct session *s = t->sessions; s; s = s->next) {
		uint64_t d = s->created_usec + call_setup_limit(t);

		if (s->state == SESSION_WAIT_CONNECT && d < deadline)
			deadline = d;
	}
	return deadline;
}

void session_expire_waiting(struct tunnel *t)
{
	struct session *s = t->sessions, *next;

	for (; s; s = next) {
		next = s->next; /* session_stop() frees s */
		if (s->state == SESSION_WAIT_CONNECT &&
		    s->created_usec + call_setup_limit(t) <= t->lns->now)
			session_stop(s, L2TP_CDN_TIMEOUT, 0, "no ICCN from the peer");
	}
}
