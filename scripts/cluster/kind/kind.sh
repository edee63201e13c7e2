# The kind backend: a kind cluster with its default CNI disabled and a CNI that enforces NetworkPolicy,
# netprobe's images loaded with `kind load image-archive`, and the simulated external host in a network
# namespace of its own inside the node (as the bare backend has it on its host).
#   --cni calico | cilium   the pinned kindest/node image and the CNI's upstream images (pulled: a
#                           laptop, GitHub Actions)
#   --cni kube-router       netprobe's own node image (kind/node-image.sh) and kube-router from our
#                           binary: nothing is pulled (this machine, which has no registry). dockerd is
#                           started when none answers (kind/docker.sh) and stopped again by `down`.
# Sourced by the entry script after lib.sh and images.sh. KIND_DRY_RUN=1 prints the commands instead.
. "$CLUSTER_DIR/kind/versions.env"
. "$CLUSTER_DIR/kind/docker.sh"
. "$CLUSTER_DIR/kind/node-image.sh"
. "$CLUSTER_DIR/build/binaries.sh"
KIND_NAME=${NETPROBE_KIND_NAME:-netprobe}
KIND_NODE=$KIND_NAME-control-plane
KIND_KUBECONFIG=${NETPROBE_KIND_KUBECONFIG:-$HOME/.kube/netprobe-kind.config}
KIND_POD_CIDR=$(sed -n 's/^ *podSubnet: *//p' "$CLUSTER_DIR/kind/cluster.yaml")
# With netprobe's node image the nodes sit on a Docker network of ours (a bridge with a known name),
# so the host can keep them from sending anything beyond it (kind_guard_up).
KIND_NETWORK=netprobe-kind
KIND_BRIDGE=npkind0
KIND_GUARD=NPKIND-GUARD

# run COMMAND...: runs it, or with KIND_DRY_RUN=1 prints it (shell-quoted) on stdout.
run() {
  if [[ ${KIND_DRY_RUN:-0} == 1 ]]; then printf '%q ' "$@" | sed 's/ $//'; echo; else "$@"; fi
}
# run_stdin COMMAND...: like run, with stdin passed on (shown as a here-document when dry).
run_stdin() {
  if [[ ${KIND_DRY_RUN:-0} == 1 ]]; then printf '%q ' "$@"; echo "<<'EOF'"; cat; echo EOF; else "$@"; fi
}
kind_local() { [[ ${KIND_CNI:-calico} == kube-router ]]; }

# kind and kubectl from PATH, else the pinned kind (scripts/tool) and the kubectl the bare backend built.
kind_tools() {
  if ! command -v kind >/dev/null; then
    KIND_BIN=$("$REPO_DIR/scripts/tool" kind) || die "kind is needed for the kind backend (scripts/tool kind failed)"
    kind() { "$KIND_BIN" "$@"; }
  fi
  if ! command -v kubectl >/dev/null; then
    [[ -x $K8S_BIN/kubectl ]] || binaries_up
    kubectl() { "$K8S_BIN/kubectl" "$@"; }
  fi
  command -v docker >/dev/null || die "docker is needed for the kind backend"
  [[ ${KIND_CNI:-calico} != cilium ]] || command -v cilium >/dev/null || die "the cilium CLI is needed for --cni cilium"
}

kind_cni_up() {
  local k=(kubectl --kubeconfig "$KIND_KUBECONFIG")
  case ${KIND_CNI:-calico} in
    calico)
      run "${k[@]}" apply -f "https://raw.githubusercontent.com/projectcalico/calico/$CALICO_VERSION/manifests/calico.yaml"
      run "${k[@]}" -n kube-system rollout status daemonset/calico-node --timeout=300s ;;
    cilium)
      run cilium install --version "$CILIUM_VERSION" --set ipam.mode=kubernetes
      run cilium status --wait --wait-duration 5m ;;
    kube-router) kind_kube_router_up ;;
    *) die "unknown CNI '${KIND_CNI}' (calico, cilium or kube-router)" ;;
  esac
  run "${k[@]}" wait --for=condition=Ready nodes --all --timeout=300s
}

kind_pod_cidr() {
  local c
  c=$(kubectl --kubeconfig "$KIND_KUBECONFIG" get node "$KIND_NODE" -o jsonpath='{.spec.podCIDR}') && [[ -n $c ]] && echo "$c"
}

