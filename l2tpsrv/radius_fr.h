/*
 * radius_fr: FreeRADIUS's libradius.h, included the one way that compiles
 * with Debian 12's libfreeradius-dev, and what radius.c and radius_attrs.c
 * share about struct radius_attrs. Only radius*.c include it: nothing of
 * FreeRADIUS shows through radius.h.
 *
 * build.h first (libradius.h uses its RCSIDH before including it), and
 * REGEX_H defined so that regex.h, which would need pcre.h (libpcre3-dev)
 * and which libradius.h includes for nothing we use, is skipped.
 */
#ifndef L2TPSRV_RADIUS_FR_H
#define L2TPSRV_RADIUS_FR_H

#define REGEX_H
#include <freeradius/build.h>
#include <freeradius/libradius.h>

#include "radius.h"

/* A list of attributes: the VALUE_PAIRs are talloc children of ctx. */
struct radius_attrs {
	TALLOC_CTX *ctx;
	VALUE_PAIR *vps;
};

/* Whether radius_library_init() loaded the dictionaries. */
bool radius_library_ready(void);

#endif
