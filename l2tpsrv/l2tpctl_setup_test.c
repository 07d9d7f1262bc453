/*
 * Tests of what l2tpctl init and add-user share (l2tpctl_setup.c): the
 * user names taken, the random secrets' form, and the chap-secrets edit:
 * which lines are a user's (as pppd reads the words), every other line
 * kept as it was, init's replacement of the user's lines and add-user's
 * of their secrets only.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_tap.h"
#include "l2tpctl_setup.h"

/* chap_rebuild()'s output for old (NULL: no file), as a string to free. */
static char *rebuild(const char *old, const char *user, enum chap_edit how)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	ck_assert_ptr_nonnull(f);
	chap_rebuild(f, old, old ? strlen(old) : 0, user, "NEWPW", how);
	ck_assert_int_eq(fclose(f), 0);
	return out;
}

static void rebuilds_to(const char *old, const char *user, enum chap_edit how, const char *want)
{
	char *got = rebuild(old, user, how);

	ck_assert_str_eq(got, want);
	free(got);
}

START_TEST(user_names)
{
	char name[SETUP_USER_MAX + 2];

	ck_assert(setup_user_is_valid("alice"));
	ck_assert(setup_user_is_valid("a.b_c@example.org+x-y"));
	memset(name, 'a', sizeof(name) - 1);
	name[SETUP_USER_MAX] = '\0';
	ck_assert(setup_user_is_valid(name));
	name[SETUP_USER_MAX] = 'a';
	name[SETUP_USER_MAX + 1] = '\0';
	ck_assert(!setup_user_is_valid(name));
	ck_assert(!setup_user_is_valid(""));
	ck_assert(!setup_user_is_valid("-alice"));
	ck_assert(!setup_user_is_valid("#alice"));
	ck_assert(!setup_user_is_valid("a b"));
	ck_assert(!setup_user_is_valid("a\"b"));
	ck_assert(!setup_user_is_valid("a\\b"));
	ck_assert(!setup_user_is_valid("a*"));
	ck_assert(!setup_user_is_valid("j\xc3\xbcrgen"));
}
END_TEST

START_TEST(secrets_form)
{
	static const char alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	char pw[SETUP_PASSWORD_CHARS + 1], pw2[SETUP_PASSWORD_CHARS + 1];
	char psk[SETUP_PSK_CHARS + 1];

	ck_assert_int_eq(setup_make_password(pw), 0);
	ck_assert_uint_eq(strlen(pw), SETUP_PASSWORD_CHARS);
	ck_assert_uint_eq(strspn(pw, alphabet), SETUP_PASSWORD_CHARS);
	ck_assert_int_eq(setup_make_password(pw2), 0);
	ck_assert_str_ne(pw, pw2);
	ck_assert_int_eq(setup_make_psk(psk), 0);
	ck_assert_uint_eq(strlen(psk), 44);
	ck_assert_uint_eq(strspn(psk, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
				      "0123456789+/"),
			  44);
}
END_TEST

static bool has(const char *data, const char *user)
{
	return chap_has_user(data, strlen(data), user);
}

START_TEST(whose_lines)
{
	ck_assert(has("bob * pw *\n", "bob"));
	ck_assert(has("alice * a *\n  \t\"bob\" * pw *\n", "bob"));
	ck_assert(has("'bob'\t*\tpw\t*", "bob"));
	ck_assert(has("bob", "bob"));
	ck_assert(has("bob# pppd reads bob, then a comment\n", "bob"));
	ck_assert(!has("# bob * pw *\n", "bob"));
	ck_assert(!has("alice bob pw *\n", "bob"));
	ck_assert(!has("bobby * pw *\n", "bob"));
	ck_assert(!has("bo * pw *\n", "bob"));
	ck_assert(!has("\"bob * pw *\n", "bob"));
	ck_assert(!has("\"bob\"x * pw *\n", "bob"));
	ck_assert(!has("", "bob"));
}
END_TEST

