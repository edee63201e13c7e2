# shellcheck shell=bash
# Helpers to write OCI image archives by script (sourced by the image recipes).
# Layers and archives are deterministic: sorted entries, mtime 0, numeric owner 0:0, gzip -n.

# oci_tar DIR: write a deterministic tar of DIR's contents (names without "./") to stdout.
oci_tar() {
  local dir=$1
  (cd "$dir" && find . -mindepth 1 -printf '%P\n' | LC_ALL=C sort) |
    tar -C "$dir" --no-recursion -T - -cf - --format=posix --numeric-owner --owner=0 --group=0 \
      --mtime=@0 --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime
}

# oci_blob FILE BLOBDIR: move FILE into BLOBDIR/sha256/<digest>; print "sha256:<hex> <size>".
oci_blob() {
  local file=$1 blobs=$2 hex size
  hex=$(sha256sum "$file" | cut -d' ' -f1)
  size=$(stat -c %s "$file")
  mkdir -p "$blobs/sha256"
  mv "$file" "$blobs/sha256/$hex"
  echo "sha256:$hex $size"
}

# oci_manifest IMGDIR ARCH CONFIG_JSON ROOTFS_DIR...: writes the blobs of one image (each ROOTFS_DIR
# one layer, in order) for linux/ARCH into IMGDIR/blobs; prints its manifest's descriptor (JSON, with
# the platform) and, on a second line, the docker-archive entry of the same image.
oci_manifest() {
  local img=$1 arch=$2 runconf=$3
  shift 3
  local blobs=$img/blobs layers='[]' diffids='[]' dir raw digest size
  for dir in "$@"; do
    raw=$img/layer.tar
    oci_tar "$dir" >"$raw"
    diffids=$(jq -c --arg d "sha256:$(sha256sum "$raw" | cut -d' ' -f1)" '. + [$d]' <<<"$diffids")
    gzip -n -6 "$raw"
    read -r digest size < <(oci_blob "$raw.gz" "$blobs")
    layers=$(jq -c --arg d "$digest" --argjson s "$size" \
      '. + [{mediaType: "application/vnd.oci.image.layer.v1.tar+gzip", digest: $d, size: $s}]' <<<"$layers")
  done
  local cfgdigest cfgsize mandigest mansize
  jq -j -n --argjson c "$runconf" --argjson ids "$diffids" --arg arch "$arch" '{
      architecture: $arch, os: "linux", created: "1970-01-01T00:00:00Z", config: $c,
      rootfs: {type: "layers", diff_ids: $ids},
      history: [$ids[] | {created: "1970-01-01T00:00:00Z", created_by: "netprobe probes/build.sh"}]
    }' >"$img/config.json"
  read -r cfgdigest cfgsize < <(oci_blob "$img/config.json" "$blobs")
  jq -j -n --arg d "$cfgdigest" --argjson s "$cfgsize" --argjson l "$layers" '{
      schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
      config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $d, size: $s},
      layers: $l
    }' >"$img/manifest.oci.json"
  read -r mandigest mansize < <(oci_blob "$img/manifest.oci.json" "$blobs")
  jq -c -n --arg d "$mandigest" --argjson s "$mansize" --arg arch "$arch" \
    '{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $d, size: $s, platform: {architecture: $arch, os: "linux"}}'
  jq -c -n --arg c "blobs/sha256/${cfgdigest#sha256:}" --argjson l "$layers" \
    '{Config: $c, Layers: [$l[].digest | "blobs/sha256/" + ltrimstr("sha256:")]}'
}

# oci_image OUT_TAR REF CONFIG_JSON ARCH=ROOTFS_DIR[:ROOTFS_DIR...]...
# Writes one OCI image index (one manifest per ARCH, linux) as an OCI layout in a tar. CONFIG_JSON is the
# runtime "config" object (User, Entrypoint, Cmd, Env, ...); each ROOTFS_DIR becomes one layer, in order.
# REF is a fully qualified name:tag. index.json names the image index; `ctr images import` reads it (and
# takes the node's platform), `crane push` of the unpacked layout pushes the index with all platforms. A
# docker-archive manifest.json over the same blobs holds the image of HOST_ARCH (default: the first
# ARCH) alone: that format has no room for an index, and `docker load` only needs the local platform.
oci_image() {
  local out=$1 ref=$2 runconf=$3
  shift 3
  local img; img=$(mktemp -d "${out}.build.XXXXXX")
  local spec arch dirs descs='[]' docker='' pair desc entry
  for spec in "$@"; do
    arch=${spec%%=*}
    IFS=: read -r -a dirs <<<"${spec#*=}"
    pair=$(oci_manifest "$img" "$arch" "$runconf" "${dirs[@]}")
    desc=${pair%%$'\n'*} entry=${pair#*$'\n'}
    descs=$(jq -c --argjson d "$desc" '. + [$d]' <<<"$descs")
    if [[ -z $docker || $arch == "${HOST_ARCH:-}" ]]; then docker=$entry; fi
  done
  local idxdigest idxsize
  jq -j -n --argjson m "$descs" '{schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: $m}' \
    >"$img/index.oci.json"
  read -r idxdigest idxsize < <(oci_blob "$img/index.oci.json" "$img/blobs")
  printf '{"imageLayoutVersion":"1.0.0"}' >"$img/oci-layout"
  jq -j -n --arg d "$idxdigest" --argjson s "$idxsize" --arg ref "$ref" '{
      schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [{mediaType: "application/vnd.oci.image.index.v1+json", digest: $d, size: $s,
        annotations: {"io.containerd.image.name": $ref, "org.opencontainers.image.ref.name": ($ref | sub(".*:"; ""))}}]
    }' >"$img/index.json"
  jq -j -n --argjson e "$docker" --arg ref "$ref" '[$e + {RepoTags: [$ref]}]' >"$img/manifest.json"
  rm -f "$img/layer.tar" "$img/config.json" "$img/manifest.oci.json" "$img/index.oci.json"
  oci_tar "$img" >"$out.tmp"
  mv "$out.tmp" "$out"
  rm -rf "$img"
  echo "$ref $idxdigest"
}

