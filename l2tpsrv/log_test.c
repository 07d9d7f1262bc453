/*
 * Tests of the logging helper: level words, journald priority prefixes,
 * filtering, truncation.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "check_tap.h"
#include "log.h"

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

int main(void)
{
	Suite *s = suite_create("log");
	TCase *tl = tcase_create("log");

	tcase_add_test(tl, log_lines_have_a_level_word);
	tcase_add_test(tl, log_lines_to_the_journal_have_a_priority_prefix);
	tcase_add_test(tl, log_levels_filter_before_formatting);
	suite_add_tcase(s, tl);
	return check_run_tap(s);
}
