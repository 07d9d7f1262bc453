# topology.sh: hosts made of network namespaces inside the test VM.
# Source it from a script that runs in the VM (as root).
#
# Each host is a network namespace plus a mount and UTS namespace of its own,
# with a private writable /etc (an overlay over the VM's), a fresh /run and
# /var/log, and sysfs for its own interfaces. So several daemons that insist
# on /etc/strongswan.conf, /run/charon.pid and the like run side by side.
#
#   topo_host NAME                  create a host
#   on NAME CMD [ARG]...            run CMD on host NAME
#   pids_on NAME PROG...            pids of the processes called PROG on host
#                                   NAME (`on NAME pgrep` would see every
#                                   host's: they share the VM's pid namespace)
#   running_on NAME PROG...         whether one runs
#   kill_on NAME SIGNAL PROG...     signal them
#   topo_switch NAME                an L2 switch (a bridge in the VM's own namespace)
#   topo_attach HOST IF ADDR/LEN SWITCH   plug HOST into SWITCH as interface IF
#   topo_link HOST1 IF1 ADDR1 HOST2 IF2 ADDR2   a point-to-point veth link
#   topo_standard                   client, server, radius (see below)
#   topo_nat N                      a NAT router with N clients behind it
#   topo_routed NAME                a client behind that router, routed without NAT
#   topo_down                       kill every host's processes, remove all
#
# The standard topology uses documentation prefixes only:
#   wan 192.0.2.0/24:     server 192.0.2.1, client 192.0.2.10, nat 192.0.2.254
#   svc 198.51.100.0/24:  server 198.51.100.1, radius 198.51.100.2
#   lan 203.0.113.0/24:   nat 203.0.113.1, natclientI 203.0.113.(10+I)
#   198.18.0.0/24:        nat 198.18.0.1, the routed client 198.18.0.10

TOPO_DIR=/run/topo
TOPO_HOSTS=()

topo_init() {
	[ -d "$TOPO_DIR" ] && return 0
	mkdir -p "$TOPO_DIR"
	# unshare --mount=FILE needs a private mount to bind the namespace on.
	mount --bind "$TOPO_DIR" "$TOPO_DIR"
	mount --make-private "$TOPO_DIR"
}

topo_host() {
	local name=$1 d
	topo_init
	d=$TOPO_DIR/$name
	mkdir -p "$d/etc.upper" "$d/etc.work"
	touch "$d/mnt" "$d/uts"
	ip netns add "$name"
	unshare --mount="$d/mnt" --uts="$d/uts" --propagation private \
		nsenter --net="/run/netns/$name" -- sh -euc '
		mount -t overlay -o "lowerdir=/etc,upperdir=$1/etc.upper,workdir=$1/etc.work" overlay /etc
		mount -t tmpfs -o mode=0755 tmpfs /run
		mkdir -p /run/lock
		mount -t tmpfs -o mode=0755 tmpfs /var/log
		mount -t sysfs sysfs /sys
		hostname "$2"
		echo "$2" >/etc/hostname
	' topo-host "$d" "$name"
	ip -n "$name" link set lo up
	TOPO_HOSTS+=("$name")
}

on() {
	local name=$1
	shift
	nsenter --mount="$TOPO_DIR/$name/mnt" --uts="$TOPO_DIR/$name/uts" \
		--net="/run/netns/$name" -- "$@"
}

pids_on() {
	local host=$1 p comm n
	shift
	for p in $(ip netns pids "$host"); do
		comm=$(cat "/proc/$p/comm" 2>/dev/null) || continue
		for n; do [ "$comm" = "$n" ] && echo "$p"; done
	done
	return 0
}

running_on() {
	[ -n "$(pids_on "$@")" ]
}

kill_on() {
	local host=$1 sig=$2 pids
	shift 2
	pids=$(pids_on "$host" "$@")
	[ -z "$pids" ] || kill "-$sig" $pids 2>/dev/null || true
}

topo_switch() {
	ip link add "$1" type bridge
	ip link set "$1" up
}

topo_attach() {
	local host=$1 ifname=$2 addr=$3 sw=$4 peer
	peer="$sw-$host"
	peer=${peer:0:15}
	ip -b - <<-IP
	link add $peer type veth peer name $ifname netns $host
	link set $peer master $sw up
	IP
	ip -n "$host" -b - <<-IP
	addr add $addr dev $ifname
	link set $ifname up
	IP
}

topo_link() {
	local h1=$1 if1=$2 a1=$3 h2=$4 if2=$5 a2=$6
	ip link add "$if1" netns "$h1" type veth peer name "$if2" netns "$h2"
	ip -n "$h1" -b - <<-IP
	addr add $a1 dev $if1
	link set $if1 up
	IP
	ip -n "$h2" -b - <<-IP
	addr add $a2 dev $if2
	link set $if2 up
	IP
}

topo_standard() {
	topo_host server
	topo_host client
	topo_host radius
	topo_switch wan
	topo_attach server eth0 192.0.2.1/24 wan
	topo_attach client eth0 192.0.2.10/24 wan
	topo_link server eth1 198.51.100.1/24 radius eth0 198.51.100.2/24
}

# A NAT router on the wan switch and N clients behind it, all sharing its
# public address 192.0.2.254 (source NAT with port translation, as a home
# or office router does).
topo_nat() {
	local n=$1 i
	topo_host nat
	topo_attach nat eth0 192.0.2.254/24 wan
	topo_switch lan
	topo_attach nat eth1 203.0.113.1/24 lan
	ip netns exec nat sysctl -qw net.ipv4.ip_forward=1
	ip netns exec nat nft -f - <<-NFT
	table ip nat {
		chain postrouting {
			type nat hook postrouting priority srcnat;
			oifname "eth0" ip saddr 203.0.113.0/24 masquerade
		}
	}
	NFT
	for ((i = 1; i <= n; i++)); do
		topo_host "natclient$i"
		topo_attach "natclient$i" eth0 "203.0.113.$((10 + i))/24" lan
		ip -n "natclient$i" route add default via 203.0.113.1
	done
}

# A client one hop behind the NAT router but not translated: the same path
# through the router as topo_nat's clients, without the NAT (the server
# routes 198.18.0.0/24 to the router).
topo_routed() {
	topo_host "$1"
	topo_link nat eth2 198.18.0.1/24 "$1" eth0 198.18.0.10/24
	ip -n "$1" route add default via 198.18.0.1
	ip -n server route add 198.18.0.0/24 via 192.0.2.254
}

topo_down() {
	local h
	for h in "${TOPO_HOSTS[@]}"; do
		ip netns pids "$h" 2>/dev/null | xargs -r kill -KILL 2>/dev/null
		ip netns del "$h" 2>/dev/null
		umount "$TOPO_DIR/$h/mnt" "$TOPO_DIR/$h/uts" 2>/dev/null
		rm -rf "${TOPO_DIR:?}/$h"
	done
	TOPO_HOSTS=()
	ip link del wan 2>/dev/null
	ip link del lan 2>/dev/null
	return 0
}
