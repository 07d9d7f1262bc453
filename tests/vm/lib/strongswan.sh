# strongswan.sh: run a charon per host inside the test VM.
# Needs topology.sh and check.sh. Each host keeps its config in its own /etc and its
# sockets and logs in its own /run and /var/log. charon's log is
# /run/charon.log: where Debian's AppArmor profile for charon lets it write,
# for the VM that loads the profiles (systemd/ scenarios).
#
#   charon_start HOST SWANCTL_CONF [EXTRA_PLUGIN]...
#                    write strongswan.conf and swanctl.conf, start charon,
#                    load the config
#   charon_log HOST  print the host's charon log
#   ipsec_l2tp_up    the L2TP/IPsec setup of Windows and macOS clients on the
#                    standard topology: a server charon (192.0.2.1, with our
#                    plugin) and a client charon (192.0.2.10), IKEv1 with a
#                    PSK; the client initiates an ESP transport-mode CHILD_SA
#                    "l2tp" for udp/1701 on both ends
#   ipsec_server_up  only the server's half of that: the configuration the
#                    package ships, packaging/swanctl/l2tpsrv.conf, as it is,
#                    with l2tpsrv-secrets.conf.example's placeholder replaced
#                    by IPSEC_PSK; whatever the host has in
#                    /etc/swanctl/x509, x509ca and private is loaded too
#   ipsec_client_up HOST
#                    only a client's half, on HOST. IPSEC_CLIENT=windows
#                    offers what Windows 10/11 offers for L2TP/IPsec
#                    (IKEv1 main mode AES-CBC with SHA1 and MODP 1024 or
#                    2048; ESP AES-CBC with SHA1); the default is SHA-2

# Only the plugins a PSK/IKEv1/ESP setup needs: fewer to load under TCG, and
# none that would change the path (bypass-lan, kernel-libipsec).
CHARON_PLUGINS="random nonce aes sha1 sha2 md5 hmac kdf gmp x509
	pubkey pkcs1 pem kernel-netlink socket-default vici updown"
# The test PSK: the server's and every test client's
IPSEC_PSK=vm-test-psk-not-secret

charon_start() {
	local host=$1 conf=$2 i
	shift 2
	on "$host" sh -c 'cat >/etc/swanctl/swanctl.conf' <<<"$conf"
	on "$host" sh -c 'cat >/etc/strongswan.conf' <<-EOF
	charon {
		load_modular = no
		load = $(echo $CHARON_PLUGINS) $*
		install_routes = no
		filelog {
			charon {
				path = /run/charon.log
				time_format = %T
				ike_name = yes
				flush_line = yes
				default = 1
				cfg = 2
			}
		}
		syslog {
			daemon {
				default = -1
			}
		}
	}
	swanctl {
		load = random pem pkcs1 x509 pubkey gmp
	}
	EOF
	# A charon that ended before may have left its vici socket, which the
	# wait below would take for the new one's.
	on "$host" rm -f /run/charon.vici
	on "$host" sh -c 'exec /usr/lib/ipsec/charon >/var/log/charon.out 2>&1' &
	wait_for "charon on $host opens its vici socket" 20 on "$host" test -S /run/charon.vici
	check_quiet "swanctl on $host loads its config" on "$host" swanctl --load-all --noprompt
}

charon_log() {
	on "$1" cat /run/charon.log
}

ipsec_l2tp_up() {
	ipsec_server_up
	ipsec_client_up client
}

ipsec_server_up() {
	local pkg=$L2TPSRV_SRCDIR/packaging/swanctl
	# Our plugin, as the package will install it.
	cp "$L2TPSRV_BUILDDIR/charon-plugin/.libs/libstrongswan-l2tpsrv.so" /usr/lib/ipsec/plugins/

	# Only our files in conf.d: the host's /etc is its own, so this changes
	# nothing on the machine.
	on server sh -c 'rm -f /etc/swanctl/conf.d/*.conf && cp "$1" /etc/swanctl/conf.d/' \
		sh "$pkg/l2tpsrv.conf"
	sed "s/REPLACE-WITH-A-LONG-RANDOM-KEY/$IPSEC_PSK/" "$pkg/l2tpsrv-secrets.conf.example" |
		on server sh -c 'umask 077; cat >/etc/swanctl/conf.d/l2tpsrv-secrets.conf'
	check_quiet "server: the test PSK took the secrets example's placeholder" \
		on server grep -q "secret = \"$IPSEC_PSK\"" /etc/swanctl/conf.d/l2tpsrv-secrets.conf
	charon_start server 'include conf.d/*.conf' l2tpsrv
}

ipsec_client_up() {
	local host=$1 ike=aes256-sha256-modp2048 esp=aes256-sha256
	if [ "${IPSEC_CLIENT:-}" = windows ]; then
		ike=aes256-sha1-modp1024,aes128-sha1-modp1024,aes256-sha1-modp2048
		esp=aes256-sha1,aes128-sha1
	fi
	charon_start "$host" '
connections {
	l2tp {
		version = 1
		remote_addrs = 192.0.2.1
		proposals = '"$ike"'
		local { auth = psk }
		remote { auth = psk
			id = 192.0.2.1 }
		children {
			l2tp {
				mode = transport
				local_ts = dynamic[udp/1701]
				remote_ts = dynamic[udp/1701]
				esp_proposals = '"$esp"'
			}
		}
	}
}
secrets {
	ike-server { id = 192.0.2.1
		secret = "'"$IPSEC_PSK"'" }
}'

	check_quiet "$host initiates IKEv1 + transport-mode CHILD_SA" \
		on "$host" swanctl --initiate --child l2tp --timeout 60
}
