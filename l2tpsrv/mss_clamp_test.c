/*
 * Tests of the MSS clamping table.
 *
 * The renderer, and what happens without CAP_NET_ADMIN, are tested
 * everywhere. Two more groups need the kernel:
 *   nft    libnftables parses and checks the batch in dry-run mode, which
 *          still reads the kernel's ruleset first (CAP_NET_ADMIN and
 *          nf_tables);
 *   netns  mss_clamp_install() and mss_clamp_remove() for real, in a
 *          network namespace of the test's own (CAP_SYS_ADMIN as well).
 * main() probes for each first. Check has no "skip", so a group that
 * cannot run here gets a test case named "GROUP # SKIP why": each of its
 * tests then returns at once and its TAP line carries the SKIP directive,
 * which automake's driver and tests/run-all count as skipped. A test that
 * fails is still reported as failed.
 */
#include <errno.h>
#include <grp.h>
#include <sched.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <nftables/libnftables.h>

#include "check_tap.h"
#include "mss_clamp.h"

#define REASON_MAX 200

static char nft_skip[REASON_MAX];   /* why the nft group cannot run, or "" */
static char netns_skip[REASON_MAX]; /* the same for the netns group */

static const char expected_1360[] =
	"add table inet l2tpsrv\n"
	"delete table inet l2tpsrv\n"
	"table inet l2tpsrv {\n"
	"\tchain forward {\n"
	"\t\ttype filter hook forward priority mangle; policy accept;\n"
	"\t\tiifname \"ppp*\" tcp flags syn / syn,rst tcp option maxseg size > 1360 "
	"tcp option maxseg size set 1360\n"
	"\t\toifname \"ppp*\" tcp flags syn / syn,rst tcp option maxseg size > 1360 "
	"tcp option maxseg size set 1360\n"
	"\t}\n"
	"}\n";

/* ppp_mtu = 576, the smallest the config allows */
static const char expected_536[] =
	"add table inet l2tpsrv\n"
	"delete table inet l2tpsrv\n"
	"table inet l2tpsrv {\n"
	"\tchain forward {\n"
	"\t\ttype filter hook forward priority mangle; policy accept;\n"
	"\t\tiifname \"ppp*\" tcp flags syn / syn,rst tcp option maxseg size > 536 "
	"tcp option maxseg size set 536\n"
	"\t\toifname \"ppp*\" tcp flags syn / syn,rst tcp option maxseg size > 536 "
	"tcp option maxseg size set 536\n"
	"\t}\n"
	"}\n";

static const char *render(uint16_t mss)
{
	static char buf[MSS_CLAMP_RULESET_MAX];
	int n = mss_clamp_render(mss, buf, sizeof(buf));

	ck_assert_int_gt(n, 0);
	ck_assert_uint_eq((size_t)n, strlen(buf));
	return buf;
}

/* The batch without its first two lines (add, delete): what nft lists. */
static const char *table_part(const char *batch)
{
	const char *t = strstr(batch, "table inet l2tpsrv {");

	ck_assert_ptr_nonnull(t);
	return t;
}

/* ---- the renderer -------------------------------------------------- */

START_TEST(renders_the_table_for_1360)
{
	ck_assert_str_eq(render(1360), expected_1360);
}
END_TEST

START_TEST(renders_the_table_for_536)
{
	ck_assert_str_eq(render(536), expected_536);
}
END_TEST

START_TEST(the_mss_is_the_mtu_less_40)
{
	ck_assert_uint_eq(mss_clamp_for_mtu(1400), 1360);
	ck_assert_uint_eq(mss_clamp_for_mtu(1392), 1352);
	ck_assert_uint_eq(mss_clamp_for_mtu(576), 536);
	ck_assert_uint_eq(mss_clamp_for_mtu(1500), 1460);
	ck_assert_uint_eq(mss_clamp_for_mtu(41), 1);
	ck_assert_uint_eq(mss_clamp_for_mtu(40), 0);
	ck_assert_uint_eq(mss_clamp_for_mtu(0), 0);
}
END_TEST

/*
 * Every rule that sets the MSS first requires it to be larger than the
 * value it sets, on a SYN (syn set, rst clear), so it only ever lowers it;
 * and there are exactly two, one per direction.
 */
