#!/usr/bin/env bats
# l2tpctl init: the first-run setup, and l2tpctl add-user: another user
# on a gateway set up, written into a temporary --root. Each run is in a
# fresh network namespace (unshare --net) whose addresses and routes the
# test sets, so the pool it picks and the server address it shows do not
# depend on this host.

load helpers

L2TPCTL=$BUILDDIR/l2tpsrv/l2tpctl
L2TPSRV=$BUILDDIR/l2tpsrv/l2tpsrv

# use_root DIR: init writes below DIR, the files' names follow
use_root() {
	ROOT=$1
	mkdir -p "$ROOT"
	SECRETS=$ROOT/etc/swanctl/conf.d/l2tpsrv-secrets.conf
	CONF=$ROOT/etc/l2tpsrv/l2tpsrv.conf
	CHAP=$ROOT/etc/ppp/chap-secrets
}

setup() {
	use_root "$BATS_TEST_TMPDIR/root"
	OUT=$BATS_TEST_TMPDIR/stdout
	ERR=$BATS_TEST_TMPDIR/stderr
}

# ctl_in_ns COMMAND NET_SETUP [ARGS...]: in a new network namespace with
# lo up, runs the shell commands NET_SETUP, then l2tpctl COMMAND --root
# $ROOT ARGS. stdout goes to $OUT, stderr to $ERR (kept apart: secrets may
# be in one only), the exit status to $status.
ctl_in_ns() {
	local cmd=$1 net_setup=$2
	shift 2
	status=0
	unshare --net sh -c "ip link set lo up && $net_setup"' && exec "$0" "$@"' \
		"$L2TPCTL" "$cmd" --root "$ROOT" "$@" >"$OUT" 2>"$ERR" || status=$?
}

# init_in_ns NET_SETUP [ARGS...]: l2tpctl init --root $ROOT ARGS
init_in_ns() {
	ctl_in_ns init "$@"
}

# add_user_in_ns NET_SETUP [ARGS...]: l2tpctl add-user --root $ROOT ARGS
add_user_in_ns() {
	ctl_in_ns add-user "$@"
}

psk_of() {
	sed -n 's/^\t\tsecret = "\(.*\)"$/\1/p' "$SECRETS"
}

pool_of() {
	sed -n 's/^pool = //p' "$CONF"
}

# the password of user $1 in chap-secrets
password_of() {
	awk -v u="$1" '$1 == u { print $3 }' "$CHAP"
}

# refute CMD...: fails when CMD succeeds (a bare "! CMD" never fails a bats test)
refute() {
	if "$@"; then
		return 1
	fi
}

checksums() {
	sha256sum "$SECRETS" "$CONF" "$CHAP"
}

@test "init writes a 0600 swanctl secret of at least 32 random bytes, new on every run" {
	init_in_ns :
	[ "$status" -eq 0 ]
	[ "$(stat -c %a "$SECRETS")" = 600 ]
	[ "$(stat -c %a "$CHAP")" = 600 ]
	# the shape of packaging/swanctl/l2tpsrv-secrets.conf.example
	grep -q '^secrets {$' "$SECRETS"
	grep -q '^	ike-l2tpsrv {$' "$SECRETS"
	psk=$(psk_of)
	[ -n "$psk" ]
	[ "$(printf %s "$psk" | base64 -d | wc -c)" -ge 32 ]
	use_root "$BATS_TEST_TMPDIR/root2"
	init_in_ns :
	[ "$status" -eq 0 ]
	psk2=$(psk_of)
	[ -n "$psk2" ]
	[ "$psk" != "$psk2" ]
}

