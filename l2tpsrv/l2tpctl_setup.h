/*
 * l2tpctl_setup: what "l2tpctl init" and "l2tpctl add-user" share
 * (l2tpctl_setup.c): random secrets, the edit of chap-secrets that gives a
 * user a new password, files staged beside their targets and renamed into
 * place, and the credentials a client needs, printed.
 *
 * Paths are ROOT followed by one of the absolute names below; ROOT is ""
 * for / (see setup_root_arg()). Functions return 0 or a negative errno
 * and print nothing, except those that say they do.
 */
#ifndef L2TPCTL_SETUP_H
#define L2TPCTL_SETUP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#include "l2tpctl_pool.h"

#define SETUP_SECRETS_DIR "/etc/swanctl/conf.d"
#define SETUP_SECRETS_FILE SETUP_SECRETS_DIR "/l2tpsrv-secrets.conf"
#define SETUP_CHAP_DIR "/etc/ppp"
#define SETUP_CHAP_FILE SETUP_CHAP_DIR "/chap-secrets"

/* 33 random bytes, 264 bits: a multiple of 3, so 44 base64 digits, no '=' */
#define SETUP_PSK_BYTES 33
#define SETUP_PSK_CHARS (SETUP_PSK_BYTES / 3 * 4)
#define SETUP_PASSWORD_CHARS 16
#define SETUP_USER_MAX 64
/* What setup_user_is_valid() takes, for the error message. */
#define SETUP_USER_RULE "1 to 64 of a-z A-Z 0-9 . _ @ + -, not starting with - or #"

/* --- secrets --- */

/* A random IPsec pre-shared key, base64. */
int setup_make_psk(char psk[SETUP_PSK_CHARS + 1]);
/* A random password of letters and digits, none that reads as another
 * (no 0/O/o, 1/l/I), uniform over them. */
int setup_make_password(char pw[SETUP_PASSWORD_CHARS + 1]);

/* A name pppd reads as one word and a shell or editor shows as it is. */
bool setup_user_is_valid(const char *user);

/* --- chap-secrets --- */

/* Whether a line of chap-secrets (data, len octets) names user as its client. */
bool chap_has_user(const char *data, size_t len, const char *user);

enum chap_edit {
	/*
	 * The user's lines (all of them, so that no old password stays
	 * valid) give way to one "USER * PASSWORD *" line, in the place of
	 * the first (l2tpctl init).
	 */
	CHAP_REPLACE_LINES,
	/*
	 * Only the secret of each of the user's lines changes: the client
	 * as written, the server and the addresses stay (l2tpctl add-user).
	 * A line with no secret word becomes "USER * PASSWORD *".
	 */
	CHAP_REPLACE_SECRETS,
};

/*
 * Writes to f the new chap-secrets: old's lines (len octets; old NULL for
 * a missing file, which gets a header comment), each kept as it is (every
 * line ends in '\n') except the user's, edited as how says; without any
 * line of the user's, "USER * PASSWORD *" goes at the end.
 */
void chap_rebuild(FILE *f, const char *old, size_t len, const char *user, const char *password,
		  enum chap_edit how);

/* --- files, staged and renamed --- */

/* A file to write: staged as tmp beside path, then renamed over it. */
struct out_file {
	char path[PATH_MAX];
	char tmp[PATH_MAX];
	char *data;
	size_t len;
	mode_t mode;
	bool staged;
};

/* path = root + rel; -ENAMETOOLONG when it does not fit. */
int out_file_set_path(struct out_file *f, const char *root, const char *rel, mode_t mode);
/* Fills f->data by fn(a stream, arg); -ENOMEM when the stream failed. */
int out_file_build(struct out_file *f, void (*fn)(FILE *, const void *), const void *arg);
/* Writes f's data to a new temporary file beside f->path, synced. */
int out_file_stage(struct out_file *f);
/* Renames the staged file over f->path and syncs the directory. */
int out_file_commit(struct out_file *f);
/* Removes a staged file not committed, wipes and frees the data. */
void out_file_free(struct out_file *f);

/* A regular file of at most max octets, read whole into *data (malloc'd,
 * one spare octet). */
int setup_read_small_file(const char *path, size_t max, char **data, size_t *len);
/* Whether path is there in any form (or cannot be looked at). */
bool setup_exists(const char *path);
/* Creates root + dir and every missing directory between, mode 0755. */
int setup_make_dirs(const char *root, const char *dir);

/*
 * The --root argument without its trailing '/' ("" for /) into buf.
 * Prints the problem, after prog, when it does not fit.
 */
int setup_root_arg(const char *prog, const char *arg, char *buf, size_t len);
/* Whether root ("" for /) is a directory; prints the problem after prog. */
int setup_check_root(const char *prog, const char *root);

/*
 * Creates root + each of dirs, stages each of files, then renames them
 * into place; a failure before the renames leaves none written. Prints
 * the problem after prog.
 */
int setup_write_files(const char *prog, const char *root, const char *const *dirs,
		      struct out_file *const *files, size_t n);

/* host_nets_read(), printing the problem after prog. */
int setup_read_host_nets(const char *prog, struct host_nets *hn);

/* --- a user's chap-secrets line --- */

/* chap-secrets with a new password for one user. */
struct chap_update {
	struct out_file file;
	char *old; /* the file as it is; NULL when missing */
	size_t old_len;
	const char *user;
	char password[SETUP_PASSWORD_CHARS + 1];
};

/* Sets the path below root and reads the file as it is (a missing one is fine). */
int chap_update_read(struct chap_update *u, const char *root, const char *user);
/* Whether the file has a line of the user's. */
bool chap_update_has_user(const struct chap_update *u);
/* A new random password, and the new file's data, edited as how says. */
int chap_update_build(struct chap_update *u, enum chap_edit how);
/* out_file_free(), and the old data and the password wiped. */
void chap_update_free(struct chap_update *u);

/* --- what a client needs --- */

/*
 * Prints "What ... needs:" and the server address (hn's best guess, or a
 * placeholder), the pre-shared key (psk; when NULL, where it is:
 * psk_path), the user name and the password, to stdout.
 */
void setup_print_credentials(const struct host_nets *hn, const char *who, const char *psk,
			     const char *psk_path, const char *user, const char *password);

#endif
