# The images every pod uses, built locally by probes/build.sh (no registry exists here) and cached
# by the content of probes/ and versions.env. Sourced after lib.sh by both backends.
# images_up sets IMAGES_DIR, PAUSE_IMAGE, COREDNS_IMAGE, PROBE_IMAGE, ECHO_IMAGE (the built references)
# and PROBE_DEFAULT_IMAGE, ECHO_DEFAULT_IMAGE (see images_defaults).

images_key() {
  (cd "$REPO_DIR" && find probes scripts/versions.env -type f -not -path '*/node_modules/*' -print0 |
    sort -z | xargs -0 sha256sum) | sha256sum | cut -c1-16
}

# images_defaults: sets PROBE_DEFAULT_IMAGE and ECHO_DEFAULT_IMAGE, the references netprobe uses when
# given no image (src/cli/images.ts: package.json's config.imageRegistry and version). The node gets the
# built probe and echo images under these names too, so netprobe needs no image variable here.
images_defaults() {
  local registry version
  registry=$(jq -r .config.imageRegistry "$REPO_DIR/package.json") && version=$(jq -r .version "$REPO_DIR/package.json") ||
    die "cannot read config.imageRegistry and version from package.json"
  PROBE_DEFAULT_IMAGE=$registry/probe:$version
  ECHO_DEFAULT_IMAGE=$registry/echo:$version
}

# images_up: sets IMAGES_DIR (NETPROBE_IMAGES_DIR if given) and loads its images.env.
images_up() {
  if [[ -n ${NETPROBE_IMAGES_DIR:-} ]]; then
    IMAGES_DIR=$NETPROBE_IMAGES_DIR
  else
    [[ -x $REPO_DIR/probes/build.sh ]] || die "probes/build.sh is missing: it builds the node's images"
    IMAGES_DIR=$CACHE_DIR/images/$(images_key)
    if [[ ! -s $IMAGES_DIR/images.env ]]; then
      log "building images into $IMAGES_DIR"
      mkdir -p "$CACHE_DIR/logs"
      rm -rf "$IMAGES_DIR.tmp"
      "$REPO_DIR/probes/build.sh" "$IMAGES_DIR.tmp" >"$CACHE_DIR/logs/images-build.log" 2>&1 ||
        die "probes/build.sh failed, see $CACHE_DIR/logs/images-build.log"
      rm -rf "$IMAGES_DIR" && mv "$IMAGES_DIR.tmp" "$IMAGES_DIR"
    fi
  fi
  [[ -s $IMAGES_DIR/images.env ]] || die "$IMAGES_DIR/images.env is missing"
  local var
  for var in PAUSE_IMAGE COREDNS_IMAGE PROBE_IMAGE ECHO_IMAGE; do
    local line
    line=$(grep -E "^$var=" "$IMAGES_DIR/images.env" | tail -1) || die "$var missing from $IMAGES_DIR/images.env"
    printf -v "$var" '%s' "${line#*=}"
    [[ ${!var} == */*:* && ${!var} != *:latest ]] || die "$var=${!var} is not a fully qualified, tagged name"
  done
  images_defaults
}

# images_agent DEST: netprobe-agent taken out of the echo image into DEST (once); prints DEST. Both
# backends' simulated external host runs it, so probes/ owns the only build of it.
images_agent() {
  local bin=$1 layer
  if [[ ! -x $bin ]]; then
    mkdir -p "$(dirname "$bin")"
    layer=$(tar -xOf "$IMAGES_DIR/echo.tar" manifest.json | tr -d ' \n' | sed 's/.*"Layers":\["\([^"]*\)".*/\1/')
    tar -xOf "$IMAGES_DIR/echo.tar" "$layer" | tar -xzO usr/local/bin/netprobe-agent >"$bin.tmp" &&
      chmod +x "$bin.tmp" && mv "$bin.tmp" "$bin" || die "no usr/local/bin/netprobe-agent in $IMAGES_DIR/echo.tar"
  fi
  echo "$bin"
}

# archive_name ARCHIVE: the name an image archive of probes/build.sh gives its image (index.json's
# io.containerd.image.name annotation, which `ctr images import` uses).
archive_name() {
  tar -xOf "$1" index.json 2>/dev/null | jq -er '.manifests[0].annotations["io.containerd.image.name"] // empty' ||
    die "$1 is not an image archive of probes/build.sh (no named image in its index.json)"
}
