# strongswan.sh: run a charon per host inside the test VM.
# Needs topology.sh and check.sh. Each host keeps its config in its own /etc and its
# sockets and logs in its own /run and /var/log.
#
#   charon_start HOST SWANCTL_CONF [EXTRA_PLUGIN]...
#                    write strongswan.conf and swanctl.conf, start charon,
#                    load the config
#   charon_log HOST  print the host's charon log

# Only the plugins a PSK/IKEv1/ESP setup needs: fewer to load under TCG, and
# none that would change the path (bypass-lan, kernel-libipsec).
CHARON_PLUGINS="random nonce aes sha1 sha2 md5 hmac kdf gmp x509
	pubkey pkcs1 pem kernel-netlink socket-default vici updown"

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
				path = /var/log/charon.log
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
		load = random pem pkcs1 x509 pubkey
	}
	EOF
	on "$host" sh -c 'exec /usr/lib/ipsec/charon >/var/log/charon.out 2>&1' &
	wait_for "charon on $host opens its vici socket" 20 on "$host" test -S /run/charon.vici
	check "swanctl on $host loads its config" on "$host" swanctl --load-all --noprompt
}

charon_log() {
	on "$1" cat /var/log/charon.log
}
