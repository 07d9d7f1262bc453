/*
 * charon_proto record builder and request parser, see l2tpsrv_msg.h.
 */
#include "l2tpsrv_msg.h"

#include <stdio.h>
#include <string.h>

/** longest event or key we accept */
#define TOKEN_MAX 64

/** longest piece of a bad record quoted in an error */
#define QUOTE_MAX 32

/** a byte that goes on the wire as it is */
static bool byte_is_plain(unsigned char c)
{
	return c >= 0x21 && c <= 0x7e && c != '%';
}

/** an event or key: 1..TOKEN_MAX plain bytes, and no '=' */
static size_t token_len(const char *token)
{
	size_t len;

	if (!token)
	{
		return 0;
	}
	for (len = 0; token[len]; len++)
	{
		if (len == TOKEN_MAX || !byte_is_plain((unsigned char)token[len]) ||
			token[len] == '=')
		{
			return 0;
		}
	}
	return len;
}

size_t l2tpsrv_msg_encode(char *out, size_t size, const void *in, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	const unsigned char *bytes = in;
	size_t room = size ? size - 1 : 0, need = 0, written = 0, step, i;

	for (i = 0; i < len; i++)
	{
		step = byte_is_plain(bytes[i]) ? 1 : 3;
		/* once a byte does not fit, write nothing more: the output is then
		 * a prefix of the encoding, never with a partial %XX */
		if (written == need && need + step <= room)
		{
			if (step == 1)
			{
				out[written] = (char)bytes[i];
			}
			else
			{
				out[written] = '%';
				out[written + 1] = hex[bytes[i] >> 4];
				out[written + 2] = hex[bytes[i] & 0x0f];
			}
			written += step;
		}
		need += step;
	}
	if (size)
	{
		out[written] = '\0';
	}
	return need;
}

bool l2tpsrv_msg_init(l2tpsrv_msg_t *msg, const char *event)
{
	size_t len = token_len(event);

	msg->len = 0;
	msg->dropped = 0;
	msg->data[0] = '\0';
	if (!len)
	{
		return false;
	}
	memcpy(msg->data, event, len);
	msg->data[len] = '\0';
	msg->len = len;
	return true;
}

bool l2tpsrv_msg_add_mem(l2tpsrv_msg_t *msg, const char *key,
						 const void *value, size_t len)
{
	size_t klen = token_len(key), room, vlen;
	char *pos;

	if (!msg->len || !klen)
	{
		msg->dropped++;
		return false;
	}
	room = CHARON_MSG_MAX - msg->len;
	/* " KEY=" */
	if (klen + 2 > room)
	{
		msg->dropped++;
		return false;
	}
	room -= klen + 2;
	vlen = l2tpsrv_msg_encode(NULL, 0, value, len);
	if (vlen > room)
	{
		msg->dropped++;
		return false;
	}
	pos = msg->data + msg->len;
	*pos++ = ' ';
	memcpy(pos, key, klen);
	pos += klen;
	*pos++ = '=';
	/* vlen + 1 <= room + 1 bytes are left, including the final NUL */
	l2tpsrv_msg_encode(pos, vlen + 1, value, len);
	msg->len += klen + 2 + vlen;
	msg->data[msg->len] = '\0';
	return true;
}

bool l2tpsrv_msg_add(l2tpsrv_msg_t *msg, const char *key, const char *value)
{
	return l2tpsrv_msg_add_mem(msg, key, value, value ? strlen(value) : 0);
}

bool l2tpsrv_msg_add_uint(l2tpsrv_msg_t *msg, const char *key, uint64_t value)
{
	char buf[24];

	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)value);
	return l2tpsrv_msg_add(msg, key, buf);
}

const char *l2tpsrv_msg_data(const l2tpsrv_msg_t *msg)
{
	return msg->data;
}

size_t l2tpsrv_msg_len(const l2tpsrv_msg_t *msg)
{
	return msg->len;
}

unsigned l2tpsrv_msg_dropped(const l2tpsrv_msg_t *msg)
{
	return msg->dropped;
}

