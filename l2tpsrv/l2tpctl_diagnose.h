/*
 * l2tpctl_diagnose: reads a client's history (CTL_DIAGNOSE's events, or a
 * file of them) as an administrator would: how far the client got the last
 * time it tried (IKE, ESP, SCCRQ, SCCCN, ICRQ, ICCN, LCP, authentication,
 * IPCP), where and why it stopped, and what usually causes a stop there,
 * with advice. diagnose() is a pure function of the events; the rest reads
 * and writes them as text (the --raw form, one event a line, which
 * "l2tpctl diagnose --history FILE" reads back) and prints the verdict.
 *
 * The raw form:
 *
 *   # comment (l2tpctl writes where the events come from, then "# peer ADDRESS")
 *   AGE_MS PHASE RESULT DETAIL...
 *
 * AGE_MS how long before the recording, PHASE ike|esp|sccrq|tunnel|icrq|
 * iccn|lcp|auth|ipcp, RESULT ok|fail|down, DETAIL the layer's KEY=VALUE
 * words (history_feed.h says which); oldest first.
 */
#ifndef L2TPSRV_L2TPCTL_DIAGNOSE_H
#define L2TPSRV_L2TPCTL_DIAGNOSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ctl_proto.h"

/* Events further apart than this, with nothing up, belong to different attempts. */
#define DIAG_ATTEMPT_GAP_MS (5 * 60 * 1000ULL)
#define DIAG_MAX_CAUSES 2

struct diag_event {
	uint64_t age_ms;
	enum ctl_phase phase;
	enum ctl_result result;
	char detail[CTL_HISTORY_DETAIL];
};

enum diag_state {
	DIAG_UNKNOWN,     /* no event says anything */
	DIAG_CONNECTED,   /* IPCP is up: the client has its address */
	DIAG_IN_PROGRESS, /* up to `reached`, nothing failed or ended (yet): stalled or under way */
	DIAG_FAILED,      /* the phase `reached` failed */
	DIAG_ENDED,       /* up to `reached`, then it ended */
};

/* What usually makes a client stop where it did. */
struct diag_cause {
	const char *id;     /* "psk-mismatch": stable, for scripts and tests */
	const char *text;   /* what it is */
	const char *advice; /* what to do about it */
};

struct diagnosis {
	size_t first;              /* the last attempt's first event */
	int reached;               /* the furthest phase it got to (enum ctl_phase), -1: none */
	enum diag_state state;
	const struct diag_event *stop; /* the failure, or the end, it stopped at; NULL: none */
	const struct diag_cause *causes[DIAG_MAX_CAUSES];
	size_t n_causes;
};

/* Reads ev[0..n) (oldest first) into out; out->stop points into ev. */
void diagnose(const struct diag_event *ev, size_t n, struct diagnosis *out);

/* "ike" ... "ipcp", "?" for none; and back. */
const char *diag_phase_name(int phase);
bool diag_phase_parse(const char *s, enum ctl_phase *out);
/* "IKE", "ESP", ..., "authentication", "IPCP": for people. */
const char *diag_phase_title(int phase);
/* "ok", "fail", "down"; and back. */
const char *diag_result_name(enum ctl_result r);
bool diag_result_parse(const char *s, enum ctl_result *out);
const char *diag_state_name(enum diag_state s);

/*
 * The value of KEY= in a detail (quoted values without their quotes), cut
 * to len - 1 bytes; false and "" when KEY is not there.
 */
bool diag_detail_value(const char *detail, const char *key, char *out, size_t len);

/* One raw line, without its newline; false and why in err when malformed. */
bool diag_parse_line(const char *line, struct diag_event *ev, char *err, size_t err_len);

/*
 * Reads the raw form from f: at most max events into ev (the newest, when
 * there are more), and the address of a "# peer ADDRESS" line into peer
 * (left alone without one). Returns how many, or -1 with "line N: why" in
 * err.
 */
int diag_read_raw(FILE *f, struct diag_event *ev, size_t max, char *peer, size_t peer_len,
		  char *err, size_t err_len);
/*
 * Writes the raw form: a comment with origin first (l2tpctl says
 * "recorded: ..." for events from l2tpsrv, so that a file made with
 * "l2tpctl diagnose --raw PEER > FILE" says it was recorded), "# peer
 * ADDRESS", then the events.
 */
void diag_print_raw(FILE *f, const char *origin, const char *peer, const struct diag_event *ev,
		    size_t n);

/* The verdict for people, or as one JSON object with the events. */
void diag_print_text(FILE *f, const char *peer, const struct diag_event *ev, size_t n,
		     const struct diagnosis *d);
void diag_print_json(FILE *f, const char *peer, const struct diag_event *ev, size_t n,
		     const struct diagnosis *d);

#endif
