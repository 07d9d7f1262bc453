/*
 * What radius_test.c uses to stand up servers: real FreeRADIUS instances
 * (tests/radius/freeradius-run) and a scripted responder on the test's own
 * event loop, for the answers FreeRADIUS will not give (a wrong secret, a
 * wrong Identifier, none to the first try). Both in radius_test_server.c.
 */
#ifndef L2TPSRV_RADIUS_TEST_H
#define L2TPSRV_RADIUS_TEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <systemd/sd-event.h>

#define TEST_SECRET "l2tpsrv-test-secret"
#define DATAGRAM_MAX 4096

/* One FreeRADIUS on 127.0.0.1, its client 127.0.0.1 with TEST_SECRET. */
struct freeradius {
	pid_t pid; /* 0: not running */
	char dir[64];
	uint16_t auth_port, acct_port;
};

/*
 * Starts one (environment: USERS, and NO_MESSAGE_AUTHENTICATOR=1 when
 * !message_authenticator) and waits until it is ready to process requests.
 * The server dies with the test process. On failure writes why to err.
 */
bool freeradius_start(struct freeradius *fr, bool message_authenticator, const char *users,
		      char *err, size_t err_len);
/* Stops it and removes its directory; fine on one never started. */
void freeradius_stop(struct freeradius *fr);
/* Whether a file under DIR/log/radacct/ holds text (the accounting detail). */
bool freeradius_detail_contains(const struct freeradius *fr, const char *text);

/* A UDP port on 127.0.0.1 free a moment ago; nothing listens there. */
uint16_t free_udp_port(void);

/*
 * A responder on 127.0.0.1 driven by the test: it records every datagram
 * and answers those from the answer_from-th on (counting from 0) as
 * configured, signed with secret.
 */
struct responder {
	int fd;
	uint16_t port;
	sd_event_source *io;
	const char *secret;	      /* signs the answers */
	unsigned int answer_from;     /* UINT32_MAX: never answers */
	bool with_message_authenticator;
	int id_offset;		      /* added to the request's Identifier */
	unsigned int received;
	uint8_t first[DATAGRAM_MAX], last[DATAGRAM_MAX];
	size_t first_len, last_len;
};

void responder_start(struct responder *rs, sd_event *event);
void responder_stop(struct responder *rs);

#endif
