/*
 * Tests of the logging helper: level words, journald priority prefixes,
 * filtering, truncation.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "check_tap.h"
#include "log.h"

/*
 * In a child: a private /run (a tmpfs in a mount namespace of its own), so
 * that whatever journald the host runs is out of reach; with_socket puts a
 * datagram socket where sd_journal_sendv() sends (as journald's own).
 * Returns that socket, or -1.
 */
static int private_run(bool with_socket)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX,
				   .sun_path = "/run/systemd/journal/socket" };
	int fd;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", "/run", "tmpfs", 0, "mode=0755") < 0)
		_exit(3);
	if (!with_socket)
		return -1;
	if (mkdir("/run/systemd", 0755) < 0 || mkdir("/run/systemd/journal", 0755) < 0)
		_exit(4);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
		_exit(5);
	return fd;
}

/* Runs fn in a child whose stderr is a file, and returns what it wrote. */
static char *stderr_of(void (*fn)(void), bool journal)
{
	static char out[4096];
	char path[64];
	int fd, status;
	ssize_t n;
	pid_t pid;

	snprintf(path, sizeof(path), "/tmp/log_test.XXXXXX");
	fd = mkstemp(path);
	ck_assert_int_ge(fd, 0);
	close(fd);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		struct stat st;
		char env[64];

		fd = open(path, O_WRONLY);
		if (fd < 0 || dup2(fd, STDERR_FILENO) < 0 || fstat(STDERR_FILENO, &st) < 0)
			_exit(2);
		snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
			 (unsigned long long)st.st_ino + (journal ? 0 : 1));
		setenv("JOURNAL_STREAM", env, 1);
		private_run(false); /* the stream, whatever the host runs */
		fn();
		_exit(0);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	fd = open(path, O_RDONLY);
	n = read(fd, out, sizeof(out) - 1);
	ck_assert_int_ge(n, 0);
	out[n] = '\0';
	close(fd);
	unlink(path);
	return out;
}

static int formatted;

static const char *counted(const char *s)
{
	formatted++;
	return s;
}

static void log_some(void)
{
	log_set_level(LOG_INFO);
	log_msg(LOG_ERR, "tunnel=%u failed", 5u);
	log_msg(LOG_WARNING, "w");
	log_msg(LOG_NOTICE, "n");
	log_msg(LOG_INFO, "peer=%s up", "192.0.2.1");
	log_msg(LOG_DEBUG, "dropped at info");
	log_set_level(LOG_DEBUG);
	log_msg(LOG_DEBUG, "d");
	log_msg(LOG_INFO, "multi\nline\tname");
	errno = ENOENT;
	log_msg(LOG_ERR, "open: %m");
	log_set_level(LOG_WARNING);
	log_msg(LOG_NOTICE, "dropped at warning");
}

START_TEST(log_lines_have_a_level_word)
{
	ck_assert_str_eq(stderr_of(log_some, false), "error: tunnel=5 failed\n"
						     "warning: w\n"
						     "notice: n\n"
						     "peer=192.0.2.1 up\n"
						     "debug: d\n"
						     "multi line name\n"
						     "error: open: No such file or directory\n");
}
END_TEST

START_TEST(log_lines_to_the_journal_have_a_priority_prefix)
{
	ck_assert_str_eq(stderr_of(log_some, true), "<3>tunnel=5 failed\n"
						    "<4>w\n"
						    "<5>n\n"
						    "<6>peer=192.0.2.1 up\n"
						    "<7>d\n"
						    "<6>multi line name\n"
						    "<3>open: No such file or directory\n");
}
END_TEST

static void log_long(void)
{
	static char big[5000];

	memset(big, 'x', sizeof(big) - 1);
	log_msg(LOG_INFO, "%s", big);
}

START_TEST(log_levels_filter_before_formatting)
{
	char *out;

	log_set_level(LOG_INFO);
	ck_assert(log_enabled(LOG_ERR));
	ck_assert(log_enabled(LOG_INFO));
	ck_assert(!log_enabled(LOG_DEBUG));
	formatted = 0;
	log_msg(LOG_DEBUG, "%s", counted("never"));
	/* arguments are evaluated, but callers with costly ones test log_enabled() */
	ck_assert_int_eq(formatted, 1);
	log_set_level(LOG_ERR);
	ck_assert(!log_enabled(LOG_WARNING));
	log_set_level(LOG_INFO);

	out = stderr_of(log_long, false);
	ck_assert_uint_eq(strlen(out), 2048);
	ck_assert_str_eq(out + 2044, "...\n");
}
END_TEST

