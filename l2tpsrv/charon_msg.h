/*
 * charon_msg: parses one record from our charon plugin (the format is in
 * charon_proto.h) into a struct charon_event, and writes the requests
 * l2tpsrv sends it. Bounds-checked, no allocation; a record it cannot take
 * gets an error text saying why.
 */
#ifndef L2TPSRV_CHARON_MSG_H
#define L2TPSRV_CHARON_MSG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define CHARON_ID_MAX 256
#define CHARON_NAME_MAX 64

enum charon_event_kind {
	CHARON_HELLO = 1,
	CHARON_SYNC_BEGIN,
	CHARON_SYNC_END,
	CHARON_IKE_UP,
	CHARON_IKE_DOWN,
	CHARON_IKE_UPDATE,
	CHARON_IKE_REKEY,
	CHARON_CHILD_UP,
	CHARON_CHILD_DOWN,
	CHARON_CHILD_REKEY,
	CHARON_CHILD_MIGRATE,
	CHARON_IKE_FAIL,
};

/* What an IKE SA's fields say; has_* tell which were present. */
struct charon_ike {
	bool has_addresses; /* local and remote (with ports) */
	uint8_t version;    /* 1 or 2, 0 if not given */
	struct sockaddr_storage local;
	struct sockaddr_storage remote;
	bool nat_local;
	bool nat_remote;
	char remote_id[CHARON_ID_MAX];
	char eap_id[CHARON_ID_MAX];
	char xauth_id[CHARON_ID_MAX];
	char cert[CHARON_ID_MAX];
};

struct charon_child {
	char name[CHARON_NAME_MAX];
	bool transport;
	uint32_t reqid;
	uint32_t spi_in, spi_out; /* host order */
	uint32_t mark_in, mark_in_mask, mark_out, mark_out_mask;
	uint16_t port_lo, port_hi; /* remote-ports; 0-65535 when not given */
};

/* ike-fail: what failed (the names are charon_proto.h's); "" when not given. */
struct charon_fail {
	char alert[CHARON_NAME_MAX];
	char exchange[CHARON_NAME_MAX];
	char notify[CHARON_NAME_MAX];
	bool encrypted;
	bool has_remote; /* ike_sa.remote (and its port) was given */
};

struct charon_event {
	enum charon_event_kind kind;
	uint32_t ike;       /* ike=: the IKE SA's unique id */
	uint32_t child;     /* child=: the CHILD_SA's unique id */
	uint32_t new_id;    /* new=: the replacing IKE or CHILD_SA */
	unsigned int proto; /* hello: proto= */
	char version[CHARON_NAME_MAX]; /* hello: the plugin's version */
	bool requests;      /* hello: requests=1, the plugin takes requests */
	struct charon_ike ike_sa;
	struct charon_child child_sa;
	struct charon_fail fail;
};

/* The event's name as it appears on the wire ("child-up"). */
const char *charon_event_name(enum charon_event_kind kind);

/*
 * Parses one record. Returns 0, or -EINVAL with a reason in err (an
 * unknown event, a missing or malformed value).
 */
int charon_msg_parse(const uint8_t *buf, size_t len, struct charon_event *ev, char *err,
		     size_t err_len);

/*
 * Writes the request "terminate-ike ike=U reason=TEXT" into buf,
 * NUL-terminated (the NUL is not part of the record); a NULL reason is
 * empty. Returns the record's length, -EINVAL if ike is 0, or -EMSGSIZE if
 * it does not fit in size bytes with its NUL or is over CHARON_MSG_MAX.
 */
int charon_msg_terminate_ike(char *buf, size_t size, uint32_t ike, const char *reason);

#endif
