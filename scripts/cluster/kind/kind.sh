# The kind backend: a kind cluster with its default CNI disabled, Calico (or Cilium) enforcing
# NetworkPolicy, netprobe's images loaded with `kind load image-archive`, and the simulated external
# host as a container on its own Docker network (a documentation range) joined to the node.
# Sourced by the entry script after lib.sh and images.sh. KIND_DRY_RUN=1 prints the commands instead.
. "$CLUSTER_DIR/kind/versions.env"
KIND_NAME=${NETPROBE_KIND_NAME:-netprobe}
KIND_KUBECONFIG=${NETPROBE_KIND_KUBECONFIG:-$HOME/.kube/netprobe-kind.config}
KIND_EXT_NETWORK=netprobe-ext
KIND_EXT_CONTAINER=netprobe-ext

# run COMMAND...: runs it, or with KIND_DRY_RUN=1 prints it (shell-quoted) on stdout.
run() {
  if [[ ${KIND_DRY_RUN:-0} == 1 ]]; then printf '%q ' "$@" | sed 's/ $//'; echo; else "$@"; fi
}
# run_stdin COMMAND...: like run, with stdin passed on (shown as a here-document when dry).
run_stdin() {
  if [[ ${KIND_DRY_RUN:-0} == 1 ]]; then printf '%q ' "$@"; echo "<<'EOF'"; cat; echo EOF; else "$@"; fi
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
    *) die "unknown CNI '${KIND_CNI}' (calico or cilium)" ;;
  esac
  run "${k[@]}" wait --for=condition=Ready nodes --all --timeout=300s
}

# The external host: the echo image on a Docker network of its own, the node joined to it, and
# CoreDNS told the host's name.
kind_external_up() {
  local k=(kubectl --kubeconfig "$KIND_KUBECONFIG")
  run docker network create --subnet "$EXT_NET" "$KIND_EXT_NETWORK"
  run docker network connect "$KIND_EXT_NETWORK" "$KIND_NAME-control-plane"
  run docker load -i "$IMAGES_DIR/echo.tar"
  run docker run -d --name "$KIND_EXT_CONTAINER" --network "$KIND_EXT_NETWORK" --ip "$EXTERNAL_IP" \
    -e ECHO_TCP=80 -e ECHO_HTTPS=443 -e ECHO_UDP=53 -e ECHO_DNS_A="$EXTERNAL_IP" -e POD_NAME="$EXTERNAL_NAME" "$ECHO_IMAGE"
  run_stdin "${k[@]}" -n kube-system patch configmap coredns --type merge --patch-file /dev/stdin <<JSON
{"data": {"Corefile": ".:53 {\n    errors\n    health\n    ready\n    kubernetes cluster.local in-addr.arpa ip6.arpa {\n        pods insecure\n        fallthrough in-addr.arpa ip6.arpa\n    }\n    hosts /etc/hosts netprobe.test {\n        $EXTERNAL_IP $EXTERNAL_NAME\n    }\n    cache 5\n    reload\n}\n"}}
JSON
  run "${k[@]}" -n kube-system rollout restart deployment/coredns
  run "${k[@]}" -n kube-system rollout status deployment/coredns --timeout=120s
}

kind_up() {
  if [[ ${KIND_DRY_RUN:-0} != 1 ]]; then
    local c
    for c in kind kubectl docker; do command -v "$c" >/dev/null || die "$c is needed for the kind backend"; done
    [[ ${KIND_CNI:-calico} != cilium ]] || command -v cilium >/dev/null || die "the cilium CLI is needed for --cni cilium"
    images_up
  else
    IMAGES_DIR=${NETPROBE_IMAGES_DIR:-$CACHE_DIR/images/$(images_key)}
    echo "$REPO_DIR/probes/build.sh $IMAGES_DIR"
    PAUSE_IMAGE='$PAUSE_IMAGE' COREDNS_IMAGE='$COREDNS_IMAGE' PROBE_IMAGE='$PROBE_IMAGE' ECHO_IMAGE='$ECHO_IMAGE'
    [[ ! -s $IMAGES_DIR/images.env ]] || . "$IMAGES_DIR/images.env"
    images_defaults
  fi
  if [[ ${KIND_DRY_RUN:-0} == 1 ]] || ! kind get clusters 2>/dev/null | grep -x "$KIND_NAME" >/dev/null; then
    run mkdir -p "$(dirname "$KIND_KUBECONFIG")"
    run kind create cluster --name "$KIND_NAME" --image "$KIND_NODE_IMAGE" \
      --config "$CLUSTER_DIR/kind/cluster.yaml" --kubeconfig "$KIND_KUBECONFIG"
    kind_cni_up
    kind_external_up
  fi
  local img
  for img in probe echo; do
    run kind load image-archive "$IMAGES_DIR/$img.tar" --name "$KIND_NAME"
  done
  # netprobe's default references name the same images (see images_defaults).
  run docker exec "$KIND_NAME-control-plane" ctr -n k8s.io images tag --force "$PROBE_IMAGE" "$PROBE_DEFAULT_IMAGE"
  run docker exec "$KIND_NAME-control-plane" ctr -n k8s.io images tag --force "$ECHO_IMAGE" "$ECHO_DEFAULT_IMAGE"
  echo "KUBECONFIG=$KIND_KUBECONFIG"
  echo "PROBE_IMAGE=$PROBE_DEFAULT_IMAGE"
  echo "ECHO_IMAGE=$ECHO_DEFAULT_IMAGE"
  echo "EXTERNAL_IP=$EXTERNAL_IP"
}

kind_down() {
  if [[ ${KIND_DRY_RUN:-0} == 1 ]]; then
    run docker rm -f "$KIND_EXT_CONTAINER"
    run kind delete cluster --name "$KIND_NAME" --kubeconfig "$KIND_KUBECONFIG"
    run docker network rm "$KIND_EXT_NETWORK"
    return
  fi
  docker rm -f "$KIND_EXT_CONTAINER" >/dev/null 2>&1 || true
  kind delete cluster --name "$KIND_NAME" --kubeconfig "$KIND_KUBECONFIG"
  docker network rm "$KIND_EXT_NETWORK" >/dev/null 2>&1 || true
}

kind_status() {
  if [[ ${KIND_DRY_RUN:-0} == 1 ]]; then run kind get clusters; return; fi
  if kind get clusters 2>/dev/null | grep -x "$KIND_NAME" >/dev/null; then
    kubectl --kubeconfig "$KIND_KUBECONFIG" get nodes,pods -A -o wide
    echo "KUBECONFIG=$KIND_KUBECONFIG"
    echo "cluster: up"
  else
    echo "cluster: down"; return 3
  fi
}
