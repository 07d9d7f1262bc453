/*
 * log: one line per message on stderr, for the daemon.
 *
 * Under systemd (stderr is the journal stream named by JOURNAL_STREAM) each
 * message goes to journald natively (sd_journal_sendv) with its priority
 * and, taken from the message's own key=value words, the fields
 * L2TP_TUNNEL, L2TP_SESSION, L2TP_PEER, L2TP_USER, L2TP_EVENT and
 * L2TP_IKE_SA, so that "journalctl L2TP_USER=alice" finds a user's whole
 * story; a session's message that names no user gets it from the lookup
 * set with log_set_user_lookup(). When the native socket cannot be
 * reached, the line goes to stderr with the "<N>" priority prefix of
 * sd-daemon.h; elsewhere with a short word ("error: ", "warning: ",
 * "notice: ", nothing for info, "debug: ").
 */
#ifndef L2TPSRV_LOG_H
#define L2TPSRV_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

/* Messages less urgent than syslog_prio (LOG_ERR..LOG_DEBUG) are dropped.
 * The initial level is LOG_INFO. */
void log_set_level(int syslog_prio);

/* Whether a message of prio would be written: test it before costly arguments. */
bool log_enabled(int prio);

/* Writes one line; the level is checked before anything is formatted.
 * Control characters in the message become spaces, so text from a peer
 * cannot start a forged line. Keeps errno, so "%m" works. */
void log_msg(int prio, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The user of tunnel/session, for the journal's L2TP_USER field: writes
 * it to user (NUL-terminated) and returns true, or false when unknown. */
typedef bool (*log_user_fn)(void *ctx, unsigned int tunnel, unsigned int session, char *user,
			    size_t len);
void log_set_user_lookup(log_user_fn fn, void *ctx);

/* The journal fields of one message, as log_msg sends them. */
#define LOG_FIELD_MAX 128
struct log_fields {
	char tunnel[LOG_FIELD_MAX], session[LOG_FIELD_MAX], peer[LOG_FIELD_MAX],
		user[LOG_FIELD_MAX], event[LOG_FIELD_MAX], ike[LOG_FIELD_MAX];
};
/* Fills f from msg's words key=value and key="value" (empty: absent). */
void log_fields_parse(const char *msg, struct log_fields *f);

#endif
