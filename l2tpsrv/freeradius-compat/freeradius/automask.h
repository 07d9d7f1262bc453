/*
 * A stand-in for FreeRADIUS's freeradius/automask.h, which its autoconf.h
 * includes last but Debian 12's libfreeradius-dev (3.2.1) does not ship.
 * Like FreeRADIUS's own, it keeps the PACKAGE_* macros of the library's
 * build from leaking into the code that includes its headers. configure
 * adds this directory to the include path only when the headers do not
 * compile without it.
 */
#undef PACKAGE_BUGREPORT
#undef PACKAGE_NAME
#undef PACKAGE_STRING
#undef PACKAGE_TARNAME
#undef PACKAGE_URL
#undef PACKAGE_VERSION
