/*
 * log: one line per message on stderr; see log.h.
 */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOG_LINE_MAX 2048 /* longer messages are cut, ending in "..." */

static int max_prio = LOG_INFO;
static int to_journal = -1; /* -1: not checked yet */

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
	if (to_journal < 0)
		to_journal = stderr_is_journal();
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
	line[len++] = '\n';
	write_all(line, len);
	errno = saved_errno;
}
