/*
 * ctl_proto: the control socket's wire format, shared by the daemon
 * (control.c) and l2tpctl.
 *
 * A client connects to the unix stream socket, writes one struct
 * ctl_request (followed, for CTL_PPP_EVENT, CTL_KILL, CTL_AUTH, CTL_EAP and
 * CTL_DIAGNOSE, by the one struct that command takes), and reads one struct
 * ctl_reply followed by n_tunnels struct ctl_tunnel and n_sessions struct
 * ctl_session (CTL_AUTH: by one struct ctl_auth_reply when status is 0;
 * CTL_EAP: by one struct ctl_eap_reply; CTL_RELOAD: by one struct ctl_text,
 * whatever the status; CTL_STATS: by one struct ctl_stats; CTL_DIAGNOSE: by
 * one struct ctl_history, whatever the status, and its n_events struct
 * ctl_history_event); then the daemon closes the connection. Every struct
 * has a fixed size and is checked exactly;
 * strings are NUL-terminated within their arrays. Both ends run on the
 * same host, so integers are in host order.
 *
 * CTL_AUTH is answered when RADIUS has answered, seconds later: the client
 * waits on the open connection; closing it cancels the request.
 */
#ifndef L2TPSRV_CTL_PROTO_H
#define L2TPSRV_CTL_PROTO_H

#include <stdint.h>

#define CTL_MAGIC 0x6c327470u /* "l2tp" */
#define CTL_VERSION 7
#define CTL_DEFAULT_SOCKET "/run/l2tpsrv/control"

enum ctl_command {
	CTL_LIST = 1,          /* tunnels and their sessions */
	CTL_CLOSE_TUNNEL = 2,  /* tunnel_id: StopCCN, result 1 */
	CTL_CLOSE_SESSION = 3, /* tunnel_id, session_id: CDN, result 3 */
	CTL_SET_ACCM = 4,      /* tunnel_id, session_id, arg[0] send, arg[1] receive: SLI */
	CTL_SHUTDOWN = 5,      /* stop all tunnels and exit */
	/*
	 * From the pppd plugin: tunnel_id, session_id name the call, a struct
	 * ctl_ppp_event follows. Accepted only from the call's own pppd (the
	 * daemon compares SO_PEERCRED's pid with the pppd it started).
	 */
	CTL_PPP_EVENT = 6,
	/* A struct ctl_match follows; ends every session it matches (CDN, result 3). */
	CTL_KILL = 7,
	/*
	 * From the pppd plugin (with l2tpsrv-radius): tunnel_id, session_id
	 * name the call, a struct ctl_auth_request follows; the peer's
	 * credentials go to RADIUS, the verdict comes back in a struct
	 * ctl_auth_reply. Only from the call's own pppd, as CTL_PPP_EVENT.
	 * -EOPNOTSUPP when no RADIUS auth server is configured.
	 */
	CTL_AUTH = 8,
	/*
	 * From the pppd plugin (with l2tpsrv-radius), for EAP: one round of
	 * an EAP conversation relayed to RADIUS. A struct ctl_eap_request
	 * follows (the peer's EAP Response, and the State of the last
	 * Access-Challenge); a struct ctl_eap_reply answers (status 0): the
	 * next EAP Request for the peer (CTL_AUTH_CHALLENGE), or the verdict
	 * with the EAP Success/Failure to send. Same checks as CTL_AUTH.
	 */
	CTL_EAP = 9,
	/*
	 * Re-read the configuration file (as SIGHUP does). Status 0: applied;
	 * the struct ctl_text that follows says what, and which changes need
	 * a restart. A negative status: refused, the running settings stay;
	 * the text is the error ("file:line: problem").
	 */
	CTL_RELOAD = 10,
	/* The server's counters (stats.h): a struct ctl_stats follows the reply. */
	CTL_STATS = 11,
	/*
	 * What l2tpsrv recorded of one peer (its outer IP address, the same
	 * for IKE and L2TP), for l2tpctl diagnose: a struct ctl_peer follows.
	 * The reply's struct ctl_history says how many events follow, oldest
	 * first (the last CTL_HISTORY_EVENTS at most). -ENOENT: no record of
	 * that address; -EINVAL: addr is no IPv4 or IPv6 address.
	 */
	CTL_DIAGNOSE = 12,
};

struct ctl_peer {
	char addr[64]; /* "203.0.113.7", "2001:db8::7"; NUL-terminated */
};

