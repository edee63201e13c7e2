# Makes sure every binary the bare cluster runs is in the cache (CACHE_DIR/bin/<name>-<version>),
# building what is missing from the Go module proxy. Sourced after lib.sh.

# build_cached NAME DIR COMMAND...: runs COMMAND unless DIR exists; logs and times it.
build_cached() {
  local name=$1 dir=$2; shift 2
  [[ -d $dir ]] && return 0
  command -v go >/dev/null || export PATH=$PATH:/usr/local/go/bin
  command -v go >/dev/null || die "Go is needed to build $name (not cached in $dir)"
  mkdir -p "$CACHE_DIR/logs"
  log "building $name into $dir (cold cache; log: $CACHE_DIR/logs/$name-build.log)"
  local start=$SECONDS
  "$@" >"$CACHE_DIR/logs/$name-build.log" 2>&1 || die "building $name failed, see $CACHE_DIR/logs/$name-build.log"
  log "built $name in $((SECONDS - start))s"
}

binaries_up() {
  local b=$CLUSTER_DIR/build
  build_cached kubernetes "$K8S_BIN" "$b/k8s.sh" "$K8S_VERSION" "$K8S_BIN"
  build_cached etcd "$ETCD_BIN" "$b/gomod.sh" go.etcd.io/etcd/server/v3 "$ETCD_VERSION" \
    go.etcd.io/etcd/server/v3 etcd "$ETCD_BIN"
  # kube-router v2.10.0 pins a netlink pseudo-version the module proxy refuses (403); v1.3.1 builds.
  GOMOD_REPLACE=github.com/vishvananda/netlink=github.com/vishvananda/netlink@v1.3.1 \
    build_cached kube-router "$KUBE_ROUTER_BIN" "$b/gomod.sh" github.com/cloudnativelabs/kube-router/v2 \
    "$KUBE_ROUTER_VERSION" github.com/cloudnativelabs/kube-router/v2/cmd/kube-router kube-router "$KUBE_ROUTER_BIN" \
    "-X github.com/cloudnativelabs/kube-router/v2/pkg/version.Version=$KUBE_ROUTER_VERSION"
}

# kubeadm (the kind node image's, see kind/node-image.sh) joined build/k8s.sh after many caches were
# made: a cache without it gets kubeadm alone, built beside it and moved in, the other six untouched.
kubeadm_up() {
  [[ -x $K8S_BIN/kubeadm ]] && return 0
  binaries_up
  build_cached kubeadm "$K8S_BIN.kubeadm" "$CLUSTER_DIR/build/k8s.sh" "$K8S_VERSION" "$K8S_BIN.kubeadm" kubeadm
  mv "$K8S_BIN.kubeadm/kubeadm" "$K8S_BIN/kubeadm" && rmdir "$K8S_BIN.kubeadm"
}
