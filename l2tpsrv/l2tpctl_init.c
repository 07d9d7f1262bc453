/*
 * l2tpctl init: first-run setup of a fresh gateway.
 *
 *   l2tpctl init [--force] [--user NAME] [--root DIR] [--pool CIDR]
 *
 * Writes three files under ROOT (default /):
 *
 *   etc/swanctl/conf.d/l2tpsrv-secrets.conf  a random IPsec pre-shared key
 *   etc/l2tpsrv/l2tpsrv.conf                 a client address pool that
 *                                            clashes with no address or
 *                                            route of this host
 *   etc/ppp/chap-secrets                     a first PPP user, random password
 *
 * and prints what the clients need. Every file is checked before any is
 * written: an existing file (or, in chap-secrets, an existing line of the
 * user) stops it unless --force. All three are staged as temporary files
 * beside their targets and only then renamed into place, so a failure
 * before the renames leaves no file behind (directories, maybe). The secrets go into the files
 * and to stdout, never to stderr.
 */
#include "autoconfig.h"

#include "l2tpctl_init.h"
#include "l2tpctl_pool.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PROG "l2tpctl init"

#define SECRETS_DIR "/etc/swanctl/conf.d"
#define SECRETS_FILE SECRETS_DIR "/l2tpsrv-secrets.conf"
#define SWANCTL_CONN_FILE SECRETS_DIR "/l2tpsrv.conf"
#define CONFIG_DIR "/etc/l2tpsrv"
#define CONFIG_FILE CONFIG_DIR "/l2tpsrv.conf"
#define CHAP_DIR "/etc/ppp"
#define CHAP_FILE CHAP_DIR "/chap-secrets"

/* 33 random bytes, 264 bits: a multiple of 3, so 44 base64 digits, no '=' */
#define PSK_BYTES 33
#define PSK_CHARS (PSK_BYTES / 3 * 4)
#define PASSWORD_CHARS 16
#define USER_MAX 64
#define DEFAULT_USER "vpnuser"
/* chap-secrets is read whole; a real one is a few kilobytes */
#define CHAP_MAX_SIZE (1024 * 1024)

/* No 0/O/o, 1/l/I: a password people read off a screen and type. */
static const char password_alphabet[] = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

struct init_options {
	bool force;
	const char *user;
	const char *root; /* with no trailing '/': "" for / */
	const char *pool; /* CIDR, or NULL to choose one */
};

/* A file to write: staged as tmp beside path, then renamed over it. */
struct out_file {
	char path[PATH_MAX];
	char tmp[PATH_MAX];
	char *data;
	size_t len;
	mode_t mode;
	bool staged;
};

struct secrets {
	char psk[PSK_CHARS + 1];
	char password[PASSWORD_CHARS + 1];
};

static void usage(FILE *f)
{
	fprintf(f, "usage: l2tpctl init [--force] [--user NAME] [--root DIR] [--pool CIDR]\n"
		   "  Writes a random IPsec pre-shared key (" SECRETS_FILE "),\n"
		   "  " CONFIG_FILE " with a client address pool that clashes with\n"
		   "  nothing on this host, and a first PPP user with a random password\n"
		   "  (" CHAP_FILE "), then prints how to set up the clients.\n"
		   "  --force       replace existing files (and the user's line)\n"
		   "  --user NAME   the first user (default " DEFAULT_USER ")\n"
		   "  --root DIR    write below DIR instead of / (image building)\n"
		   "  --pool CIDR   the clients' network, /16 to /29 (default: the first\n"
		   "                of 192.168.42.0/24, 10.42.0.0/24, ... free here)\n");
}

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

static int make_psk(char psk[PSK_CHARS + 1])
{
	uint8_t raw[PSK_BYTES];
	int r = fill_random(raw, sizeof(raw));

	if (r == 0)
		base64_encode(raw, sizeof(raw), psk, PSK_CHARS + 1);
	explicit_bzero(raw, sizeof(raw));
	return r;
}

