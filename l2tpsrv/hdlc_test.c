/*
 * Tests of the async HDLC framing (RFC 1662), and a throughput figure.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "check_tap.h"
#include "hdlc.h"

/* Enough for the longest frame, escaped, several times over. */
#define BUF_LEN (8 * HDLC_ENCODED_MAX(HDLC_MAX_FRAME))

/*
 * An LCP Configure-Request (id 1, MRU 1400, magic 0x12345678) as pppd's
 * async line discipline puts it on a tty before LCP is up: FF 03 C0 21,
 * every control character escaped, FCS 0xc486 low octet first. Worked out
 * with a bit-at-a-time FCS, independently of the table in hdlc.c.
 */
static const uint8_t lcp_frame[] = { 0xff, 0x03, 0xc0, 0x21, 0x01, 0x01, 0x00, 0x0e, 0x01,
				     0x04, 0x05, 0x78, 0x05, 0x06, 0x12, 0x34, 0x56, 0x78 };
static const uint8_t lcp_encoded[] = {
	0x7e, 0xff, 0x7d, 0x23, 0xc0, 0x21, 0x7d, 0x21, 0x7d, 0x21, 0x7d,
	0x20, 0x7d, 0x2e, 0x7d, 0x21, 0x7d, 0x24, 0x7d, 0x25, 0x78, 0x7d,
	0x25, 0x7d, 0x26, 0x7d, 0x32, 0x34, 0x56, 0x78, 0x86, 0xc4, 0x7e,
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

/* xorshift64: the same frames on every run. */
static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state >> 32);
}

static void random_frame(uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)rnd();
}

/* The FCS one bit at a time, straight from the polynomial (RFC 1662 C.2). */
static uint16_t fcs_bitwise(uint16_t fcs, const uint8_t *buf, size_t len)
{
	size_t i;
	int bit;

	for (i = 0; i < len; i++) {
		fcs ^= buf[i];
		for (bit = 0; bit < 8; bit++)
			fcs = (fcs & 1) ? (uint16_t)((fcs >> 1) ^ 0x8408) : (uint16_t)(fcs >> 1);
	}
	return fcs;
}

static size_t encode(const uint8_t *frame, size_t len, uint8_t *out, size_t cap)
{
	ssize_t n = hdlc_encode(frame, len, out, cap);

	ck_assert_int_gt(n, 0);
	return (size_t)n;
}

/* Feeds buf to d; copies the frames out, one after the other, into frames
 * and their lengths into lens. Returns how many. */
static size_t decode_all(struct hdlc_decoder *d, const uint8_t *buf, size_t len,
			 uint8_t *frames, size_t *lens, size_t max)
{
	struct reader in;
	const uint8_t *frame;
	size_t n = 0, flen, off = 0;

	reader_init(&in, buf, len);
	while (hdlc_decoder_next(d, &in, &frame, &flen)) {
		ck_assert_uint_lt(n, max);
		memcpy(frames + off, frame, flen);
		off += flen;
		lens[n++] = flen;
	}
	ck_assert_uint_eq(reader_left(&in), 0);
	return n;
}

static void assert_no_drops(const struct hdlc_decoder *d)
{
	ck_assert_uint_eq(d->drops.bad_fcs, 0);
	ck_assert_uint_eq(d->drops.too_short, 0);
	ck_assert_uint_eq(d->drops.too_long, 0);
	ck_assert_uint_eq(d->drops.aborted, 0);
}

START_TEST(fcs_known_answers)
{
	static const uint8_t check[] = "123456789";
	uint8_t with_fcs[sizeof(lcp_frame) + 2];
	uint16_t fcs;
	uint8_t b;
	int i;

	/* The catalogued check value of this FCS (CRC-16/X-25, which is
	 * RFC 1662's FCS-16): 0x906E over "123456789". */
	ck_assert_uint_eq(hdlc_fcs16(HDLC_FCS_INIT, check, 9) ^ 0xffff, 0x906e);
	/* The frame above. */
	fcs = hdlc_fcs16(HDLC_FCS_INIT, lcp_frame, sizeof(lcp_frame)) ^ 0xffff;
	ck_assert_uint_eq(fcs, 0xc486);
	/* RFC 1662 C.2: a frame followed by its FCS leaves the good FCS. */
	memcpy(with_fcs, lcp_frame, sizeof(lcp_frame));
	with_fcs[sizeof(lcp_frame)] = (uint8_t)fcs;
	with_fcs[sizeof(lcp_frame) + 1] = (uint8_t)(fcs >> 8);
	ck_assert_uint_eq(hdlc_fcs16(HDLC_FCS_INIT, with_fcs, sizeof(with_fcs)), HDLC_FCS_GOOD);
	/* Every entry of the table, against the polynomial. */
	for (i = 0; i < 256; i++) {
		b = (uint8_t)i;
		ck_assert_uint_eq(hdlc_fcs16(0, &b, 1), fcs_bitwise(0, &b, 1));
	}
}
END_TEST