/* CTL_DIAGNOSE: the phases a client goes through, in this order. */
enum ctl_phase {
	CTL_PHASE_IKE = 0,    /* IKE SA (Main Mode, IKE_SA_INIT/IKE_AUTH) */
	CTL_PHASE_ESP = 1,    /* the CHILD_SA that carries L2TP (Quick Mode) */
	CTL_PHASE_SCCRQ = 2,  /* L2TP: the client asks for a tunnel */
	CTL_PHASE_TUNNEL = 3, /* ... and completes it (SCCCN) */
	CTL_PHASE_ICRQ = 4,   /* it places a call */
	CTL_PHASE_ICCN = 5,   /* ... which is connected: the session is up */
	CTL_PHASE_LCP = 6,    /* PPP's link */
	CTL_PHASE_AUTH = 7,   /* PPP authentication */
	CTL_PHASE_IPCP = 8,   /* PPP's IP: the client has its address */
	CTL_PHASE_COUNT = 9,
};

enum ctl_result {
	CTL_RESULT_FAIL = 0, /* the phase failed */
	CTL_RESULT_OK = 1,   /* it succeeded */
	CTL_RESULT_DOWN = 2, /* what it had set up ended */
};

/* The longest detail of an event, with its NUL. */
#define CTL_HISTORY_DETAIL 176
/* The most events l2tpsrv keeps of one peer, and the most peers it keeps. */
#define CTL_HISTORY_EVENTS 32
#define CTL_HISTORY_PEERS 256

struct ctl_history {
	uint32_t n_events;
	uint32_t n_lost;   /* older events that no longer fit */
	char peer[64];     /* the address, as l2tpsrv writes it */
};

/*
 * One event: what happened in which phase, and what the layer said of it
 * as KEY=VALUE words ("alert=proposal-ike ikev=1 ...", "exit=11 ...");
 * printable ASCII, never a secret.
 */
struct ctl_history_event {
	uint64_t age_ms;  /* how long ago */
	uint8_t phase;    /* enum ctl_phase */
	uint8_t result;   /* enum ctl_result */
	uint8_t reserved[6];
	char detail[CTL_HISTORY_DETAIL];
};

struct ctl_text {
	char text[1024];
};

/* The RADIUS round-trip histogram's upper bounds: 10ms 50ms 100ms 500ms 1s 2s 5s. */
#define CTL_STATS_RTT_BUCKETS 7

/* One kind of RADIUS request (auth, acct). */
struct ctl_stats_radius {
	uint64_t requests;
	uint64_t responses;
	uint64_t timeouts;      /* requests no server answered */
	uint64_t bad_responses; /* answers dropped: authenticator, Message-Authenticator, id */
	uint64_t unsent;        /* requests no server could be sent */
	uint64_t rtt_count;     /* answered requests, and their round trips: */
	uint64_t rtt_sum_us;
	uint64_t rtt_bucket[CTL_STATS_RTT_BUCKETS]; /* in (bound i-1, bound i]; not cumulative */
};

/* CTL_STATS. Counters since the daemon started; tunnels ... pool_used are now. */
struct ctl_stats {
	uint64_t uptime_ms;
	uint32_t tunnels;  /* in any state */
	uint32_t sessions;
	uint64_t tunnels_established;
	uint64_t sessions_established;
	/* setups that failed, by the first phase they did not complete */
	uint64_t failed_tunnel;   /* SCCRQ taken, no SCCCN */
	uint64_t failed_session;  /* ICRQ taken, not established */
	uint64_t failed_ppp_lcp;  /* pppd ended before authentication */
	uint64_t failed_ppp_auth; /* authentication failed */
	uint64_t failed_ppp_ipcp; /* authenticated, IPCP never up */
	/* refused before any setup */
	uint64_t refused_no_ipsec;
	uint64_t refused_tunnel_limit;
	uint64_t refused_session_limit;
	uint64_t refused_pool_empty; /* (such a call counts in failed_session too) */
	uint64_t packets_dropped;    /* control datagrams */
	/* through the calls' PPP links, live and ended; in = from the clients */
	uint64_t bytes_in;
	uint64_t bytes_out;
	uint64_t packets_in;
	uint64_t packets_out;
	struct ctl_stats_radius radius_auth;
	struct ctl_stats_radius radius_acct;
	uint64_t acct_queue; /* Accounting-Requests not answered yet */
	uint32_t pool_used;
	uint32_t pool_size;
};

