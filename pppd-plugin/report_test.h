/*
 * report_test: what the tests of the plugin's report layer
 * (l2tpsrv_pppd_test.c, eap_relay_test.c) share: a fake l2tpsrv control
 * socket, served by a thread, that reads one whole request and answers it
 * as told, and small helpers. Test code only; it asserts with Check.
 *
 * Include after report.h (and so after pppd's headers).
 */
#ifndef L2TPSRV_PPPD_REPORT_TEST_H
#define L2TPSRV_PPPD_REPORT_TEST_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/un.h>
#include <time.h>

/* How the fake daemon answers once it has read one whole request. */
enum fake_answer {
	ANSWER_STATUS,       /* a ctl_reply with .status */
	ANSWER_BAD_MAGIC,    /* a ctl_reply with the wrong magic */
	ANSWER_CLOSE,        /* close without a reply */
	ANSWER_NEVER,        /* keep the connection open, say nothing */
	ANSWER_AFTER_SIGNAL, /* signal the client, then reply with .status */
	ANSWER_THEN_CLOSE,   /* a ctl_reply with .status, then close at once */
};

struct fake_daemon {
	char path[sizeof(((struct sockaddr_un *)0)->sun_path)];
	int listen_fd;
	pthread_t thread;
	pthread_t client;
	enum fake_answer answer;
	int32_t status;
	size_t request_size; /* what the client sends before the daemon answers */
	const void *extra;   /* sent after the ctl_reply (CTL_AUTH's verdict) */
	size_t extra_len;
	uint8_t got[2 * EAP_MESSAGE_SIZE];
	size_t got_len; /* everything the client sent, until it closed */
};

/*
 * Listens on a fresh socket (d->path) and serves one connection in a
 * thread, answering with daemon_status as answer says; the request is
 * taken as REPORT_MESSAGE_SIZE long unless the caller changes
 * d->request_size before the client connects.
 */
void fake_start(struct fake_daemon *d, enum fake_answer answer, int32_t daemon_status);
/* Waits for the thread (it returns once the client closed) and removes the socket. */
void fake_stop(struct fake_daemon *d);
/* fake_start() for one CTL_AUTH request, the verdict (if any) sent after the ctl_reply. */
void auth_start_fake(struct fake_daemon *d, enum fake_answer answer, int32_t status,
		     const struct ctl_auth_reply *verdict);

/* Milliseconds on the monotonic clock since since. */
int64_t elapsed_ms(const struct timespec *since);
/* Whether len octets at p are all zero (pppd.h's bool comes without true and false). */
int all_zero(const void *p, size_t len);

#endif