START_TEST(encodes_a_known_frame)
{
	uint8_t out[HDLC_ENCODED_MAX(sizeof(lcp_frame))];
	size_t n = encode(lcp_frame, sizeof(lcp_frame), out, sizeof(out));

	ck_assert_uint_eq(n, sizeof(lcp_encoded));
	ck_assert_mem_eq(out, lcp_encoded, n);
}
END_TEST

START_TEST(escapes_flag_escape_and_control_characters)
{
	/* The body only: the FCS octets depend on it and are checked by the
	 * round trips. */
	static const uint8_t frame[] = { 0x7e, 0x7d, 0x00, 0x11, 0x13, 0x1f, 0x20, 0x5e, 0x5d, 0xff };
	static const uint8_t body[] = { 0x7e, 0x7d, 0x5e, 0x7d, 0x5d, 0x7d, 0x20, 0x7d, 0x31,
					0x7d, 0x33, 0x7d, 0x3f, 0x20, 0x5e, 0x5d, 0xff };
	uint8_t out[HDLC_ENCODED_MAX(sizeof(frame))];
	size_t n = encode(frame, sizeof(frame), out, sizeof(out));
	size_t i;

	ck_assert_uint_ge(n, sizeof(body) + 3);
	ck_assert_mem_eq(out, body, sizeof(body));
	ck_assert_uint_eq(out[n - 1], HDLC_FLAG);
	/* No flag anywhere but at the ends; no control character at all. */
	for (i = 1; i < n - 1; i++) {
		ck_assert_uint_ne(out[i], HDLC_FLAG);
		ck_assert_uint_ge(out[i], 0x20);
	}
}
END_TEST

START_TEST(a_short_buffer_is_refused)
{
	uint8_t out[HDLC_ENCODED_MAX(sizeof(lcp_frame))];

	ck_assert_int_eq(hdlc_encode(lcp_frame, sizeof(lcp_frame), out, sizeof(out) - 1),
			 -ENOBUFS);
	ck_assert_int_eq(hdlc_encode(lcp_frame, SIZE_MAX / 2, out, sizeof(out)), -ENOBUFS);
}
END_TEST

START_TEST(random_frames_round_trip)
{
	static uint8_t frame[HDLC_MAX_FRAME], enc[HDLC_ENCODED_MAX(HDLC_MAX_FRAME)],
		got[HDLC_MAX_FRAME];
	struct hdlc_decoder d;
	size_t len, n, lens[1];
	int i;

	hdlc_decoder_init(&d);
	for (i = 0; i < 2000; i++) {
		if (i == 0) { /* every octet value, in order */
			for (len = 0; len < 256; len++)
				frame[len] = (uint8_t)len;
		} else if (i == 1) { /* nothing but octets to escape */
			for (len = 0; len < HDLC_MAX_FRAME; len++)
				frame[len] = (uint8_t)(len % 3 == 0 ? 0x7e : len % 3 == 1 ? 0x7d : len % 32);
		} else {
			len = HDLC_MIN_FRAME + rnd() % HDLC_MAX_FRAME;
			random_frame(frame, len);
		}
		n = encode(frame, len, enc, sizeof(enc));
		ck_assert_uint_eq(decode_all(&d, enc, n, got, lens, 1), 1);
		ck_assert_uint_eq(lens[0], len);
		ck_assert_mem_eq(got, frame, len);
	}
	assert_no_drops(&d);
}
END_TEST

/* Three frames, the second and third without an opening flag of their own
 * (the closing flag of one opens the next, as N_PPP sends back to back),
 * plus idle flags. */
