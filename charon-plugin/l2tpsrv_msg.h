/*
 * Builds one record of the charon_proto wire format (see
 * ../l2tpsrv/charon_proto.h), and parses the requests l2tpsrv sends back:
 *
 *   EVENT KEY=VALUE KEY=VALUE ...
 *
 * Values are percent-encoded here: every byte outside 0x21..0x7e, and every
 * '%', becomes %XX with upper-case hex digits. A record never grows past
 * CHARON_MSG_MAX bytes: a pair that does not fit is left out whole (the
 * record stays well formed) and counted in l2tpsrv_msg_dropped().
 *
 * Plain C, no strongSwan types, so that it builds and is tested without
 * charon; the listener turns strongSwan objects into strings first, and the
 * plugin turns parsed requests into controller calls.
 */
#ifndef L2TPSRV_MSG_H_
#define L2TPSRV_MSG_H_

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../l2tpsrv/charon_proto.h"

typedef struct l2tpsrv_msg_t l2tpsrv_msg_t;

/**
 * One record under construction. Lives on the stack; no destructor.
 * Treat as opaque: use the functions below.
 */
struct l2tpsrv_msg_t {

	/** the record, NUL-terminated for logging (the NUL is not sent) */
	char data[CHARON_MSG_MAX + 1];

	/** bytes in data, at most CHARON_MSG_MAX */
	size_t len;

	/** pairs refused: no room, or a key that is not a valid token */
	unsigned dropped;
};

/**
 * Start a record with its event name.
 *
 * @param event		event token: 1..64 bytes in 0x21..0x7e, no '=' or '%'
 * @return			FALSE if the event is not a valid token (the record is
 *					then empty and l2tpsrv_msg_len() is 0)
 */
bool l2tpsrv_msg_init(l2tpsrv_msg_t *msg, const char *event);

/**
 * Append KEY=VALUE, encoding the value.
 *
 * @param key		key token: 1..64 bytes in 0x21..0x7e, no '=' or '%'
 * @param value		value bytes, any
 * @param len		number of value bytes
 * @return			FALSE if the pair was left out (no room, bad key, or
 *					the record was not started); the record is unchanged
 */
bool l2tpsrv_msg_add_mem(l2tpsrv_msg_t *msg, const char *key,
						 const void *value, size_t len);

/**
 * Append KEY=VALUE for a NUL-terminated value, see l2tpsrv_msg_add_mem().
 */
bool l2tpsrv_msg_add(l2tpsrv_msg_t *msg, const char *key, const char *value);

/**
 * Append KEY=N in decimal.
 */
bool l2tpsrv_msg_add_uint(l2tpsrv_msg_t *msg, const char *key, uint64_t value);

/**
 * The record's bytes (NUL-terminated; the NUL is not part of the record).
 */
const char *l2tpsrv_msg_data(const l2tpsrv_msg_t *msg);

/**
 * The record's length in bytes, 0 if it was never started.
 */
size_t l2tpsrv_msg_len(const l2tpsrv_msg_t *msg);

/**
 * How many pairs were left out.
 */
unsigned l2tpsrv_msg_dropped(const l2tpsrv_msg_t *msg);

/**
 * Percent-encode len bytes of in into out.
 *
 * Writes at most size bytes and NUL-terminates when size > 0, like
 * snprintf().
 *
 * @return			length of the full encoding, without the NUL; the
 *					output was cut short if it is >= size
 */
size_t l2tpsrv_msg_encode(char *out, size_t size, const void *in, size_t len);

/** longest reason kept from a request, with its NUL (see charon_proto.h) */
#define L2TPSRV_REASON_MAX 256

/**
 * What l2tpsrv asks.
 */
typedef enum {
	/** terminate-ike: delete an IKE_SA and its CHILD_SAs */
	L2TPSRV_REQUEST_TERMINATE_IKE = 1,
} l2tpsrv_request_kind_t;

typedef struct l2tpsrv_request_t l2tpsrv_request_t;

/**
 * One request from l2tpsrv, parsed.
 */
struct l2tpsrv_request_t {

	/** what it asks */
	l2tpsrv_request_kind_t kind;

	/** ike=: the IKE_SA's unique ID, never 0 */
	uint32_t ike;

	/** reason=, decoded, made printable (bytes outside 0x20..0x7e become
	 *  '?') and cut to fit; empty if not given */
	char reason[L2TPSRV_REASON_MAX];
};

/**
 * Parse one record from l2tpsrv. Keys it does not know are ignored; of a
 * repeated key, the last counts.
 *
 * @param buf		the record (no NUL needed)
 * @param len		its length in bytes
 * @param req		the request, if parsed
 * @param err		why not, if refused: NUL-terminated, cut to err_len
 * @param err_len	size of err, > 0
 * @return			FALSE if refused: an unknown request, ike= missing or
 *					not a decimal 1..4294967295, a pair without '=', a bad
 *					escape, or a record of 0 or over CHARON_MSG_MAX bytes
 */
bool l2tpsrv_msg_parse_request(const void *buf, size_t len,
							   l2tpsrv_request_t *req, char *err,
							   size_t err_len);

#endif /* L2TPSRV_MSG_H_ */
