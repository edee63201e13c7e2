# netprobe's kind node image, built here without a registry: a Debian rootfs (debootstrap: systemd,
# containerd, runc, the CNI plugins, iptables), our own Kubernetes binaries (kubelet, kubeadm, kubectl),
# and the images kubeadm and the cluster run (control plane, etcd, kube-proxy, CoreDNS, pause,
# kube-router) made by the Docker-less builder (probes/images/lib-oci.sh) from the binaries cached under
# CACHE_DIR/bin and imported into the node's containerd at build time: the build boots the node once,
# imports them and commits it (kind gives a node 30 s to boot, too little for an import under load).
# kind's contract with a node image: systemd as PID 1 reaching multi-user.target, kubeadm, kubectl,
# ctr and containerd's CRI socket, /kind/version. Sourced after lib.sh, images.sh and build/binaries.sh.
# Cached as a docker image (KIND_LOCAL_NODE_IMAGE) and as its archive under CACHE_DIR/kind, keyed by
# every input, like the other builds.
KIND_CACHE=$CACHE_DIR/kind
KIND_BASE_PACKAGES=systemd,systemd-sysv,dbus,containerd,runc,containernetworking-plugins,iptables,ipset,iproute2,conntrack,ethtool,socat,kmod,procps,ca-certificates,util-linux,mount,libseccomp2,pigz
KIND_IMAGE_REPO=localhost/netprobe
KIND_DEBIAN_MIRROR=${NETPROBE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
# the programs the kube-proxy and kube-router images take from the base rootfs, with their libraries
KIND_NET_TOOLS=(/usr/sbin/iptables /usr/sbin/iptables-save /usr/sbin/iptables-restore /usr/sbin/ip6tables
  /usr/sbin/ip6tables-save /usr/sbin/ip6tables-restore /usr/sbin/ipset /usr/sbin/conntrack /usr/bin/ip
  /usr/bin/sh /usr/bin/dash /usr/bin/cp /usr/bin/cat /usr/bin/mkdir)

# The Debian root every node image starts from, made once per package list (about 2 minutes).
kind_base_rootfs() {
  local key dir
  key=$(echo "bookworm $KIND_BASE_PACKAGES" | sha256sum | cut -c1-12)
  dir=$KIND_CACHE/base-$key
  if [[ ! -d $dir ]]; then
    command -v debootstrap >/dev/null || DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
      debootstrap >>"$CACHE_DIR/logs/apt.log" 2>&1 || die "apt-get install debootstrap failed"
    log "making the kind node's Debian root (debootstrap; log: $CACHE_DIR/logs/kind-base.log)"
    rm -rf "$dir.tmp"
    debootstrap --variant=minbase --include="$KIND_BASE_PACKAGES" bookworm "$dir.tmp" \
      "$KIND_DEBIAN_MIRROR" >"$CACHE_DIR/logs/kind-base.log" 2>&1 || die "debootstrap failed, see $CACHE_DIR/logs/kind-base.log"
    # systemd makes a fresh machine id in every node; apt's caches are of no use in an image
    : >"$dir.tmp/etc/machine-id"
    rm -rf "$dir.tmp"/var/cache/apt/archives/*.deb "$dir.tmp"/var/lib/apt/lists/*
    mv "$dir.tmp" "$dir"
  fi
  echo "$dir"
}

# kind_node_key: every input of the node image.
kind_node_key() {
  {
    echo "$K8S_VERSION $ETCD_VERSION $KUBE_ROUTER_VERSION $COREDNS_VERSION $KIND_BASE_PACKAGES"
    sha256sum "$IMAGES_DIR/pause.tar" "$IMAGES_DIR/coredns.tar" | cut -d' ' -f1
    cat "$CLUSTER_DIR/kind/node-image.sh" "$REPO_DIR/probes/images/lib-oci.sh" "$REPO_DIR/probes/images/lib-elf.sh"
    find "$CLUSTER_DIR/kind/node" -type f | sort | xargs cat
  } | sha256sum | cut -c1-12
}

# kind_component_images DIR BASE_ROOTFS: writes the OCI archives kubeadm and the cluster need into DIR.
kind_component_images() {
  local out=$1 base=$2 work=$1/.work bin
  (
    set -e
    . "$REPO_DIR/probes/images/lib-oci.sh"
    . "$REPO_DIR/probes/images/lib-elf.sh"
    rm -rf "$work" && mkdir -p "$work/net"
    local path='{"Env":["PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"]}'
    for bin in kube-apiserver kube-controller-manager kube-scheduler kube-proxy; do
      mkdir -p "$work/$bin/usr/local/bin" && cp "$K8S_BIN/$bin" "$work/$bin/usr/local/bin/"
    done
    mkdir -p "$work/etcd/usr/local/bin" "$work/kube-router/usr/local/bin"
    cp "$ETCD_BIN/etcd" "$work/etcd/usr/local/bin/"
    cp "$KUBE_ROUTER_BIN/kube-router" "$work/kube-router/usr/local/bin/"
    # iptables, ipset, ip and a shell for kube-proxy and kube-router (the xtables modules are loaded at run time)
    local modules=() m
    for m in "$base"/usr/lib/x86_64-linux-gnu/xtables/*.so; do modules+=("${m#"$base"}"); done
    elf_copy "$base" "$work/net" "${KIND_NET_TOOLS[@]}" "${modules[@]}"
    mkdir -p "$work/net/tmp" "$work/net/run" "$work/net/var/run"
    for bin in kube-apiserver kube-controller-manager kube-scheduler etcd; do
      oci_image "$out/$bin.tar" "$KIND_IMAGE_REPO/$bin:$(kind_image_tag "$bin")" "$path" "amd64=$work/$bin" >/dev/null
    done
    oci_image "$out/kube-proxy.tar" "$KIND_IMAGE_REPO/kube-proxy:$K8S_VERSION" "$path" "amd64=$work/net:$work/kube-proxy" >/dev/null
    oci_image "$out/kube-router.tar" "$KIND_IMAGE_REPO/kube-router:$KUBE_ROUTER_VERSION" \
      '{"Env":["PATH=/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Entrypoint":["/usr/local/bin/kube-router"]}' \
      "amd64=$work/net:$work/kube-router" >/dev/null
    cp "$IMAGES_DIR/pause.tar" "$IMAGES_DIR/coredns.tar" "$out/"
    rm -rf "$work"
  )
}

kind_image_tag() {
  case $1 in etcd) echo "$ETCD_VERSION" ;; *) echo "$K8S_VERSION" ;; esac
}

# kind_node_image_up: sets KIND_LOCAL_NODE_IMAGE to the node image, building it when no cache has it.
kind_node_image_up() {
  kubeadm_up
  local key archive
  key=$(kind_node_key)
  KIND_LOCAL_NODE_IMAGE=$KIND_IMAGE_REPO/kind-node:$K8S_VERSION-$key
  archive=$KIND_CACHE/node-$key.tar
  docker image inspect "$KIND_LOCAL_NODE_IMAGE" >/dev/null 2>&1 && return 0
  if [[ -s $archive ]]; then
    log "loading the kind node image from $archive"
    docker load -i "$archive" >/dev/null && return 0
  fi
  local start=$SECONDS
  kind_node_image_build "$KIND_LOCAL_NODE_IMAGE" "$archive"
  log "built the kind node image $KIND_LOCAL_NODE_IMAGE in $((SECONDS - start))s ($(du -m "$archive" | cut -f1) MiB)"
}

# kind_node_image_build REF ARCHIVE: the base root as one layer, our files as a second one, and the
# node's containerd content with the images imported as a third (kind_node_image_import).
kind_node_image_build() {
  local ref=$1 archive=$2 base base_ref ctx
  base=$(kind_base_rootfs)
  base_ref=$KIND_IMAGE_REPO/kind-base:${base##*/base-}
  if ! docker image inspect "$base_ref" >/dev/null 2>&1; then
    tar -C "$base" -c . | docker import - "$base_ref" >/dev/null || die "docker import of $base failed"
  fi
  ctx=$(mktemp -d "$KIND_CACHE/node-build.XXXXXX")
  mkdir -p "$ctx/root/kind" "$ctx/root/usr/bin" "$ctx/root/etc/systemd/system/multi-user.target.wants" "$ctx/images"
  cp -a "$CLUSTER_DIR/kind/node/." "$ctx/root/"
  echo "$K8S_VERSION" >"$ctx/root/kind/version"
  cp "$K8S_BIN/kubelet" "$K8S_BIN/kubeadm" "$K8S_BIN/kubectl" "$ctx/root/usr/bin/"
  ln -s /etc/systemd/system/kubelet.service "$ctx/root/etc/systemd/system/multi-user.target.wants/kubelet.service"
  cat >"$ctx/Dockerfile" <<DOCKERFILE
FROM $base_ref
COPY root/ /
ENV container=docker
STOPSIGNAL SIGRTMIN+3
ENTRYPOINT ["/sbin/init"]
DOCKERFILE
  mkdir -p "$CACHE_DIR/logs"
  DOCKER_BUILDKIT=0 docker build -t "$ref-stage" "$ctx" >"$CACHE_DIR/logs/kind-node-build.log" 2>&1 ||
    die "docker build of the node image failed, see $CACHE_DIR/logs/kind-node-build.log"
  kind_component_images "$ctx/images" "$base" || die "building the node's component images failed"
  kind_node_image_import "$ref-stage" "$ref" "$ctx/images"
  rm -rf "$ctx"
  docker rmi "$ref-stage" >/dev/null
  docker save -o "$archive.tmp" "$ref" && mv "$archive.tmp" "$archive"
}

# kind_node_image_import STAGE_REF REF IMAGES_DIR: boots STAGE_REF as kind would (privileged, systemd),
# imports the archives of IMAGES_DIR into its containerd (content only: containerd unpacks an image
# when a container first uses it, on the node's /var volume) and commits the stopped node as REF.
kind_node_image_import() {
  local stage=$1 ref=$2 images=$3 c t
  c=$(docker run -d --privileged --cgroupns=private --tmpfs /run --tmpfs /tmp --network none "$stage") ||
    die "could not start the node image to import its images"
  wait_for 120 "containerd in the node image" docker exec "$c" ctr version || die "containerd did not start in $c"
  for t in "$images"/*.tar; do
    docker exec -i "$c" ctr -n k8s.io images import --no-unpack - <"$t" >/dev/null || die "importing $t into the node failed"
  done
  docker stop -t 30 "$c" >/dev/null
  docker commit "$c" "$ref" >/dev/null || die "docker commit of the node image failed"
  docker rm "$c" >/dev/null
}