enum ctl_ppp_event_kind {
	CTL_PPP_AUTH_UP = 1, /* user, method */
	CTL_PPP_IP_UP = 2,   /* ifname, local_addr, remote_addr */
	CTL_PPP_DOWN = 3,    /* reason, exit_status, counters, connect_time_s */
};

struct ctl_ppp_event {
	uint32_t kind;        /* enum ctl_ppp_event_kind */
	int32_t exit_status;  /* pppd's EXIT_* status when IPCP went down (else at exit) */
	char user[64];        /* the name the peer authenticated with */
	/*
	 * "pap", "chap", "mschap", "mschap-v2", "eap"; in a DOWN before any
	 * AUTH_UP, the method LCP agreed on, "" when the peer refused to
	 * authenticate at all
	 */
	char method[16];
	char ifname[16];      /* ppp0 ... */
	uint32_t local_addr;  /* IPv4, network order */
	uint32_t remote_addr; /* IPv4, network order */
	char reason[64];      /* why the link went down, in pppd's words */
	uint64_t bytes_in;    /* as seen by the server: in = from the client */
	uint64_t bytes_out;
	uint64_t packets_in;
	uint64_t packets_out;
	uint32_t connect_time_s;
	uint32_t reserved;
};

enum ctl_match_by {
	CTL_MATCH_SESSION = 1, /* tunnel_id and session_id */
	CTL_MATCH_TUNNEL = 2,  /* every session of tunnel_id */
	CTL_MATCH_USER = 3,    /* user */
	CTL_MATCH_ADDR = 4,    /* addr: the PPP address given to the client */
};

struct ctl_match {
	uint32_t by; /* enum ctl_match_by */
	uint16_t tunnel_id;
	uint16_t session_id;
	char user[64];
	uint32_t addr; /* IPv4, network order */
	uint32_t reserved;
};

enum ctl_auth_method {
	CTL_AUTH_PAP = 1,
	CTL_AUTH_CHAP = 2,       /* CHAP with MD5 */
	CTL_AUTH_MSCHAP = 3,     /* MS-CHAP (version 1) */
	CTL_AUTH_MSCHAP_V2 = 4,
	CTL_AUTH_EAP = 5,        /* CTL_EAP's requests, in logs and calls_auth_done */
};

#define CTL_AUTH_MAX_CHALLENGE 64 /* pppd's MAX_CHALLENGE_LEN */
#define CTL_AUTH_MAX_RESPONSE 64  /* pppd's MAX_RESPONSE_LEN */

/*
 * What the peer sent to authenticate. For the CHAP family, challenge and
 * response are what pppd's chap_verify_hook gets, without their length
 * byte: MD5 a 16-octet hash; MS-CHAP 49 octets (LM-Response 24,
 * NT-Response 24, use-NT flag 1); MS-CHAPv2 49 octets (Peer-Challenge 16,
 * reserved 8, NT-Response 24, flags 1). The daemon never logs password or
 * response.
 */
struct ctl_auth_request {
	uint32_t method;       /* enum ctl_auth_method */
	uint8_t chap_id;       /* the CHAP Identifier of challenge and response */
	uint8_t challenge_len; /* 0..CTL_AUTH_MAX_CHALLENGE */
	uint8_t response_len;  /* 0..CTL_AUTH_MAX_RESPONSE */
	uint8_t reserved;
	char user[256];        /* the name the peer gave */
	char password[256];    /* PAP only; all zero for the others */
	uint8_t challenge[CTL_AUTH_MAX_CHALLENGE];
	uint8_t response[CTL_AUTH_MAX_RESPONSE];
};

enum ctl_auth_result {
	CTL_AUTH_ACCEPT = 1, /* Access-Accept */
	CTL_AUTH_REJECT = 2, /* Access-Reject, or an accept l2tpsrv cannot honour */
	CTL_AUTH_ERROR = 3,  /* no answer (timeout) or no request: pppd rejects too */
	CTL_AUTH_CHALLENGE = 4, /* CTL_EAP only: Access-Challenge, eap is the next Request */
};

/* The verdict; every field but result and message is 0 when not given. */
struct ctl_auth_reply {
	uint32_t result;            /* enum ctl_auth_result */
	uint32_t framed_ip;         /* the peer's address (IPv4, network order) */
	uint32_t session_timeout_s; /* pppd's maxconnect */
	uint32_t idle_timeout_s;    /* pppd's idle */
	uint32_t framed_mtu;
	uint32_t interim_s;         /* Acct-Interim-Interval: for l2tpsrv, not pppd */
	uint32_t dns[2];            /* IPv4, network order */
	/*
	 * To the peer in the Success or Failure packet. MS-CHAPv2 accept:
	 * "S=<40 hex digits>" (MS-CHAP2-Success without its Ident octet);
	 * MS-CHAP(v2) reject: "E=691 R=0 ..." (MS-CHAP-Error without Ident);
	 * otherwise the Reply-Message, or "".
	 */
	char message[256];
};

