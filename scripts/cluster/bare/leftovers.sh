# leftovers: prints, one per line, everything of a bare cluster still on the machine (processes,
# mounts, namespaces, links, routes, iptables chains, ipsets, cgroups); prints nothing when clean.
# Sourced after lib.sh, procs.sh and down.sh.

leftovers() {
  local p
  for p in $(leftover_pids | sort -un); do
    echo "process $p: $(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | cut -c1-120)"
  done
  awk '{print $5}' /proc/self/mountinfo | grep -E "^($STATE_DIR|$RUN_DIR)(/|$)|^/run/netns/cni-" | sed 's/^/mount /'
  ip netns list 2>/dev/null | awk '{print $1}' | grep -E "^($EXT_NS|cni-)" | sed 's/^/netns /'
  ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 |
    grep -E "^(cni0|$NODE_IFACE|$EXT_VETH|kube-bridge|kube-dummy-if)$" | sed 's/^/link /'
  ip -o link show master cni0 2>/dev/null | awk -F': ' '{print "link " $2}'
  ip route show type blackhole 2>/dev/null | grep -E "^blackhole ($POD_CIDR|$SERVICE_CIDR)" | sed 's/^/route /'
  local save
  for save in iptables-save ip6tables-save; do
    command -v "$save" >/dev/null || continue
    "$save" 2>/dev/null | grep -E '^:(KUBE-|CNI-|NETPROBE-)' | cut -d' ' -f1 | sed "s/^:/$save chain /"
  done
  ipset list -n 2>/dev/null | grep -E '^(inet6:)?(KUBE-|kube-router-)' | sed 's/^/ipset /'
  ls -d /sys/fs/cgroup/*/kubepods 2>/dev/null | sed 's/^/cgroup /'
  stale_shim_sockets | sed 's/^/socket /'
  true
}
