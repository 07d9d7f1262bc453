/*
 * Tests of the counters' Prometheus text (stats.c): the exact lines for
 * given counters, their labels, the histogram's cumulative buckets, and
 * the shape of the exposition format 0.0.4 (one HELP and TYPE before each
 * family's samples, no family twice, names prefixed l2tpsrv_).
 */
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_tap.h"
#include "stats.h"

#define MS 1000ULL
#define SEC 1000000ULL

/* The text of st. */
static char *exposition(const struct stats *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(stats_write_prometheus(st, f), 0);
	ck_assert_int_eq(fclose(f), 0);
	return buf;
}

/* Whether text has line, whole. */
static bool has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; (p = strstr(p, line)); p++) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	}
	return false;
}

#define assert_line(text, line) ck_assert_msg(has_line(text, line), "no line \"%s\"", line)

static struct stats some_stats(void)
{
	struct stats st = {
		.uptime_usec = 12 * SEC + 345678,
		.tunnels = 3,
		.sessions = 5,
		.tunnels_established = 40,
		.sessions_established = 70,
		.setup_failures = { [STATS_PHASE_TUNNEL] = 1, [STATS_PHASE_SESSION] = 2,
				    [STATS_PHASE_PPP_LCP] = 3, [STATS_PHASE_PPP_AUTH] = 4,
				    [STATS_PHASE_PPP_IPCP] = 5 },
		.refused = { [STATS_REFUSED_NO_IPSEC] = 6, [STATS_REFUSED_TUNNEL_LIMIT] = 7,
			     [STATS_REFUSED_SESSION_LIMIT] = 8, [STATS_REFUSED_POOL_EMPTY] = 9 },
		.packets_dropped = 11,
		.traffic = { .bytes_in = 1000000000000ULL, .bytes_out = 2, .packets_in = 3,
			     .packets_out = 4 },
		.acct_queue = 17,
		.pool_used = 10,
		.pool_size = 241,
	};

	st.radius[STATS_RADIUS_AUTH] = (struct stats_radius){
		.requests = 20, .responses = 18, .timeouts = 1, .bad_responses = 2, .unsent = 1,
	};
	st.radius[STATS_RADIUS_ACCT] = (struct stats_radius){
		.requests = 30, .responses = 29, .timeouts = 1,
	};
	return st;
}

START_TEST(counters_and_gauges_are_exact_lines)
{
	struct stats st = some_stats();
	char *t = exposition(&st);

	assert_line(t, "l2tpsrv_uptime_seconds 12.345678");
	assert_line(t, "l2tpsrv_tunnels 3");
	assert_line(t, "l2tpsrv_sessions 5");
	assert_line(t, "l2tpsrv_tunnels_established_total 40");
	assert_line(t, "l2tpsrv_sessions_established_total 70");
	assert_line(t, "l2tpsrv_setup_failures_total{phase=\"tunnel\"} 1");
	assert_line(t, "l2tpsrv_setup_failures_total{phase=\"session\"} 2");
	assert_line(t, "l2tpsrv_setup_failures_total{phase=\"ppp_lcp\"} 3");
	assert_line(t, "l2tpsrv_setup_failures_total{phase=\"ppp_auth\"} 4");
	assert_line(t, "l2tpsrv_setup_failures_total{phase=\"ppp_ipcp\"} 5");
	assert_line(t, "l2tpsrv_refused_total{reason=\"no_ipsec\"} 6");
	assert_line(t, "l2tpsrv_refused_total{reason=\"tunnel_limit\"} 7");
	assert_line(t, "l2tpsrv_refused_total{reason=\"session_limit\"} 8");
	assert_line(t, "l2tpsrv_refused_total{reason=\"pool_empty\"} 9");
	assert_line(t, "l2tpsrv_control_packets_dropped_total 11");
	assert_line(t, "l2tpsrv_bytes_total{direction=\"in\"} 1000000000000");
	assert_line(t, "l2tpsrv_bytes_total{direction=\"out\"} 2");
	assert_line(t, "l2tpsrv_packets_total{direction=\"in\"} 3");
	assert_line(t, "l2tpsrv_packets_total{direction=\"out\"} 4");
	assert_line(t, "l2tpsrv_pool_addresses{state=\"used\"} 10");
	assert_line(t, "l2tpsrv_pool_addresses{state=\"free\"} 231");
	assert_line(t, "l2tpsrv_radius_requests_total{kind=\"auth\"} 20");
	assert_line(t, "l2tpsrv_radius_requests_total{kind=\"acct\"} 30");
	assert_line(t, "l2tpsrv_radius_responses_total{kind=\"auth\"} 18");
	assert_line(t, "l2tpsrv_radius_responses_total{kind=\"acct\"} 29");
	assert_line(t, "l2tpsrv_radius_timeouts_total{kind=\"auth\"} 1");
	assert_line(t, "l2tpsrv_radius_errors_total{kind=\"auth\",reason=\"bad_response\"} 2");
	assert_line(t, "l2tpsrv_radius_errors_total{kind=\"auth\",reason=\"unsent\"} 1");
	assert_line(t, "l2tpsrv_radius_errors_total{kind=\"acct\",reason=\"bad_response\"} 0");
	assert_line(t, "l2tpsrv_radius_acct_queue 17");
	assert_line(t, "# TYPE l2tpsrv_tunnels gauge");
	assert_line(t, "# TYPE l2tpsrv_setup_failures_total counter");
	assert_line(t, "# TYPE l2tpsrv_radius_rtt_seconds histogram");
	assert_line(t, "# HELP l2tpsrv_tunnels Tunnels now, in any state.");
	free(t);
}
END_TEST