# kube-router as a DaemonSet (kind/manifests/kube-router.yaml), with the bare backend's RBAC.
kind_kube_router_up() {
  local k=(kubectl --kubeconfig "$KIND_KUBECONFIG") cidr='$NODE_POD_CIDR'
  if [[ ${KIND_DRY_RUN:-0} != 1 ]]; then
    # the controller-manager gives the node its podCIDR a few seconds after kind returns
    wait_for 120 "the node's podCIDR" kind_pod_cidr || die "the node got no podCIDR"
    cidr=$(kind_pod_cidr)
  fi
  run "${k[@]}" apply -f "$CLUSTER_DIR/bare/manifests/kube-router-rbac.yaml"
  sed -e "s#@POD_CIDR@#$cidr#; s#@POD_GW@#${cidr%.*/*}.1#; s#@SERVICE_CIDR@#$SERVICE_CIDR#" \
    -e "s#@KUBE_ROUTER_VERSION@#$KUBE_ROUTER_VERSION#g" "$CLUSTER_DIR/kind/manifests/kube-router.yaml" |
    run_stdin "${k[@]}" apply -f -
  run "${k[@]}" -n kube-system rollout status daemonset/kube-router --timeout=300s
}

# The external host: a network namespace inside the node, joined to it by a veth pair, running
# netprobe-agent from the echo image; its only route leads back to the pods. CoreDNS is told its name.
kind_external_up() {
  local k=(kubectl --kubeconfig "$KIND_KUBECONFIG") agent='$AGENT'
  [[ ${KIND_DRY_RUN:-0} == 1 ]] || agent=$(images_agent "$KIND_CACHE/agent-${IMAGES_DIR##*/}/netprobe-agent")
  run docker cp "$agent" "$KIND_NODE:/usr/local/bin/netprobe-agent"
  run docker exec "$KIND_NODE" sh -ec "ip netns add $EXT_NS
ip link add $EXT_VETH type veth peer name eth0 netns $EXT_NS
ip addr add $EXT_GW/24 dev $EXT_VETH && ip link set $EXT_VETH up
ip -n $EXT_NS link set lo up && ip -n $EXT_NS addr add $EXTERNAL_IP/24 dev eth0 && ip -n $EXT_NS link set eth0 up
ip -n $EXT_NS route add $KIND_POD_CIDR via $EXT_GW"
  run docker exec -d "$KIND_NODE" env POD_NAME="$EXTERNAL_NAME" ip netns exec "$EXT_NS" \
    /usr/local/bin/netprobe-agent serve --tcp 80 --https 443 --udp 53 --dns-a "$EXTERNAL_IP" --bind "$EXTERNAL_IP"
  run_stdin "${k[@]}" -n kube-system patch configmap coredns --type merge --patch-file /dev/stdin <<JSON
{"data": {"Corefile": ".:53 {\n    errors\n    health\n    ready\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n        pods insecure\n        fallthrough in-addr.arpa ip6.arpa\n    }\n    hosts /etc/hosts netprobe.test {\n        $EXTERNAL_IP $EXTERNAL_NAME\n    }\n    cache 5\n    reload\n}\n"}}
JSON
  # One CoreDNS replica, as on the bare backend (kubeadm makes two): a denied query to the kube-dns
  # Service is decided by a control query from an unpoliced namespace, which shows alive only the
  # backend that answered it; with two, the other stays unshown and the verdict is (truthfully)
  # inconclusive (test/e2e/incident.test.ts saw it).
  run "${k[@]}" -n kube-system scale deployment/coredns --replicas=1
  run "${k[@]}" -n kube-system rollout restart deployment/coredns
  run "${k[@]}" -n kube-system rollout status deployment/coredns --timeout=120s
}

# With netprobe's node image (this machine's network rules): nothing the nodes or their pods send may
# leave the nodes' Docker network (the host forwards, without NAT), and inside the node pods reach only
# pods and the external host, as on the bare backend (bare/network.sh guard_up). Nothing is pulled.
kind_guard_up() {
  if [[ ${KIND_DRY_RUN:-0} == 1 ]] || ! docker network inspect "$KIND_NETWORK" >/dev/null 2>&1; then
    run docker network create -o "com.docker.network.bridge.name=$KIND_BRIDGE" "$KIND_NETWORK"
  fi
  [[ ${KIND_DRY_RUN:-0} == 1 ]] || kind_guard_rules_down
  run iptables -N "$KIND_GUARD"
  run iptables -A "$KIND_GUARD" -i "$KIND_BRIDGE" ! -o "$KIND_BRIDGE" -j DROP
  run iptables -I FORWARD 1 -j "$KIND_GUARD"
}
kind_guard_rules_down() {
  while iptables -D FORWARD -j "$KIND_GUARD" 2>/dev/null; do :; done
  iptables -F "$KIND_GUARD" 2>/dev/null && iptables -X "$KIND_GUARD" 2>/dev/null
  true
}
kind_node_guard_up() {
  # kube-router answers a denial with ICMP port-unreachable, and the kernel's per-destination ICMP rate
  # limit (1/s, per network namespace: the node has its own) would turn every further denial within
  # that second into a silent drop, read as a timeout; the bare backend sets the same on its host.
  run docker exec "$KIND_NODE" sh -ec "sysctl -qw net.ipv4.icmp_ratelimit=0
iptables -t mangle -N NETPROBE-GUARD
iptables -t mangle -A NETPROBE-GUARD -d $KIND_POD_CIDR -j RETURN
iptables -t mangle -A NETPROBE-GUARD -s $KIND_POD_CIDR -d $EXT_NET -j RETURN
iptables -t mangle -A NETPROBE-GUARD -s $KIND_POD_CIDR -j DROP
iptables -t mangle -A NETPROBE-GUARD -s $EXTERNAL_IP -j DROP
iptables -t mangle -I POSTROUTING 1 -j NETPROBE-GUARD"
}
kind_guard_down() {
  kind_guard_rules_down
  docker network rm "$KIND_NETWORK" >/dev/null 2>&1 || true
}

