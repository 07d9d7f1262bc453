/*
 * fuzz_lns_input: the layout of fuzz_lns's inputs, shared with the seed
 * generator (mkcorpus.c).
 *
 *   octet 0   configuration and prologue flags (FLAG_*)
 *   octet 1   more flags (FLAG2_*): data path failures, IPv6, shutdown
 *   then records, each:
 *     ctl     REC_* bits, and in the high nibble how far the clock moves
 *             (fuzz_lns.c: clock_steps[]) before the record; due timers
 *             fire on the way
 *     word    big-endian: op (high 3 bits, OP_*) and length (low 13 bits)
 *     octets  the datagram, or the op's arguments
 */
#ifndef L2TPSRV_FUZZ_LNS_INPUT_H
#define L2TPSRV_FUZZ_LNS_INPUT_H

enum {
	FLAG_PROLOGUE = 1 << 0,
	FLAG_SECRET = 1 << 1,
	FLAG_HIDE_AVPS = 1 << 2,
	FLAG_TIGHT_LIMITS = 1 << 3,
	FLAG_NO_ACK_DELAY = 1 << 4,
	FLAG_NO_HELLO = 1 << 5,
	FLAG_WINDOW_1 = 1 << 6,
	FLAG_ONE_RETRANSMIT = 1 << 7,
};

enum {
	FLAG2_DP_FAIL_OP = 7 << 0,    /* index in dp_failures[] (3..7: none) */
	FLAG2_DP_FAIL_COUNT = 3 << 3, /* how often, less one */
	FLAG2_PEER_B_IPV6 = 1 << 5,
	FLAG2_SHUTDOWN = 1 << 6,      /* end with lns_shutdown() and run the timers out */
	FLAG2_PROLOGUE_HIDDEN = 1 << 7,
};

enum {
	REC_PEER_B = 1 << 0,
	REC_FIX_HEADER = 1 << 1,
	REC_FIX_SESSION = 1 << 2, /* with REC_FIX_HEADER: the peer's server-side session id */
	REC_ACK_AFTER = 1 << 3,   /* the peer then acknowledges with a ZLB */
};

enum {
	OP_DATAGRAM = 0,
	OP_CLOSE_TUNNEL = 1,  /* the peer's tunnel */
	OP_CLOSE_SESSION = 2, /* the peer's session */
	OP_SET_ACCM = 3,      /* the peer's session; ACCMs from the octets */
	OP_SHUTDOWN = 4,
	OP_CLOSE_ANY_TUNNEL = 5, /* tunnel id from the octets */
	OP_NEW_TUNNEL = 6,       /* a datagram with a header for tunnel 0, Ns 0, Nr 0 */
	/* 7: a datagram too */
};

#define FLAG2_DP_FAIL_NONE 7 /* a FLAG2_DP_FAIL_OP value: no failures */
#define REC_CLOCK(step) ((step) << 4)
#define REC_OP_SHIFT 13
#define REC_LEN_MAX 0x1fff

#endif