START_TEST(the_rules_only_lower_the_mss)
{
	static const uint16_t values[] = { 1, 536, 1000, 1352, 1360, 1460, 65535 };

	for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++) {
		char text[MSS_CLAMP_RULESET_MAX], *line, *save = NULL;
		unsigned int setters = 0, in = 0, out = 0;

		snprintf(text, sizeof(text), "%s", render(values[v]));
		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			const char *cmp = strstr(line, "maxseg size >");
			const char *set = strstr(line, "maxseg size set");
			unsigned int above, to;
			int end = -1;

			if (!set) {
				ck_assert_ptr_null(cmp);
				continue;
			}
			setters++;
			ck_assert_ptr_nonnull(strstr(line, " tcp flags syn / syn,rst "));
			ck_assert_ptr_nonnull(cmp);
			ck_assert(cmp < set);
			ck_assert_int_eq(sscanf(cmp, "maxseg size > %u tcp option maxseg size set %u%n",
						&above, &to, &end),
					 2);
			ck_assert_int_eq(cmp[end], '\0'); /* nothing after the set */
			ck_assert_uint_eq(above, values[v]);
			ck_assert_uint_eq(to, values[v]);
			in += !strncmp(line, "\t\tiifname \"ppp*\" ", 17);
			out += !strncmp(line, "\t\toifname \"ppp*\" ", 17);
		}
		ck_assert_uint_eq(setters, 2);
		ck_assert_uint_eq(in, 1);
		ck_assert_uint_eq(out, 1);
	}
}
END_TEST

START_TEST(a_short_buffer_and_mss_0_are_refused)
{
	size_t len = strlen(expected_1360);
	char buf[MSS_CLAMP_RULESET_MAX], err[64] = "";

	ck_assert_int_eq(mss_clamp_render(1360, buf, len), -ENOSPC);
	ck_assert_int_eq(mss_clamp_render(1360, buf, len + 1), (int)len);
	ck_assert_str_eq(buf, expected_1360);
	ck_assert_int_eq(mss_clamp_render(1360, NULL, 0), -ENOSPC);
	ck_assert_int_eq(mss_clamp_render(0, buf, sizeof(buf)), -EINVAL);
	/* refused before nft is asked, with a message */
	ck_assert_int_eq(mss_clamp_install(0, err, sizeof(err)), -EINVAL);
	ck_assert_str_ne(err, "");
	ck_assert_int_lt(mss_clamp_render(65535, buf, sizeof(buf)), MSS_CLAMP_RULESET_MAX);
}
END_TEST

/* ---- libnftables ---------------------------------------------------- */

/*
 * Runs batch through libnftables: 0 or nonzero, its output and the first
 * line of its error in the buffers (either may be NULL). No ck_assert: the
 * probes in main() call it outside any test.
 */
static int nft(const char *batch, bool dry_run, char *out, size_t outlen, char *err,
	       size_t errlen)
{
	struct nft_ctx *ctx = nft_ctx_new(NFT_CTX_DEFAULT);
	int r = -1;

	if (err && errlen)
		snprintf(err, errlen, "cannot set up libnftables");
	if (!ctx)
		return -1;
	if (nft_ctx_buffer_output(ctx) != 0 || nft_ctx_buffer_error(ctx) != 0)
		goto out;
	nft_ctx_set_dry_run(ctx, dry_run);
	r = nft_run_cmd_from_buffer(ctx, batch);
	if (out)
		snprintf(out, outlen, "%s", nft_ctx_get_output_buffer(ctx));
	if (err && errlen) {
		snprintf(err, errlen, "%s", nft_ctx_get_error_buffer(ctx));
		err[strcspn(err, "\n")] = '\0';
	}
out:
	nft_ctx_free(ctx);
	return r;
}

START_TEST(dry_run_accepts_the_batch)
{
	static const uint16_t values[] = { 536, 1360, 1460 };
	char err[256];

	if (nft_skip[0])
		return;
	for (size_t v = 0; v < sizeof(values) / sizeof(values[0]); v++)
		ck_assert_msg(nft(render(values[v]), true, NULL, 0, err, sizeof(err)) == 0,
			      "nft refused the batch for mss %u: %s", values[v], err);
}
END_TEST

