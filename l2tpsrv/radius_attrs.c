/*
 * radius_attrs: lists of RADIUS attributes (radius.h) over FreeRADIUS's
 * VALUE_PAIR, and the process-wide dictionaries they are named from.
 *
 * FreeRADIUS's text parser (fr_pair_value_from_str) is used only where it
 * is safe. It would resolve a host name given for an address (blocking the
 * event loop on DNS), wrap numbers past 2^32 around, and read backslash
 * escapes in strings ("DOMAIN\user" would lose its backslash); so strings
 * are taken as they are, numbers and addresses are checked here first, and
 * types l2tpsrv has no use for are refused.
 */
#include "radius_fr.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define DEFAULT_DICT_DIR "/usr/share/freeradius"

/* The longest value one attribute carries: 255 less type and length, and
 * for a vendor's (RFC 2865 section 5.26) less Vendor-Id, type and length. */
#define MAX_VALUE 253
#define MAX_VENDOR_VALUE 247
#define MAX_CONCAT_VALUE 4000	/* EAP-Message: FreeRADIUS splits it */
#define MAX_USER_PASSWORD 128	/* RFC 2865 section 5.2 */

static bool dictionaries_loaded;

bool radius_library_ready(void)
{
	return dictionaries_loaded;
}

int radius_library_init(const char *dict_dir, char *err, size_t err_len)
{
	const char *dir = dict_dir ? dict_dir : DEFAULT_DICT_DIR;
	int fd;

	if (dictionaries_loaded)
		return 0;
	if (fr_check_lib_magic(RADIUSD_MAGIC_NUMBER) < 0) {
		snprintf(err, err_len, "libfreeradius-radius is not the one l2tpsrv was built for: %s",
			 fr_strerror());
		return -ELIBBAD;
	}
	/* Request Authenticators come from FreeRADIUS's ISAAC pool, which
	 * falls back to the time as its seed when it cannot read
	 * /dev/urandom: make sure it can, and seed it now. */
	fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		int r = -errno;

		snprintf(err, err_len, "cannot read /dev/urandom: %s", strerror(-r));
		return r;
	}
	close(fd);
	fr_rand_seed(NULL, 0);
	if (dict_init(dir, "dictionary") < 0) {
		snprintf(err, err_len, "cannot load the RADIUS dictionaries from %s: %s", dir,
			 fr_strerror());
		return -ENOENT;
	}
	dictionaries_loaded = true;
	return 0;
}

struct radius_attrs *radius_attrs_new(void)
{
	struct radius_attrs *a = talloc_zero(NULL, struct radius_attrs);

	if (a)
		a->ctx = a;
	return a;
}

/* Values may be passwords: wiped before talloc gives the memory back. */
void radius_attrs_free(struct radius_attrs *a)
{
	if (!a)
		return;
	for (VALUE_PAIR *vp = a->vps; vp; vp = vp->next) {
		if ((vp->da->type == PW_TYPE_STRING || vp->da->type == PW_TYPE_OCTETS) &&
		    vp->data.ptr && vp->vp_length)
			explicit_bzero(vp->data.ptr, vp->vp_length);
	}
	talloc_free(a);
}

/*
 * Attribute name of the dictionaries, or NULL when there is none on the
 * wire: FreeRADIUS's internal ones (Cleartext-Password, ...), numbered from
 * 256 without a vendor, are never sent.
 */
static const DICT_ATTR *find_attr(const char *name)
{
	const DICT_ATTR *da = dict_attrbyname(name);

	if (!da || (da->vendor == 0 && da->attr > 255 && !da->flags.extended &&
		    !da->flags.long_extended))
		return NULL;
	return da;
}

static size_t max_length(const DICT_ATTR *da)
{
	if (da->flags.concat)
		return MAX_CONCAT_VALUE;
	if (da->vendor == 0 && da->flags.encrypt == FLAG_ENCRYPT_USER_PASSWORD)
		return MAX_USER_PASSWORD;
	return da->vendor ? MAX_VENDOR_VALUE : MAX_VALUE;
}

int radius_attrs_add_octets(struct radius_attrs *a, const char *name, const void *data,
			    size_t len)
{
	const DICT_ATTR *da;
	VALUE_PAIR *vp;

	if (!a || !name || (!data && len))
		return -EINVAL;
	da = find_attr(name);
	if (!da)
		return -ENOENT;
	if (da->type != PW_TYPE_STRING && da->type != PW_TYPE_OCTETS)
		return -EINVAL;
	if (len > max_length(da))
		return -EMSGSIZE;
	vp = fr_pair_afrom_da(a->ctx, da);
	if (!vp)
		return -ENOMEM;
	if (da->type == PW_TYPE_STRING)
		fr_pair_value_bstrncpy(vp, data, len);
	else
		fr_pair_value_memcpy(vp, data, len);
	fr_pair_add(&a->vps, vp);
	return 0;
}

/* Decimal digits only, at most max. */
static bool is_decimal_at_most(const char *s, uint32_t max)
{
	uint64_t n = 0;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		n = n * 10 + (uint64_t)(*s - '0');
		if (n > max)
			return false;
	}
	return true;
}

