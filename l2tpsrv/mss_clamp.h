/*
 * mss_clamp: the nftables rule that fits TCP to the calls' PPP links
 * (the "mss_clamp" setting).
 *
 * A client's packets travel in PPP, L2TP, UDP and ESP, so its link's MTU
 * (ppp_mtu) is well below 1500. TCP learns that only from ICMP "fragmentation
 * needed", which many networks drop: the connection then hangs as soon as a
 * full-sized segment is sent. Lowering the MSS option of the SYNs that cross
 * a PPP interface to MTU - 40 (IPv4 and TCP headers) makes both ends send
 * segments that fit from the start.
 *
 * The rule lives in a table of its own, "inet l2tpsrv", with a forward chain
 * at mangle priority: SYN and SYN-ACK whose iifname or oifname is "ppp*" and
 * whose MSS is larger than the clamp get the clamp; a smaller MSS is left
 * alone. It matches every ppp* interface on the host, not only those of our
 * calls. The table is replaced in one atomic batch, so a table left behind by
 * a crashed run is simply overwritten.
 *
 * Nothing here logs; the caller logs with context.
 */
#ifndef L2TPSRV_MSS_CLAMP_H
#define L2TPSRV_MSS_CLAMP_H

#include <stddef.h>
#include <stdint.h>

/* IPv4 header and TCP header, without options. */
#define MSS_CLAMP_TCPIP_HEADERS 40
/* More than mss_clamp_render() ever writes. */
#define MSS_CLAMP_RULESET_MAX 1024

/* The MSS that fits a link of this MTU: mtu - 40 (0 for an absurd mtu). */
uint16_t mss_clamp_for_mtu(uint16_t mtu);

/*
 * Writes the nft batch that installs (or replaces) the table for mss into
 * buf, NUL-terminated. Returns its length, or -ENOSPC when size is too
 * small (buf then holds nothing useful). Needs no privilege.
 */
int mss_clamp_render(uint16_t mss, char *buf, size_t size);

/*
 * Installs or replaces the table through libnftables (CAP_NET_ADMIN and
 * nf_tables in the kernel). 0, or a negative errno with a message in err:
 * -EPERM without CAP_NET_ADMIN (nft is not asked), -EIO when nft refused
 * the batch (the first line of nft's message, double quotes made single so
 * that it fits in a log line's error="...").
 */
int mss_clamp_install(uint16_t mss, char *err, size_t errlen);

/* Deletes the table; no table is fine. 0, or a negative errno as above. */
int mss_clamp_remove(char *err, size_t errlen);

#endif
