/*
 * log: one line per message on stderr, for the daemon.
 *
 * Under systemd (stderr is the journal stream named by JOURNAL_STREAM) each
 * line starts with the "<N>" priority prefix of sd-daemon.h, so journald
 * records the priority; elsewhere with a short word ("error: ",
 * "warning: ", "notice: ", nothing for info, "debug: ").
 */
#ifndef L2TPSRV_LOG_H
#define L2TPSRV_LOG_H

#include <stdbool.h>
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

#endif