/* Whether FreeRADIUS may parse value as a da: 0, -EINVAL or -EOPNOTSUPP. */
static int check_text(const DICT_ATTR *da, const char *value)
{
	uint8_t buf[sizeof(struct in6_addr)];
	uint32_t max;

	switch (da->type) {
	case PW_TYPE_OCTETS: /* 0x and hex digits, or the text's octets */
	case PW_TYPE_DATE:
		return 0;
	case PW_TYPE_INTEGER:
	case PW_TYPE_SHORT:
	case PW_TYPE_BYTE:
		max = da->type == PW_TYPE_INTEGER ? UINT32_MAX
		      : da->type == PW_TYPE_SHORT ? UINT16_MAX : UINT8_MAX;
		/* a number, or the name of one of its values ("Framed-User") */
		if (value[0] >= '0' && value[0] <= '9')
			return is_decimal_at_most(value, max) ? 0 : -EINVAL;
		return isalpha((unsigned char)value[0]) ? 0 : -EINVAL;
	case PW_TYPE_IPV4_ADDR:
		return inet_pton(AF_INET, value, buf) == 1 ? 0 : -EINVAL;
	case PW_TYPE_IPV6_ADDR:
		return inet_pton(AF_INET6, value, buf) == 1 ? 0 : -EINVAL;
	default:
		return -EOPNOTSUPP;
	}
}

int radius_attrs_add(struct radius_attrs *a, const char *name, const char *value)
{
	const DICT_ATTR *da;
	VALUE_PAIR *vp;
	int r;

	if (!a || !name || !value)
		return -EINVAL;
	da = find_attr(name);
	if (!da)
		return -ENOENT;
	if (da->type == PW_TYPE_STRING)
		return radius_attrs_add_octets(a, name, value, strlen(value));
	r = check_text(da, value);
	if (r < 0)
		return r;
	vp = fr_pair_afrom_da(a->ctx, da);
	if (!vp)
		return -ENOMEM;
	if (fr_pair_value_from_str(vp, value, strlen(value)) < 0) {
		talloc_free(vp);
		return -EINVAL;
	}
	if (vp->vp_length > max_length(da)) {
		talloc_free(vp);
		return -EMSGSIZE;
	}
	fr_pair_add(&a->vps, vp);
	return 0;
}

/* The n-th well-formed (from 0) attribute name of a, or NULL. */
static const VALUE_PAIR *find_nth(const struct radius_attrs *a, const char *name, unsigned int n)
{
	const DICT_ATTR *da;

	if (!a || !name)
		return NULL;
	da = find_attr(name);
	if (!da)
		return NULL;
	for (const VALUE_PAIR *vp = a->vps; vp; vp = vp->next) {
		/* a malformed one is decoded as an unknown attribute of octets */
		if (vp->da->vendor != da->vendor || vp->da->attr != da->attr ||
		    vp->da->flags.is_unknown)
			continue;
		if (n-- == 0)
			return vp;
	}
	return NULL;
}

bool radius_attrs_get_string(const struct radius_attrs *a, const char *name, char *buf,
			     size_t len)
{
	const VALUE_PAIR *vp = find_nth(a, name, 0);
	size_t n;

	if (!vp)
		return false;
	if (len == 0)
		return true;
	if (vp->da->type != PW_TYPE_STRING) {
		vp_prints_value(buf, len, vp, '\0');
		return true;
	}
	n = vp->vp_length < len - 1 ? vp->vp_length : len - 1;
	memcpy(buf, vp->vp_strvalue, n);
	buf[n] = '\0';
	return true;
}

bool radius_attrs_get_uint(const struct radius_attrs *a, const char *name, uint32_t *out)
{
	const VALUE_PAIR *vp = find_nth(a, name, 0);

	if (!vp)
		return false;
	switch (vp->da->type) {
	case PW_TYPE_INTEGER:
		*out = vp->vp_integer;
		return true;
	case PW_TYPE_SHORT:
		*out = vp->vp_short;
		return true;
	case PW_TYPE_BYTE:
		*out = vp->vp_byte;
		return true;
	case PW_TYPE_DATE:
		*out = vp->vp_date;
		return true;
	default:
		return false;
	}
}

bool radius_attrs_get_ipv4(const struct radius_attrs *a, const char *name, uint32_t *out)
{
	const VALUE_PAIR *vp = find_nth(a, name, 0);

	if (!vp || vp->da->type != PW_TYPE_IPV4_ADDR)
		return false;
	*out = vp->vp_ipaddr;
	return true;
}

ssize_t radius_attrs_get_octets_nth(const struct radius_attrs *a, const char *name,
				    unsigned int n, void *buf, size_t len)
{
	const VALUE_PAIR *vp = find_nth(a, name, n);
	const void *data;

	if (!vp)
		return -1;
	if (vp->da->type == PW_TYPE_OCTETS)
		data = vp->vp_octets;
	else if (vp->da->type == PW_TYPE_STRING)
		data = vp->vp_strvalue;
	else
		return -EINVAL;
	if (vp->vp_length > len)
		return -ENOSPC;
	if (vp->vp_length)
		memcpy(buf, data, vp->vp_length);
	return (ssize_t)vp->vp_length;
}

ssize_t radius_attrs_get_octets(const struct radius_attrs *a, const char *name, void *buf,
				size_t len)
{
	return radius_attrs_get_octets_nth(a, name, 0, buf, len);
}