/** ike-fail's alert names, by l2tpsrv_fail_t */
static const char *const fail_names[L2TPSRV_FAIL_COUNT] = {
	[L2TPSRV_FAIL_AUTH] = "auth-failed",
	[L2TPSRV_FAIL_LOCAL_AUTH] = "local-auth-failed",
	[L2TPSRV_FAIL_PROPOSAL_IKE] = "proposal-ike",
	[L2TPSRV_FAIL_PROPOSAL_CHILD] = "proposal-child",
	[L2TPSRV_FAIL_TS] = "ts-mismatch",
	[L2TPSRV_FAIL_TIMEOUT] = "timeout",
	[L2TPSRV_FAIL_DPD_TIMEOUT] = "dpd-timeout",
	[L2TPSRV_FAIL_PARSE] = "parse-error",
	[L2TPSRV_FAIL_CERT_EXPIRED] = "cert-expired",
	[L2TPSRV_FAIL_CERT_REVOKED] = "cert-revoked",
	[L2TPSRV_FAIL_CERT_UNTRUSTED] = "cert-untrusted",
	[L2TPSRV_FAIL_CERT_INVALID] = "cert-invalid",
	[L2TPSRV_FAIL_AUTHORIZATION] = "authorization-failed",
	[L2TPSRV_FAIL_KEY] = "key-failed",
	[L2TPSRV_FAIL_INSTALL] = "install-failed",
	[L2TPSRV_FAIL_PEER_NOTIFY] = "peer-notify",
};

const char *l2tpsrv_fail_name(l2tpsrv_fail_t fail)
{
	if ((unsigned)fail >= L2TPSRV_FAIL_COUNT)
	{
		return NULL;
	}
	return fail_names[fail];
}

bool l2tpsrv_msg_init_ike_fail(l2tpsrv_msg_t *msg, uint32_t ike,
							   l2tpsrv_fail_t fail)
{
	const char *name = l2tpsrv_fail_name(fail);

	if (!name)
	{
		l2tpsrv_msg_init(msg, "");
		return false;
	}
	l2tpsrv_msg_init(msg, "ike-fail");
	if (ike)
	{
		l2tpsrv_msg_add_uint(msg, "ike", ike);
	}
	return l2tpsrv_msg_add(msg, "alert", name);
}

const char *l2tpsrv_exchange_name(unsigned exchange_type)
{
	switch (exchange_type)
	{
		case 2:		/* Identity Protection */
			return "main-mode";
		case 4:
			return "aggressive-mode";
		case 5:
			return "informational";
		case 32:	/* RFC 2409 */
			return "quick-mode";
		case 34:
			return "ike-sa-init";
		case 35:
			return "ike-auth";
		case 36:
			return "create-child-sa";
		case 37:
			return "informational";
		default:
			return "other";
	}
}

bool l2tpsrv_ikev1_encrypted(const void *packet, size_t len)
{
	const unsigned char *header = packet;

	/* initiator and responder cookies (16), next payload, version, exchange
	 * type, flags: the E(ncryption) bit is the flags' lowest */
	return len >= 28 && (header[19] & 0x01);
}

/** the Notify Message Types of RFC 2408 3.14.1 we tell apart */
enum {
	V1_INVALID_PAYLOAD_TYPE = 1,
	V1_NO_PROPOSAL_CHOSEN = 14,
	V1_PAYLOAD_MALFORMED = 16,
	V1_INVALID_KEY_INFORMATION = 17,
	V1_INVALID_ID_INFORMATION = 18,
	V1_INVALID_HASH_INFORMATION = 23,
	V1_AUTHENTICATION_FAILED = 24,
	/* 1..8191 are errors; status and private ones come after */
	V1_ERROR_MAX = 8191,
};

bool l2tpsrv_fail_of_v1_notify(unsigned type, bool outgoing, bool ike_up,
							   l2tpsrv_fail_t *fail)
{
	if (type == 0 || type > V1_ERROR_MAX)
	{
		return false;
	}
	if (!outgoing)
	{
		*fail = L2TPSRV_FAIL_PEER_NOTIFY;
		return true;
	}
	switch (type)
	{
		case V1_NO_PROPOSAL_CHOSEN:
			*fail = ike_up ? L2TPSRV_FAIL_PROPOSAL_CHILD
						   : L2TPSRV_FAIL_PROPOSAL_IKE;
			return true;
		case V1_INVALID_KEY_INFORMATION:
			/* Quick Mode: a PFS group we cannot do; Main Mode: the keys
			 * could not be derived, mostly for want of a PSK for the peer
			 * (phase1.c's derive_keys(), "no shared key found") */
			*fail = ike_up ? L2TPSRV_FAIL_PROPOSAL_CHILD : L2TPSRV_FAIL_KEY;
			return true;
		case V1_INVALID_ID_INFORMATION:
			/* Quick Mode: "no matching CHILD_SA config found" */
			if (!ike_up)
			{
				return false;
			}
			*fail = L2TPSRV_FAIL_TS;
			return true;
		case V1_AUTHENTICATION_FAILED:		/* ALERT_PEER_AUTH_FAILED and */
		case V1_PAYLOAD_MALFORMED:			/* ALERT_PARSE_ERROR_BODY */
		case V1_INVALID_HASH_INFORMATION:	/* come with these */
		case V1_INVALID_PAYLOAD_TYPE:
		default:
			return false;
	}
}

