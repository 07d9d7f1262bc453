/*
 * The servers of radius_test.c: FreeRADIUS instances and a responder.
 */
#include "radius_fr.h"
#include "radius_test.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define FREERADIUS_BIN "/usr/sbin/freeradius"
#define READY_LINE "Ready to process requests"
#define READY_WAIT_MS 20000
#define STOP_WAIT_MS 3000
#define POLL_MS 10

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { .tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* The whole of a small file, NUL-terminated; "" when unreadable. */
static void read_file(const char *path, char *buf, size_t size)
{
	FILE *f = fopen(path, "re");
	size_t n = 0;

	if (f) {
		n = fread(buf, 1, size - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
}

uint16_t free_udp_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	uint16_t port = 0;

	if (fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
		port = ntohs(sin.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

static void exec_freeradius_run(const struct freeradius *fr, bool message_authenticator,
				const char *users, pid_t parent)
{
	char out[96], auth[8], acct[8];
	int fd;

	/* the server goes with the test, however the test ends */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(1);
	snprintf(out, sizeof(out), "%s/run.out", fr->dir);
	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd >= 0) {
		dup2(fd, STDOUT_FILENO);
		dup2(fd, STDERR_FILENO);
	}
	snprintf(auth, sizeof(auth), "%u", fr->auth_port);
	snprintf(acct, sizeof(acct), "%u", fr->acct_port);
	if (users)
		setenv("USERS", users, 1);
	if (message_authenticator)
		unsetenv("NO_MESSAGE_AUTHENTICATOR");
	else
		setenv("NO_MESSAGE_AUTHENTICATOR", "1", 1);
	execl("/bin/sh", "sh", FREERADIUS_RUN, fr->dir, "127.0.0.1", auth, acct, "127.0.0.1",
	      TEST_SECRET, (char *)NULL);
	_exit(127);
}

/*
 * freeradius-run means to keep FreeRADIUS root, but its sed uses '|' as
 * its delimiter, which makes "\\|" a literal '|': radiusd.conf keeps "user
 * = freerad", and FreeRADIUS, as freerad, cannot write the accounting
 * detail under the log directory the script makes as root. Give it that.
 */
static void give_log_to_freerad(const struct freeradius *fr)
{
	const struct passwd *pw = getpwnam("freerad");
	char path[96];

	if (!pw)
		return;
	snprintf(path, sizeof(path), "%s/log", fr->dir);
	if (chown(path, pw->pw_uid, pw->pw_gid) < 0)
		return;
	snprintf(path, sizeof(path), "%s/log/radacct", fr->dir);
	if (chown(path, pw->pw_uid, pw->pw_gid) < 0)
		return;
}

bool freeradius_start(struct freeradius *fr, bool message_authenticator, const char *users,
		      char *err, size_t err_len)
{
	char path[96], text[8192], how[48] = "did not get ready";
	pid_t parent = getpid();
	int status;

	memset(fr, 0, sizeof(*fr));
	if (access(FREERADIUS_BIN, X_OK) < 0) {
		snprintf(err, err_len,
			 "FreeRADIUS is not installed (%s): install the Debian packages "
			 "freeradius and freeradius-utils (packaging/install-deps)",
			 FREERADIUS_BIN);
		return false;
	}
	snprintf(fr->dir, sizeof(fr->dir), "/tmp/l2tpsrv-radius-test.XXXXXX");
	if (!mkdtemp(fr->dir)) {
		snprintf(err, err_len, "mkdtemp: %s", strerror(errno));
		fr->dir[0] = '\0';
		return false;
	}
	/* FreeRADIUS runs as freerad (see give_log_to_freerad): mkdtemp's
	 * 0700 would keep it out */
	chmod(fr->dir, 0755);
	fr->auth_port = free_udp_port();
	do
		fr->acct_port = free_udp_port();
	while (fr->acct_port == fr->auth_port);
	fr->pid = fork();
	if (fr->pid < 0) {
		snprintf(err, err_len, "fork: %s", strerror(errno));
		fr->pid = 0;
		return false;
	}
	if (fr->pid == 0)
		exec_freeradius_run(fr, message_authenticator, users, parent);

	snprintf(path, sizeof(path), "%s/radius.log", fr->dir);
	for (unsigned int waited = 0; waited < READY_WAIT_MS; waited += POLL_MS) {
		read_file(path, text, sizeof(text));
		if (strstr(text, READY_LINE)) {
			give_log_to_freerad(fr);
			return true;
		}
		if (waitpid(fr->pid, &status, WNOHANG) == fr->pid) {
			fr->pid = 0;
			if (WIFEXITED(status))
				snprintf(how, sizeof(how), "exited with status %d",
					 WEXITSTATUS(status));
			else
				snprintf(how, sizeof(how), "was killed by signal %d",
					 WTERMSIG(status));
			break;
		}
		sleep_ms(POLL_MS);
	}
	snprintf(path, sizeof(path), "%s/run.out", fr->dir);
	read_file(path, text, sizeof(text));
	if (!text[0]) {
		snprintf(path, sizeof(path), "%s/radius.log", fr->dir);
		read_file(path, text, sizeof(text));
	}
	snprintf(err, err_len, "FreeRADIUS (%s %s) %s: %.600s", FREERADIUS_RUN, fr->dir, how,
		 text[0] && strlen(text) > 600 ? text + strlen(text) - 600 : text);
	return false;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

void freeradius_stop(struct freeradius *fr)
{
	int status;

	if (fr->pid > 0) {
		kill(fr->pid, SIGTERM);
		for (unsigned int waited = 0; waited < STOP_WAIT_MS; waited += POLL_MS) {
			if (waitpid(fr->pid, &status, WNOHANG) == fr->pid) {
				fr->pid = 0;
				break;
			}
			sleep_ms(POLL_MS);
		}
		if (fr->pid > 0) {
			kill(fr->pid, SIGKILL);
			waitpid(fr->pid, &status, 0);
		}
		fr->pid = 0;
	}
	if (fr->dir[0])
		nftw(fr->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
	fr->dir[0] = '\0';
}

static const char *search_text;
static bool search_found;

static int search_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	static char buf[65536];

	(void)st;
	(void)ftw;
	if (flag != FTW_F)
		return 0;
	read_file(path, buf, sizeof(buf));
	if (strstr(buf, search_text)) {
		search_found = true;
		return 1;
	}
	return 0;
}

static bool tree_contains(const char *dir, const char *text)
{
	search_text = text;
	search_found = false;
	nftw(dir, search_entry, 16, FTW_PHYS);
	return search_found;
}

bool freeradius_detail_contains(const struct freeradius *fr, const char *text)
{
	char dir[96];

	snprintf(dir, sizeof(dir), "%s/log/radacct", fr->dir);
	return tree_contains(dir, text);
}

/* ---- the responder ---------------------------------------------------- */

static void responder_answer(struct responder *rs, const uint8_t *data, size_t len,
			     const struct sockaddr_storage *from, socklen_t from_len)
{
	static const uint8_t zero[AUTH_VECTOR_LEN];
	RADIUS_PACKET *request = rad_alloc(NULL, false), *reply;
	VALUE_PAIR *vp;

	request->data = talloc_memdup(request, data, len);
	request->data_len = len;
	if (!rad_packet_ok(request, 0, NULL)) {
		rad_free(&request);
		return;
	}
	reply = rad_alloc(NULL, false);
	reply->code = request->code == PW_CODE_ACCESS_REQUEST ? PW_CODE_ACCESS_ACCEPT
							      : PW_CODE_ACCOUNTING_RESPONSE;
	reply->id = (request->id + rs->id_offset) & 0xff;
	if (rs->with_message_authenticator) {
		vp = fr_pair_afrom_da(reply, dict_attrbyvalue(PW_MESSAGE_AUTHENTICATOR, 0));
		fr_pair_value_memcpy(vp, zero, sizeof(zero));
		fr_pair_add(&reply->vps, vp);
	}
	vp = fr_pair_afrom_da(reply, dict_attrbyname("Reply-Message"));
	fr_pair_value_strcpy(vp, "from the responder");
	fr_pair_add(&reply->vps, vp);
	if (rad_encode(reply, request, rs->secret) == 0 && rad_sign(reply, request, rs->secret) == 0)
		sendto(rs->fd, reply->data, reply->data_len, 0, (const struct sockaddr *)from,
		       from_len);
	rad_free(&reply);
	rad_free(&request);
}

static int on_responder_readable(sd_event_source *source, int fd, uint32_t revents,
				 void *userdata)
{
	struct responder *rs = userdata;
	struct sockaddr_storage from;
	socklen_t from_len = sizeof(from);
	uint8_t buf[DATAGRAM_MAX];
	ssize_t n;

	(void)source;
	(void)revents;
	n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT, (struct sockaddr *)&from, &from_len);
	if (n <= 0)
		return 0;
	if (rs->received == 0) {
		memcpy(rs->first, buf, (size_t)n);
		rs->first_len = (size_t)n;
	}
	memcpy(rs->last, buf, (size_t)n);
	rs->last_len = (size_t)n;
	if (rs->received++ >= rs->answer_from)
		responder_answer(rs, buf, (size_t)n, &from, from_len);
	return 0;
}

void responder_start(struct responder *rs, sd_event *event)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);

	rs->fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (rs->fd < 0 || bind(rs->fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(rs->fd, (struct sockaddr *)&sin, &len) < 0 ||
	    sd_event_add_io(event, &rs->io, rs->fd, EPOLLIN, on_responder_readable, rs) < 0)
		abort();
	rs->port = ntohs(sin.sin_port);
}

void responder_stop(struct responder *rs)
{
	rs->io = sd_event_source_disable_unref(rs->io);
	if (rs->fd >= 0)
		close(rs->fd);
	rs->fd = -1;
}
