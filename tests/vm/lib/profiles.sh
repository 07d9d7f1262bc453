# profiles.sh: the client profiles of packaging/swanctl/clients/ against the
# server configuration the package ships, for the scenario client-profiles.
# Needs topology.sh, strongswan.sh, l2tp.sh, ppp.sh and check.sh.
#
#   pki_make DIR            a test CA, the server's certificate (192.0.2.1
#                           and vpn.example.net, with the serverAuth and IKE
#                           Intermediate extended key usages Windows wants)
#                           and a Windows machine certificate, RSA 2048, made
#                           with strongSwan's pki into DIR
#   pki_server_install HOST DIR
#                           the server's certificate, key and the CA into
#                           HOST's /etc/swanctl, where l2tpsrv.conf's
#                           certificate connection expects them
#   profile_clients_up HOST DIR
#                           a charon on HOST with every client profile loaded
#                           (packaging/swanctl/clients/*.conf as they are),
#                           the test PSK and DIR's Windows certificate
#   profile_dial HOST PORT USER
#                           Debian's xl2tpd (kernel mode) on HOST as the LAC
#                           "vpn", sending L2TP from udp/PORT to the server's
#                           1701, dials as USER
#   server_sa_summary REMOTE
#                           the server's SAs with the client whose outer
#                           address is REMOTE, one line each: "CONNECTION
#                           LOCAL_PORT IKE_ALGORITHMS CHILD_MODE ESP_ALGORITHMS",
#                           CHILD_MODE TRANSPORT-in-UDP when NAT-T encapsulates
#   esp_bytes_from HOST SRC bytes through HOST's inbound ESP SAs from SRC

PROFILE_LAC=vpn
PKI_DN="O=l2tpsrv test"

pki_make() {
	local dir=$1
	mkdir -p "$dir"
	# pki reads strongswan.conf for its plugins: only those it needs here,
	# not the machine's whole list (which names some that are not installed).
	cat >"$dir/strongswan.conf" <<-EOF
	pki {
		load = random drbg hmac sha1 sha2 gmp pem pkcs1 x509 pubkey
	}
	EOF
	(
		set -e
		export STRONGSWAN_CONF=$dir/strongswan.conf
		cd "$dir"
		for k in ca server windows-client; do
			pki --gen --type rsa --size 2048 --outform pem >"$k.key"
		done
		pki --self --ca --lifetime 30 --in ca.key --dn "$PKI_DN, CN=l2tpsrv test CA" \
			--outform pem >ca.pem
		pki --pub --in server.key | pki --issue --lifetime 30 --cacert ca.pem --cakey ca.key \
			--dn "$PKI_DN, CN=vpn.example.net" --san 192.0.2.1 --san vpn.example.net \
			--flag serverAuth --flag ikeIntermediate --outform pem >server.pem
		pki --pub --in windows-client.key | pki --issue --lifetime 30 --cacert ca.pem \
			--cakey ca.key --dn "$PKI_DN, CN=windows-client" --flag clientAuth \
			--outform pem >windows-client.pem
	)
}

pki_server_install() {
	local host=$1 dir=$2
	on "$host" sh -c 'umask 077
		cp "$1/server.pem" /etc/swanctl/x509/l2tpsrv.pem
		cp "$1/server.key" /etc/swanctl/private/l2tpsrv.pem
		cp "$1/ca.pem" /etc/swanctl/x509ca/l2tpsrv-ca.pem' sh "$dir"
}

profile_clients_up() {
	local host=$1 dir=$2
	on "$host" sh -c 'umask 077
		rm -f /etc/swanctl/conf.d/*.conf
		cp "$1"/*.conf /etc/swanctl/conf.d/
		cp "$2/windows-client.pem" /etc/swanctl/x509/
		cp "$2/windows-client.key" /etc/swanctl/private/windows-client.pem
		cp "$2/ca.pem" /etc/swanctl/x509ca/l2tpsrv-ca.pem' \
		sh "$L2TPSRV_SRCDIR/packaging/swanctl/clients" "$dir"
	charon_start "$host" '
include conf.d/*.conf
secrets {
	ike-server { id = 192.0.2.1
		secret = "'"$IPSEC_PSK"'" }
}'
}

# As xl2tpd_start (l2tp.sh), but from a port of our choice.
profile_dial() {
	local host=$1 port=$2 user=$3
	on "$host" sh -c 'mkdir -p /etc/xl2tpd /run/xl2tpd && cat >/etc/xl2tpd/xl2tpd.conf' <<-EOF
	[global]
	port = $port
	force userspace = no

	[lac $PROFILE_LAC]
	lns = 192.0.2.1
	pppoptfile = /etc/xl2tpd/options.$PROFILE_LAC
	autodial = no
	redial = no
	EOF
	ppp_client_options "$user" |
		on "$host" sh -c 'cat >"/etc/xl2tpd/options.$1"' sh "$PROFILE_LAC"
	# An earlier xl2tpd's log would satisfy the wait below at once
	on "$host" rm -f /var/log/xl2tpd.log /var/log/pppd.log
	on "$host" sh -c 'exec xl2tpd -D -c /etc/xl2tpd/xl2tpd.conf -p /run/xl2tpd/xl2tpd.pid \
		-C /run/xl2tpd/l2tp-control >/var/log/xl2tpd.log 2>&1' &
	wait_for "xl2tpd on $host listens on udp/$port" 20 \
		xl2tpd_log_has "$host" "Listening on IP address .*, port $port"
	xl2tpd_command "$host" "c $PROFILE_LAC"
}

server_sa_summary() {
	on server swanctl --list-sas | awk -v r="$1" '
		/^[^ ]/ { conn = $1; sub(/:$/, "", conn); mine = 0 }
		/^  local  / { port = $NF; gsub(/.*\[|\]/, "", port) }
		/^  remote / { mine = index($0, "@ " r "[") > 0 }
		mine && /^  [^ ]*\/PRF_/ { ike = $1 }
		mine && /^  [^ ]+: #/ { mode = $6; sub(/,$/, "", mode); print conn, port, ike, mode, $7 }'
}

esp_bytes_from() {
	on "$1" ip -s xfrm state list src "$2" proto esp |
		awk '/lifetime current:/ { cur = 1; next }
			cur { sub(/\(bytes\),?/, "", $1); n += $1; cur = 0 } END { print n + 0 }'
}
