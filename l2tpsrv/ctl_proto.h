/*
 * ctl_proto: the control socket's wire format, shared by the daemon
 * (control.c) and l2tpctl.
 *
 * A client connects to the unix stream socket, writes one struct
 * ctl_request, and reads one struct ctl_reply followed by n_tunnels
 * struct ctl_tunnel and n_sessions struct ctl_session; then the daemon
 * closes the connection. Every struct has a fixed size and is checked
 * exactly; strings are NUL-terminated within their arrays. Both ends run
 * on the same host, so integers are in host order.
 */
#ifndef L2TPSRV_CTL_PROTO_H
#define L2TPSRV_CTL_PROTO_H

#include <stdint.h>

#define CTL_MAGIC 0x6c327470u /* "l2tp" */
#define CTL_VERSION 1
#define CTL_DEFAULT_SOCKET "/run/l2tpsrv/control"

enum ctl_command {
	CTL_LIST = 1,          /* tunnels and their sessions */
	CTL_CLOSE_TUNNEL = 2,  /* tunnel_id: StopCCN, result 1 */
	CTL_CLOSE_SESSION = 3, /* tunnel_id, session_id: CDN, result 3 */
	CTL_SET_ACCM = 4,      /* tunnel_id, session_id, arg[0] send, arg[1] receive: SLI */
	CTL_SHUTDOWN = 5,      /* stop all tunnels and exit */
};

struct ctl_request {
	uint32_t magic;
	uint16_t version;
	uint16_t command;
	uint16_t tunnel_id;
	uint16_t session_id;
	uint32_t arg[2];
};

struct ctl_reply {
	uint32_t magic;
	int32_t status; /* 0 or a negative errno */
	uint32_t n_tunnels;
	uint32_t n_sessions;
	uint64_t uptime_ms;
	uint64_t tunnels_established; /* since start */
	uint64_t sessions_established;
	uint64_t packets_dropped;
};

struct ctl_tunnel {
	uint16_t tunnel_id;
	uint16_t peer_tunnel_id;
	uint32_t sessions;
	char state[16];
	char peer[56];
	char host_name[64];
	uint64_t age_ms; /* since established, 0 if not yet */
	uint64_t sent;
	uint64_t retransmitted;
	uint64_t delivered;
	uint64_t duplicates;
	uint64_t out_of_order;
	uint16_t cwnd;
	uint16_t peer_window;
	uint16_t unacked;
	uint16_t queued;
};

struct ctl_session {
	uint16_t tunnel_id;
	uint16_t session_id;
	uint16_t peer_session_id;
	uint16_t reserved;
	char state[16];
	char calling_number[64];
	char called_number[64];
	uint32_t call_serial_number;
	uint32_t tx_connect_speed;
	uint32_t send_accm;
	uint32_t recv_accm;
	uint32_t wen_count;
	uint32_t crc_errors;
	uint32_t framing_errors;
	uint32_t hardware_overruns;
	uint32_t buffer_overruns;
	uint32_t timeout_errors;
	uint32_t alignment_errors;
	uint32_t reserved2;
	uint64_t age_ms;
};

#endif
