#!/bin/bash
# pppd-plugin: Debian's pppd 2.4.9 loads our plugin (pppd_version matches)
# and takes its option; an unknown option is refused. dryrun makes pppd stop
# after checking its options, before it opens a link.
set -u
. "$VM_LIB/check.sh"

plugin=$L2TPSRV_BUILDDIR/pppd-plugin/.libs/l2tpsrv.so
out=$(pppd plugin "$plugin" l2tpsrv-socket /run/l2tpsrv/control pty true \
	noauth nodetach logfd 2 dryrun 2>&1)
rc=$?
echo "$out" | sed 's/^/    /'
check_eq "pppd accepts the plugin and its option (dryrun exit status)" 0 "$rc"
check "pppd says it loaded the plugin" grep -q "Plugin $plugin loaded" <<<"$out"
check "the plugin's option is parsed (dump shows it)" grep -q "l2tpsrv-socket /run/l2tpsrv/control" <<<"$out"

out=$(pppd plugin "$plugin" pty true noauth nodetach logfd 2 dryrun l2tpsrv-socket 2>&1)
rc=$?
echo "$out" | sed 's/^/    /'
check "l2tpsrv-socket without a value is refused" test "$rc" -ne 0
check "... as an option short of its value, not an unknown one" \
	grep -q "too few parameters for option l2tpsrv-socket" <<<"$out"
check_done
