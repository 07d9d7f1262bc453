/*
 * Stands in for strongSwan's own config.h, which its public headers expect
 * and Debian does not ship. Force-included (-include) before them.
 *
 * ME: Debian builds charon with --enable-mediation, which adds the mediation
 * methods to ike_sa_t. Without this define the plugin would misread the
 * method table and call the wrong functions. Nothing else in the public
 * headers changes a struct layout; the HAVE_ values below only describe
 * glibc and GCC as Debian 12's build of strongSwan 5.9.8 found them.
 */
#ifndef L2TPSRV_STRONGSWAN_COMPAT_H
#define L2TPSRV_STRONGSWAN_COMPAT_H

#define CONFIG_H_INCLUDED 1
#define ME 1

#define HAVE_STDBOOL_H 1
#define HAVE__BOOL 1
#define HAVE_INT128 1
#define HAVE_ALLOCA_H 1
#define HAVE_SYS_PARAM_H 1
#define HAVE_CLOCK_GETTIME 1
#define HAVE_CONDATTR_CLOCK_MONOTONIC 1
#define HAVE_SIGWAITINFO 1
#define HAVE_MEMRCHR 1
#define HAVE_EXPLICIT_BZERO 1
#define HAVE_FMEMOPEN 1
#define HAVE_CLOSEFROM 1

/*
 * strongSwan's VERSION also comes from its config.h; this is the version of
 * the headers the plugin is built against (and so of the charon it runs in).
 */
#define STRONGSWAN_HEADERS_VERSION "5.9.8"

#endif