@test "swanctl reads the key exactly as printed (a stand-in for charon's VICI socket)" {
	command -v swanctl >/dev/null || skip "no swanctl"
	init_in_ns :
	[ "$status" -eq 0 ]
	sock=$BATS_TEST_TMPDIR/vici.sock
	python3 "$BATS_TEST_DIRNAME/lib/vici_stub.py" "$sock" "$BATS_TEST_TMPDIR/loaded" 3>&- &
	stub=$!
	for _ in $(seq 100); do [ -S "$sock" ] && break; sleep 0.05; done
	run swanctl --load-creds --noprompt --file "$SECRETS" --uri "unix://$sock"
	wait "$stub"
	[ "$status" -eq 0 ]
	[[ "$output" == *"loaded ike secret 'ike-l2tpsrv'"* ]]
	psk=$(sed -n 's/^  Pre-shared key: *//p' "$OUT")
	[ -n "$psk" ]
	[ "$(cat "$BATS_TEST_TMPDIR/loaded")" = "ike $(printf %s "$psk" | od -An -tx1 | tr -d ' \n')" ]
}

@test "without clashes the pool is the built-in default's, and the config passes --check-config" {
	init_in_ns :
	[ "$status" -eq 0 ]
	[[ "$(head -n 1 "$CONF")" == "# Written by l2tpctl init on "2[0-9][0-9][0-9]-* ]]
	[ "$(pool_of)" = 192.168.42.10-192.168.42.250 ]
	grep -qx 'local_ip = 192.168.42.1' "$CONF"
	run "$L2TPSRV" --check-config -c "$CONF"
	[ "$status" -eq 0 ]
	[[ "$output" == *"pool = 192.168.42.10-192.168.42.250"* ]]
	[[ "$output" == *"local_ip = 192.168.42.1"* ]]
}

@test "the pool avoids the network of a local address" {
	init_in_ns 'ip addr add 192.168.42.5/24 dev lo'
	[ "$status" -eq 0 ]
	pool=$(pool_of)
	[[ "$pool" != 192.168.42.* ]]
	[ "$pool" = 10.42.0.10-10.42.0.250 ]
	grep -qx 'local_ip = 10.42.0.1' "$CONF"
	run "$L2TPSRV" --check-config -c "$CONF"
	[ "$status" -eq 0 ]
}

@test "the pool avoids routed networks too" {
	init_in_ns 'ip addr add 192.168.42.5/24 dev lo && ip route add 10.42.0.0/16 dev lo'
	[ "$status" -eq 0 ]
	pool=$(pool_of)
	[[ "$pool" != 192.168.42.* ]]
	[[ "$pool" != 10.42.* ]]
	[ "$pool" = 10.43.0.10-10.43.0.250 ]
	run "$L2TPSRV" --check-config -c "$CONF"
	[ "$status" -eq 0 ]
}

@test "a VPN client's 0.0.0.0/1 and 128.0.0.0/1 count as a default route, not as networks" {
	init_in_ns 'ip addr add 10.0.0.2/24 dev lo &&
		ip route add 0.0.0.0/1 dev lo && ip route add 128.0.0.0/1 dev lo'
	[ "$status" -eq 0 ]
	[ "$(pool_of)" = 192.168.42.10-192.168.42.250 ]
}

@test "--pool takes the given network; one that clashes only with --force" {
	init_in_ns 'ip addr add 10.8.0.5/16 dev lo' --pool 10.8.1.0/24
	[ "$status" -eq 1 ]
	grep -q 'pool 10.8.1.0/24.*10.8.0.5/16.*--force' "$ERR"
	[ ! -e "$SECRETS" ]
	[ ! -e "$CONF" ]
	[ ! -e "$CHAP" ]
	init_in_ns 'ip addr add 10.8.0.5/16 dev lo' --pool 10.8.1.0/24 --force
	[ "$status" -eq 0 ]
	[ "$(pool_of)" = 10.8.1.10-10.8.1.250 ]
	rm -r "$ROOT/etc"
	init_in_ns : --pool 10.9.0.0/28
	[ "$status" -eq 0 ]
	[ "$(pool_of)" = 10.9.0.2-10.9.0.14 ]
	grep -qx 'local_ip = 10.9.0.1' "$CONF"
	run "$L2TPSRV" --check-config -c "$CONF"
	[ "$status" -eq 0 ]
}

