# Host networking of the bare cluster: kernel settings, the node address, routes that keep cluster
# traffic on this machine, the egress guard, and the simulated external host. Sourced after lib.sh.

GUARD_CHAIN=NETPROBE-GUARD

# Refuses to start if one of our ranges is already routed by something that is not ours.
check_ranges_free() {
  local cidr route
  for cidr in "$POD_CIDR" "$SERVICE_CIDR" "$EXT_NET" "$NODE_IP/32"; do
    route=$(ip -4 route show match "$cidr" | grep -v '^default' | grep -v "dev $NODE_IFACE\|dev cni0\|dev $EXT_VETH\|^blackhole" || true)
    [[ -z $route ]] || die "$cidr is already routed on this machine ($route); refusing to take it over"
  done
}

host_network_up() {
  check_ranges_free
  sysctl -qw net.ipv4.ip_forward=1 net.bridge.bridge-nf-call-iptables=1 \
    net.bridge.bridge-nf-call-ip6tables=1 >/dev/null
  # kube-router rejects denied traffic with ICMP port-unreachable; the kernel's per-destination ICMP
  # rate limit (1/s) would turn every reject after the first in a second into a silent drop, so a
  # denied connection would read "refused" or "timeout" by chance. No limit: always "refused".
  sysctl -qw net.ipv4.icmp_ratelimit=0 >/dev/null
  # The ARP table is one for every network namespace: 20 probe pods each reaching 50 pods at once
  # overflow the default 1024 entries ("neighbor table overflow"), and the SYNs of the overflow are never
  # sent. Kubernetes nodes raise these; so do we.
  sysctl -qw net.ipv4.neigh.default.gc_thresh1=4096 net.ipv4.neigh.default.gc_thresh2=8192 \
    net.ipv4.neigh.default.gc_thresh3=16384 >/dev/null
  mount --make-rshared /
  # the node address, on a bridge of its own with no ports (this kernel has no dummy driver)
  ip link show "$NODE_IFACE" >/dev/null 2>&1 || ip link add "$NODE_IFACE" type bridge
  ip addr replace "$NODE_IP/32" dev "$NODE_IFACE"
  ip link set "$NODE_IFACE" up
  # Packets to pod or service addresses that no more specific route (cni0) claims die here
  # instead of following the default route off the machine.
  ip route replace blackhole "$POD_CIDR"
  ip route replace blackhole "$SERVICE_CIDR"
  guard_up
  external_host_up
}

# Pods may reach each other, the node (delivered locally, never here) and the simulated external
# host; anything else they send towards the outside is dropped before it leaves. mangle/POSTROUTING
# sees every forwarded packet, including those kube-router's filter chains have already accepted.
guard_up() {
  iptables -t mangle -N "$GUARD_CHAIN" 2>/dev/null || iptables -t mangle -F "$GUARD_CHAIN"
  iptables -t mangle -A "$GUARD_CHAIN" -d "$POD_CIDR" -j RETURN
  iptables -t mangle -A "$GUARD_CHAIN" -s "$POD_CIDR" -d "$EXT_NET" -j RETURN
  iptables -t mangle -A "$GUARD_CHAIN" -s "$POD_CIDR" -j DROP
  iptables -t mangle -A "$GUARD_CHAIN" -s "$EXTERNAL_IP" -j DROP
  iptables -t mangle -C POSTROUTING -j "$GUARD_CHAIN" 2>/dev/null ||
    iptables -t mangle -I POSTROUTING 1 -j "$GUARD_CHAIN"
}

# The simulated external host: a namespace joined to the host by a veth pair, with no default route
# and a route back to the pods only. netprobe's own echo server answers there: HTTP on TCP 80,
# HTTPS (self-signed) on TCP 443, and on UDP 53 DNS queries (A = EXTERNAL_IP) and other datagrams.
# Its binary comes out of the echo image (images_agent, shared with the kind backend).
external_host_up() {
  ip netns add "$EXT_NS" 2>/dev/null || true
  if ! ip link show "$EXT_VETH" >/dev/null 2>&1; then
    ip link add "$EXT_VETH" type veth peer name eth0 netns "$EXT_NS"
  fi
  ip addr replace "$EXT_GW/24" dev "$EXT_VETH"
  ip link set "$EXT_VETH" up
  ip -n "$EXT_NS" link set lo up
  ip -n "$EXT_NS" addr replace "$EXTERNAL_IP/24" dev eth0
  ip -n "$EXT_NS" link set eth0 up
  ip -n "$EXT_NS" route replace "$POD_CIDR" via "$EXT_GW"
  local agent
  agent=$(images_agent "$STATE_DIR/bin/netprobe-agent")
  proc_pid external-host >/dev/null || start_proc external-host env POD_NAME="$EXTERNAL_NAME" \
    ip netns exec "$EXT_NS" "$agent" serve --tcp 80 --https 443 --udp 53 --dns-a "$EXTERNAL_IP" --bind "$EXTERNAL_IP"
}

# Removes every iptables rule and chain the cluster's parts make (KUBE-*, KUBE-ROUTER-*, CNI-*,
# our guard) in one iptables-restore per table, leaving everyone else's rules as they are.
iptables_clean() {
  local save restore
  for save in iptables-save ip6tables-save; do
    restore=${save/-save/-restore}
    command -v "$save" >/dev/null || continue
    "$save" 2>/dev/null | awk '
      /^\*/ { table=$0; print; next }
      /^:(KUBE-|CNI-|NETPROBE-)/ { next }
      /^-A (KUBE-|CNI-|NETPROBE-)/ { next }
      /-j (KUBE-|CNI-|NETPROBE-)/ { next }
      /-g (KUBE-|CNI-|NETPROBE-)/ { next }
      { print }' | "$restore" 2>/dev/null || log "warning: $restore failed"
  done
}

ipset_clean() {
  command -v ipset >/dev/null || return 0
  local s
  for s in $(ipset list -n 2>/dev/null | grep -E '^(inet6:)?(KUBE-|kube-router-)' || true); do
    ipset destroy "$s" 2>/dev/null || log "warning: ipset $s still in use"
  done
}

host_network_down() {
  ip netns del "$EXT_NS" 2>/dev/null || true
  ip link del "$EXT_VETH" 2>/dev/null || true
  local dev
  for dev in $(ip -o link show master cni0 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1); do
    ip link del "$dev" 2>/dev/null || true
  done
  ip link del cni0 2>/dev/null || true
  ip link del "$NODE_IFACE" 2>/dev/null || true
  ip route del blackhole "$POD_CIDR" 2>/dev/null || true
  ip route del blackhole "$SERVICE_CIDR" 2>/dev/null || true
  iptables_clean
  ipset_clean
  conntrack -D -s "$POD_CIDR" >/dev/null 2>&1 || true
  conntrack -D -d "$POD_CIDR" >/dev/null 2>&1 || true
}