/* Uniform over the alphabet: bytes past its last whole multiple are redrawn. */
static int make_password(char pw[PASSWORD_CHARS + 1])
{
	const unsigned int n = sizeof(password_alphabet) - 1, limit = 256 - 256 % n;
	uint8_t raw[64];
	size_t have = 0;
	int r = 0;

	while (have < PASSWORD_CHARS && r == 0) {
		r = fill_random(raw, sizeof(raw));
		for (size_t i = 0; r == 0 && i < sizeof(raw) && have < PASSWORD_CHARS; i++)
			if (raw[i] < limit)
				pw[have++] = password_alphabet[raw[i] % n];
	}
	pw[have] = '\0';
	explicit_bzero(raw, sizeof(raw));
	return r;
}

/* --- chap-secrets --- */

/* A name pppd reads as one word and a shell or editor shows as it is. */
static bool user_is_valid(const char *user)
{
	size_t len = strlen(user);

	if (len == 0 || len > USER_MAX || user[0] == '#' || user[0] == '-')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._@+-",
			    user[i]))
			return false;
	return true;
}

/* Whether the line's first word, the client, is user (pppd may quote it). */
static bool line_names_user(const char *line, size_t len, const char *user)
{
	size_t i = 0, start, ulen = strlen(user);

	while (i < len && (line[i] == ' ' || line[i] == '\t'))
		i++;
	if (i < len && line[i] == '#')
		return false;
	if (i < len && line[i] == '"') {
		start = ++i;
		while (i < len && line[i] != '"')
			i++;
	} else {
		start = i;
		while (i < len && line[i] != ' ' && line[i] != '\t')
			i++;
	}
	return i - start == ulen && memcmp(line + start, user, ulen) == 0;
}

/* Whether a line of chap-secrets names user as its client. */
static bool chap_has_user(const char *data, size_t len, const char *user)
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

/*
 * The new chap-secrets: old's lines, except that the user's (all of them,
 * so that no old password stays valid) give way to the new line, in the
 * place of the first; without any, the new line goes at the end.
 */
static void chap_rebuild(FILE *f, const char *old, size_t len, const char *user,
			 const char *line)
{
	bool placed = false;

	if (!old)
		fprintf(f, "# Secrets for authentication using CHAP\n"
			   "# client\tserver\tsecret\t\t\tIP addresses\n");
	for (size_t pos = 0; old && pos < len;) {
		const char *nl = memchr(old + pos, '\n', len - pos);
		size_t line_len = nl ? (size_t)(nl - (old + pos)) : len - pos;

		bool users = line_names_user(old + pos, line_len, user);

		if (!users)
			fprintf(f, "%.*s\n", (int)line_len, old + pos);
		else if (!placed)
			fprintf(f, "%s\n", line);
		placed |= users;
		pos += line_len + 1;
	}
	if (!placed)
		fprintf(f, "%s\n", line);
}

/* --- files --- */

static int read_small_file(const char *path, size_t max, char **data, size_t *len)
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

static bool exists(const char *path)
{
	struct stat st;

	return lstat(path, &st) == 0 || errno != ENOENT;
}

/*
 * Whether path holds settings: a file of nothing but comments and blank
 * lines (the package's l2tpsrv.conf, every line commented out) holds none,
 * and init may write it without --force. Unreadable or large: settings.
 */
static bool has_settings(const char *path)
{
	char line[1024];
	bool any = false;
	FILE *f = fopen(path, "re");

	if (!f)
		return errno != ENOENT;
	while (!any && fgets(line, sizeof(line), f)) {
		const char *c = line + strspn(line, " \t\r\n");

		any = *c != '\0' && *c != '#';
	}
	fclose(f);
	return any;
}

/* Creates root + dir and every missing directory between, mode 0755. */
static int make_dirs(const char *root, const char *dir)
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

/* Writes f's data to a new temporary file beside f->path, synced. */
static int stage_file(struct out_file *f)
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