# kind_create: the cluster, its CNI and the external host.
kind_create() {
  local image=$KIND_NODE_IMAGE config=$CLUSTER_DIR/kind/cluster.yaml
  if kind_local; then
    if [[ ${KIND_DRY_RUN:-0} == 1 ]]; then image='$KIND_LOCAL_NODE_IMAGE'; else kind_node_image_up; image=$KIND_LOCAL_NODE_IMAGE; fi
    config=$KIND_CACHE/cluster-local.yaml
    [[ ${KIND_DRY_RUN:-0} == 1 ]] || { mkdir -p "$KIND_CACHE" && sed -e "s/@ETCD_VERSION@/$ETCD_VERSION/; s/@COREDNS_VERSION@/$COREDNS_VERSION/" \
      "$CLUSTER_DIR/kind/cluster-local.yaml" | cat "$CLUSTER_DIR/kind/cluster.yaml" - >"$config"; }
    kind_guard_up
    export KIND_EXPERIMENTAL_DOCKER_NETWORK=$KIND_NETWORK
  fi
  run mkdir -p "$(dirname "$KIND_KUBECONFIG")"
  run kind create cluster --name "$KIND_NAME" --image "$image" --config "$config" --kubeconfig "$KIND_KUBECONFIG"
  kind_cni_up
  kind_local && kind_node_guard_up
  kind_external_up
}

kind_exists() { kind get clusters 2>/dev/null | grep -qx "$KIND_NAME"; }
# healthy: the node container runs, the external host in it too (a node docker restarted has lost it),
# the API server answers and the node is Ready.
kind_healthy() {
  [[ $(docker inspect -f '{{.State.Running}}' "$KIND_NODE" 2>/dev/null) == true ]] &&
    [[ -n $(docker exec "$KIND_NODE" ip netns pids "$EXT_NS" 2>/dev/null) ]] &&
    kubectl --kubeconfig "$KIND_KUBECONFIG" get --raw /readyz >/dev/null 2>&1 &&
    kubectl --kubeconfig "$KIND_KUBECONFIG" wait --for=condition=Ready "node/$KIND_NODE" --timeout=20s >/dev/null 2>&1
}

kind_up() {
  if [[ ${KIND_DRY_RUN:-0} != 1 ]]; then
    kind_local && docker_up
    kind_tools
    images_up
  else
    IMAGES_DIR=${NETPROBE_IMAGES_DIR:-$CACHE_DIR/images/$(images_key)}
    echo "$REPO_DIR/probes/build.sh $IMAGES_DIR"
    PAUSE_IMAGE='$PAUSE_IMAGE' COREDNS_IMAGE='$COREDNS_IMAGE' PROBE_IMAGE='$PROBE_IMAGE' ECHO_IMAGE='$ECHO_IMAGE'
    [[ ! -s $IMAGES_DIR/images.env ]] || . "$IMAGES_DIR/images.env"
    images_defaults
  fi
  if [[ ${KIND_DRY_RUN:-0} != 1 ]] && kind_exists && ! kind_healthy; then
    # a node killed or stopped under it (dockerd killed, the machine rebooted): kind cannot revive it
    log "the kind cluster $KIND_NAME is there but not healthy: deleting it and starting afresh"
    kind delete cluster --name "$KIND_NAME" --kubeconfig "$KIND_KUBECONFIG" >&2
  fi
  if [[ ${KIND_DRY_RUN:-0} == 1 ]] || ! kind_exists; then
    kind_create
  fi
  local img
  for img in probe echo; do
    run kind load image-archive "$IMAGES_DIR/$img.tar" --name "$KIND_NAME"
  done
  # netprobe's default references name the same images (see images_defaults).
  run docker exec "$KIND_NODE" ctr -n k8s.io images tag --force "$PROBE_IMAGE" "$PROBE_DEFAULT_IMAGE"
  run docker exec "$KIND_NODE" ctr -n k8s.io images tag --force "$ECHO_IMAGE" "$ECHO_DEFAULT_IMAGE"
  echo "KUBECONFIG=$KIND_KUBECONFIG"
  echo "PROBE_IMAGE=$PROBE_DEFAULT_IMAGE"
  echo "ECHO_IMAGE=$ECHO_DEFAULT_IMAGE"
  echo "EXTERNAL_IP=$EXTERNAL_IP"
}

