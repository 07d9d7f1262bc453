/*
 * Tests of ppp_pidfiles: which files a killed pppd of ours left, in a
 * directory of the test's own (never /run).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "check_tap.h"
#include "ppp_pidfiles.h"

static char dir[64];

static void setup(void)
{
	strcpy(dir, "/tmp/ppp_pidfiles_test.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void teardown(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	ck_assert_int_eq(system(cmd), 0);
}

static void put(const char *name, const char *content)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs(content, f);
	ck_assert_int_eq(fclose(f), 0);
}

static int exists(const char *name)
{
	char path[256];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0;
}

/* The pid of a process that has ended and been reaped. */
static pid_t dead_pid(void)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(0);
	ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
	return pid;
}

START_TEST(a_killed_pppds_files_go)
{
	char buf[64];
	pid_t pid = dead_pid();

	snprintf(buf, sizeof(buf), "%d\nppp3\n", (int)pid);
	put("ppp-l2tpsrv-7-9.pid", buf);
	snprintf(buf, sizeof(buf), "%d\n", (int)pid);
	put("ppp3.pid", buf);
	ck_assert_int_eq(ppp_pidfiles_remove_stale(dir), 1);
	ck_assert(!exists("ppp-l2tpsrv-7-9.pid"));
	ck_assert(!exists("ppp3.pid"));
}
END_TEST

/* Killed before its interface existed: only the link's file. */
START_TEST(a_file_without_interface_goes_alone)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%d\n", (int)dead_pid());
	put("ppp-l2tpsrv-1-2.pid", buf);
	put("ppp0.pid", "1\n");
	ck_assert_int_eq(ppp_pidfiles_remove_stale(dir), 1);
	ck_assert(!exists("ppp-l2tpsrv-1-2.pid"));
	ck_assert(exists("ppp0.pid"));
}
END_TEST

START_TEST(a_running_pppds_files_stay)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%d\nppp1\n", (int)getpid());
	put("ppp-l2tpsrv-3-4.pid", buf);
	snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	put("ppp1.pid", buf);
	ck_assert_int_eq(ppp_pidfiles_remove_stale(dir), 0);
	ck_assert(exists("ppp-l2tpsrv-3-4.pid"));
	ck_assert(exists("ppp1.pid"));
}
END_TEST

/* The interface's file names another (running) pppd now: it stays. */
START_TEST(an_interface_file_of_another_pppd_stays)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%d\nppp2\n", (int)dead_pid());
	put("ppp-l2tpsrv-5-6.pid", buf);
	snprintf(buf, sizeof(buf), "%d\n", (int)getpid());
	put("ppp2.pid", buf);
	ck_assert_int_eq(ppp_pidfiles_remove_stale(dir), 1);
	ck_assert(!exists("ppp-l2tpsrv-5-6.pid"));
	ck_assert(exists("ppp2.pid"));
}
END_TEST

START_TEST(other_files_stay)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "%d\n", (int)dead_pid());
	put("ppp-office.pid", buf);     /* another pppd's link */
	put("l2tpsrv-1-1.pid", buf);    /* not pppd's name */
	put("ppp-l2tpsrv-1-1.txt", buf);
	put("ppp-l2tpsrv-2-2.pid", "not a pid\n");
	put("ppp-l2tpsrv-3-3.pid", "0\n");
	put("ppp-l2tpsrv-4-4.pid", "");
	snprintf(buf, sizeof(buf), "%d\n../etc/x\n", (int)dead_pid());
	put("ppp-l2tpsrv-5-5.pid", buf); /* removed, but no path from its content */
	ck_assert_int_eq(ppp_pidfiles_remove_stale(dir), 1);
	ck_assert(exists("ppp-office.pid"));
	ck_assert(exists("l2tpsrv-1-1.pid"));
	ck_assert(exists("ppp-l2tpsrv-1-1.txt"));
	ck_assert(exists("ppp-l2tpsrv-2-2.pid"));
	ck_assert(exists("ppp-l2tpsrv-3-3.pid"));
	ck_assert(exists("ppp-l2tpsrv-4-4.pid"));
	ck_assert(!exists("ppp-l2tpsrv-5-5.pid"));
}
END_TEST

START_TEST(a_missing_directory_is_an_error)
{
	ck_assert_int_eq(ppp_pidfiles_remove_stale("/nonexistent/ppp_pidfiles_test"), -ENOENT);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ppp_pidfiles");
	TCase *tc = tcase_create("ppp_pidfiles");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, a_killed_pppds_files_go);
	tcase_add_test(tc, a_file_without_interface_goes_alone);
	tcase_add_test(tc, a_running_pppds_files_stay);
	tcase_add_test(tc, an_interface_file_of_another_pppd_stays);
	tcase_add_test(tc, other_files_stay);
	tcase_add_test(tc, a_missing_directory_is_an_error);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
