/*
 * l2tpctl add-user: another PPP user on a gateway set up already.
 *
 *   l2tpctl add-user NAME [--force] [--root DIR]
 *
 * Gives NAME a random password (as l2tpctl init does for the first user)
 * in ROOT/etc/ppp/chap-secrets, mode 0600, created when missing. The
 * other lines stay as they are; the pre-shared key, the pool and every
 * other file are not touched. A NAME that has a line already is refused
 * unless --force, which gives it a new password and keeps the rest of its
 * line (server, addresses). The file is staged beside its target and
 * renamed into place. The password goes into the file and to stdout,
 * never to stderr.
 */
#include "autoconfig.h"

#include "l2tpctl_add_user.h"
#include "l2tpctl_pool.h"
#include "l2tpctl_setup.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PROG "l2tpctl add-user"

struct add_user_options {
	bool force;
	const char *user;
	const char *root; /* with no trailing '/': "" for / */
};

static void usage(FILE *f)
{
	fprintf(f, "usage: l2tpctl add-user NAME [--force] [--root DIR]\n"
		   "  Adds the PPP user NAME with a random password to " SETUP_CHAP_FILE "\n"
		   "  of a gateway set up by l2tpctl init, and prints what the user's\n"
		   "  client needs. The pre-shared key and the pool stay as they are.\n"
		   "  --force       NAME exists: give it a new password\n"
		   "  --root DIR    write below DIR instead of / (image building)\n");
}

static int parse_options(int argc, char **argv, struct add_user_options *o, char *root_buf,
			 size_t root_len)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "root", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root = "/";
	int c;

	*o = (struct add_user_options){ 0 };
	optind = 0; /* glibc: start over at argv[1]; options may follow NAME */
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->force = true;
			break;
		case 'r':
			root = optarg;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (argc - optind != 1) {
		if (optind < argc)
			fprintf(stderr, PROG ": one NAME, not %d\n", argc - optind);
		else
			fprintf(stderr, PROG ": which user? l2tpctl add-user NAME\n");
		usage(stderr);
		return -EINVAL;
	}
	o->user = argv[optind];
	if (!setup_user_is_valid(o->user)) {
		fprintf(stderr, PROG ": %s: " SETUP_USER_RULE "\n", o->user);
		return -EINVAL;
	}
	o->root = root_buf;
	return setup_root_arg(PROG, root, root_buf, root_len);
}

/* Reads chap-secrets; refuses a user who has a line unless --force. */
static int check_existing(struct chap_update *chap, const struct add_user_options *o)
{
	int r = setup_check_root(PROG, o->root);

	if (r < 0)
		return r;
	r = chap_update_read(chap, o->root, o->user);
	if (r < 0) {
		fprintf(stderr, PROG ": %s: %s\n", chap->file.path, strerror(-r));
		return r;
	}
	if (!o->force && chap_update_has_user(chap)) {
		fprintf(stderr, PROG ": %s: the user %s exists; use --force to give %s a new"
				" password\n" PROG ": nothing written\n",
			chap->file.path, o->user, o->user);
		return -EEXIST;
	}
	return 0;
}

static int write_chap(struct chap_update *chap, const struct add_user_options *o)
{
	static const char *const dirs[] = { SETUP_CHAP_DIR };
	struct out_file *const files[] = { &chap->file };
	int r = chap_update_build(chap, CHAP_REPLACE_SECRETS);

	if (r == -ENOMEM)
		fprintf(stderr, PROG ": out of memory\n");
	else if (r < 0)
		fprintf(stderr, PROG ": getrandom: %s\n", strerror(-r));
	if (r < 0)
		return r;
	return setup_write_files(PROG, o->root, dirs, files, 1);
}

static int print_summary(const struct chap_update *chap, const struct add_user_options *o,
			 bool existed, const struct host_nets *hn)
{
	char psk_path[PATH_MAX + sizeof(SETUP_SECRETS_FILE)]; /* root is below PATH_MAX */

	snprintf(psk_path, sizeof(psk_path), "%s" SETUP_SECRETS_FILE, o->root);
	printf("l2tpctl add-user wrote:\n"
	       "  %s\n      %s %s (mode 0600)\n\n",
	       chap->file.path, existed ? "a new password for the user" : "the user", o->user);
	setup_print_credentials(hn, "the user's client", NULL, psk_path, o->user,
				chap->password);
	printf("pppd reads %s at every login: nothing to restart.\n"
	       "(When l2tpsrv.conf sets radius_auth_server, RADIUS checks the users\n"
	       "instead, and this file is not read.) The clients' setup is the one\n"
	       "l2tpctl init printed, with this user name and password.\n",
	       chap->file.path);
	if (!setup_exists(psk_path))
		fprintf(stderr, PROG ": note: %s is missing: this gateway has no pre-shared key"
				" yet; l2tpctl init writes one\n", psk_path);
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : -EIO;
}

int l2tpctl_add_user(int argc, char **argv)
{
	struct add_user_options opt;
	struct chap_update chap = { 0 };
	struct host_nets hn = { 0 };
	char root[PATH_MAX];
	bool existed;
	int r;

	r = parse_options(argc, argv, &opt, root, sizeof(root));
	if (r != 0)
		return r > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	/* only for the server address shown: without it, a placeholder */
	if (setup_read_host_nets(PROG, &hn) < 0) {
		host_nets_free(&hn);
		hn = (struct host_nets){ 0 };
	}
	r = check_existing(&chap, &opt);
	existed = r == 0 && chap_update_has_user(&chap);
	if (r == 0)
		r = write_chap(&chap, &opt);
	if (r == 0 && print_summary(&chap, &opt, existed, &hn) < 0) {
		fprintf(stderr, PROG ": could not print the summary; the password is in %s\n",
			chap.file.path);
		r = -EIO;
	}
	chap_update_free(&chap);
	host_nets_free(&hn);
	return r == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