START_TEST(histogram_buckets_are_cumulative)
{
	static const char *const want[] = {
		"l2tpsrv_radius_rtt_seconds_bucket{kind=\"auth\",le=\"0.01\"} 2",
		"l2tpsrv_radius_rtt_seconds_bucket{kind=\"auth\",le=\"0.05\"} 3",
		"l2tpsrv_radius_rtt_seconds_bucket{kind=\"auth\",le=\"0.1\"} 3",
		"l2tpsrv_radius_rtt_seconds_bucket{kind=\"auth\",le=\"0.5\"} 4",
		"l2tpsrv_radius_rtt_seconds_bucket{kind=\"auth\",le=\"1\"} 5",
		"l2tpsrv_radius_rtt_seconds_bucket{kind=\"auth\",le=\"2\"} 5",
		"l2tpsrv_radius_rtt_seconds_bucket{kind=\"auth\",le=\"5\"} 6",
		"l2tpsrv_radius_rtt_seconds_bucket{kind=\"auth\",le=\"+Inf\"} 7",
		"l2tpsrv_radius_rtt_seconds_sum{kind=\"auth\"} 16.519002",
		"l2tpsrv_radius_rtt_seconds_count{kind=\"auth\"} 7",
		"l2tpsrv_radius_rtt_seconds_bucket{kind=\"acct\",le=\"0.01\"} 0",
		"l2tpsrv_radius_rtt_seconds_bucket{kind=\"acct\",le=\"+Inf\"} 0",
		"l2tpsrv_radius_rtt_seconds_sum{kind=\"acct\"} 0.000000",
		"l2tpsrv_radius_rtt_seconds_count{kind=\"acct\"} 0",
	};
	struct stats st = { 0 };
	struct stats_histogram *h = &st.radius[STATS_RADIUS_AUTH].rtt;
	char *t, *at;

	/* a bound belongs to its own bucket: le is "less or equal" */
	stats_histogram_observe(h, 1);
	stats_histogram_observe(h, 10 * MS);
	stats_histogram_observe(h, 10 * MS + 1);
	stats_histogram_observe(h, 499 * MS);
	stats_histogram_observe(h, 1 * SEC);
	stats_histogram_observe(h, 5 * SEC);
	stats_histogram_observe(h, 10 * SEC); /* above the last bound: +Inf only */
	ck_assert_uint_eq(h->count, 7);
	ck_assert_uint_eq(h->bucket[0], 2);
	ck_assert_uint_eq(h->bucket[6], 1);
	t = exposition(&st);
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_line(t, want[i]);
	/* auth's buckets in order of le, then _sum and _count */
	at = strstr(t, want[0]);
	for (size_t i = 1; i < 10; i++) {
		char *next = strstr(t, want[i]);

		ck_assert_msg(next > at, "%s is out of order", want[i]);
		at = next;
	}
	free(t);
}
END_TEST

