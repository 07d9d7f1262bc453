/*
 * acct: RADIUS accounting (RFC 2866, RFC 2869) for the daemon's calls.
 *
 * The daemon, not pppd, accounts: it sees every session end, a SIGKILLed
 * pppd's included, and keeps what must still be sent when a RADIUS server
 * is down. Each record (Start, Interim-Update, Stop, Accounting-On/Off) is
 * kept as data and turned into an Accounting-Request at every try, so that
 * Acct-Delay-Time tells the server how late it is.
 *
 * Delivery: radius.h tries every accounting server (timeout, retries,
 * failover). When none answers, Start, Stop and Accounting-On/Off stay
 * queued and are sent again every retry interval until a server answers
 * (a record waiting for its next try does not hold newer ones back): a
 * Stop is never dropped while the daemon runs. An
 * Interim-Update is sent once (the next one, or the Stop, says more). The
 * queue holds at most ACCT_QUEUE_MAX records; beyond that the oldest
 * queued Interim-Updates go first, then new records are refused (logged).
 *
 * Nothing here logs secrets; records are logged at debug with their
 * session id and status only.
 */
#ifndef L2TPSRV_ACCT_H
#define L2TPSRV_ACCT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <systemd/sd-event.h>

#include "auth.h"
#include "lns.h"
#include "radius.h"

#define ACCT_QUEUE_MAX 65536
/* Requests in flight at once; the rest wait in the queue. */
#define ACCT_IN_FLIGHT_MAX 32
/* After every server failed a record: the daemon's wait before the next try. */
#define ACCT_RETRY_USEC (10 * 1000 * 1000ULL)

/* Acct-Status-Type (RFC 2866 section 5.1) */
enum acct_status {
	ACCT_START = 1,
	ACCT_STOP = 2,
	ACCT_INTERIM = 3,
	ACCT_ON = 7,
	ACCT_OFF = 8,
};

/* Acct-Terminate-Cause (RFC 2866 section 5.10) */
enum acct_cause {
	ACCT_CAUSE_NONE = 0, /* not a Stop */
	ACCT_CAUSE_USER_REQUEST = 1,
	ACCT_CAUSE_LOST_CARRIER = 2,
	ACCT_CAUSE_LOST_SERVICE = 3,
	ACCT_CAUSE_IDLE_TIMEOUT = 4,
	ACCT_CAUSE_SESSION_TIMEOUT = 5,
	ACCT_CAUSE_ADMIN_RESET = 6,
	ACCT_CAUSE_ADMIN_REBOOT = 7,
	ACCT_CAUSE_PORT_ERROR = 8,
	ACCT_CAUSE_NAS_ERROR = 9,
	ACCT_CAUSE_NAS_REQUEST = 10,
};

/* "User-Request", ... as the dictionary spells them; "?" for others. */
const char *acct_cause_name(enum acct_cause c);
/* Why the LNS ended a call, as a cause (peer: User-Request, lost: Lost-Carrier, ...). */
enum acct_cause acct_cause_of_end(enum lns_end end);
/*
 * Why a pppd that ended by itself did: code and status as siginfo_t's
 * (CLD_EXITED and pppd's EXIT_* status, or killed by a signal). Its LCP
 * ended by the peer (status 0) is User-Request; idle, Idle-Timeout;
 * connect time, Session-Timeout; echoes unanswered or hangup, Lost-Carrier;
 * a signal from someone else, Admin-Reset; a crash or a kill, NAS-Error.
 */
enum acct_cause acct_cause_of_pppd_exit(int code, int status);

/* Octets and packets, in = from the client (Acct-Input-*), out = to it. */
struct acct_counters {
	uint64_t bytes_in, bytes_out;
	uint64_t packets_in, packets_out;
};

/* One record, as it is queued. */
struct acct_record {
	enum acct_status status;
	/* Start, Interim, Stop: the session (auth_call's attributes) */
	struct auth_call call;
	char user[64];           /* User-Name */
	uint32_t framed_ip;      /* network order; 0 sends none */
	uint8_t class[AUTH_MAX_CLASS];
	size_t class_len;        /* 0: no Class */
	bool radius_auth;        /* Acct-Authentic RADIUS, else Local */
	/* Interim, Stop */
	struct acct_counters counters;
	uint32_t session_time_s; /* Acct-Session-Time */
	enum acct_cause cause;   /* Stop */
	/* when it happened (CLOCK_MONOTONIC, usec): Acct-Delay-Time */
	uint64_t event_usec;
};

/* The Accounting-Request's attributes for r at now. 0 or a negative errno
 * (-EINVAL: a bad record, user or Acct-Session-Id without their NUL). */
int acct_build_request(struct radius_attrs *attrs, const struct auth_nas *nas,
		       const struct acct_record *r, uint64_t now_usec);

/*
 * A 32-bit counter (pppd's) widened with a 64-bit reading of the same
 * counter: the value with those low 32 bits nearest to it (pppd counts
 * from its link's start, so it may be a little below).
 */
uint64_t acct_widen32(uint32_t low, uint64_t earlier);

/*
 * The counters of a session whose ppp interface went before anything
 * read it (pppd killed): the last reading of the interface (ppp), the L2TP
 * session's counters at that time (l2tp_then), and now (l2tp_now). The
 * L2TP counts also carry PPP framing and LCP: the part since the reading
 * is scaled by the session's own ppp/L2TP ratio when it has one (100
 * packets or more), else taken less 4 octets a packet.
 */
void acct_estimate(const struct acct_counters *ppp, const struct acct_counters *l2tp_then,
		   const struct acct_counters *l2tp_now, struct acct_counters *out);

struct acct;

struct acct_stats {
	uint64_t queued;   /* records taken */
	uint64_t sent;     /* records a server answered */
	uint64_t retried;  /* tries after every server failed */
	uint64_t dropped;  /* refused for a full queue, and Interim-Updates unanswered */
};

/* radius must outlive it; retry_usec: ACCT_RETRY_USEC but in tests. NULL when out of memory. */
struct acct *acct_new(sd_event *event, struct radius *radius, const struct auth_nas *nas,
		      uint64_t retry_usec);
/* Queued records are lost (logged with their count). NULL is fine; returns NULL. */
struct acct *acct_free(struct acct *a);

/* Queues r (copied) and sends it as soon as it may. 0, or -ENOBUFS when full. */
int acct_submit(struct acct *a, const struct acct_record *r);
/* Records not answered yet, in flight included. */
size_t acct_pending(const struct acct *a);
void acct_get_stats(const struct acct *a, struct acct_stats *out);

#endif
