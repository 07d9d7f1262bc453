/*
 * What the config tests share: config_test.c (the syntax and the general
 * keys), config_test_ppp.c (the PPP and address keys) and
 * config_test_radius.c (the RADIUS keys), linked into one program. Each
 * file gets its own copy of these, as of check_tap.h.
 */
#ifndef L2TPSRV_CONFIG_TEST_H
#define L2TPSRV_CONFIG_TEST_H

#include <check.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "config.h"

#define NAME "l2tpsrv.conf"

static char err[512];

static inline int parse(struct l2tpsrv_config *c, const char *text)
{
	config_defaults(c);
	return config_parse(c, NAME, text, err, sizeof(err));
}

static inline bool equals_defaults(const struct l2tpsrv_config *c)
{
	struct l2tpsrv_config d;

	config_defaults(&d);
	return memcmp(c, &d, sizeof(d)) == 0;
}

/* text fails with exactly message, and the defaults are left as they were */
static inline void assert_rejected(const char *text, const char *message)
{
	struct l2tpsrv_config c;

	ck_assert_int_eq(parse(&c, text), -EINVAL);
	ck_assert_str_eq(err, message);
	ck_assert_msg(equals_defaults(&c), "half-applied after: %s", text);
}

static inline char *dump_to_string(const struct l2tpsrv_config *c)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	ck_assert_ptr_nonnull(f);
	config_dump(c, f);
	ck_assert_int_eq(fclose(f), 0);
	return s;
}

/* The tests of config_test_ppp.c and config_test_radius.c. */
void config_test_add_ppp(TCase *tc);
void config_test_add_radius(TCase *tc);

#endif
