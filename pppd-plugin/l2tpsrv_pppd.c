/*
 * l2tpsrv's pppd plugin, loaded into each pppd that l2tpsrv starts.
 *
 * This first version only declares itself to pppd (pppd_version must match
 * pppd's own, or pppd refuses the plugin) and takes the l2tpsrv-socket
 * option: the path of l2tpsrv's control socket, where later versions report
 * authentication, IP up/down and counters, and authenticate over RADIUS.
 */
#include <sys/un.h>

#include <pppd/pppd.h>
#include <pppd/patchlevel.h>

char pppd_version[] = VERSION;

/* The control socket of the l2tpsrv that started this pppd. */
static char l2tpsrv_socket[sizeof(((struct sockaddr_un *)0)->sun_path)];

static option_t l2tpsrv_options[] = {
	{
		.name = "l2tpsrv-socket",
		.type = o_string,
		.addr = l2tpsrv_socket,
		.description = "Path of l2tpsrv's control socket",
		.flags = OPT_PRIO | OPT_STATIC,
		.upper_limit = sizeof(l2tpsrv_socket),
	},
	{ .name = NULL },
};

void plugin_init(void);

void plugin_init(void)
{
	add_options(l2tpsrv_options);
}