static size_t three_frames(uint8_t *buf, size_t cap, const uint8_t **frames, size_t *lens)
{
	static uint8_t a[] = { 0xff, 0x03, 0xc0, 0x21, 0x7e, 0x7d, 0x00 };
	static uint8_t b[] = { 0x21, 0x45, 0x00 };
	static uint8_t c[1400];
	size_t n = 0;

	random_frame(c, sizeof(c));
	frames[0] = a, lens[0] = sizeof(a);
	frames[1] = b, lens[1] = sizeof(b);
	frames[2] = c, lens[2] = sizeof(c);
	buf[n++] = HDLC_FLAG;
	n += encode(a, sizeof(a), buf + n, cap - n);
	n--;
	n += encode(b, sizeof(b), buf + n, cap - n);
	n--;
	n += encode(c, sizeof(c), buf + n, cap - n);
	buf[n++] = HDLC_FLAG;
	return n;
}

START_TEST(several_frames_in_one_buffer)
{
	static uint8_t buf[BUF_LEN], got[BUF_LEN];
	const uint8_t *frames[3];
	size_t lens[3], got_lens[3], n, off = 0;
	struct hdlc_decoder d;
	int i;

	n = three_frames(buf, sizeof(buf), frames, lens);
	hdlc_decoder_init(&d);
	ck_assert_uint_eq(decode_all(&d, buf, n, got, got_lens, 3), 3);
	for (i = 0; i < 3; i++) {
		ck_assert_uint_eq(got_lens[i], lens[i]);
		ck_assert_mem_eq(got + off, frames[i], lens[i]);
		off += lens[i];
	}
	assert_no_drops(&d);
}
END_TEST

START_TEST(a_split_anywhere_changes_nothing)
{
	static uint8_t buf[BUF_LEN], got[BUF_LEN];
	const uint8_t *frames[3];
	size_t lens[3], got_lens[3], n, k, m, off;
	struct hdlc_decoder d;
	int i;

	n = three_frames(buf, sizeof(buf), frames, lens);
	for (k = 0; k <= n; k++) {
		hdlc_decoder_init(&d);
		m = decode_all(&d, buf, k, got, got_lens, 3);
		for (i = 0, off = 0; i < (int)m; i++)
			off += got_lens[i];
		m += decode_all(&d, buf + k, n - k, got + off, got_lens + m, 3 - m);
		ck_assert_uint_eq(m, 3);
		for (i = 0, off = 0; i < 3; i++) {
			ck_assert_uint_eq(got_lens[i], lens[i]);
			ck_assert_mem_eq(got + off, frames[i], lens[i]);
			off += lens[i];
		}
		assert_no_drops(&d);
	}
	/* And one octet at a time. */
	hdlc_decoder_init(&d);
	for (k = 0, m = 0, off = 0; k < n; k++) {
		if (decode_all(&d, buf + k, 1, got + off, got_lens + m, 1) == 1)
			off += got_lens[m++];
	}
	ck_assert_uint_eq(m, 3);
	ck_assert_mem_eq(got + lens[0] + lens[1], frames[2], lens[2]);
}
END_TEST

START_TEST(a_bad_fcs_is_dropped_and_counted)
{
	uint8_t buf[2 * sizeof(lcp_encoded)], got[64];
	size_t lens[2];
	struct hdlc_decoder d;

	memcpy(buf, lcp_encoded, sizeof(lcp_encoded));
	memcpy(buf + sizeof(lcp_encoded), lcp_encoded, sizeof(lcp_encoded));
	buf[4] ^= 0x01; /* 0xc0 -> 0xc1 in the first copy */
	hdlc_decoder_init(&d);
	ck_assert_uint_eq(decode_all(&d, buf, sizeof(buf), got, lens, 2), 1);
	ck_assert_uint_eq(d.drops.bad_fcs, 1);
	ck_assert_uint_eq(lens[0], sizeof(lcp_frame));
	ck_assert_mem_eq(got, lcp_frame, sizeof(lcp_frame));
	/* A corrupted FCS octet, likewise. */
	memcpy(buf, lcp_encoded, sizeof(lcp_encoded));
	buf[sizeof(lcp_encoded) - 2] ^= 0x80;
	ck_assert_uint_eq(decode_all(&d, buf, sizeof(lcp_encoded), got, lens, 2), 0);
	ck_assert_uint_eq(d.drops.bad_fcs, 2);
}
END_TEST

