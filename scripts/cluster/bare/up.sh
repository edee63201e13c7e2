# `up` for the bare backend. Sourced by the entry script after every other bare/*.sh file.

SYSCTLS=(net.ipv4.ip_forward net.bridge.bridge-nf-call-iptables net.bridge.bridge-nf-call-ip6tables
  net.ipv4.icmp_ratelimit net.ipv4.neigh.default.gc_thresh1 net.ipv4.neigh.default.gc_thresh2
  net.ipv4.neigh.default.gc_thresh3)
DAEMONS=(etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy kube-router
  external-host)

coredns_pod_ip() {
  kc -n kube-system get pods -l k8s-app=kube-dns --field-selector=status.phase=Running \
    -o jsonpath='{.items[0].status.podIP}'
}

# dns_answers SERVER NAME: one UDP query for an A record from bash alone (the host has no DNS
# client); succeeds when the answer has rcode 0 and at least one answer record.
dns_answers() {
  local server=$1 name=$2 label q='\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00' reply
  for label in ${name//./ }; do q+=$(printf '\\x%02x' "${#label}")$label; done
  q+='\x00\x00\x01\x00\x01'
  # dd sends the query as one datagram, however printf chunks its output
  reply=$(exec 3<>"/dev/udp/$server/53" && printf "$q" | dd bs=512 iflag=fullblock status=none >&3 &&
    timeout 2 dd bs=1024 count=1 <&3 2>/dev/null | od -An -tx1 -v | tr -d ' \n') || return 1
  [[ ${reply:0:4} == 1234 && $((16#${reply:7:1})) == 0 && $((16#${reply:12:4})) -gt 0 ]]
}

dns_ready() {
  local ip
  ip=$(coredns_pod_ip) && [[ -n $ip ]] &&
    dns_answers "$ip" "kubernetes.default.svc.$CLUSTER_DOMAIN" && dns_answers "$ip" "$EXTERNAL_NAME"
}

cluster_healthy() {
  local d
  for d in "${DAEMONS[@]}"; do proc_pid "$d" >/dev/null || return 1; done
  api_ready >/dev/null 2>&1 && node_ready 2>/dev/null && dns_ready
}

# The daemons that can be restarted alone, and how; the others (etcd, kube-apiserver, containerd,
# kubelet) hold the cluster's state, and losing one of them means starting afresh.
declare -A RESTART=([kube-controller-manager]=start_controller_manager [kube-scheduler]=start_scheduler
  [kube-proxy]=start_kube_proxy [kube-router]=start_netpol [external-host]=external_host_up)

# repairable: the core runs and the node is Ready; prints the stopped daemons that can be restarted.
repairable() {
  local d
  for d in etcd kube-apiserver containerd kubelet; do proc_pid "$d" >/dev/null || return 1; done
  api_ready >/dev/null 2>&1 && node_ready 2>/dev/null || return 1
  for d in "${!RESTART[@]}"; do proc_pid "$d" >/dev/null || echo "$d"; done
}

node_has_pod_cidr() { [[ -n $(kc get node "$NODE_NAME" -o jsonpath='{.spec.podCIDR}') ]]; }

bare_up() {
  ((EUID == 0)) || die "the bare backend needs root"
  local t0=$SECONDS
  packages_up
  binaries_up
  images_up
  local stopped
  if cluster_healthy; then
    log "the cluster is already up"
    images_import
    start_dns
  elif stopped=$(repairable) && [[ -n $stopped ]]; then
    log "restarting what stopped: $(echo $stopped)"
    local d
    for d in $stopped; do "${RESTART[$d]}"; done
    images_import
    start_dns
  else
    log "clearing whatever an earlier cluster left behind"
    teardown
    [[ -d $LOG_DIR ]] && { rm -rf "$LOG_DIR.prev"; mv "$LOG_DIR" "$LOG_DIR.prev"; }
    mkdir -p "$STATE_DIR" "$RUN_DIR" "$LOG_DIR"
    local s
    for s in "${SYSCTLS[@]}"; do echo "$s=$(sysctl -n "$s")"; done >"$RUN_DIR/sysctl.orig"
    log "host network: node $NODE_IP on $NODE_IFACE, external host $EXTERNAL_IP in netns $EXT_NS"
    host_network_up
    pki_up
    config_up
    log "starting etcd and the control plane"
    start_etcd
    start_apiserver
    start_controllers
    log "starting containerd and importing images"
    start_containerd
    images_import
    log "starting kubelet and kube-proxy"
    start_node
    wait_for 60 "node $NODE_NAME to register with a pod CIDR" node_has_pod_cidr ||
      die "the node did not register, see $LOG_DIR/kubelet.log"
    log "starting kube-router"
    start_netpol
    wait_for 60 "node $NODE_NAME to be Ready" node_ready || die "the node is not Ready, see $LOG_DIR/kubelet.log"
    log "node Ready after $((SECONDS - t0))s; starting CoreDNS"
    start_dns
  fi
  wait_for 90 "CoreDNS to answer" dns_ready || die "CoreDNS does not answer, see: kubectl -n kube-system logs deploy/coredns"
  local d
  for d in "${DAEMONS[@]}"; do proc_pid "$d" >/dev/null || die "$d is not running, see $LOG_DIR/$d.log"; done
  log "cluster up in $((SECONDS - t0))s"
  echo "KUBECONFIG=$KUBECONFIG_ADMIN"
  echo "PROBE_IMAGE=$PROBE_DEFAULT_IMAGE"
  echo "ECHO_IMAGE=$ECHO_DEFAULT_IMAGE"
  echo "EXTERNAL_IP=$EXTERNAL_IP"
}