START_TEST(new_file)
{
	rebuilds_to(NULL, "bob", CHAP_REPLACE_LINES,
		    "# Secrets for authentication using CHAP\n"
		    "# client\tserver\tsecret\t\t\tIP addresses\n"
		    "bob * NEWPW *\n");
	rebuilds_to(NULL, "bob", CHAP_REPLACE_SECRETS,
		    "# Secrets for authentication using CHAP\n"
		    "# client\tserver\tsecret\t\t\tIP addresses\n"
		    "bob * NEWPW *\n");
	rebuilds_to("", "bob", CHAP_REPLACE_SECRETS, "bob * NEWPW *\n");
}
END_TEST

/* A new user goes at the end; every other line, comments and all, stays. */
START_TEST(other_lines_kept)
{
	static const char old[] = "# mine\n"
				  "alice\tl2tpsrv\t\"a pw\"\t10.0.0.5\n"
				  "\n"
				  "carol * c1 *\r\n"
				  "  dave * 'd # 1' *  # note\n";

	for (int how = CHAP_REPLACE_LINES; how <= CHAP_REPLACE_SECRETS; how++) {
		char want[sizeof(old) + 32];

		snprintf(want, sizeof(want), "%sbob * NEWPW *\n", old);
		rebuilds_to(old, "bob", (enum chap_edit)how, want);
	}
	/* a last line without its '\n' gets one */
	rebuilds_to("alice * a1 *", "bob", CHAP_REPLACE_SECRETS,
		    "alice * a1 *\nbob * NEWPW *\n");
}
END_TEST

/* init: the user's lines give way to one, in the place of the first. */
START_TEST(init_replaces_lines)
{
	rebuilds_to("alice * a1 *\n\"bob\" l2tpsrv old-pw 10.0.0.5\ncarol * c1 *\nbob * pw2 *\n",
		    "bob", CHAP_REPLACE_LINES,
		    "alice * a1 *\nbob * NEWPW *\ncarol * c1 *\n");
}
END_TEST

/* add-user --force: only the secret of each of the user's lines changes. */
START_TEST(add_user_replaces_secrets)
{
	rebuilds_to("alice * a1 *\n\"bob\"\tl2tpsrv\told-pw\t10.0.0.5\ncarol * c1 *\n"
		    "bob other-server pw2 *\n",
		    "bob", CHAP_REPLACE_SECRETS,
		    "alice * a1 *\n\"bob\"\tl2tpsrv\tNEWPW\t10.0.0.5\ncarol * c1 *\n"
		    "bob other-server NEWPW *\n");
	/* a secret quoted, escaped, followed by a comment, before a CR */
	rebuilds_to("bob * \"old pw\" *\n", "bob", CHAP_REPLACE_SECRETS, "bob * NEWPW *\n");
	rebuilds_to("bob * 'o\\'ld' *\n", "bob", CHAP_REPLACE_SECRETS, "bob * NEWPW *\n");
	rebuilds_to("bob * old\\ pw *\n", "bob", CHAP_REPLACE_SECRETS, "bob * NEWPW *\n");
	rebuilds_to("bob * a\"b c\"d *\n", "bob", CHAP_REPLACE_SECRETS, "bob * NEWPW *\n");
	rebuilds_to("bob * old#x\n", "bob", CHAP_REPLACE_SECRETS, "bob * NEWPW#x\n");
	rebuilds_to("  bob  *  old  # x\n", "bob", CHAP_REPLACE_SECRETS, "  bob  *  NEWPW  # x\n");
	rebuilds_to("bob * old *\r\n", "bob", CHAP_REPLACE_SECRETS, "bob * NEWPW *\r\n");
	rebuilds_to("bob * old", "bob", CHAP_REPLACE_SECRETS, "bob * NEWPW\n");
	/* no secret word: the whole line */
	rebuilds_to("bob *\n", "bob", CHAP_REPLACE_SECRETS, "bob * NEWPW *\n");
	rebuilds_to("bob * # old\n", "bob", CHAP_REPLACE_SECRETS, "bob * NEWPW *\n");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("l2tpctl_setup");
	TCase *tc = tcase_create("secrets");

	tcase_add_test(tc, user_names);
	tcase_add_test(tc, secrets_form);
	suite_add_tcase(s, tc);
	tc = tcase_create("chap-secrets");
	tcase_add_test(tc, whose_lines);
	tcase_add_test(tc, new_file);
	tcase_add_test(tc, other_lines_kept);
	tcase_add_test(tc, init_replaces_lines);
	tcase_add_test(tc, add_user_replaces_secrets);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