START_TEST(oversize_frames_are_dropped_and_counted)
{
	static uint8_t frame[HDLC_MAX_FRAME + 1], buf[2 * HDLC_ENCODED_MAX(HDLC_MAX_FRAME + 1)],
		got[HDLC_MAX_FRAME];
	struct hdlc_decoder d;
	size_t n, lens[2];

	random_frame(frame, sizeof(frame));
	n = encode(frame, HDLC_MAX_FRAME + 1, buf, sizeof(buf));
	n += encode(frame, HDLC_MAX_FRAME, buf + n, sizeof(buf) - n);
	hdlc_decoder_init(&d);
	ck_assert_uint_eq(decode_all(&d, buf, n, got, lens, 1), 1);
	ck_assert_uint_eq(d.drops.too_long, 1);
	ck_assert_uint_eq(lens[0], HDLC_MAX_FRAME);
	ck_assert_mem_eq(got, frame, HDLC_MAX_FRAME);
	/* Endless data without a flag: dropped, once, at the flag. */
	memset(buf, 0x41, sizeof(buf));
	ck_assert_uint_eq(decode_all(&d, buf, sizeof(buf), got, lens, 1), 0);
	ck_assert_uint_eq(decode_all(&d, buf, sizeof(buf), got, lens, 1), 0);
	ck_assert_uint_eq(d.drops.too_long, 1);
	/* The flag opening the next frame ends it. */
	ck_assert_uint_eq(decode_all(&d, lcp_encoded, sizeof(lcp_encoded), got, lens, 1), 1);
	ck_assert_uint_eq(d.drops.too_long, 2);
	ck_assert_mem_eq(got, lcp_frame, sizeof(lcp_frame));
}
END_TEST

START_TEST(short_frames_and_idle_flags)
{
	static const uint8_t idle[] = { 0x7e, 0x7e, 0x7e, 0x7e };
	static const uint8_t two[] = { 0x7e, 0x41, 0x42, 0x7e };
	static const uint8_t escaped_flag[] = { 0x7e, 0x7d, 0x5e, 0x7e };
	uint8_t got[8];
	size_t lens[1];
	struct hdlc_decoder d;

	hdlc_decoder_init(&d);
	ck_assert_uint_eq(decode_all(&d, idle, sizeof(idle), got, lens, 1), 0);
	assert_no_drops(&d);
	ck_assert_uint_eq(decode_all(&d, two, sizeof(two), got, lens, 1), 0);
	ck_assert_uint_eq(d.drops.too_short, 1);
	ck_assert_uint_eq(decode_all(&d, escaped_flag, sizeof(escaped_flag), got, lens, 1), 0);
	ck_assert_uint_eq(d.drops.too_short, 2);
}
END_TEST

START_TEST(an_abort_drops_the_frame)
{
	uint8_t buf[64 + sizeof(lcp_encoded)], got[64];
	size_t n = 0, lens[1];
	struct hdlc_decoder d;

	/* Half a frame, then 0x7D 0x7E: its flag opens the next frame. */
	memcpy(buf, lcp_encoded, 12);
	n = 12;
	buf[n++] = HDLC_ESCAPE;
	memcpy(buf + n, lcp_encoded, sizeof(lcp_encoded));
	n += sizeof(lcp_encoded);
	hdlc_decoder_init(&d);
	ck_assert_uint_eq(decode_all(&d, buf, n, got, lens, 1), 1);
	ck_assert_uint_eq(d.drops.aborted, 1);
	ck_assert_uint_eq(d.drops.bad_fcs, 0);
	ck_assert_mem_eq(got, lcp_frame, sizeof(lcp_frame));
	/* Split between the escape and the flag. */
	ck_assert_uint_eq(decode_all(&d, buf, 13, got, lens, 1), 0);
	ck_assert_uint_eq(decode_all(&d, buf + 13, n - 13, got, lens, 1), 1);
	ck_assert_uint_eq(d.drops.aborted, 2);
}
END_TEST