START_TEST(journal_fields_come_from_the_words_of_the_message)
{
	struct log_fields f;

	log_fields_parse("tunnel=5 session=7 peer=192.0.2.1:1701 event=ppp_up "
			 "user=\"bob smith\" interface=ppp0", &f);
	ck_assert_str_eq(f.tunnel, "5");
	ck_assert_str_eq(f.session, "7");
	ck_assert_str_eq(f.peer, "192.0.2.1:1701");
	ck_assert_str_eq(f.event, "ppp_up");
	ck_assert_str_eq(f.user, "bob smith");
	ck_assert_str_eq(f.ike, "");
	log_fields_parse("event=ipsec_up ike=3 child=4 id=\"C=CH, O=x\" user=\"a\"b\"", &f);
	ck_assert_str_eq(f.ike, "3");
	ck_assert_str_eq(f.user, "a\"b");
	ck_assert_str_eq(f.tunnel, "");
	/* no key=value words; a key that only starts like one; a quote never closed */
	log_fields_parse("pool empty, tunnel 5", &f);
	ck_assert_str_eq(f.tunnel, "");
	log_fields_parse("tunnels=5 xtunnel=6 session= user=\"open", &f);
	ck_assert_str_eq(f.tunnel, "");
	ck_assert_str_eq(f.session, "");
	ck_assert_str_eq(f.user, "open");
}
END_TEST

static bool lookup_alice(void *ctx, unsigned int tunnel, unsigned int session, char *user,
			 size_t len)
{
	if (tunnel != 5 || session != 7)
		return false;
	snprintf(user, len, "alice");
	return true;
}

/* In a child with its own journald socket: logs, and writes to out what
 * the socket got, datagrams separated by "--\n". */
static void log_to_private_journal(int out)
{
	char buf[4096], env[64];
	struct stat st;
	int sock = private_run(true);

	if (fstat(STDERR_FILENO, &st) < 0)
		_exit(6);
	snprintf(env, sizeof(env), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", env, 1);
	log_set_level(LOG_INFO);
	log_set_user_lookup(lookup_alice, NULL);
	log_msg(LOG_NOTICE, "tunnel=5 session=7 peer=192.0.2.1:1701 event=stop reason=\"x y\"");
	log_msg(LOG_INFO, "tunnel=6 session=8 event=ppp_up user=\"bob\" interface=ppp1");
	log_msg(LOG_ERR, "no fields here");
	for (int i = 0; i < 3; i++) {
		ssize_t n = recv(sock, buf, sizeof(buf), MSG_DONTWAIT);

		if (n < 0 || write(out, buf, (size_t)n) != n || write(out, "--\n", 3) != 3)
			_exit(7);
	}
	_exit(0);
}

START_TEST(messages_reach_journald_with_their_fields)
{
	static char got[8192];
	int p[2], status;
	ssize_t n, total = 0;
	pid_t pid;

	ck_assert_int_eq(pipe(p), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		close(p[0]);
		log_to_private_journal(p[1]);
	}
	close(p[1]);
	while ((n = read(p[0], got + total, sizeof(got) - 1 - (size_t)total)) > 0)
		total += n;
	close(p[0]);
	got[total] = '\0';
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child status %d", status);
	ck_assert_str_eq(got,
			 "MESSAGE=tunnel=5 session=7 peer=192.0.2.1:1701 event=stop reason=\"x y\"\n"
			 "PRIORITY=5\nL2TP_TUNNEL=5\nL2TP_SESSION=7\nL2TP_PEER=192.0.2.1:1701\n"
			 "L2TP_USER=alice\nL2TP_EVENT=stop\nSYSLOG_IDENTIFIER=log_test\n--\n"
			 "MESSAGE=tunnel=6 session=8 event=ppp_up user=\"bob\" interface=ppp1\n"
			 "PRIORITY=6\nL2TP_TUNNEL=6\nL2TP_SESSION=8\nL2TP_USER=bob\n"
			 "L2TP_EVENT=ppp_up\nSYSLOG_IDENTIFIER=log_test\n--\n"
			 "MESSAGE=no fields here\nPRIORITY=3\nSYSLOG_IDENTIFIER=log_test\n--\n");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("log");
	TCase *tl = tcase_create("log");

	tcase_add_test(tl, log_lines_have_a_level_word);
	tcase_add_test(tl, log_lines_to_the_journal_have_a_priority_prefix);
	tcase_add_test(tl, log_levels_filter_before_formatting);
	tcase_add_test(tl, journal_fields_come_from_the_words_of_the_message);
	tcase_add_test(tl, messages_reach_journald_with_their_fields);
	suite_add_tcase(s, tl);
	return check_run_tap(s);
}
