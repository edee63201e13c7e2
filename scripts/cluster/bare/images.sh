# Importing the locally built images into the node's containerd. Sourced after images.sh.

ctr_k8s() { ctr --address "$CONTAINERD_SOCK" -n k8s.io "$@"; }

# (the list is read whole first: `ctr ... | grep -q` would fail on SIGPIPE under pipefail)
node_has_image() { local have; have=$(ctr_k8s images ls -q) && grep -qxF "$1" <<<"$have"; }

# images_import: imports IMAGES_DIR/<name>.tar for each image the node does not have yet, then names the
# probe and echo images also by netprobe's default references (a re-tag, cheap, on every up: the default
# tag stays the same while the built image changes).
images_import() {
  local var name tar
  for var in PAUSE_IMAGE COREDNS_IMAGE PROBE_IMAGE ECHO_IMAGE; do
    name=${!var}
    node_has_image "$name" && continue
    tar=$IMAGES_DIR/$(tr A-Z a-z <<<"${var%_IMAGE}").tar
    [[ -s $tar ]] || die "$tar is missing"
    ctr_k8s images import "$tar" >/dev/null 2>&1 || true
    if ! node_has_image "$name"; then
      # an archive that names only the tag needs the repository from us
      ctr_k8s images import --base-name "${name%:*}" "$tar" >/dev/null ||
        die "importing $tar failed"
    fi
    node_has_image "$name" || die "$tar did not provide $name"
  done
  ctr_k8s images tag --force "$PROBE_IMAGE" "$PROBE_DEFAULT_IMAGE" >/dev/null || die "cannot tag $PROBE_IMAGE as $PROBE_DEFAULT_IMAGE"
  ctr_k8s images tag --force "$ECHO_IMAGE" "$ECHO_DEFAULT_IMAGE" >/dev/null || die "cannot tag $ECHO_IMAGE as $ECHO_DEFAULT_IMAGE"
}

# bare_load ARCHIVE [NAME]: imports ARCHIVE into the node's containerd (its own name), and names it NAME
# too when given. Never replaces an image under another name: tests load under their own tags.
bare_load() {
  local tar=$1 name=$2 own
  own=$(archive_name "$tar")
  ctr_k8s images import "$tar" >/dev/null || die "importing $tar failed"
  node_has_image "$own" || die "$tar did not provide $own"
  echo "$own"
  [[ -n $name && $name != "$own" ]] || return 0
  ctr_k8s images tag --force "$own" "$name" >/dev/null || die "cannot name $own $name"
  echo "$name"
}
