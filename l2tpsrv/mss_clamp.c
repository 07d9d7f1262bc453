/*
 * mss_clamp: the nftables table "inet l2tpsrv"; see mss_clamp.h.
 *
 * nft 1.0.6 (Debian 12) has no "destroy table", so a table that may or may
 * not exist is replaced by adding it (a no-op when it exists), deleting it
 * and declaring it afresh, all in one transaction: the kernel applies the
 * whole batch or none of it, and there is no moment without the rule.
 * Removing is the same without the declaration.
 */
#include "mss_clamp.h"
#include "nft.h"

#include <errno.h>
#include <stdio.h>

#define REPLACE_PREFIX NFT_REPLACE_PREFIX("inet l2tpsrv")

/* SYN and SYN-ACK: syn set, rst clear, whatever else. */
#define CLAMP_RULE(dir) \
	"\t\t" dir "name \"ppp*\" tcp flags syn / syn,rst " \
	"tcp option maxseg size > %u tcp option maxseg size set %u\n"

uint16_t mss_clamp_for_mtu(uint16_t mtu)
{
	return mtu > MSS_CLAMP_TCPIP_HEADERS ? (uint16_t)(mtu - MSS_CLAMP_TCPIP_HEADERS) : 0;
}

int mss_clamp_render(uint16_t mss, char *buf, size_t size)
{
	unsigned int m = mss;
	int n;

	if (mss == 0)
		return -EINVAL;
	n = snprintf(buf, size,
		     REPLACE_PREFIX
		     "table inet l2tpsrv {\n"
		     "\tchain forward {\n"
		     "\t\ttype filter hook forward priority mangle; policy accept;\n"
		     CLAMP_RULE("iif")
		     CLAMP_RULE("oif")
		     "\t}\n"
		     "}\n",
		     m, m, m, m);
	if (n < 0 || (size_t)n >= size)
		return -ENOSPC;
	return n;
}

int mss_clamp_install(uint16_t mss, char *err, size_t errlen)
{
	char batch[MSS_CLAMP_RULESET_MAX];
	int r = mss_clamp_render(mss, batch, sizeof(batch));

	if (r < 0) {
		nft_error(err, errlen, r == -EINVAL ? "an MSS of 0" : "ruleset too long");
		return r;
	}
	return nft_batch(batch, err, errlen);
}

int mss_clamp_remove(char *err, size_t errlen)
{
	return nft_batch(REPLACE_PREFIX, err, errlen);
}