/** value of a hex digit, -1 if c is none */
static int hex_value(char c)
{
	if (c >= '0' && c <= '9')
	{
		return c - '0';
	}
	if (c >= 'A' && c <= 'F')
	{
		return c - 'A' + 10;
	}
	if (c >= 'a' && c <= 'f')
	{
		return c - 'a' + 10;
	}
	return -1;
}

/**
 * Undo the %XX escapes of a value into out (size > 0): NUL-terminated, cut
 * to fit, bytes outside 0x20..0x7e as '?'.
 *
 * @param full		length of the whole decoded value
 * @return			FALSE if an escape is malformed or stands for NUL
 */
static bool decode(const char *in, size_t len, char *out, size_t size,
				   size_t *full)
{
	size_t i, n = 0;
	int hi, lo;
	unsigned char c;

	for (i = 0; i < len; i++)
	{
		c = (unsigned char)in[i];
		if (c == '%')
		{
			if (len - i < 3)
			{
				return false;
			}
			hi = hex_value(in[i + 1]);
			lo = hex_value(in[i + 2]);
			if (hi < 0 || lo < 0)
			{
				return false;
			}
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
		}
		if (c == '\0')
		{
			return false;
		}
		if (n + 1 < size)
		{
			out[n] = (c >= 0x20 && c <= 0x7e) ? (char)c : '?';
		}
		n++;
	}
	out[n < size ? n : size - 1] = '\0';
	*full = n;
	return true;
}

/** an IKE_SA unique ID: decimal digits only, 1..UINT32_MAX */
static bool parse_id(const char *in, size_t len, uint32_t *id)
{
	char digits[11];
	uint64_t value = 0;
	size_t full, i;

	if (!decode(in, len, digits, sizeof(digits), &full) ||
		full == 0 || full >= sizeof(digits))
	{
		return false;
	}
	for (i = 0; i < full; i++)
	{
		if (digits[i] < '0' || digits[i] > '9')
		{
			return false;
		}
		value = value * 10 + (uint64_t)(digits[i] - '0');
	}
	if (value == 0 || value > UINT32_MAX)
	{
		return false;
	}
	*id = (uint32_t)value;
	return true;
}

/** does the len bytes at s spell lit? */
static bool word_is(const char *s, size_t len, const char *lit)
{
	return len == strlen(lit) && memcmp(s, lit, len) == 0;
}

/** len, or QUOTE_MAX if that is less, as a precision for "%.*s" */
static int quote_len(size_t len)
{
	return (int)(len < QUOTE_MAX ? len : QUOTE_MAX);
}

bool l2tpsrv_msg_parse_request(const void *buf, size_t len,
							   l2tpsrv_request_t *req, char *err,
							   size_t err_len)
{
	const char *pos = buf, *end = pos + len, *word, *eq;
	size_t wlen, klen, full;
	bool has_ike = false;

	memset(req, 0, sizeof(*req));
	if (len == 0 || len > CHARON_MSG_MAX)
	{
		snprintf(err, err_len, "record of %zu bytes", len);
		return false;
	}
	word = pos;
	while (pos < end && *pos != ' ')
	{
		pos++;
	}
	wlen = (size_t)(pos - word);
	if (!word_is(word, wlen, "terminate-ike"))
	{
		snprintf(err, err_len, "unknown request '%.*s'", quote_len(wlen), word);
		return false;
	}
	req->kind = L2TPSRV_REQUEST_TERMINATE_IKE;

	while (pos < end)
	{
		word = ++pos;	/* past the space */
		while (pos < end && *pos != ' ')
		{
			pos++;
		}
		wlen = (size_t)(pos - word);
		eq = memchr(word, '=', wlen);
		if (!eq)
		{
			snprintf(err, err_len, "'%.*s' is not KEY=VALUE", quote_len(wlen),
					 word);
			return false;
		}
		klen = (size_t)(eq - word);
		eq++;
		if (word_is(word, klen, "ike"))
		{
			if (!parse_id(eq, (size_t)(pos - eq), &req->ike))
			{
				snprintf(err, err_len, "bad value for ike");
				return false;
			}
			has_ike = true;
		}
		else if (word_is(word, klen, "reason"))
		{
			if (!decode(eq, (size_t)(pos - eq), req->reason,
						sizeof(req->reason), &full))
			{
				snprintf(err, err_len, "bad escape in reason");
				return false;
			}
		}
		/* other keys: a newer l2tpsrv may send more */
	}
	if (!has_ike)
	{
		snprintf(err, err_len, "terminate-ike without ike=");
		return false;
	}
	return true;
}