/* The dry run does parse: a batch with a typo in it is refused. */
START_TEST(dry_run_refuses_a_broken_batch)
{
	char text[MSS_CLAMP_RULESET_MAX], *p, err[256] = "";

	if (nft_skip[0])
		return;
	snprintf(text, sizeof(text), "%s", render(1360));
	p = strstr(text, "syn,rst");
	ck_assert_ptr_nonnull(p);
	memcpy(p, "syn,rsx", 7);
	ck_assert_int_ne(nft(text, true, NULL, 0, err, sizeof(err)), 0);
	ck_assert_str_ne(err, "");
}
END_TEST

/* ---- install and remove, in a network namespace of our own --------- */

static void assert_listing(const char *want)
{
	char out[MSS_CLAMP_RULESET_MAX], err[256];

	ck_assert_msg(nft("list ruleset", false, out, sizeof(out), err, sizeof(err)) == 0,
		      "list ruleset: %s", err);
	ck_assert_str_eq(out, want);
}

START_TEST(install_replaces_and_remove_deletes)
{
	char err[256] = "";

	if (netns_skip[0])
		return;
	/* Check runs each test in a child of its own: the namespace goes with it */
	ck_assert_msg(unshare(CLONE_NEWNET) == 0, "unshare: %s", strerror(errno));
	/* no table yet: removing is fine */
	ck_assert_msg(mss_clamp_remove(err, sizeof(err)) == 0, "remove: %s", err);
	assert_listing("");
	/* installed: the kernel holds exactly the rules rendered */
	ck_assert_msg(mss_clamp_install(1360, err, sizeof(err)) == 0, "install: %s", err);
	assert_listing(table_part(expected_1360));
	/* a table left by an earlier run, with more in it: replaced whole */
	ck_assert_int_eq(nft("add chain inet l2tpsrv stale\n"
			     "add rule inet l2tpsrv stale counter\n",
			     false, NULL, 0, err, sizeof(err)),
			 0);
	ck_assert_msg(mss_clamp_install(536, err, sizeof(err)) == 0, "install again: %s", err);
	assert_listing(table_part(expected_536));
	/* removed, twice */
	ck_assert_msg(mss_clamp_remove(err, sizeof(err)) == 0, "remove: %s", err);
	assert_listing("");
	ck_assert_msg(mss_clamp_remove(err, sizeof(err)) == 0, "remove again: %s", err);
	assert_listing("");
}
END_TEST

/*
 * Without CAP_NET_ADMIN: -EPERM, a message, and nothing on stderr (nft
 * 1.0.6 would print there itself). Runs anywhere: as root it drops to
 * nobody first, in a child of its own so the other tests keep their
 * privileges.
 */
START_TEST(without_cap_net_admin_nothing_is_asked)
{
	struct {
		int r;
		long stderr_bytes;
		char err[256];
	} res;
	int fds[2], status;
	pid_t pid;

	ck_assert_int_eq(pipe(fds), 0);
	pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		FILE *f = tmpfile();

		memset(&res, 0, sizeof(res));
		if (!f || dup2(fileno(f), STDERR_FILENO) < 0)
			_exit(1);
		if (geteuid() == 0 && (setgroups(0, NULL) < 0 || setgid(65534) < 0 ||
				       setuid(65534) < 0))
			_exit(1);
		res.r = mss_clamp_install(1360, res.err, sizeof(res.err));
		res.stderr_bytes = lseek(STDERR_FILENO, 0, SEEK_END);
		_exit(write(fds[1], &res, sizeof(res)) == sizeof(res) ? 0 : 1);
	}
	close(fds[1]);
	ck_assert_int_eq(read(fds[0], &res, sizeof(res)), sizeof(res));
	close(fds[0]);
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	ck_assert_int_eq(res.r, -EPERM);
	ck_assert_str_eq(res.err, "no CAP_NET_ADMIN");
	ck_assert_int_eq(res.stderr_bytes, 0);
}
END_TEST

/*
 * A table of that name owned by another process's netlink socket cannot
 * be deleted: nft's refusal comes back as -EIO and one line; once the
 * owner is gone, so is its table, and the clamp goes in.
 */
