/*
 * config_dump: writes struct l2tpsrv_config back as l2tpsrv.conf keys, one
 * "key = value" a line in the order of config_keys.h's table, each as
 * config.c reads it back (l2tpsrv --check-config prints this). The secret
 * is never written: only whether it is set, and its length.
 */
#include "config.h"
#include "config_keys.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

static const void *const_field_of(const struct l2tpsrv_config *c, const struct key *k)
{
	return (const char *)c + k->offset;
}

static uint64_t load_number(const void *field, size_t size)
{
	if (size == sizeof(uint16_t)) {
		uint16_t x;
		memcpy(&x, field, size);
		return x;
	} else if (size == sizeof(unsigned int)) {
		unsigned int x;
		memcpy(&x, field, size);
		return x;
	} else {
		uint64_t x;
		memcpy(&x, field, sizeof(x));
		return x;
	}
}

static void dump_listen(const struct config_listen *l, FILE *f)
{
	char host[INET6_ADDRSTRLEN];

	if (l->addr.ss_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)&l->addr;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		fprintf(f, "listen = [%s]:%u\n", host, ntohs(sin6->sin6_port));
	} else if (l->addr.ss_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)&l->addr;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		fprintf(f, "listen = %s:%u\n", host, ntohs(sin->sin_port));
	} else {
		fprintf(f, "# listen = (address family %d)\n", l->addr.ss_family);
	}
}

/* Writes text as a value, quoted when it would not read back as itself. */
static void dump_text(const char *name, const char *s, FILE *f)
{
	size_t len = strlen(s);
	bool plain = len > 0 && !is_blank(s[0]) && !is_blank(s[len - 1]) && s[0] != '"' &&
		     !strchr(s, '#');

	fprintf(f, "%s = ", name);
	if (plain) {
		fputs(s, f);
	} else {
		fputc('"', f);
		for (; *s; s++) {
			if (*s == '"' || *s == '\\')
				fputc('\\', f);
			fputc(*s, f);
		}
		fputc('"', f);
	}
	fputc('\n', f);
}

static const char *log_level_name(int prio)
{
	for (size_t i = 0; i < CONFIG_N_LOG_LEVELS; i++) {
		if (config_log_levels[i].prio == prio)
			return config_log_levels[i].name;
	}
	return prio < LOG_ERR ? "error" : "debug";
}

void config_dump(const struct l2tpsrv_config *c, FILE *f)
{
	char buf[32];

	for (size_t i = 0; i < N_KEYS; i++) {
		const struct key *k = &config_keys[i];
		const void *field = const_field_of(c, k);

		switch (k->type) {
		case T_LISTEN:
			if (c->n_listen == 0)
				fprintf(f, "# listen = (none)\n");
			for (size_t j = 0; j < c->n_listen && j < CONFIG_MAX_LISTEN; j++)
				dump_listen(&c->listen[j], f);
			break;
		case T_HOST_NAME:
		case T_PATH:
			dump_text(k->name, field, f);
			break;
		case T_SECRET:
			if (c->secret_len)
				fprintf(f, "# secret = (set, %zu octets)\n", c->secret_len);
			else
				fprintf(f, "# secret = (not set)\n");
			break;
		case T_BOOL:
			fprintf(f, "%s = %s\n", k->name, *(const bool *)field ? "yes" : "no");
			break;
		case T_DURATION:
		case T_DURATION_MS:
		case T_DURATION_S:
			fprintf(f, "%s = %s\n", k->name,
				config_format_duration(load_number(field, k->size) * duration_unit(k), buf));
			break;
		case T_NUMBER:
			fprintf(f, "%s = %llu\n", k->name,
				(unsigned long long)load_number(field, k->size));
			break;
		case T_LOG_LEVEL:
			fprintf(f, "%s = %s\n", k->name, log_level_name(c->log_level));
			break;
		case T_SPLIT:
			config_split_keys[i]->dump(c, f);
			break;
		}
	}
}
