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

# oci_image OUT_TAR REF CONFIG_JSON ROOTFS_DIR...
# CONFIG_JSON is the image's runtime "config" object (User, Entrypoint, Cmd, Env, ...).
# Each ROOTFS_DIR becomes one layer, in order. REF is a fully qualified name:tag.
oci_image() {
  local out=$1 ref=$2 runconf=$3
  shift 3
  local img; img=$(mktemp -d "${out}.build.XXXXXX")
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
  local cfg cfgdigest cfgsize man mandigest mansize
  jq -j -n --argjson c "$runconf" --argjson ids "$diffids" '{
      architecture: "amd64", os: "linux", created: "1970-01-01T00:00:00Z", config: $c,
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
  # OCI layout (ctr import, containerd) ...
  printf '{"imageLayoutVersion":"1.0.0"}' >"$img/oci-layout"
  jq -j -n --arg d "$mandigest" --argjson s "$mansize" --arg ref "$ref" '{
      schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
      manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $d, size: $s,
        annotations: {"io.containerd.image.name": $ref, "org.opencontainers.image.ref.name": ($ref | sub(".*:"; ""))}}]
    }' >"$img/index.json"
  # ... and the docker-archive manifest over the same blobs (docker load, kind load image-archive).
  jq -j -n --arg c "blobs/sha256/${cfgdigest#sha256:}" --argjson l "$layers" --arg ref "$ref" \
    '[{Config: $c, RepoTags: [$ref], Layers: [$l[].digest | "blobs/sha256/" + ltrimstr("sha256:")]}]' \
    >"$img/manifest.json"
  oci_tar "$img" >"$out.tmp"
  mv "$out.tmp" "$out"
  rm -rf "$img"
  echo "$ref $mandigest"
}

# copy_with_libs ROOT BINARY...: copy dynamically linked binaries and their ldd closure (including
# the dynamic loader) into ROOT at the same paths.
copy_with_libs() {
  local root=$1 f
  shift
  for f in "$@" $(ldd "$@" | awk '/=> \//{print $3} /^\t\/[^ ]+ \(/{print $1}' | sort -u); do
    mkdir -p "$root$(dirname "$f")"
    cp -L "$f" "$root$f"
  done
}