/* EAP packets relayed whole (code, identifier, length, data); PPP's MRU bounds them. */
#define CTL_EAP_MAX 1600
#define CTL_EAP_STATE_MAX 253 /* one State attribute */

/* CTL_EAP: the peer's EAP Response and what goes back to RADIUS with it. */
struct ctl_eap_request {
	char user[256];       /* the EAP identity (its Identity Response), for User-Name */
	uint16_t eap_len;     /* 4..CTL_EAP_MAX: the Response as the peer sent it */
	uint16_t state_len;   /* 0..CTL_EAP_STATE_MAX: the last Access-Challenge's State */
	uint8_t eap[CTL_EAP_MAX];
	uint8_t state[CTL_EAP_STATE_MAX];
	uint8_t reserved[3];
};

/*
 * The answer: base.result CTL_AUTH_CHALLENGE with the next Request in eap
 * and the State to send back; CTL_AUTH_ACCEPT/REJECT with RADIUS's EAP
 * Success/Failure in eap (eap_len 0 when it sent none: the plugin makes
 * one), and base as for CTL_AUTH (address, timeouts, ...); CTL_AUTH_ERROR
 * when RADIUS did not answer.
 */
struct ctl_eap_reply {
	struct ctl_auth_reply base;
	uint16_t eap_len;
	uint16_t state_len;
	uint8_t eap[CTL_EAP_MAX];
	uint8_t state[CTL_EAP_STATE_MAX];
	uint8_t reserved[3];
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
	uint32_t pool_in_use; /* addresses handed out now */
	uint32_t pool_size;
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
	/*
	 * The IKE SA the tunnel belongs to (0: none) and the marks that bind
	 * it to its CHILD_SA (l2tpctl's mark-in and mark-out; 0: none).
	 */
	uint32_t ike_sa;
	uint32_t mark;       /* of its datagrams, as they came through the SA */
	uint32_t reply_mark; /* of ours: the SA's outbound mark */
	/*
	 * Where its own socket is bound (CTL_PATH_*): clients behind one NAT
	 * share the listen port where the kernel allows it, or get ports of
	 * their own (path_port) with nftables rules.
	 */
	uint16_t path_port;
	uint8_t path;
	uint8_t reserved;
};

#define CTL_PATH_NONE 0      /* no socket of its own (null data path, not established) */
#define CTL_PATH_SAME_PORT 1 /* the listen port */
#define CTL_PATH_NAT_PORT 2  /* path_port, NATed to and from the listen port */

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
	/* what the pppd plugin reported; empty/zero until then */
	char peer[56];        /* the tunnel's peer address and port */
	char ppp_state[16];   /* "starting", "authenticated", "up" */
	char user[64];
	char method[16];
	char ifname[16];
	uint32_t local_addr;  /* IPv4, network order */
	uint32_t remote_addr; /* the address from the pool */
	int32_t pppd_pid;     /* 0: no pppd (null data path) */
	uint32_t reserved3;
	uint64_t bytes_in;    /* from the client, read from the PPP interface */
	uint64_t bytes_out;
	uint64_t packets_in;
	uint64_t packets_out;
	/* the IPsec SA protecting the tunnel, as our charon plugin reported it; zero/empty: none */
	uint32_t ike_sa;        /* charon's unique id of the IKE SA */
	uint8_t ike_version;    /* 1 or 2 */
	uint8_t ike_nat;        /* the peer is behind a NAT (NAT-T) */
	uint16_t reserved4;
	char ike_remote[56];    /* its outer address and port (the NAT's, 4500, when NATed) */
	char ike_id[128];       /* its IKE identity */
	char ike_user[64];      /* its XAuth or EAP identity */
	char ike_cert[128];     /* its certificate's subject */
	/* for RADIUS accounting: the call's Acct-Session-Id, and what the Access-Accept gave */
	char acct_session_id[24];
	uint16_t radius_class_len; /* octets in radius_class, 0: no Class */
	uint16_t reserved5;
	uint32_t acct_interim_s;   /* Acct-Interim-Interval, 0: none */
	uint8_t radius_class[64];  /* the first Class attribute (cut to 64 octets) */
};

#endif