@test "a second run without --force fails, names the files and changes nothing" {
	init_in_ns :
	[ "$status" -eq 0 ]
	before=$(checksums)
	init_in_ns :
	[ "$status" -eq 1 ]
	grep -q "$SECRETS: exists; use --force" "$ERR"
	grep -q "$CONF: exists; use --force" "$ERR"
	grep -q "$CHAP: the user vpnuser exists; use --force" "$ERR"
	# and says how to add a user instead
	grep -qF "set up already; to add a user with the same pre-shared key and pool: l2tpctl add-user NAME --root $ROOT" "$ERR"
	[ ! -s "$OUT" ]
	[ "$(checksums)" = "$before" ]
	# no temporary files left beside them
	[ "$(find "$ROOT" -type f | wc -l)" -eq 3 ]
}

@test "one existing file is enough to refuse, and nothing else is written" {
	mkdir -p "$ROOT/etc/l2tpsrv"
	echo 'max_tunnels = 5' >"$CONF"
	init_in_ns :
	[ "$status" -eq 1 ]
	grep -q "$CONF: exists; use --force" "$ERR"
	[ ! -e "$SECRETS" ]
	[ ! -e "$CHAP" ]
	[ "$(cat "$CONF")" = 'max_tunnels = 5' ]
}

@test "the package's l2tpsrv.conf, all comments, is replaced without --force" {
	mkdir -p "$ROOT/etc/l2tpsrv"
	cp "$SRCDIR/packaging/l2tpsrv.conf.example" "$CONF"
	init_in_ns :
	[ "$status" -eq 0 ]
	[ "$(pool_of)" = 192.168.42.10-192.168.42.250 ]
	# one setting in it, even after comments, and it is the admin's
	cp "$SRCDIR/packaging/l2tpsrv.conf.example" "$CONF"
	printf '\n  max_tunnels = 5\n' >>"$CONF"
	rm "$SECRETS" "$CHAP"
	init_in_ns :
	[ "$status" -eq 1 ]
	grep -q "$CONF: exists; use --force" "$ERR"
}

@test "--force rewrites the key, the config and the user's password" {
	init_in_ns :
	[ "$status" -eq 0 ]
	psk=$(psk_of)
	pw=$(password_of vpnuser)
	init_in_ns : --force
	[ "$status" -eq 0 ]
	[ "$(psk_of)" != "$psk" ]
	[ "$(password_of vpnuser)" != "$pw" ]
	[ "$(grep -c '^vpnuser ' "$CHAP")" -eq 1 ]
	[ "$(stat -c %a "$SECRETS")" = 600 ]
	[ "$(stat -c %a "$CHAP")" = 600 ]
	[ "$(find "$ROOT" -type f | wc -l)" -eq 3 ]
}

@test "--user adds a line to an existing chap-secrets and keeps the others" {
	mkdir -p "$ROOT/etc/ppp"
	printf '# mine\nbob\t*\t"bob pw"\t*\n' >"$CHAP"
	chmod 0644 "$CHAP"
	init_in_ns : --user alice
	[ "$status" -eq 0 ]
	[ "$(sed -n 1,2p "$CHAP")" = "$(printf '# mine\nbob\t*\t"bob pw"\t*')" ]
	[ "$(wc -l <"$CHAP")" -eq 3 ]
	line=$(sed -n 3p "$CHAP")
	[[ "$line" =~ ^alice\ \*\ [A-Za-z0-9]{16}\ \*$ ]]
	[ "$(stat -c %a "$CHAP")" = 600 ]
	grep -q "User name: *alice" "$OUT"
	# a second user next to the first one: only with --force (the other files exist)
	init_in_ns : --user carol
	[ "$status" -eq 1 ]
	init_in_ns : --user carol --force
	[ "$status" -eq 0 ]
	[ "$(sed -n 1,3p "$CHAP")" = "$(printf '# mine\nbob\t*\t"bob pw"\t*\n%s' "$line")" ]
	grep -q '^carol \* [A-Za-z0-9]\{16\} \*$' "$CHAP"
}