/* A sample line: NAME[{LABEL="VALUE",...}] NUMBER. Returns the name's length, 0 if bad. */
static size_t sample_name(const char *line)
{
	size_t n = 0;
	const char *p;

	while (islower((unsigned char)line[n]) || isdigit((unsigned char)line[n]) || line[n] == '_')
		n++;
	p = line + n;
	if (*p == '{') {
		p = strchr(p, '}');
		if (!p)
			return 0;
		p++;
	}
	if (*p++ != ' ' || !isdigit((unsigned char)*p))
		return 0;
	p += strspn(p, "0123456789.");
	return *p == '\0' ? n : 0;
}

/* The family a sample belongs to: a histogram's _bucket, _sum and _count are its. */
static bool of_family(const char *name, size_t len, const char *family)
{
	size_t f = strlen(family);
	static const char *const suffixes[] = { "", "_bucket", "_sum", "_count" };

	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		if (len == f + strlen(suffixes[i]) && !strncmp(name, family, f) &&
		    !strncmp(name + f, suffixes[i], len - f))
			return true;
	}
	return false;
}

START_TEST(every_family_has_help_and_type_before_its_samples)
{
	struct stats st = some_stats();
	char *t = exposition(&st), *save = NULL, *line;
	char family[96] = "", seen[4096] = " ";
	unsigned int samples = 0, families = 0;

	for (line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char name[96], type[32], key[100];
		size_t len;

		if (!strncmp(line, "# HELP ", 7)) {
			ck_assert_int_eq(sscanf(line, "# HELP %95s", name), 1);
			ck_assert_msg(!strncmp(name, "l2tpsrv_", 8), "%s", line);
			snprintf(key, sizeof(key), " %s ", name);
			ck_assert_msg(!strstr(seen, key), "%s twice", name);
			ck_assert_uint_lt(strlen(seen) + strlen(name) + 2, sizeof(seen));
			strcat(seen, name);
			strcat(seen, " ");
			snprintf(family, sizeof(family), "%s", name);
			families++;
			continue;
		}
		if (!strncmp(line, "# TYPE ", 7)) {
			ck_assert_int_eq(sscanf(line, "# TYPE %95s %31s", name, type), 2);
			ck_assert_str_eq(name, family);
			ck_assert_msg(!strcmp(type, "counter") || !strcmp(type, "gauge") ||
					      !strcmp(type, "histogram"),
				      "%s", line);
			/* counters are named _total */
			ck_assert(strcmp(type, "counter") != 0 ||
				  !strcmp(name + strlen(name) - 6, "_total"));
			continue;
		}
		len = sample_name(line);
		ck_assert_msg(len > 0, "not a sample: \"%s\"", line);
		ck_assert_msg(of_family(line, len, family), "%s is not of %s", line, family);
		samples++;
	}
	ck_assert_uint_eq(families, 17);
	ck_assert_uint_eq(samples, 52);
	free(t);
}
END_TEST

START_TEST(names)
{
	ck_assert_str_eq(stats_phase_name(STATS_PHASE_PPP_IPCP), "ppp_ipcp");
	ck_assert_str_eq(stats_phase_name(STATS_N_PHASES), "?");
	ck_assert_str_eq(stats_refusal_name(STATS_REFUSED_NO_IPSEC), "no_ipsec");
	ck_assert_str_eq(stats_radius_kind_name(STATS_RADIUS_ACCT), "acct");
	ck_assert_uint_eq(stats_histogram_bound_usec(0), 10 * MS);
	ck_assert_uint_eq(stats_histogram_bound_usec(STATS_HISTOGRAM_BUCKETS - 1), 5 * SEC);
	ck_assert_uint_eq(stats_histogram_bound_usec(STATS_HISTOGRAM_BUCKETS), UINT64_MAX);
}
END_TEST

START_TEST(a_failed_stream_is_an_error)
{
	struct stats st = some_stats();
	char buf[64];
	FILE *f = fmemopen(buf, sizeof(buf), "w");

	ck_assert_ptr_nonnull(f);
	setvbuf(f, NULL, _IONBF, 0);
	ck_assert_int_lt(stats_write_prometheus(&st, f), 0);
	fclose(f);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stats");
	TCase *tc = tcase_create("prometheus");

	tcase_add_test(tc, counters_and_gauges_are_exact_lines);
	tcase_add_test(tc, histogram_buckets_are_cumulative);
	tcase_add_test(tc, every_family_has_help_and_type_before_its_samples);
	tcase_add_test(tc, names);
	tcase_add_test(tc, a_failed_stream_is_an_error);
	suite_add_tcase(s, tc);
	return check_run_tap(s);
}
