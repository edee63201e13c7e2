# Configuration files of containerd, the CNI bridge network, kubelet and kube-proxy.
# Sourced after lib.sh; needs PAUSE_IMAGE.

# render TEMPLATE: prints TEMPLATE with every @NAME@ replaced by the value of shell variable NAME.
render() {
  local text name
  text=$(<"$1")
  for name in $(grep -o '@[A-Z_]*@' "$1" | sort -u | tr -d @); do
    text=${text//@$name@/${!name}}
  done
  printf '%s\n' "$text"
}

config_up() {
  local conf=$STATE_DIR/conf
  mkdir -p "$conf" "$STATE_DIR/cni/net.d" "$STATE_DIR/cni/ipam"
  cat >"$conf/containerd.toml" <<TOML
version = 2
root = "$STATE_DIR/containerd"
state = "$RUN_DIR/containerd/state"
[grpc]
  address = "$CONTAINERD_SOCK"
[ttrpc]
  address = "$CONTAINERD_SOCK.ttrpc"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$PAUSE_IMAGE"
  # pod network namespaces under our state dir rather than /run/netns
  netns_mounts_under_state_dir = true
  # containerd 2.x defaults: non-root pods may bind ports below 1024 and send ICMP echo
  enable_unprivileged_ports = true
  enable_unprivileged_icmp = true
  # This machine withholds CAP_SYS_RESOURCE even from root, so no process may lower its OOM score
  # (the pause container asks for -998): keep every container's score at containerd's own or above.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "$RUN_DIR/runc"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "$CNI_BIN_DIR"
    conf_dir = "$STATE_DIR/cni/net.d"
TOML
  # The plugins in Debian speak CNI spec up to 1.0.0. No masquerading: pods keep their addresses
  # towards the external host, whose namespace routes the pod range back.
  cat >"$STATE_DIR/cni/net.d/10-netprobe.conflist" <<JSON
{
  "cniVersion": "1.0.0",
  "name": "netprobe",
  "plugins": [
    {
      "type": "bridge",
      "bridge": "cni0",
      "isGateway": true,
      "ipMasq": false,
      "hairpinMode": true,
      "ipam": {
        "type": "host-local",
        "dataDir": "$STATE_DIR/cni/ipam",
        "ranges": [[{"subnet": "$NODE_POD_CIDR", "gateway": "$NODE_POD_GW"}]],
        "routes": [{"dst": "0.0.0.0/0"}]
      }
    },
    {"type": "portmap", "capabilities": {"portMappings": true}}
  ]
}
JSON
  # Pods with dnsPolicy Default (CoreDNS) get this file. It must not name a loopback resolver
  # (CoreDNS's loop check) and names the simulated external host, never a real resolver.
  echo "nameserver $EXTERNAL_IP" >"$conf/resolv.conf"
  cat >"$conf/kubelet.yaml" <<YAML
apiVersion: kubelet.config.k8s.io/v1beta1
kind: KubeletConfiguration
address: $NODE_IP
healthzBindAddress: 127.0.0.1
cgroupDriver: cgroupfs
failCgroupV1: false
failSwapOn: false
containerRuntimeEndpoint: unix://$CONTAINERD_SOCK
imageServiceEndpoint: unix://$CONTAINERD_SOCK
imageGCHighThresholdPercent: 100
imageGCLowThresholdPercent: 99
evictionHard: {memory.available: 100Mi, nodefs.available: 2%, imagefs.available: 2%}
resolvConf: $conf/resolv.conf
clusterDNS: [$DNS_SERVICE_IP]
clusterDomain: $CLUSTER_DOMAIN
authentication:
  anonymous: {enabled: false}
  webhook: {enabled: true}
  x509: {clientCAFile: $PKI_DIR/ca.crt}
authorization: {mode: Webhook}
serializeImagePulls: false
registerNode: true
podPidsLimit: 4096
YAML
  cat >"$conf/kube-proxy.yaml" <<YAML
apiVersion: kubeproxy.config.k8s.io/v1alpha1
kind: KubeProxyConfiguration
mode: iptables
clusterCIDR: $POD_CIDR
hostnameOverride: $NODE_NAME
bindAddress: $NODE_IP
healthzBindAddress: 127.0.0.1:10256
metricsBindAddress: 127.0.0.1:10249
nodePortAddresses: ["$NODE_IP/32"]
clientConnection: {kubeconfig: $STATE_DIR/kube-proxy.kubeconfig}
conntrack: {maxPerCore: 0}
YAML
}