@test "an existing user is refused without --force; --force replaces only that user's line" {
	mkdir -p "$ROOT/etc/ppp"
	printf 'alice * a1 *\n"bob" * old-pw *\ncarol * c1 *\n' >"$CHAP"
	init_in_ns : --user bob
	[ "$status" -eq 1 ]
	grep -q "$CHAP: the user bob exists; use --force" "$ERR"
	[ ! -e "$SECRETS" ]
	[ ! -e "$CONF" ]
	[ "$(cat "$CHAP")" = "$(printf 'alice * a1 *\n"bob" * old-pw *\ncarol * c1 *')" ]
	init_in_ns : --user bob --force
	[ "$status" -eq 0 ]
	[ "$(sed -n 1p "$CHAP")" = 'alice * a1 *' ]
	[ "$(sed -n 3p "$CHAP")" = 'carol * c1 *' ]
	[[ "$(sed -n 2p "$CHAP")" =~ ^bob\ \*\ [A-Za-z0-9]{16}\ \*$ ]]
	[ "$(wc -l <"$CHAP")" -eq 3 ]
	refute grep -q old-pw "$CHAP"
}

@test "the summary has the key, the user, the password and the clients' steps; stderr no secret" {
	init_in_ns :
	[ "$status" -eq 0 ]
	psk=$(psk_of)
	pw=$(password_of vpnuser)
	[ -n "$psk" ]
	[ -n "$pw" ]
	grep -qF "Pre-shared key:  $psk" "$OUT"
	grep -qF "Password:        $pw" "$OUT"
	grep -qF "User name:       vpnuser" "$OUT"
	grep -q 'AssumeUDPEncapsulationContextOnSendRule /t REG_DWORD /d 2' "$OUT"
	grep -q 'HKLM\\SYSTEM\\CurrentControlSet\\Services\\PolicyAgent' "$OUT"
	grep -q 'L2TP/IPsec with pre-shared key' "$OUT"
	grep -q 'MS-CHAP v2' "$OUT"
	grep -q 'L2TP over IPSec' "$OUT"
	grep -q 'Type: L2TP' "$OUT"
	grep -q 'Android 12 and newer have no built-in L2TP/IPsec' "$OUT"
	grep -q 'swanctl --load-all' "$OUT"
	grep -q 'systemctl restart l2tpsrv' "$OUT"
	# no address at all in this namespace: the placeholder
	grep -qF "Server address:  <this server's public address>" "$OUT"
	[ ! -s "$ERR" ]
	# refusals and --force on a clashing pool talk on stderr: never a secret
	init_in_ns :
	[ "$status" -eq 1 ]
	[ -s "$ERR" ]
	refute grep -qF -e "$psk" -e "$pw" "$ERR"
	init_in_ns 'ip addr add 10.8.0.5/16 dev lo' --force --pool 10.8.0.0/24
	[ "$status" -eq 0 ]
	[ -s "$ERR" ]
	psk2=$(psk_of)
	pw2=$(password_of vpnuser)
	refute grep -qF -e "$psk" -e "$pw" -e "$psk2" -e "$pw2" "$ERR"
	grep -qF "$psk2" "$OUT"
}

@test "the server address is that of the default route's interface" {
	# (no dummy or veth module here: lo stands in for the uplink)
	init_in_ns 'ip addr add 198.51.100.7/24 dev lo &&
		ip route add default via 198.51.100.1 dev lo'
	[ "$status" -eq 0 ]
	grep -qF "Server address:  198.51.100.7" "$OUT"
	refute grep -q 'private address' "$OUT"
	rm -r "$ROOT/etc"
	init_in_ns 'ip addr add 192.168.7.20/24 dev lo &&
		ip route add default via 192.168.7.1 dev lo'
	[ "$status" -eq 0 ]
	grep -qF "Server address:  192.168.7.20" "$OUT"
	grep -q 'private address: if this server is behind NAT' "$OUT"
}

@test "bad arguments are refused before anything is written" {
	init_in_ns : --user 'a b'
	[ "$status" -eq 1 ]
	grep -q -- '--user a b' "$ERR"
	init_in_ns : --pool 10.1.2.3/24
	[ "$status" -eq 1 ]
	grep -q -- '--pool 10.1.2.3/24: host bits set' "$ERR"
	init_in_ns : --pool 127.1.0.0/24
	[ "$status" -eq 1 ]
	init_in_ns : --pool 10.0.0.0/8
	[ "$status" -eq 1 ]
	init_in_ns : --bogus
	[ "$status" -eq 1 ]
	init_in_ns : extra
	[ "$status" -eq 1 ]
	[ -z "$(find "$ROOT" -mindepth 1)" ]
	run "$L2TPCTL" init --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"usage: l2tpctl init [--force] [--user NAME] [--root DIR] [--pool CIDR]"* ]]
}

