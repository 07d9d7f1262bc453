/*
 * config_reload: the settings a reload leaves as they are; see config_reload.h.
 */
#include "config_reload.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

struct keeper {
	struct l2tpsrv_config *next;
	const struct l2tpsrv_config *cur;
	char *changed;
	size_t len;
	unsigned int n;
	const char *last; /* the last name written */
};

/* Puts back len bytes at offset off when they differ (the structs are
 * zeroed before they are filled, padding included: memcmp is exact). A
 * setting spread over two fields comes in two calls in a row, named once. */
static void keep(struct keeper *k, const char *name, size_t off, size_t len)
{
	unsigned char *to = (unsigned char *)k->next + off;
	const unsigned char *from = (const unsigned char *)k->cur + off;
	size_t used = strlen(k->changed);

	if (!memcmp(to, from, len))
		return;
	memcpy(to, from, len);
	if (!k->last || strcmp(k->last, name) != 0) {
		snprintf(k->changed + used, k->len - used, "%s%s", used ? " " : "", name);
		k->n++;
	}
	k->last = name;
}

#define KEEP(k, name, field) \
	keep(k, name, offsetof(struct l2tpsrv_config, field), sizeof(((struct l2tpsrv_config *)0)->field))

unsigned int config_keep_restart_only(struct l2tpsrv_config *next,
				      const struct l2tpsrv_config *cur, char *changed,
				      size_t changed_len)
{
	struct keeper k = { next, cur, changed, changed_len, 0, NULL };
	bool auth_switch = (next->radius.n_auth == 0) != (cur->radius.n_auth == 0);
	bool acct_switch = (next->radius.n_acct == 0) != (cur->radius.n_acct == 0);

	changed[0] = '\0'; /* changed_len > 0 */
	KEEP(&k, "listen", listen);
	KEEP(&k, "listen", n_listen);
	KEEP(&k, "host_name", host_name);
	KEEP(&k, "secret", secret);
	KEEP(&k, "secret", secret_len);
	KEEP(&k, "hide_avps", hide_avps);
	KEEP(&k, "hello_interval", hello_interval_usec);
	KEEP(&k, "retransmit_initial", retransmit_initial_usec);
	KEEP(&k, "retransmit_max", retransmit_max_usec);
	KEEP(&k, "retransmit_count", retransmit_count);
	KEEP(&k, "ack_delay", ack_delay_usec);
	KEEP(&k, "receive_window", receive_window);
	KEEP(&k, "mss_clamp", mss_clamp);
	KEEP(&k, "dataplane", dataplane);
	KEEP(&k, "nat_datapath", nat_datapath);
	KEEP(&k, "control_socket", control_socket);
	KEEP(&k, "charon_socket", charon_socket);
	KEEP(&k, "allow_unencrypted", allow_unencrypted);
	KEEP(&k, "radius_nas_identifier", radius_nas_identifier);
	KEEP(&k, "radius_nas_ip", radius_nas_ip);
	KEEP(&k, "radius_dae_client", radius_dae);
	KEEP(&k, "metrics", metrics);
	KEEP(&k, "metrics_allow_remote", metrics_allow_remote);
	if (auth_switch || acct_switch) { /* all RADIUS servers stay as they are */
		KEEP(&k, auth_switch ? "radius_auth_server" : "radius_acct_server", radius);
	}
	return k.n;
}