static void discard_file(struct out_file *f)
{
	if (f->staged)
		unlink(f->tmp);
	f->staged = false;
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

static int commit_file(struct out_file *f)
{
	if (rename(f->tmp, f->path) < 0)
		return -errno;
	f->staged = false;
	return sync_dir_of(f->path);
}

static void out_file_free(struct out_file *f)
{
	discard_file(f);
	if (f->data)
		explicit_bzero(f->data, f->len);
	free(f->data);
	f->data = NULL;
	f->len = 0;
}

static int set_path(struct out_file *f, const char *root, const char *rel, mode_t mode)
{
	int n = snprintf(f->path, sizeof(f->path), "%s%s", root, rel);

	f->mode = mode;
	return n < 0 || (size_t)n >= sizeof(f->path) ? -ENAMETOOLONG : 0;
}

/* --- the files' contents --- */

static void format_now(char *buf, size_t len)
{
	time_t now = time(NULL);
	struct tm tm;

	if (!localtime_r(&now, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S %z", &tm))
		snprintf(buf, len, "(unknown time)");
}

static void write_secrets_conf(FILE *f, const char *when, const struct secrets *s)
{
	fprintf(f, "# Written by l2tpctl init on %s.\n"
		   "# The IPsec pre-shared key of the connection l2tp-psk (l2tpsrv.conf\n"
		   "# beside this file): every client uses it. Keep this file mode 0600.\n"
		   "# The key is the string itself, as the clients type it; load it with\n"
		   "# swanctl --load-creds.\n"
		   "\n"
		   "secrets {\n"
		   "\tike-l2tpsrv {\n"
		   "\t\tsecret = \"%s\"\n"
		   "\t}\n"
		   "}\n",
		when, s->psk);
}

static void write_l2tpsrv_conf(FILE *f, const char *when, const struct client_pool *p)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], net[INET_ADDRSTRLEN];

	fprintf(f, "# Written by l2tpctl init on %s.\n", when);
	fprintf(f, "# Every setting not here has its built-in default; l2tpsrv.conf.example\n"
		   "# lists them all. Check a change with: l2tpsrv --check-config\n"
		   "\n");
	fprintf(f, "# The clients' addresses, in %s/%u: a network that no address\n"
		   "# or route of this host overlapped when it was chosen.\n",
		ipv4_format(p->net.first, net), p->net.prefix);
	fprintf(f, "pool = %s-%s\n", ipv4_format(p->first, a), ipv4_format(p->last, b));
	fprintf(f, "# The server's end of every call's PPP link.\n");
	fprintf(f, "local_ip = %s\n", ipv4_format(p->local_ip, a));
}

/* Fills f->data by fn; -ENOMEM when the stream failed. */
static int build(struct out_file *f, void (*fn)(FILE *, const void *), const void *arg)
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

struct plan {
	struct init_options opt;
	struct client_pool pool;
	struct secrets secrets;
	char when[64];
	char *chap_old; /* chap-secrets as it is, NULL when missing */
	size_t chap_old_len;
	struct out_file secrets_file, config_file, chap_file;
};

static void build_secrets(FILE *f, const void *arg)
{
	const struct plan *p = arg;

	write_secrets_conf(f, p->when, &p->secrets);
}

static void build_config(FILE *f, const void *arg)
{
	const struct plan *p = arg;

	write_l2tpsrv_conf(f, p->when, &p->pool);
}

static void build_chap(FILE *f, const void *arg)
{
	const struct plan *p = arg;
	char line[USER_MAX + PASSWORD_CHARS + 8];

	snprintf(line, sizeof(line), "%s * %s *", p->opt.user, p->secrets.password);
	chap_rebuild(f, p->chap_old, p->chap_old_len, p->opt.user, line);
	explicit_bzero(line, sizeof(line));
}

/* --- the summary --- */

static void print_files(const struct plan *p)
{
	char a[INET_ADDRSTRLEN], b[INET_ADDRSTRLEN], c[INET_ADDRSTRLEN];

	printf("l2tpctl init wrote:\n");
	printf("  %s\n      the IPsec pre-shared key (mode 0600)\n", p->secrets_file.path);
	printf("  %s\n      client addresses %s-%s, server end %s\n", p->config_file.path,
	       ipv4_format(p->pool.first, a), ipv4_format(p->pool.last, b),
	       ipv4_format(p->pool.local_ip, c));
	printf("  %s\n      the user %s (mode 0600)\n\n", p->chap_file.path, p->opt.user);
}

static void print_credentials(const struct plan *p, const char *server, bool natted)
{
	printf("What every client needs:\n"
	       "  Server address:  %s\n"
	       "  Pre-shared key:  %s\n"
	       "  User name:       %s\n"
	       "  Password:        %s\n",
	       server, p->secrets.psk, p->opt.user, p->secrets.password);
	if (natted)
		printf("  (%s is a private address: if this server is behind NAT, give the\n"
		       "  clients the router's public address and have it forward UDP 500\n"
		       "  and 4500 to this server.)\n",
		       server);
	printf("\n");
}

static void print_next_steps(const struct plan *p)
{
	char conn[PATH_MAX];

	printf("Next, on this server:\n"
	       "  1. swanctl --load-all          (or: systemctl restart strongswan)\n"
	       "  2. systemctl restart l2tpsrv\n"
	       "  3. Let UDP ports 500 and 4500 in (and ESP, IP protocol 50, from\n"
	       "     clients that are not behind NAT).\n");
	snprintf(conn, sizeof(conn), "%s" SWANCTL_CONN_FILE, p->opt.root);
	if (!exists(conn))
		printf("  Note: the IPsec connections are missing: install\n"
		       "     packaging/swanctl/l2tpsrv.conf as %s first.\n",
		       conn);
	printf("\n");
}

static void print_clients(void)
{
	printf("Windows 10/11:\n"
	       "  1. Settings > Network & internet > VPN > Add VPN (Windows 10: Add a VPN\n"
	       "     connection). VPN provider: Windows (built-in); Server name or address:\n"
	       "     the server address; VPN type: \"L2TP/IPsec with pre-shared key\";\n"
	       "     Pre-shared key: the key; Type of sign-in info: User name and\n"
	       "     password; then the user name and password. Save, then Connect.\n"
	       "  2. MS-CHAP v2 must be allowed (it is by default): Control Panel >\n"
	       "     Network Connections (ncpa.cpl) > the VPN's Properties > Security >\n"
	       "     Allow these protocols > Microsoft CHAP Version 2 (MS-CHAP v2).\n"
	       "  3. When the server (or the server and the client) is behind NAT,\n"
	       "     Windows refuses with error 809 until this is set, as administrator,\n"
	       "     followed by a reboot:\n"
	       "     reg add HKLM\\SYSTEM\\CurrentControlSet\\Services\\PolicyAgent"
	       " /v AssumeUDPEncapsulationContextOnSendRule /t REG_DWORD /d 2 /f\n"
	       "     (the DWORD value AssumeUDPEncapsulationContextOnSendRule = 2 under\n"
	       "     HKLM\\SYSTEM\\CurrentControlSet\\Services\\PolicyAgent).\n\n");
	printf("macOS:\n"
	       "  System Settings > VPN > Add VPN Configuration > L2TP over IPSec.\n"
	       "  Server address: the server address; Account name: the user name;\n"
	       "  User authentication: Password, the password; Machine authentication:\n"
	       "  Shared secret, the pre-shared key. Create, then switch it on.\n"
	       "  (macOS 12 and older: System Preferences > Network > + > Interface: VPN,\n"
	       "  VPN Type: L2TP over IPSec; the secret under Authentication Settings.)\n\n");
	printf("iPhone, iPad (iOS/iPadOS):\n"
	       "  Settings > General > VPN & Device Management > VPN > Add VPN\n"
	       "  Configuration > Type: L2TP. Server: the server address; Account: the\n"
	       "  user name; Password: the password; Secret: the pre-shared key; Send All\n"
	       "  Traffic: on. Done, then switch it on.\n\n");
	printf("Android:\n"
	       "  Android 11 and older: Settings > Network & internet > VPN > + ; Type:\n"
	       "  L2TP/IPSec PSK; Server address: the server address; IPSec pre-shared\n"
	       "  key: the key (leave L2TP secret and IPSec identifier empty); then the\n"
	       "  user name and password when connecting.\n"
	       "  Android 12 and newer have no built-in L2TP/IPsec client any more (only\n"
	       "  IKEv2): they cannot use this server with the system's VPN settings.\n");
}

static int print_summary(const struct plan *p, const struct host_nets *hn)
{
	char addr[INET_ADDRSTRLEN];
	uint32_t server = host_nets_server_address(hn);
	const char *shown = server ? ipv4_format(server, addr) : "<this server's public address>";

	print_files(p);
	print_credentials(p, shown, server && ipv4_is_private(server));
	print_next_steps(p);
	print_clients();
	return fflush(stdout) == 0 && !ferror(stdout) ? 0 : -EIO;
}

/* --- the steps --- */

static int parse_options(int argc, char **argv, struct init_options *o, char *root_buf,
			 size_t root_len)
{
	static const struct option opts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ "user", required_argument, NULL, 'u' },
		{ "root", required_argument, NULL, 'r' },
		{ "pool", required_argument, NULL, 'p' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *root = "/";
	size_t len;
	int c;

	*o = (struct init_options){ .user = DEFAULT_USER };
	optind = 0; /* glibc: start over at argv[1] */
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'f':
			o->force = true;
			break;
		case 'u':
			o->user = optarg;
			break;
		case 'r':
			root = optarg;
			break;
		case 'p':
			o->pool = optarg;
			break;
		case 'h':
			usage(stdout);
			return 1;
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		fprintf(stderr, PROG ": unexpected argument: %s\n", argv[optind]);
		usage(stderr);
		return -EINVAL;
	}
	if (!user_is_valid(o->user)) {
		fprintf(stderr, PROG ": --user %s: 1 to %d of a-z A-Z 0-9 . _ @ + -, not"
				" starting with - or #\n", o->user, USER_MAX);
		return -EINVAL;
	}
	len = strlen(root);
	while (len > 0 && root[len - 1] == '/')
		len--;
	if (len >= root_len) {
		fprintf(stderr, PROG ": --root %s: too long\n", root);
		return -ENAMETOOLONG;
	}
	memcpy(root_buf, root, len);
	root_buf[len] = '\0';
	o->root = root_buf;
	return 0;
}