# down: the cluster (its node containers take the external host with them), then what up added to the
# host: the guard, the Docker network, and the dockerd up started. Returns once all of it has stopped.
kind_down() {
  if [[ ${KIND_DRY_RUN:-0} == 1 ]]; then
    run kind delete cluster --name "$KIND_NAME" --kubeconfig "$KIND_KUBECONFIG"
    run docker network rm "$KIND_NETWORK"
    return
  fi
  if docker_answers; then
    kind_tools
    kind delete cluster --name "$KIND_NAME" --kubeconfig "$KIND_KUBECONFIG"
    kind_guard_down
  fi
  docker_down
}

# stop-component / start-component kube-router, as on the bare backend (bare/component.sh): the
# DaemonSet is kept off every node by a nodeSelector no node has, then kube-router's chains and ipsets
# are removed inside the node (a stopped kube-router leaves its last rules in force) with the bare
# backend's own kube_router_flush; start takes the nodeSelector away and waits for the chains.
KIND_ROUTER_OFF='{"spec":{"template":{"spec":{"nodeSelector":{"netprobe.dev/kube-router":"stopped"}}}}}'
kind_stop_component() {
  [[ ${1:-} == kube-router ]] || die "stop-component: unknown component '${1:-}' (known: kube-router)"
  kind_tools
  local k=(kubectl --kubeconfig "$KIND_KUBECONFIG" -n kube-system)
  "${k[@]}" patch daemonset kube-router --type merge -p "$KIND_ROUTER_OFF" >/dev/null
  wait_for 120 "kube-router's pod to go" kind_no_router_pod || die "kube-router's pod did not stop"
  . "$CLUSTER_DIR/bare/network.sh"
  . "$CLUSTER_DIR/bare/component.sh"
  docker exec "$KIND_NODE" bash -c "$(declare -f log kube_router_flush ipset_clean)
KUBE_ROUTER_CHAINS='$KUBE_ROUTER_CHAINS'; kube_router_flush" || die "removing kube-router's rules in the node failed"
  log "kube-router stopped; its chains and ipsets removed (NetworkPolicy is not enforced until start-component)"
}
kind_no_router_pod() {
  [[ -z $(kubectl --kubeconfig "$KIND_KUBECONFIG" -n kube-system get pods -l k8s-app=kube-router -o name) ]]
}
kind_start_component() {
  [[ ${1:-} == kube-router ]] || die "start-component: unknown component '${1:-}' (known: kube-router)"
  kind_tools
  local k=(kubectl --kubeconfig "$KIND_KUBECONFIG" -n kube-system)
  "${k[@]}" patch daemonset kube-router --type json -p '[{"op":"remove","path":"/spec/template/spec/nodeSelector"}]' \
    >/dev/null 2>&1 || true
  "${k[@]}" rollout status daemonset/kube-router --timeout=120s >&2 || die "kube-router did not start"
  wait_for 60 "kube-router to program its chains" docker exec "$KIND_NODE" iptables -w -t filter -S KUBE-ROUTER-FORWARD ||
    die "kube-router did not program its chains"
  log "kube-router started"
}

# kind_load ARCHIVE [NAME]: `kind load image-archive`, then NAME as a second name in the node, like
# bare_load (bare/images.sh); prints the names the node now has for it.
kind_load() {
  local tar=$1 name=$2 own
  own=$(archive_name "$tar")
  kind_tools
  kind load image-archive "$tar" --name "$KIND_NAME" >&2 || die "kind load image-archive $tar failed"
  docker exec "$KIND_NODE" ctr -n k8s.io images ls -q | grep -qxF "$own" || die "$tar did not provide $own"
  echo "$own"
  [[ -n $name && $name != "$own" ]] || return 0
  docker exec "$KIND_NODE" ctr -n k8s.io images tag --force "$own" "$name" >/dev/null || die "cannot name $own $name"
  echo "$name"
}

kind_status() {
  if [[ ${KIND_DRY_RUN:-0} == 1 ]]; then run kind get clusters; return; fi
  docker_answers || { echo "cluster: down (no Docker engine answers)"; return 3; }
  kind_tools
  if kind_exists; then
    kubectl --kubeconfig "$KIND_KUBECONFIG" get nodes,pods -A -o wide
    echo "KUBECONFIG=$KIND_KUBECONFIG"
    echo "cluster: up"
  else
    echo "cluster: down"; return 3
  fi
}
