/*
 * Runs a Check suite and reports each test as a TAP line on stdout, which
 * automake's TAP driver (make check) and tests/run-all count.
 */
#ifndef L2TPSRV_CHECK_TAP_H
#define L2TPSRV_CHECK_TAP_H

#include <check.h>
#include <stdlib.h>

static inline int check_run_tap(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_set_tap(sr, "/dev/stdout");
	srunner_run_all(sr, CK_SILENT);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