static int check_root(const char *root)
{
	struct stat st;
	const char *shown = root[0] ? root : "/";

	if (stat(shown, &st) < 0) {
		fprintf(stderr, PROG ": %s: %s\n", shown, strerror(errno));
		return -errno;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, PROG ": %s: not a directory\n", shown);
		return -ENOTDIR;
	}
	return 0;
}

/* Reads chap-secrets and refuses to replace anything without --force. */
static int check_existing(struct plan *p)
{
	const bool force = p->opt.force;
	int conflicts = 0, r;

	r = read_small_file(p->chap_file.path, CHAP_MAX_SIZE, &p->chap_old, &p->chap_old_len);
	if (r < 0 && r != -ENOENT) {
		fprintf(stderr, PROG ": %s: %s\n", p->chap_file.path, strerror(-r));
		return r;
	}
	if (!force && exists(p->secrets_file.path)) {
		fprintf(stderr, PROG ": %s: exists; use --force to replace it\n",
			p->secrets_file.path);
		conflicts++;
	}
	if (!force && has_settings(p->config_file.path)) {
		fprintf(stderr, PROG ": %s: exists; use --force to replace it\n",
			p->config_file.path);
		conflicts++;
	}
	if (!force && p->chap_old && chap_has_user(p->chap_old, p->chap_old_len, p->opt.user)) {
		fprintf(stderr, PROG ": %s: the user %s exists; use --force to replace"
				" that user's line\n", p->chap_file.path, p->opt.user);
		conflicts++;
	}
	if (conflicts) {
		fprintf(stderr, PROG ": nothing written\n");
		return -EEXIST;
	}
	return 0;
}