START_TEST(unescaped_control_characters_are_data)
{
	/* What pppd sends once LCP agreed on an ACCM of zero. */
	uint8_t raw[sizeof(lcp_frame) + 4], got[64];
	uint16_t fcs = hdlc_fcs16(HDLC_FCS_INIT, lcp_frame, sizeof(lcp_frame)) ^ 0xffff;
	size_t n = 0, lens[1];
	struct hdlc_decoder d;

	raw[n++] = HDLC_FLAG;
	memcpy(raw + n, lcp_frame, sizeof(lcp_frame));
	n += sizeof(lcp_frame);
	raw[n++] = (uint8_t)fcs; /* 0x86, 0xc4: nothing to escape */
	raw[n++] = (uint8_t)(fcs >> 8);
	raw[n++] = HDLC_FLAG;
	hdlc_decoder_init(&d);
	ck_assert_uint_eq(decode_all(&d, raw, n, got, lens, 1), 1);
	ck_assert_uint_eq(lens[0], sizeof(lcp_frame));
	ck_assert_mem_eq(got, lcp_frame, sizeof(lcp_frame));
}
END_TEST

START_TEST(random_streams_yield_only_sane_frames)
{
	static uint8_t buf[1 << 16];
	struct hdlc_decoder d;
	const uint8_t *frame;
	struct reader in;
	size_t len, i, chunk;
	int round;

	hdlc_decoder_init(&d);
	for (round = 0; round < 64; round++) {
		random_frame(buf, sizeof(buf));
		/* Flags and escapes more often than chance would put them. */
		for (i = 0; i < sizeof(buf); i += 1 + rnd() % (round + 1) * 16)
			buf[i] = rnd() % 2 ? HDLC_FLAG : HDLC_ESCAPE;
		for (i = 0; i < sizeof(buf); i += chunk) {
			chunk = 1 + rnd() % 3000;
			if (chunk > sizeof(buf) - i)
				chunk = sizeof(buf) - i;
			reader_init(&in, buf + i, chunk);
			while (hdlc_decoder_next(&d, &in, &frame, &len)) {
				ck_assert_uint_ge(len, HDLC_MIN_FRAME);
				ck_assert_uint_le(len, HDLC_MAX_FRAME);
				ck_assert_ptr_eq(frame, d.buf);
			}
			ck_assert_uint_eq(reader_left(&in), 0);
		}
	}
	ck_assert_uint_gt(d.drops.bad_fcs + d.drops.too_long + d.drops.too_short, 0);
}
END_TEST

static double seconds_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Not a test of speed: prints the figure (stderr, out of the TAP stream). */
START_TEST(throughput)
{
	enum { FRAME = 1400, ROUNDS = 20000 };
	static uint8_t frame[FRAME], enc[HDLC_ENCODED_MAX(FRAME)];
	struct hdlc_decoder d;
	struct timespec t0;
	const uint8_t *out;
	struct reader in;
	size_t n, len, frames = 0;
	double s;
	int i;

	random_frame(frame, sizeof(frame));
	hdlc_decoder_init(&d);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < ROUNDS; i++) {
		frame[i % FRAME] = (uint8_t)i;
		n = (size_t)hdlc_encode(frame, FRAME, enc, sizeof(enc));
		reader_init(&in, enc, n);
		while (hdlc_decoder_next(&d, &in, &out, &len))
			frames++;
	}
	s = seconds_since(&t0);
	ck_assert_uint_eq(frames, ROUNDS);
	fprintf(stderr, "hdlc: encode+decode of %d-octet random frames: %.0f MB/s (%.0f frames/s)\n",
		FRAME, (double)FRAME * ROUNDS / s / 1e6, ROUNDS / s);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("hdlc");
	TCase *tc = tcase_create("hdlc");

	tcase_add_test(tc, fcs_known_answers);
	tcase_add_test(tc, encodes_a_known_frame);
	tcase_add_test(tc, escapes_flag_escape_and_control_characters);
	tcase_add_test(tc, a_short_buffer_is_refused);
	tcase_add_test(tc, random_frames_round_trip);
	tcase_add_test(tc, several_frames_in_one_buffer);
	tcase_add_test(tc, a_split_anywhere_changes_nothing);
	tcase_add_test(tc, a_bad_fcs_is_dropped_and_counted);
	tcase_add_test(tc, oversize_frames_are_dropped_and_counted);
	tcase_add_test(tc, short_frames_and_idle_flags);
	tcase_add_test(tc, an_abort_drops_the_frame);
	tcase_add_test(tc, unescaped_control_characters_are_data);
	tcase_add_test(tc, random_streams_yield_only_sane_frames);
	tcase_add_test(tc, throughput);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
