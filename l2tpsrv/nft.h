/*
 * nft: runs a batch of nft(8) commands through libnftables, for the
 * daemon's two tables (mss_clamp.h, natport.h).
 *
 * The batch is text, the language nft itself reads, so an operator can
 * read what we install and run it by hand with `nft -f`. Nothing here logs;
 * callers log with context.
 */
#ifndef L2TPSRV_NFT_H
#define L2TPSRV_NFT_H

#include <stddef.h>

/*
 * Runs batch in one transaction (the kernel applies all of it or none).
 * 0, or a negative errno with a message in err: -EPERM without
 * CAP_NET_ADMIN (nft is not asked), -EIO when nft refused the batch (the
 * first line of nft's message, double quotes made single so that it fits
 * in a log line's error="...").
 */
int nft_batch(const char *batch, char *err, size_t errlen);

/*
 * The start of a batch that replaces the whole table T ("inet name"): the
 * add makes sure it exists, so that the delete after it cannot fail, and a
 * table a killed daemon left goes in the same transaction.
 */
#define NFT_REPLACE_PREFIX(t) "add table " t "\n" "delete table " t "\n"

/* Copies msg's first line into err as nft_batch() does (for callers' own errors). */
void nft_error(char *err, size_t errlen, const char *msg);

#endif