static int make_contents(struct plan *p)
{
	int r;

	format_now(p->when, sizeof(p->when));
	r = make_psk(p->secrets.psk);
	if (r == 0)
		r = make_password(p->secrets.password);
	if (r < 0) {
		fprintf(stderr, PROG ": getrandom: %s\n", strerror(-r));
		return r;
	}
	if ((r = build(&p->secrets_file, build_secrets, p)) < 0 ||
	    (r = build(&p->config_file, build_config, p)) < 0 ||
	    (r = build(&p->chap_file, build_chap, p)) < 0)
		fprintf(stderr, PROG ": out of memory\n");
	return r;
}

/* Stages all three files, then renames them into place. */
static int write_files(struct plan *p)
{
	static const char *const dirs[] = { SECRETS_DIR, CONFIG_DIR, CHAP_DIR };
	struct out_file *files[] = { &p->secrets_file, &p->config_file, &p->chap_file };
	int r;

	for (size_t i = 0; i < 3; i++) {
		r = make_dirs(p->opt.root, dirs[i]);
		if (r < 0) {
			fprintf(stderr, PROG ": %s%s: %s\n", p->opt.root, dirs[i], strerror(-r));
			return r;
		}
	}
	for (size_t i = 0; i < 3; i++) {
		r = stage_file(files[i]);
		if (r < 0) {
			fprintf(stderr, PROG ": %s: %s; nothing written\n", files[i]->tmp,
				strerror(-r));
			return r;
		}
	}
	for (size_t i = 0; i < 3; i++) {
		r = commit_file(files[i]);
		if (r < 0) {
			fprintf(stderr, PROG ": %s: %s\n", files[i]->path, strerror(-r));
			return r;
		}
	}
	return 0;
}

