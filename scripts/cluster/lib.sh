# Shared settings and helpers of scripts/cluster; sourced, never run.
# Everything the bare backend makes lives under STATE_DIR and RUN_DIR; build caches under CACHE_DIR.
CLUSTER_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_DIR=$(cd "$CLUSTER_DIR/../.." && pwd)
# shellcheck source=../versions.env
. "$REPO_DIR/scripts/versions.env"

CACHE_DIR=${NETPROBE_CACHE:-/var/cache/netprobe}
STATE_DIR=${NETPROBE_CLUSTER_STATE:-/var/lib/netprobe-cluster}
RUN_DIR=/run/netprobe-cluster
PID_DIR=$RUN_DIR/pids
LOG_DIR=$STATE_DIR/logs
PKI_DIR=$STATE_DIR/pki
KUBECONFIG_ADMIN=$STATE_DIR/admin.kubeconfig

# Addresses. The node address sits on an interface of its own (netprobe0) so it never depends on the machine's own
# network; the simulated external host lives in its own network namespace on a documentation range.
NODE_NAME=netprobe-node
NODE_IFACE=netprobe0
NODE_IP=203.0.113.1
POD_CIDR=10.244.0.0/16
NODE_POD_CIDR=10.244.0.0/24
NODE_POD_GW=10.244.0.1
SERVICE_CIDR=10.96.0.0/16
API_SERVICE_IP=10.96.0.1
DNS_SERVICE_IP=10.96.0.10
CLUSTER_DOMAIN=cluster.local
EXT_NS=netprobe-ext
EXT_VETH=netprobe-ext0
EXT_NET=198.51.100.0/24
EXT_GW=198.51.100.1
EXTERNAL_IP=198.51.100.10
EXTERNAL_NAME=external.netprobe.test
API_SERVER=https://$NODE_IP:6443

K8S_BIN=$CACHE_DIR/bin/k8s-$K8S_VERSION
ETCD_BIN=$CACHE_DIR/bin/etcd-$ETCD_VERSION
KUBE_ROUTER_BIN=$CACHE_DIR/bin/kube-router-$KUBE_ROUTER_VERSION
CONTAINERD_SOCK=$RUN_DIR/containerd/containerd.sock
CNI_BIN_DIR=/usr/lib/cni

log() { printf '[cluster %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# kubectl against the bare cluster as cluster admin.
kc() { "$K8S_BIN/kubectl" --kubeconfig "$KUBECONFIG_ADMIN" "$@"; }

# wait_for SECONDS DESCRIPTION COMMAND...: retries COMMAND every half second.
wait_for() {
  local limit=$1 what=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then log "timed out after ${limit}s waiting for $what"; return 1; fi
    sleep 0.5
  done
}
