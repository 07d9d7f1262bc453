/*
 * l2tpctl_setup: what "l2tpctl init" (l2tpctl_init.c) and "l2tpctl
 * add-user" (l2tpctl_add_user.c) share; see l2tpctl_setup.h.
 *
 * chap-secrets is edited line by line: every line but the user's is
 * copied as it is, so an admin's comments, quoting and other users stay.
 * A line's words are read as pppd reads them (blanks between words,
 * '"' or '\'' quotes, '\\' escapes, '#' begins a comment), enough to find
 * the client and the secret; a quoted word that runs on to the next line,
 * which pppd would take, is not followed.
 */
#include "autoconfig.h"

#include "l2tpctl_setup.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

/* chap-secrets is read whole; a real one is a few kilobytes */
#define CHAP_MAX_SIZE (1024 * 1024)
/* the client, the server, the secret */
#define CHAP_SECRET_WORD 3

/* No 0/O/o, 1/l/I: a password people read off a screen and type. */
static const char password_alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/* --- secrets --- */

static int fill_random(void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		ssize_t n = getrandom(p, len, 0);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static void base64_encode(const uint8_t *in, size_t len, char *out, size_t out_len)
{
	static const char digits[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t o = 0;

	for (size_t i = 0; i + 3 <= len && o + 4 < out_len; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];

		out[o++] = digits[v >> 18 & 63];
		out[o++] = digits[v >> 12 & 63];
		out[o++] = digits[v >> 6 & 63];
		out[o++] = digits[v & 63];
	}
	out[o] = '\0';
}

int setup_make_psk(char psk[SETUP_PSK_CHARS + 1])
{
	uint8_t raw[SETUP_PSK_BYTES];
	int r = fill_random(raw, sizeof(raw));

	if (r == 0)
		base64_encode(raw, sizeof(raw), psk, SETUP_PSK_CHARS + 1);
	explicit_bzero(raw, sizeof(raw));
	return r;
}

/* Uniform over the alphabet: bytes past its last whole multiple are redrawn. */
int setup_make_password(char pw[SETUP_PASSWORD_CHARS + 1])
{
	const unsigned int n = sizeof(password_alphabet) - 1, limit = 256 - 256 % n;
	uint8_t raw[64];
	size_t have = 0;
	int r = 0;

	while (have < SETUP_PASSWORD_CHARS && r == 0) {
		r = fill_random(raw, sizeof(raw));
		for (size_t i = 0; r == 0 && i < sizeof(raw) && have < SETUP_PASSWORD_CHARS; i++)
			if (raw[i] < limit)
				pw[have++] = password_alphabet[raw[i] % n];
	}
	pw[have] = '\0';
	explicit_bzero(raw, sizeof(raw));
	return r;
}

bool setup_user_is_valid(const char *user)
{
	size_t len = strlen(user);

	if (len == 0 || len > SETUP_USER_MAX || user[0] == '#' || user[0] == '-')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@+-",
			    user[i]))
			return false;
	return true;
}

/* --- chap-secrets --- */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/*
 * The next word of line from *pos, as pppd's getword() ends it: its octets
 * as written, quotes and escapes included, [*start, *end). A '\\' escapes
 * the next octet, in quotes too; an unquoted '#' ends the word and starts
 * a comment. false at the end of the line or at a comment.
 */
static bool next_word(const char *line, size_t len, size_t *pos, size_t *start, size_t *end)
{
	size_t i = *pos;
	char quote = 0;

	while (i < len && is_blank(line[i]))
		i++;
	if (i >= len || line[i] == '#')
		return false;
	for (*start = i; i < len; i++) {
		if (line[i] == '\\' && i + 1 < len)
			i++;
		else if (quote && line[i] == quote)
			quote = 0;
		else if (!quote && (line[i] == '"' || line[i] == '\''))
			quote = line[i];
		else if (!quote && (is_blank(line[i]) || line[i] == '#'))
			break;
	}
	*end = *pos = i;
	return true;
}

/* Whether the line's first word, the client, is user, bare or quoted. */
static bool line_names_user(const char *line, size_t len, const char *user)
{
	size_t pos = 0, s, e, ulen = strlen(user);

	if (!next_word(line, len, &pos, &s, &e))
		return false;
	if (e - s == ulen + 2 && (line[s] == '"' || line[s] == '\'') && line[e - 1] == line[s]) {
		s++;
		e--;
	}
	return e - s == ulen && memcmp(line + s, user, ulen) == 0;
}

bool chap_has_user(const char *data, size_t len, const char *user)
{
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(data + pos, '\n', len - pos);
		size_t line_len = nl ? (size_t)(nl - (data + pos)) : len - pos;

		if (line_names_user(data + pos, line_len, user))
			return true;
		pos += line_len + 1;
	}
	return false;
}