static int read_host_nets(struct host_nets *hn)
{
	const char *what;
	int r = host_nets_read(hn, &what);

	if (r < 0)
		fprintf(stderr, PROG ": reading this host's %s: %s\n", what, strerror(-r));
	return r;
}

/* --pool: refused when it overlaps anything of this host's, unless --force. */
static int choose_given_pool(const struct host_nets *hn, const struct init_options *o,
			     struct client_pool *p)
{
	const struct host_net *clash;
	char why[64], what[96];

	if (!client_pool_parse(o->pool, p, why, sizeof(why))) {
		fprintf(stderr, PROG ": --pool %s: %s\n", o->pool, why);
		return -EINVAL;
	}
	clash = host_nets_clash(hn, &p->net);
	if (!clash)
		return 0;
	host_net_describe(clash, what, sizeof(what));
	fprintf(stderr, PROG ": --pool %s: overlaps %s%s\n", o->pool, what,
		o->force ? " (taken anyway: --force)" : "; use --force to take it anyway");
	return o->force ? 0 : -EEXIST;
}

static int choose_free_pool(const struct host_nets *hn, struct client_pool *p)
{
	int r = client_pool_choose(hn, p);

	if (r < 0)
		fprintf(stderr, PROG ": every candidate pool (192.168.42.0/24, 10.42.0.0/24, ...)"
				" overlaps this host's addresses or routes: give one with --pool\n");
	return r;
}

static int prepare(struct plan *p, const struct host_nets *hn)
{
	int r;

	if ((r = set_path(&p->secrets_file, p->opt.root, SECRETS_FILE, 0600)) < 0 ||
	    (r = set_path(&p->config_file, p->opt.root, CONFIG_FILE, 0644)) < 0 ||
	    (r = set_path(&p->chap_file, p->opt.root, CHAP_FILE, 0600)) < 0) {
		fprintf(stderr, PROG ": --root %s: path too long\n", p->opt.root);
		return r;
	}
	r = check_root(p->opt.root);
	if (r == 0)
		r = check_existing(p);
	if (r == 0)
		r = p->opt.pool ? choose_given_pool(hn, &p->opt, &p->pool)
				: choose_free_pool(hn, &p->pool);
	if (r == 0)
		r = make_contents(p);
	return r;
}

int l2tpctl_init(int argc, char **argv)
{
	struct plan plan = { 0 }, *p = &plan;
	struct host_nets hn = { 0 };
	char root[PATH_MAX];
	int r;

	r = parse_options(argc, argv, &p->opt, root, sizeof(root));
	if (r != 0)
		return r > 0 ? EXIT_SUCCESS : EXIT_FAILURE;
	r = read_host_nets(&hn);
	if (r == 0)
		r = prepare(p, &hn);
	if (r == 0)
		r = write_files(p);
	if (r == 0 && print_summary(p, &hn) < 0) {
		fprintf(stderr, PROG ": could not print the summary; the key and password are in"
				" %s and %s\n", p->secrets_file.path, p->chap_file.path);
		r = -EIO;
	}
	out_file_free(&p->secrets_file);
	out_file_free(&p->config_file);
	out_file_free(&p->chap_file);
	if (p->chap_old)
		explicit_bzero(p->chap_old, p->chap_old_len);
	free(p->chap_old);
	explicit_bzero(&p->secrets, sizeof(p->secrets));
	host_nets_free(&hn);
	return r == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