# --- l2tpctl add-user ---

# the line of user $1 in chap-secrets
line_of() {
	awk -v u="$1" '$1 == u' "$CHAP"
}

# A password of init's alphabet: no 0/O/o, 1/l/I.
PASSWORD_RE='^[a-km-zA-HJ-NP-Z2-9]{16}$'

@test "add-user adds a second and a third user; the first, the key and the config stay" {
	init_in_ns 'ip addr add 198.51.100.7/24 dev lo &&
		ip route add default via 198.51.100.1 dev lo' --user alice
	[ "$status" -eq 0 ]
	keys=$(sha256sum "$SECRETS" "$CONF")
	psk=$(psk_of)
	alice=$(line_of alice)
	add_user_in_ns 'ip addr add 198.51.100.7/24 dev lo &&
		ip route add default via 198.51.100.1 dev lo' bob
	[ "$status" -eq 0 ]
	[ "$(sha256sum "$SECRETS" "$CONF")" = "$keys" ]
	[ "$(sed -n 3p "$CHAP")" = "$alice" ]
	pw=$(password_of bob)
	[[ "$pw" =~ $PASSWORD_RE ]]
	[ "$(sed -n 4p "$CHAP")" = "bob * $pw *" ]
	[ "$(stat -c %a "$CHAP")" = 600 ]
	# what the client needs, on stdout; the key itself is not shown, but where it is
	grep -qF "User name:       bob" "$OUT"
	grep -qF "Password:        $pw" "$OUT"
	grep -qF "Server address:  198.51.100.7" "$OUT"
	grep -qF "the pre-shared key is in $SECRETS" "$OUT"
	refute grep -qF "$psk" "$OUT"
	[ ! -s "$ERR" ]
	add_user_in_ns : carol
	[ "$status" -eq 0 ]
	[ "$(sha256sum "$SECRETS" "$CONF")" = "$keys" ]
	[ "$(sed -n 3,4p "$CHAP")" = "$(printf '%s\nbob * %s *' "$alice" "$pw")" ]
	[[ "$(password_of carol)" =~ $PASSWORD_RE ]]
	[ "$(password_of carol)" != "$pw" ]
	[ "$(wc -l <"$CHAP")" -eq 5 ]
	# no temporary files left beside them
	[ "$(find "$ROOT" -type f | wc -l)" -eq 3 ]
}

@test "add-user keeps the other lines byte for byte, and creates a missing chap-secrets" {
	mkdir -p "$ROOT/etc/ppp"
	printf '# mine\nalice\tl2tpsrv\t"a pw # not a comment"\t10.0.0.5\n\n  carol * c\\ 1 *\r\n' >"$CHAP"
	cp "$CHAP" "$BATS_TEST_TMPDIR/before"
	chmod 0644 "$CHAP"
	add_user_in_ns : bob
	[ "$status" -eq 0 ]
	size=$(stat -c %s "$BATS_TEST_TMPDIR/before")
	head -c "$size" "$CHAP" | cmp - "$BATS_TEST_TMPDIR/before"
	[ "$(tail -n +5 "$CHAP")" = "bob * $(password_of bob) *" ]
	[ "$(stat -c %a "$CHAP")" = 600 ]
	# no chap-secrets, no /etc/ppp even: both made, and a note that init has not run
	use_root "$BATS_TEST_TMPDIR/empty"
	add_user_in_ns : alice
	[ "$status" -eq 0 ]
	[ "$(stat -c %a "$CHAP")" = 600 ]
	[ "$(grep -v '^#' "$CHAP")" = "alice * $(password_of alice) *" ]
	grep -qF "$SECRETS is missing" "$ERR"
	[ ! -e "$SECRETS" ]
	[ ! -e "$CONF" ]
}