/* The user's line with password as its secret; the rest as it was. */
static void put_new_secret(FILE *f, const char *line, size_t len, const char *user,
			   const char *password)
{
	size_t pos = 0, s = 0, e = 0;
	unsigned int words = 0;

	while (words < CHAP_SECRET_WORD && next_word(line, len, &pos, &s, &e))
		words++;
	if (words < CHAP_SECRET_WORD)
		fprintf(f, "%s * %s *\n", user, password);
	else
		fprintf(f, "%.*s%s%.*s\n", (int)s, line, password, (int)(len - e), line + e);
}

void chap_rebuild(FILE *f, const char *old, size_t len, const char *user, const char *password,
		  enum chap_edit how)
{
	bool placed = false;

	if (!old)
		fprintf(f, "# Secrets for authentication using CHAP\n"
			   "# client\tserver\tsecret\t\t\tIP addresses\n");
	for (size_t pos = 0; old && pos < len;) {
		const char *line = old + pos, *nl = memchr(line, '\n', len - pos);
		size_t line_len = nl ? (size_t)(nl - line) : len - pos;
		bool users = line_names_user(line, line_len, user);

		if (!users)
			fprintf(f, "%.*s\n", (int)line_len, line);
		else if (how == CHAP_REPLACE_SECRETS)
			put_new_secret(f, line, line_len, user, password);
		else if (!placed)
			fprintf(f, "%s * %s *\n", user, password);
		placed |= users;
		pos += line_len + 1;
	}
	if (!placed)
		fprintf(f, "%s * %s *\n", user, password);
}

/* --- files --- */

int setup_read_small_file(const char *path, size_t max, char **data, size_t *len)
{
	struct stat st;
	size_t have = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY), r = 0;

	*data = NULL;
	*len = 0;
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (!S_ISREG(st.st_mode))
		r = -EINVAL;
	else if ((uintmax_t)st.st_size > max)
		r = -EFBIG;
	else if (!(*data = malloc((size_t)st.st_size + 1)))
		r = -ENOMEM;
	while (r == 0 && have < (size_t)st.st_size) {
		ssize_t n = read(fd, *data + have, (size_t)st.st_size - have);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			r = n < 0 ? -errno : -EIO; /* shrank while read */
		else
			have += (size_t)n;
	}
	close(fd);
	if (r < 0) {
		free(*data);
		*data = NULL;
		return r;
	}
	*len = have;
	return 0;
}

bool setup_exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 || errno != ENOENT;
}

int setup_make_dirs(const char *root, const char *dir)
{
	char path[PATH_MAX];
	size_t root_len = strlen(root);
	int n = snprintf(path, sizeof(path), "%s%s", root, dir);

	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	for (size_t i = root_len + 1; i <= (size_t)n; i++) {
		if (path[i] != '/' && path[i] != '\0')
			continue;
		path[i] = '\0';
		if (mkdir(path, 0755) < 0 && errno != EEXIST)
			return -errno;
		if (i < (size_t)n)
			path[i] = '/';
	}
	return 0;
}

static bool write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return false;
		p += n;
		len -= (size_t)n;
	}
	return true;
}

int out_file_set_path(struct out_file *f, const char *root, const char *rel, mode_t mode)
{
	int n = snprintf(f->path, sizeof(f->path), "%s%s", root, rel);

	f->mode = mode;
	return n < 0 || (size_t)n >= sizeof(f->path) ? -ENAMETOOLONG : 0;
}

int out_file_build(struct out_file *f, void (*fn)(FILE *, const void *), const void *arg)
{
	FILE *mem = open_memstream(&f->data, &f->len);

	if (!mem)
		return -ENOMEM;
	fn(mem, arg);
	if (ferror(mem)) {
		fclose(mem);
		return -ENOMEM;
	}
	return fclose(mem) == 0 ? 0 : -ENOMEM;
}

int out_file_stage(struct out_file *f)
{
	int n = snprintf(f->tmp, sizeof(f->tmp), "%s.XXXXXX", f->path), fd, r = 0;

	if (n < 0 || (size_t)n >= sizeof(f->tmp))
		return -ENAMETOOLONG;
	fd = mkostemp(f->tmp, O_CLOEXEC);
	if (fd < 0)
		return -errno;
	f->staged = true;
	errno = 0;
	if (fchmod(fd, f->mode) < 0 || !write_all(fd, f->data, f->len) || fsync(fd) < 0)
		r = errno ? -errno : -EIO;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	return r;
}

static int sync_dir_of(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	int fd, r = 0;

	if (!slash || (size_t)(slash - path) >= sizeof(dir))
		return -EINVAL;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	fd = open(dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fsync(fd) < 0)
		r = -errno;
	close(fd);
	return r;
}

