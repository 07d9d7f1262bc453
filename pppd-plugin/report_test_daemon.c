/*
 * The fake l2tpsrv control socket and helpers the report layer's tests
 * share: see report_test.h.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <pppd/pppd.h>
#include <pppd/fsm.h>
#include <pppd/lcp.h>

#include <check.h>

#include "report.h"
#include "report_test.h"

static void read_some(struct fake_daemon *d, int fd, size_t want)
{
	while (d->got_len < want) {
		ssize_t n = read(fd, d->got + d->got_len, want - d->got_len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		d->got_len += (size_t)n;
	}
}

static void reply(struct fake_daemon *d, int fd, uint32_t magic, int32_t daemon_status)
{
	struct ctl_reply r = { .magic = magic, .status = daemon_status };

	ck_assert_int_eq(write(fd, &r, sizeof(r)), sizeof(r));
	if (d->extra_len)
		ck_assert_int_eq(write(fd, d->extra, d->extra_len), (ssize_t)d->extra_len);
}

static void *fake_serve(void *arg)
{
	struct fake_daemon *d = arg;
	int fd = accept4(d->listen_fd, NULL, NULL, SOCK_CLOEXEC);

	if (fd < 0)
		return NULL;
	read_some(d, fd, d->request_size);
	if (d->answer == ANSWER_STATUS || d->answer == ANSWER_THEN_CLOSE)
		reply(d, fd, CTL_MAGIC, d->status);
	if (d->answer == ANSWER_BAD_MAGIC)
		reply(d, fd, ~CTL_MAGIC, 0);
	if (d->answer == ANSWER_AFTER_SIGNAL) {
		pthread_kill(d->client, SIGUSR1);
		usleep(50 * 1000);
		reply(d, fd, CTL_MAGIC, d->status);
	}
	if (d->answer != ANSWER_CLOSE && d->answer != ANSWER_THEN_CLOSE)
		read_some(d, fd, sizeof(d->got)); /* until the client closes */
	close(fd);
	return NULL;
}

void fake_start(struct fake_daemon *d, enum fake_answer answer, int32_t daemon_status)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	memset(d, 0, sizeof(*d));
	snprintf(d->path, sizeof(d->path), "/tmp/l2tpsrv_pppd_test.%d.sock", (int)getpid());
	unlink(d->path);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", d->path);
	d->listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(d->listen_fd, 0);
	ck_assert_int_eq(bind(d->listen_fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	ck_assert_int_eq(listen(d->listen_fd, 4), 0);
	d->answer = answer;
	d->status = daemon_status;
	d->request_size = REPORT_MESSAGE_SIZE;
	d->client = pthread_self();
	ck_assert_int_eq(pthread_create(&d->thread, NULL, fake_serve, d), 0);
}

void fake_stop(struct fake_daemon *d)
{
	pthread_join(d->thread, NULL);
	close(d->listen_fd);
	unlink(d->path);
}

int64_t elapsed_ms(const struct timespec *since)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (int64_t)(now.tv_sec - since->tv_sec) * 1000 +
	       (now.tv_nsec - since->tv_nsec) / 1000000;
}

int all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i])
			return 0;
	return 1;
}

void auth_start_fake(struct fake_daemon *d, enum fake_answer answer, int32_t status,
			    const struct ctl_auth_reply *verdict)
{
	fake_start(d, answer, status);
	d->request_size = AUTH_MESSAGE_SIZE;
	d->extra = verdict;
	d->extra_len = verdict ? sizeof(*verdict) : 0;
}
