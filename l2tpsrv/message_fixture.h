/*
 * message_fixture: what the control message codec's tests (message_test.c,
 * message_decode_test.c) share: hiding settings, one message of each
 * kind to build and decode into, a value for every attribute, comparison
 * of those values, and encoding into buf. Test code only; it asserts with
 * Check.
 */
#ifndef L2TPSRV_MESSAGE_FIXTURE_H
#define L2TPSRV_MESSAGE_FIXTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "avp.h"
#include "message.h"
#include "protocol.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define S(str) (const uint8_t *)(str), sizeof(str) - 1

/* Two Random Vectors, and hiding with the secret "tunnel secret" by each, or by none. */
extern const uint8_t rv[16];
extern const uint8_t rv2[5];
extern const struct avp_hiding hiding, hiding2, secret_only;

/* Big: one of each, shared by the tests (each runs in its own process). */
extern struct l2tp_msg m, d;
extern struct l2tp_msg_error err;
extern uint8_t buf[L2TP_MAX_PACKET];

/* The Tie Breaker fill() gives. */
extern const uint8_t tie[8];

/* Whether t is an RFC 2661 message type (1 to L2TP_MSG_MAX but 5 and 13). */
bool is_message_type(uint16_t t);
/* The first message type that may carry the attribute. */
uint16_t msg_allowing(uint16_t avp_type);
/* s, without its NUL. */
struct l2tp_bytes bytes(const char *s);
bool bytes_eq(struct l2tp_bytes a, struct l2tp_bytes b);
/* Gives attribute t a value of its own (Random Vector has no field). */
void fill(struct l2tp_msg *x, uint16_t t);
/* Whether attribute t has the same value in a and b. */
bool same(const struct l2tp_msg *a, const struct l2tp_msg *b, uint16_t t);
/* A message of the given type with every mandatory attribute but skip. */
void build(struct l2tp_msg *x, uint16_t type, uint16_t skip);
/* Encodes x into buf, hiding with h (NULL: in clear); returns its length. */
size_t encode(const struct l2tp_msg *x, const struct avp_hiding *h);

#endif
