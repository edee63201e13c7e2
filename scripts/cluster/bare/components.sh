# Starting the cluster's daemons, in order, each waiting until it serves. Sourced after lib.sh,
# procs.sh and config.sh.

api_ready() { kc get --raw /readyz; }

start_etcd() {
  mkdir -p "$STATE_DIR/etcd"
  chmod 700 "$STATE_DIR/etcd"
  start_proc etcd "$ETCD_BIN/etcd" --name "$NODE_NAME" --data-dir "$STATE_DIR/etcd" \
    --listen-client-urls http://127.0.0.1:2379 --advertise-client-urls http://127.0.0.1:2379 \
    --listen-peer-urls http://127.0.0.1:2380 --initial-advertise-peer-urls http://127.0.0.1:2380 \
    --initial-cluster "$NODE_NAME=http://127.0.0.1:2380" --listen-metrics-urls http://127.0.0.1:2381 \
    --unsafe-no-fsync --snapshot-count 10000 --log-level warn
  wait_for 30 etcd curl -fsS http://127.0.0.1:2381/health || die "etcd did not start, see $LOG_DIR/etcd.log"
}

start_apiserver() {
  start_proc kube-apiserver "$K8S_BIN/kube-apiserver" \
    --etcd-servers http://127.0.0.1:2379 \
    --advertise-address "$NODE_IP" --bind-address "$NODE_IP" --secure-port 6443 \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --client-ca-file "$PKI_DIR/ca.crt" \
    --tls-cert-file "$PKI_DIR/apiserver.crt" --tls-private-key-file "$PKI_DIR/apiserver.key" \
    --kubelet-client-certificate "$PKI_DIR/apiserver-kubelet-client.crt" \
    --kubelet-client-key "$PKI_DIR/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types InternalIP \
    --service-account-issuer "https://kubernetes.default.svc.$CLUSTER_DOMAIN" \
    --service-account-key-file "$PKI_DIR/sa.pub" --service-account-signing-key-file "$PKI_DIR/sa.key" \
    --authorization-mode Node,RBAC --enable-admission-plugins NodeRestriction \
    --allow-privileged=true --profiling=false --v=1
  wait_for 90 kube-apiserver api_ready || die "kube-apiserver did not become ready, see $LOG_DIR/kube-apiserver.log"
}

start_controllers() { start_controller_manager; start_scheduler; }

start_controller_manager() {
  local kcfg=$STATE_DIR/controller-manager.kubeconfig
  start_proc kube-controller-manager "$K8S_BIN/kube-controller-manager" \
    --kubeconfig "$kcfg" --authentication-kubeconfig "$kcfg" --authorization-kubeconfig "$kcfg" \
    --bind-address 127.0.0.1 --leader-elect=false \
    --allocate-node-cidrs --cluster-cidr "$POD_CIDR" --node-cidr-mask-size 24 \
    --service-cluster-ip-range "$SERVICE_CIDR" \
    --cluster-signing-cert-file "$PKI_DIR/ca.crt" --cluster-signing-key-file "$PKI_DIR/ca.key" \
    --root-ca-file "$PKI_DIR/ca.crt" --service-account-private-key-file "$PKI_DIR/sa.key" \
    --use-service-account-credentials --controllers '*,-cloud-node-lifecycle' --v=1
}

start_scheduler() {
  local kcfg=$STATE_DIR/scheduler.kubeconfig
  start_proc kube-scheduler "$K8S_BIN/kube-scheduler" \
    --kubeconfig "$kcfg" --authentication-kubeconfig "$kcfg" --authorization-kubeconfig "$kcfg" \
    --bind-address 127.0.0.1 --leader-elect=false --v=1
}

start_containerd() {
  mkdir -p "$RUN_DIR/containerd"
  start_proc containerd containerd --config "$STATE_DIR/conf/containerd.toml"
  wait_for 30 containerd ctr --address "$CONTAINERD_SOCK" version || die "containerd did not start, see $LOG_DIR/containerd.log"
}

start_node() {
  mkdir -p "$STATE_DIR/kubelet"
  start_proc kubelet "$K8S_BIN/kubelet" --config "$STATE_DIR/conf/kubelet.yaml" \
    --kubeconfig "$STATE_DIR/kubelet.kubeconfig" --root-dir "$STATE_DIR/kubelet" \
    --cert-dir "$STATE_DIR/kubelet/pki" --hostname-override "$NODE_NAME" --node-ip "$NODE_IP" --v=1
  start_kube_proxy
}

start_kube_proxy() {
  start_proc kube-proxy "$K8S_BIN/kube-proxy" --config "$STATE_DIR/conf/kube-proxy.yaml" --v=1
}

# kube-router, the NetworkPolicy enforcer; it exits unless our Node object exists already.
start_netpol() {
  kc apply -f "$CLUSTER_DIR/bare/manifests/kube-router-rbac.yaml" >/dev/null
  start_proc kube-router "$KUBE_ROUTER_BIN/kube-router" --kubeconfig "$STATE_DIR/kube-router.kubeconfig" \
    --hostname-override "$NODE_NAME" --run-firewall=true --run-router=false --run-service-proxy=false \
    --enable-cni=false --service-cluster-ip-range "$SERVICE_CIDR" \
    --health-addr 127.0.0.1 --metrics-port 0 --v 1
}

node_ready() {
  [[ "$(kc get node "$NODE_NAME" -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" == True ]]
}

start_dns() {
  render "$CLUSTER_DIR/bare/manifests/coredns.yaml" | kc apply -f - >/dev/null
}