START_TEST(a_refusal_is_eio_with_one_line)
{
	struct nft_ctx *owner;
	char err[256] = "", out[MSS_CLAMP_RULESET_MAX];

	if (netns_skip[0])
		return;
	ck_assert_msg(unshare(CLONE_NEWNET) == 0, "unshare: %s", strerror(errno));
	owner = nft_ctx_new(NFT_CTX_DEFAULT);
	ck_assert_ptr_nonnull(owner);
	ck_assert_int_eq(nft_ctx_buffer_output(owner), 0);
	ck_assert_int_eq(nft_ctx_buffer_error(owner), 0);
	ck_assert_int_eq(nft_run_cmd_from_buffer(owner, "add table inet l2tpsrv { flags owner; }"), 0);
	ck_assert_int_eq(nft("list tables", false, out, sizeof(out), NULL, 0), 0);
	ck_assert_str_eq(out, "table inet l2tpsrv\n");

	ck_assert_int_eq(mss_clamp_install(1360, err, sizeof(err)), -EIO);
	ck_assert_msg(strstr(err, "Operation not permitted"), "err: %s", err);
	ck_assert_ptr_null(strchr(err, '\n'));
	ck_assert_ptr_null(strchr(err, '"'));
	err[0] = '\0';
	ck_assert_int_eq(mss_clamp_remove(err, sizeof(err)), -EIO);
	ck_assert_str_ne(err, "");

	nft_ctx_free(owner);
	ck_assert_msg(mss_clamp_install(1360, err, sizeof(err)) == 0, "install: %s", err);
	assert_listing(table_part(expected_1360));
}
END_TEST

/* ---- main: probe, then run ---------------------------------------- */

/* Whether libnftables can check a batch here: "" or why not. */
static void probe_nft(char *why, size_t len)
{
	char err[REASON_MAX - 64] = "";

	if (nft("add table inet l2tpsrv_probe\n", true, NULL, 0, err, sizeof(err)) != 0)
		snprintf(why, len, "libnftables cannot check a batch here, it needs "
				   "CAP_NET_ADMIN and nf_tables (nft: %s)", err);
}

/* Whether a new network namespace can be made and nft used in it. */
static void probe_netns(char *why, size_t len)
{
	int status = 0;
	pid_t pid = fork();

	if (pid == 0) {
		if (unshare(CLONE_NEWNET) < 0)
			_exit(1);
		_exit(nft("add table inet l2tpsrv_probe\n", false, NULL, 0, NULL, 0) ? 2 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		snprintf(why, len, "cannot run a probe process");
	else if (WEXITSTATUS(status) == 1)
		snprintf(why, len, "cannot make a network namespace (needs CAP_SYS_ADMIN)");
	else if (WEXITSTATUS(status) != 0)
		snprintf(why, len, "nft cannot add a table in a new network namespace "
				   "(needs CAP_NET_ADMIN and nf_tables)");
}

/* A test case named NAME, or "NAME # SKIP why" when why is not empty.
 * Check keeps the name's pointer: name_buf must outlive the run. */
static TCase *group(char *name_buf, size_t size, const char *name, const char *why)
{
	if (why[0])
		snprintf(name_buf, size, "%s # SKIP %s; skipped", name, why);
	else
		snprintf(name_buf, size, "%s", name);
	return tcase_create(name_buf);
}

int main(void)
{
	static char nft_name[REASON_MAX + 64], netns_name[REASON_MAX + 64];
	Suite *s = suite_create("mss_clamp");
	TCase *tc = tcase_create("render");

	tcase_add_test(tc, renders_the_table_for_1360);
	tcase_add_test(tc, renders_the_table_for_536);
	tcase_add_test(tc, the_mss_is_the_mtu_less_40);
	tcase_add_test(tc, the_rules_only_lower_the_mss);
	tcase_add_test(tc, a_short_buffer_and_mss_0_are_refused);
	suite_add_tcase(s, tc);

	tc = tcase_create("unprivileged");
	tcase_add_test(tc, without_cap_net_admin_nothing_is_asked);
	suite_add_tcase(s, tc);

	probe_nft(nft_skip, sizeof(nft_skip));
	tc = group(nft_name, sizeof(nft_name), "nft", nft_skip);
	tcase_add_test(tc, dry_run_accepts_the_batch);
	tcase_add_test(tc, dry_run_refuses_a_broken_batch);
	suite_add_tcase(s, tc);

	probe_netns(netns_skip, sizeof(netns_skip));
	tc = group(netns_name, sizeof(netns_name), "netns", netns_skip);
	tcase_add_test(tc, install_replaces_and_remove_deletes);
	tcase_add_test(tc, a_refusal_is_eio_with_one_line);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
