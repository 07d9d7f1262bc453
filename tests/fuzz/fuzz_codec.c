/*
 * fuzz_codec: libFuzzer harness for the L2TP codec (header.c, avp.c,
 * message.c). Each input is one UDP datagram.
 *
 * The header is parsed; the AVPs of a control message are decoded without
 * a secret and with one (hidden AVPs). Every message that decodes is
 * encoded again, in clear and hidden, and decoded again; the harness
 * aborts unless
 *   - the clear encoding succeeds (a decoded message always fits),
 *   - each re-decoding succeeds with the same type and attribute set,
 *   - encoding is stable: encode(decode(encode(m))) == encode(m), and a
 *     hidden encoding unhides to the very same message,
 *   - a hidden encoding does not decode without the secret when it hid
 *     anything.
 * Datagrams that are not control messages have their octets decoded as
 * AVPs too, so that the walker sees every input.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "header.h"
#include "lac.h"
#include "message.h"
#include "writer.h"

/* Room for any re-encoding: unhidden values only shrink, hiding adds 2
 * octets an attribute and a Random Vector AVP. */
#define ENCODE_MAX (4 * L2TP_MAX_PACKET)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct avp_hiding secret_only = {
	.secret = (const uint8_t *)LAC_SECRET,
	.secret_len = LAC_SECRET_LEN,
};

static void fail(const char *what, const struct l2tp_msg *m, const struct l2tp_msg_error *err)
{
	fprintf(stderr, "fuzz_codec: %s (message type %u, present 0x%016llx%s%s)\n", what,
		m ? m->type : 0, m ? (unsigned long long)m->present : 0ULL, err ? ": " : "",
		err ? err->text : "");
	abort();
}

static size_t encode(uint8_t *buf, const struct l2tp_msg *m, const struct avp_hiding *hiding)
{
	struct writer w;

	writer_init(&w, buf, ENCODE_MAX);
	if (!l2tp_msg_encode(&w, m, hiding))
		return 0;
	return writer_len(&w);
}

/* Whether encoding m with hiding hides at least one attribute. */
static bool hides_something(const struct l2tp_msg *m)
{
	for (unsigned int t = 1; t < 64; t++)
		if (t != L2TP_AVP_RANDOM_VECTOR && l2tp_msg_has(m, t) && avp_may_be_hidden(t))
			return true;
	return false;
}

static void expect_same(const char *what, const struct l2tp_msg *a, const struct l2tp_msg *b)
{
	if (a->type != b->type || a->present != b->present)
		fail(what, b, NULL);
}

/* Hidden with the secret and a Random Vector taken from the input. */
static void round_trip_hidden(const struct l2tp_msg *m, const uint8_t *clear, size_t clear_len,
			      const uint8_t *rv, size_t rv_len)
{
	static uint8_t hidden[ENCODE_MAX], again[ENCODE_MAX];
	static struct l2tp_msg m2;
	struct l2tp_msg_error err;
	struct avp_hiding h = secret_only;
	size_t len, len2;
	int r;

	h.random_vector = rv;
	h.random_vector_len = rv_len;
	/* Fails only when a hidden value would pass 1017 octets: not checked. */
	len = encode(hidden, m, &h);
	if (!len)
		return;
	r = l2tp_msg_decode(hidden, len, &secret_only, &m2, &err);
	if (r != 0)
		fail("hidden re-encoding does not decode", m, &err);
	expect_same("hidden round trip changed the message", m, &m2);
	if (m2.hidden == 0 && hides_something(m))
		fail("hidden encoding hid nothing", m, NULL);
	len2 = encode(again, &m2, NULL);
	if (len2 != clear_len || memcmp(again, clear, len2) != 0)
		fail("unhidden values differ from the originals", m, NULL);
	r = l2tp_msg_decode(hidden, len, NULL, &m2, &err);
	if (hides_something(m) && r != -EBADMSG)
		fail("hidden AVPs decoded without a secret", m, NULL);
}

static void round_trip(const struct l2tp_msg *m, const uint8_t *rv, size_t rv_len)
{
	static uint8_t first[ENCODE_MAX], second[ENCODE_MAX];
	static struct l2tp_msg m2;
	struct l2tp_msg_error err;
	size_t len, len2;
	int r;

	len = encode(first, m, NULL);
	if (!len)
		fail("a decoded message does not encode", m, NULL);
	r = l2tp_msg_decode(first, len, NULL, &m2, &err);
	if (r != 0)
		fail("clear re-encoding does not decode", m, &err);
	expect_same("clear round trip changed the message", m, &m2);
	len2 = encode(second, &m2, NULL);
	if (len2 != len || memcmp(first, second, len) != 0)
		fail("encoding is not stable", m, NULL);
	if (rv_len)
		round_trip_hidden(m, first, len, rv, rv_len);
}

static void decode_and_check(const uint8_t *body, size_t len, const struct avp_hiding *hiding,
			     const uint8_t *rv, size_t rv_len)
{
	static struct l2tp_msg m;
	struct l2tp_msg_error err;
	int r;

	r = l2tp_msg_decode(body, len, hiding, &m, &err);
	if (r == 0)
		round_trip(&m, rv, rv_len);
	else if (r != -EBADMSG && r != -EOPNOTSUPP)
		fail("l2tp_msg_decode returned an undocumented error", &m, &err);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct l2tp_header h;
	const uint8_t *body = data;
	size_t len = size, rv_len;
	int r;

	r = l2tp_header_parse(data, size, &h);
	if (r == 0) {
		if (h.payload_offset > h.length || h.length > size)
			fail("header parse accepted a Length outside the datagram", NULL, NULL);
		if (h.control) {
			body = data + h.payload_offset;
			len = h.length - h.payload_offset;
		}
	} else if (r != -EBADMSG && r != -EPROTONOSUPPORT) {
		fail("l2tp_header_parse returned an undocumented error", NULL, NULL);
	}
	/* A Random Vector for re-hiding from the input's first octets (1..16). */
	rv_len = size < 16 ? size : 16;
	decode_and_check(body, len, NULL, data, rv_len);
	decode_and_check(body, len, &secret_only, data, rv_len);
	return 0;
}
