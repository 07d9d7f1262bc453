/*
 * mss_clamp: the nftables table "inet l2tpsrv"; see mss_clamp.h.
 *
 * The batch is text for libnftables, the parser nft(8) itself uses, so an
 * operator can read it, and run it, as `nft -f`. nft 1.0.6 (Debian 12) has
 * no "destroy table", so a table that may or may not exist is replaced by
 * adding it (a no-op when it exists), deleting it and declaring it afresh,
 * all in one transaction: the kernel applies the whole batch or none of it,
 * and there is no moment without the rule. Removing is the same without
 * the declaration.
 *
 * libnftables writes its results and errors to stdout and stderr unless
 * told to buffer them; both are buffered here, so the daemon's stderr (its
 * log) only gets what the caller logs. The messages name tables, rules and
 * errno strings: nothing secret. One message escapes the buffer: nft 1.0.6
 * prints "Operation not permitted (you must be root)" straight to stderr
 * when it may not read the ruleset. So without CAP_NET_ADMIN nft is not
 * asked at all.
 */
#include "mss_clamp.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <nftables/libnftables.h>

/* Makes sure the table exists, so that the delete after it cannot fail. */
#define REPLACE_PREFIX \
	"add table inet l2tpsrv\n" \
	"delete table inet l2tpsrv\n"

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

/* The first line of nft's message, trimmed, with '"' made '\''. */
static void copy_first_line(char *err, size_t errlen, const char *msg)
{
	size_t len, i;

	if (!err || errlen == 0)
		return;
	if (!msg)
		msg = "";
	msg += strspn(msg, " \t\n");
	len = strcspn(msg, "\n");
	while (len > 0 && (msg[len - 1] == ' ' || msg[len - 1] == '\t'))
		len--;
	if (len == 0) {
		msg = "nft failed without a message";
		len = strlen(msg);
	}
	if (len >= errlen)
		len = errlen - 1;
	for (i = 0; i < len; i++)
		err[i] = msg[i] == '"' ? '\'' : msg[i];
	err[len] = '\0';
}

/* Whether we hold CAP_NET_ADMIN (in our user namespace); true when we
 * cannot tell, and nft will say. */
static bool have_net_admin(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3];

	if (syscall(SYS_capget, &hdr, data) < 0)
		return true;
	return data[CAP_TO_INDEX(CAP_NET_ADMIN)].effective & CAP_TO_MASK(CAP_NET_ADMIN);
}

/* Runs a batch through a fresh libnftables context. */
static int nft_run(const char *batch, char *err, size_t errlen)
{
	struct nft_ctx *nft;
	int r = 0;

	if (!have_net_admin()) {
		copy_first_line(err, errlen, "no CAP_NET_ADMIN");
		return -EPERM;
	}
	nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nft)
		return -ENOMEM;
	/* both return nonzero when they cannot set up the buffer */
	if (nft_ctx_buffer_output(nft) != 0 || nft_ctx_buffer_error(nft) != 0) {
		copy_first_line(err, errlen, "cannot buffer nft's output");
		r = -ENOMEM;
		goto out;
	}
	if (nft_run_cmd_from_buffer(nft, batch) != 0) {
		copy_first_line(err, errlen, nft_ctx_get_error_buffer(nft));
		r = -EIO;
	}
out:
	nft_ctx_free(nft);
	return r;
}

int mss_clamp_install(uint16_t mss, char *err, size_t errlen)
{
	char batch[MSS_CLAMP_RULESET_MAX];
	int r = mss_clamp_render(mss, batch, sizeof(batch));

	if (r < 0) {
		copy_first_line(err, errlen, r == -EINVAL ? "an MSS of 0" : "ruleset too long");
		return r;
	}
	return nft_run(batch, err, errlen);
}

int mss_clamp_remove(char *err, size_t errlen)
{
	return nft_run(REPLACE_PREFIX, err, errlen);
}
