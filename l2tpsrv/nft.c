/*
 * nft: libnftables for the daemon's tables; see nft.h.
 *
 * libnftables writes its results and errors to stdout and stderr unless
 * told to buffer them; both are buffered here, so the daemon's stderr (its
 * log) only gets what the caller logs. The messages name tables, rules and
 * errno strings: nothing secret. One message escapes the buffer: nft 1.0.6
 * prints "Operation not permitted (you must be root)" straight to stderr
 * when it may not read the ruleset. So without CAP_NET_ADMIN nft is not
 * asked at all.
 */
#include "nft.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>
#include <nftables/libnftables.h>

void nft_error(char *err, size_t errlen, const char *msg)
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
int nft_batch(const char *batch, char *err, size_t errlen)
{
	struct nft_ctx *nft;
	int r = 0;

	if (!have_net_admin()) {
		nft_error(err, errlen, "no CAP_NET_ADMIN");
		return -EPERM;
	}
	nft = nft_ctx_new(NFT_CTX_DEFAULT);
	if (!nft) {
		nft_error(err, errlen, "cannot make an nft context");
		return -ENOMEM;
	}
	/* both return nonzero when they cannot set up the buffer */
	if (nft_ctx_buffer_output(nft) != 0 || nft_ctx_buffer_error(nft) != 0) {
		nft_error(err, errlen, "cannot buffer nft's output");
		r = -ENOMEM;
		goto out;
	}
	if (nft_run_cmd_from_buffer(nft, batch) != 0) {
		nft_error(err, errlen, nft_ctx_get_error_buffer(nft));
		r = -EIO;
	}
out:
	nft_ctx_free(nft);
	return r;
}