int out_file_commit(struct out_file *f)
{
	if (rename(f->tmp, f->path) < 0)
		return -errno;
	f->staged = false;
	return sync_dir_of(f->path);
}

void out_file_free(struct out_file *f)
{
	if (f->staged)
		unlink(f->tmp);
	f->staged = false;
	if (f->data)
		explicit_bzero(f->data, f->len);
	free(f->data);
	f->data = NULL;
	f->len = 0;
}

int setup_root_arg(const char *prog, const char *arg, char *buf, size_t len)
{
	size_t n = strlen(arg);

	while (n > 0 && arg[n - 1] == '/')
		n--;
	if (n >= len) {
		fprintf(stderr, "%s: --root %s: too long\n", prog, arg);
		return -ENAMETOOLONG;
	}
	memcpy(buf, arg, n);
	buf[n] = '\0';
	return 0;
}

int setup_check_root(const char *prog, const char *root)
{
	struct stat st;
	const char *shown = root[0] ? root : "/";

	if (stat(shown, &st) < 0) {
		int r = -errno;

		fprintf(stderr, "%s: %s: %s\n", prog, shown, strerror(-r));
		return r;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "%s: %s: not a directory\n", prog, shown);
		return -ENOTDIR;
	}
	return 0;
}

int setup_write_files(const char *prog, const char *root, const char *const *dirs,
		      struct out_file *const *files, size_t n)
{
	int r;

	for (size_t i = 0; i < n; i++) {
		r = setup_make_dirs(root, dirs[i]);
		if (r < 0) {
			fprintf(stderr, "%s: %s%s: %s\n", prog, root, dirs[i], strerror(-r));
			return r;
		}
	}
	for (size_t i = 0; i < n; i++) {
		r = out_file_stage(files[i]);
		if (r < 0) {
			fprintf(stderr, "%s: %s: %s; nothing written\n", prog, files[i]->tmp,
				strerror(-r));
			return r;
		}
	}
	for (size_t i = 0; i < n; i++) {
		r = out_file_commit(files[i]);
		if (r < 0) {
			fprintf(stderr, "%s: %s: %s\n", prog, files[i]->path, strerror(-r));
			return r;
		}
	}
	return 0;
}

int setup_read_host_nets(const char *prog, struct host_nets *hn)
{
	const char *what;
	int r = host_nets_read(hn, &what);

	if (r < 0)
		fprintf(stderr, "%s: reading this host's %s: %s\n", prog, what, strerror(-r));
	return r;
}

/* --- a user's chap-secrets line --- */

int chap_update_read(struct chap_update *u, const char *root, const char *user)
{
	int r = out_file_set_path(&u->file, root, SETUP_CHAP_FILE, 0600);

	u->user = user;
	if (r == 0)
		r = setup_read_small_file(u->file.path, CHAP_MAX_SIZE, &u->old, &u->old_len);
	return r == -ENOENT ? 0 : r;
}

bool chap_update_has_user(const struct chap_update *u)
{
	return u->old && chap_has_user(u->old, u->old_len, u->user);
}

struct chap_build {
	const struct chap_update *u;
	enum chap_edit how;
};

static void build_chap(FILE *f, const void *arg)
{
	const struct chap_build *b = arg;

	chap_rebuild(f, b->u->old, b->u->old_len, b->u->user, b->u->password, b->how);
}

int chap_update_build(struct chap_update *u, enum chap_edit how)
{
	struct chap_build b = { u, how };
	int r = setup_make_password(u->password);

	return r < 0 ? r : out_file_build(&u->file, build_chap, &b);
}

void chap_update_free(struct chap_update *u)
{
	out_file_free(&u->file);
	if (u->old)
		explicit_bzero(u->old, u->old_len);
	free(u->old);
	u->old = NULL;
	u->old_len = 0;
	explicit_bzero(u->password, sizeof(u->password));
}

/* --- what a client needs --- */

void setup_print_credentials(const struct host_nets *hn, const char *who, const char *psk,
			     const char *psk_path, const char *user, const char *password)
{
	char addr[INET_ADDRSTRLEN];
	uint32_t server = host_nets_server_address(hn);
	const char *shown = server ? ipv4_format(server, addr) : "<this server's public address>";

	printf("What %s needs:\n"
	       "  Server address:  %s\n",
	       who, shown);
	if (psk)
		printf("  Pre-shared key:  %s\n", psk);
	else
		printf("  Pre-shared key:  the one every client of this server uses:\n"
		       "                   the pre-shared key is in %s\n",
		       psk_path);
	printf("  User name:       %s\n"
	       "  Password:        %s\n",
	       user, password);
	if (server && ipv4_is_private(server))
		printf("  (%s is a private address: if this server is behind NAT, give the\n"
		       "  clients the router's public address and have it forward UDP 500\n"
		       "  and 4500 to this server.)\n",
		       shown);
	printf("\n");
}
