# shellcheck shell=bash
# What the image recipes share: their layers, assembled from files.txt for each architecture, and their
# runtime config. Sourced by probe.sh, echo.sh and runner.sh with their arguments
# OUT_TAR REF WORKDIR BINARIES: WORKDIR holds sysroot-ARCH (Debian's packages for ARCH, unpacked by
# build.sh); BINARIES-ARCH is netprobe-agent built for ARCH (probe, echo), or BINARIES is the folder of
# netprobe's executables, BINARIES/netprobe-linux-ARCH (runner).
set -euo pipefail
images_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$images_dir/lib-oci.sh"
. "$images_dir/lib-elf.sh"
. "$images_dir/lib-debs.sh"
out=$1 ref=$2 work=$3 agent_prefix=$4 exe_dir=$4

AGENT_ENV='["PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin","HOME=/tmp","SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"]'

# applet_paths PROGRAM SYSROOT...: busybox's applets (their full paths, without the leading /), listed
# by the busybox of the first sysroot whose busybox runs here: both architectures ship the same
# version and configuration, and a foreign binary cannot run (no emulator is needed for the build).
applet_paths() {
  local program=$1 sys
  shift
  for sys in "$@"; do
    "$sys$program" --list-full 2>/dev/null && return 0
  done
  echo "no $program in ${*} runs on this machine" >&2
  return 1
}

# layer_entry ROOT SYSROOT ARCH DEST KIND [ARG]: adds one files.txt entry to the rootfs ROOT.
layer_entry() {
  local root=$1 sys=$2 arch=$3 dest=$4 kind=$5 arg=${6:-} applet
  mkdir -p "$root$(dirname "$dest")"
  case $kind in
    agent) install -m 0755 "$agent_prefix-$arch" "$root$dest" ;;
    deb) elf_copy "$sys" "$root" "$dest" >/dev/null ;;
    exe)
      # into the sysroot first, so its libraries come from the same architecture's packages
      install -D -m 0755 "$exe_dir/netprobe-linux-$arch" "$sys$dest" && elf_copy "$sys" "$root" "$dest" >/dev/null ;;
    applets)
      [[ -s $work/applets ]] || applet_paths "$arg" "$work"/sysroot-* | sed 's|^/||' >"$work/applets"
      sed 's|/[^/]*$||' "$work/applets" | sort -u | (cd "$root" && xargs mkdir -p)
      for applet in $(<"$work/applets"); do
        [[ -e $root/$applet || -L $root/$applet ]] || ln -s "$arg" "$root/$applet"
      done ;;
    ca-bundle)
      find "$sys/usr/share/ca-certificates/mozilla" -name '*.crt' | LC_ALL=C sort | xargs -d '\n' sed -s -e '$a\' >"$root$dest"
      [[ -s $root$dest ]] || { echo "no certificates in $arg" >&2; return 1; }
      chmod 0644 "$root$dest" ;;
    file) install -m 0644 "$images_dir/$arg" "$root$dest" ;;
    dir) install -d -m "$arg" "$root$dest" ;;
    *) echo "files.txt: unknown kind $kind" >&2; return 1 ;;
  esac
}

# layer_rootfs LAYER ARCH DIR: DIR becomes the rootfs of files.txt's LAYER for ARCH.
layer_rootfs() {
  local layer=$1 arch=$2 root=$3 name dest kind arg
  rm -rf "$root" && mkdir -p "$root"
  while read -r name dest kind arg; do
    [[ $name == "$layer" ]] || continue
    layer_entry "$root" "$work/sysroot-$arch" "$arch" "$dest" "$kind" "$arg"
  done < <(grep -v -e '^#' -e '^$' "$images_dir/files.txt")
}

# agent_image NAME CONFIG_JSON: writes OUT_TAR, the image NAME of files.txt for every architecture.
agent_image() {
  local name=$1 config=$2 arch layer specs=() dirs
  local -a layers
  read -r -a layers < <(awk -v n="$name" '$1 == "image" && $2 == n { $1 = $2 = ""; print }' "$images_dir/files.txt")
  ((${#layers[@]})) || { echo "files.txt has no image $name" >&2; return 1; }
  for arch in "${DEBS_ARCHES[@]}"; do
    dirs=
    for layer in "${layers[@]}"; do
      # a layer two images share (base) is assembled once per build: build.sh empties WORKDIR/layers first
      if [[ ! -e $work/layers/$layer-$arch.done ]]; then
        layer_rootfs "$layer" "$arch" "$work/layers/$layer-$arch"
        touch "$work/layers/$layer-$arch.done"
      fi
      dirs+=${dirs:+:}$work/layers/$layer-$arch
    done
    specs+=("$arch=$dirs")
  done
  oci_image "$out" "$ref" "$config" "${specs[@]}"
}

# agent_config ENTRYPOINT_JSON TITLE [ENV_JSON]: the runtime config of the images (default env AGENT_ENV).
agent_config() {
  jq -c -n --argjson e "$1" --argjson env "${3:-$AGENT_ENV}" --arg t "$2" --arg v "${NETPROBE_VERSION:-}" \
    '{User: "65532:65532", Entrypoint: $e, Env: $env, WorkingDir: "/tmp",
      Labels: {"org.opencontainers.image.title": $t, "org.opencontainers.image.version": $v}}'
}
