/*
 * charon_proto record builder, see l2tpsrv_msg.h.
 */
#include "l2tpsrv_msg.h"

#include <stdio.h>
#include <string.h>

/** longest event or key we accept */
#define TOKEN_MAX 64

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