@test "add-user refuses a user who has a line, says why, and changes nothing" {
	mkdir -p "$ROOT/etc/ppp"
	printf 'alice * a1 *\n"bob" * old-pw *\n' >"$CHAP"
	before=$(sha256sum "$CHAP")
	add_user_in_ns : bob
	[ "$status" -eq 1 ]
	grep -qF "l2tpctl add-user: $CHAP: the user bob exists; use --force to give bob a new password" "$ERR"
	grep -qF "nothing written" "$ERR"
	[ ! -s "$OUT" ]
	[ "$(sha256sum "$CHAP")" = "$before" ]
	[ "$(find "$ROOT" -type f | wc -l)" -eq 1 ]
}

@test "add-user --force replaces only that user's password" {
	mkdir -p "$ROOT/etc/ppp"
	printf 'alice * a1 *\n"bob"\tl2tpsrv\told-pw\t10.0.0.5\ncarol * c1 *\nbob other old-pw2 *\n' >"$CHAP"
	add_user_in_ns : bob --force
	[ "$status" -eq 0 ]
	pw=$(sed -n 's/^  Password: *//p' "$OUT")
	[[ "$pw" =~ $PASSWORD_RE ]]
	[ "$(cat "$CHAP")" = "$(printf 'alice * a1 *\n"bob"\tl2tpsrv\t%s\t10.0.0.5\ncarol * c1 *\nbob other %s *' "$pw" "$pw")" ]
	refute grep -q old-pw "$CHAP"
	grep -qF "a new password for the user bob" "$OUT"
	[ "$(stat -c %a "$CHAP")" = 600 ]
	# (stderr notes that init has not run here: no key file)
	refute grep -qF "$pw" "$ERR"
	# options before the name do as well
	add_user_in_ns : --force bob
	[ "$status" -eq 0 ]
	refute grep -qF "$pw" "$CHAP"
	[ "$(line_of alice)" = 'alice * a1 *' ]
}

@test "add-user refuses bad names and arguments before anything is written" {
	for name in 'a b' '#bob' 'a"b' 'bob*' "$(printf 'a%.0s' $(seq 65))" ''; do
		add_user_in_ns : -- "$name"
		[ "$status" -eq 1 ]
		grep -qF -- "l2tpctl add-user: $name: 1 to 64 of" "$ERR"
		[ ! -s "$OUT" ]
	done
	add_user_in_ns : -- -bob
	[ "$status" -eq 1 ]
	add_user_in_ns : --bogus bob
	[ "$status" -eq 1 ]
	add_user_in_ns :
	[ "$status" -eq 1 ]
	grep -q 'which user' "$ERR"
	add_user_in_ns : bob carol
	[ "$status" -eq 1 ]
	[ -z "$(find "$ROOT" -mindepth 1)" ]
	run "$L2TPCTL" add-user --help
	[ "$status" -eq 0 ]
	[[ "$output" == *"usage: l2tpctl add-user NAME [--force] [--root DIR]"* ]]
	run "$L2TPCTL" --help
	[[ "$output" == *"l2tpctl add-user NAME [--force] [--root DIR]"* ]]
}

@test "add-user never puts a password on stderr" {
	init_in_ns :
	[ "$status" -eq 0 ]
	add_user_in_ns : bob
	[ "$status" -eq 0 ]
	pw=$(password_of bob)
	grep -qF "$pw" "$OUT"
	[ ! -s "$ERR" ]
	# refused: stderr talks, without the passwords of the file
	add_user_in_ns : bob
	[ "$status" -eq 1 ]
	[ -s "$ERR" ]
	refute grep -qF -e "$pw" -e "$(password_of vpnuser)" "$ERR"
	# replaced, with a note on stderr (no key file): not the new password either
	rm "$SECRETS"
	add_user_in_ns : bob --force
	[ "$status" -eq 0 ]
	[ -s "$ERR" ]
	pw2=$(password_of bob)
	grep -qF "$pw2" "$OUT"
	refute grep -qF -e "$pw" -e "$pw2" "$ERR"
}
