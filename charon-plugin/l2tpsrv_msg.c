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
