/*
 * log: one line per message on stderr; see log.h.
 */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>
/* no CODE_FILE/CODE_LINE fields: they would always name log.c */
#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

#define LOG_LINE_MAX 2048
#define JOURNAL_SOCKET "/run/systemd/journal/socket" /* journald's native one */ /* longer messages are cut, ending in "..." */

static int max_prio = LOG_INFO;
static int to_journal = -1; /* -1: not checked yet */
static bool journal_native = true; /* false once sd_journal_sendv failed */
static log_user_fn user_lookup;
static void *user_lookup_ctx;

void log_set_user_lookup(log_user_fn fn, void *ctx)
{
	user_lookup = fn;
	user_lookup_ctx = ctx;
}

void log_set_level(int syslog_prio)
{
	max_prio = LOG_PRI(syslog_prio);
}

bool log_enabled(int prio)
{
	return LOG_PRI(prio) <= max_prio;
}

/*
 * systemd sets JOURNAL_STREAM=DEVICE:INODE when stderr is connected to the
 * journal. As systemd.exec(5) advises, compare it with stderr itself: a
 * stderr redirected elsewhere (to a file, or a terminal) gets plain lines.
 */
static bool stderr_is_journal(void)
{
	const char *e = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	int n = 0;

	if (!e || sscanf(e, "%llu:%llu%n", &dev, &ino, &n) != 2 || e[n] != '\0')
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino;
}

static const char *level_word(int prio)
{
	switch (prio) {
	case LOG_EMERG:
	case LOG_ALERT:
	case LOG_CRIT:
	case LOG_ERR:
		return "error: ";
	case LOG_WARNING:
		return "warning: ";
	case LOG_NOTICE:
		return "notice: ";
	case LOG_INFO:
		return "";
	default:
		return "debug: ";
	}
}

static void write_all(const char *s, size_t len)
{
	while (len > 0) {
		ssize_t n = write(STDERR_FILENO, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		s += n;
		len -= (size_t)n;
	}
}

/* The field of key, if f has one. */
static char *field_of(struct log_fields *f, const char *key, size_t len)
{
	static const struct {
		const char *key;
		size_t offset;
	} names[] = {
		{ "tunnel", offsetof(struct log_fields, tunnel) },
		{ "session", offsetof(struct log_fields, session) },
		{ "peer", offsetof(struct log_fields, peer) },
		{ "user", offsetof(struct log_fields, user) },
		{ "event", offsetof(struct log_fields, event) },
		{ "ike", offsetof(struct log_fields, ike) },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i].key) == len && !memcmp(names[i].key, key, len))
			return (char *)f + names[i].offset;
	return NULL;
}

void log_fields_parse(const char *msg, struct log_fields *f)
{
	const char *p = msg;

	memset(f, 0, sizeof(*f));
	while (*p) {
		const char *key = p, *val, *end;
		char *field;
		size_t klen;

		while (*p >= 'a' && *p <= 'z')
			p++;
		klen = (size_t)(p - key);
		if (*p != '=' || klen == 0) { /* not a key=value word: skip it */
			while (*p && *p != ' ')
				p++;
			while (*p == ' ')
				p++;
			continue;
		}
		val = ++p;
		if (*val == '"') { /* to the quote that ends the word */
			val++;
			end = val;
			while (*end && !(end[0] == '"' && (end[1] == ' ' || end[1] == '\0')))
				end++;
			p = *end ? end + 1 : end;
		} else {
			end = val;
			while (*end && *end != ' ')
				end++;
			p = end;
		}
		field = field_of(f, key, klen);
		if (field && !field[0] && end > val)
			snprintf(field, LOG_FIELD_MAX, "%.*s", (int)(end - val), val);
		while (*p == ' ')
			p++;
	}
}

/* msg to journald with its fields; false when journald could not be reached. */
static bool journal_send(int prio, const char *msg)
{
	static const char *const names[] = { "L2TP_TUNNEL", "L2TP_SESSION", "L2TP_PEER",
					     "L2TP_USER",   "L2TP_EVENT",   "L2TP_IKE_SA" };
	static char message[LOG_LINE_MAX + 16], fields[6][LOG_FIELD_MAX + 16];
	char priority[16], user[LOG_FIELD_MAX];
	struct iovec iov[2 + 6];
	struct log_fields f;
	const char *values[6];
	size_t n = 0;

	log_fields_parse(msg, &f);
	if (!f.user[0] && f.tunnel[0] && f.session[0] && user_lookup &&
	    user_lookup(user_lookup_ctx, (unsigned int)strtoul(f.tunnel, NULL, 10),
			(unsigned int)strtoul(f.session, NULL, 10), user, sizeof(user)) && user[0])
		snprintf(f.user, sizeof(f.user), "%s", user);
	values[0] = f.tunnel;
	values[1] = f.session;
	values[2] = f.peer;
	values[3] = f.user;
	values[4] = f.event;
	values[5] = f.ike;
	snprintf(message, sizeof(message), "MESSAGE=%s", msg);
	iov[n++] = (struct iovec){ message, strlen(message) };
	snprintf(priority, sizeof(priority), "PRIORITY=%d", prio);
	iov[n++] = (struct iovec){ priority, strlen(priority) };
	for (size_t i = 0; i < 6; i++) {
		if (!values[i][0])
			continue;
		snprintf(fields[i], sizeof(fields[i]), "%s=%s", names[i], values[i]);
		iov[n++] = (struct iovec){ fields[i], strlen(fields[i]) };
	}
	return sd_journal_sendv(iov, (int)n) >= 0;
}

void log_msg(int prio, const char *fmt, ...)
{
	char line[LOG_LINE_MAX + 1]; /* + "\n" */
	int saved_errno = errno;
	size_t prefix, len;
	va_list ap;
	int n;

	prio = LOG_PRI(prio);
	if (!log_enabled(prio))
		return;
	if (to_journal < 0) {
		to_journal = stderr_is_journal();
		/* sd_journal_sendv() says nothing when journald is not there */
		journal_native = access(JOURNAL_SOCKET, W_OK) == 0;
	}
	if (to_journal)
		n = snprintf(line, LOG_LINE_MAX, "<%d>", prio);
	else
		n = snprintf(line, LOG_LINE_MAX, "%s", level_word(prio));
	prefix = n > 0 ? (size_t)n : 0;

	errno = saved_errno;
	va_start(ap, fmt);
	n = vsnprintf(line + prefix, LOG_LINE_MAX - prefix, fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	len = prefix + (size_t)n;
	if (len >= LOG_LINE_MAX) {
		len = LOG_LINE_MAX - 1;
		memcpy(line + len - 3, "...", 3);
	}
	for (size_t i = prefix; i < len; i++) {
		if ((unsigned char)line[i] < 0x20 || line[i] == 0x7f)
			line[i] = ' ';
	}
	if (to_journal && journal_native) {
		line[len] = '\0';
		if (journal_send(prio, line + prefix)) {
			errno = saved_errno;
			return;
		}
		journal_native = false; /* no journald socket: the stream, from now on */
	}
	line[len++] = '\n';
	write_all(line, len);
	errno = saved_errno;
}
