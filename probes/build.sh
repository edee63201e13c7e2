#!/usr/bin/env bash
# Build netprobe's container images as OCI archives, without Docker or a registry.
# Usage: probes/build.sh [--force] [--only probe,echo,runner] [--exe-dir DIR] OUTDIR
# Writes OUTDIR/{pause,coredns,probe,echo}.tar (or those --only names) and OUTDIR/images.env. Each tar
# is an OCI layout holding one image index; probe, echo and runner have linux/amd64 and linux/arm64,
# pause and coredns (the local cluster's) the build machine's architecture. The runner image (netprobe
# itself, for Jobs and charts/netprobe) is built only when asked for: it holds netprobe's executables,
# DIR/netprobe-linux-amd64 and -arm64 (`npm run build:exe` writes them to dist/), so it depends on
# more than probes/ and is not one of the local cluster's images. Import with
# `ctr -n k8s.io images import <tar>` or `kind load image-archive <tar>`; push with scripts/release.
# OUTDIR/debs.lock lists the Debian packages (version, SHA256) the probe and echo images hold.
# An image is rebuilt only when its inputs changed (stamp files in OUTDIR).
set -euo pipefail
args=("$@")
usage="usage: probes/build.sh [--force] [--only probe,echo,runner] [--exe-dir DIR] OUTDIR"
force=0 only=pause,coredns,probe,echo exe_dir=
while [[ ${1:-} == --* ]]; do
  case $1 in
    --force) force=1; shift ;;
    --only) only=${2:?$usage}; shift 2 ;;
    --exe-dir) exe_dir=${2:?$usage}; shift 2 ;;
    *) echo "$usage" >&2; exit 2 ;;
  esac
done
out=${1:?$usage}
if [[ ,$only, == *,runner,* ]]; then
  [[ -n $exe_dir ]] || { echo "the runner image needs --exe-dir DIR (npm run build:exe writes dist/)" >&2; exit 2; }
  for arch in amd64 arm64; do
    [[ -s $exe_dir/netprobe-linux-$arch ]] || { echo "$exe_dir/netprobe-linux-$arch is missing: run npm run build:exe" >&2; exit 2; }
  done
  exe_dir=$(cd "$exe_dir" && pwd)
fi
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
img=$here/images
mkdir -p "$out/.work"
out=$(cd "$out" && pwd)
work=$out/.work
# shellcheck source=../scripts/versions.env
. "$repo/scripts/versions.env"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false
command -v go >/dev/null || export PATH=$PATH:/usr/local/go/bin # where scripts/cluster's builds look too
NETPROBE_VERSION=$(jq -r .version "$repo/package.json")
export NETPROBE_VERSION

# inputs_hash FILE... : a short hash of files' contents plus extra text on stdin.
inputs_hash() { { cat; for f in "$@"; do printf '%s\n' "${f#"$repo"/}"; cat "$f"; done; } | sha256sum | cut -c1-10; }
pkgs() { dpkg-query -W -f '${Package} ${Version}\n' "$@"; }

# The Debian packages of the probe and echo images (files.txt's deb and ca-bundle entries), for every
# architecture: their versions, from a package index of our own (lib-debs.sh), go into the hash, so a
# new Debian version makes new images. The lock file records what each image was built from.
. "$img/lib-debs.sh"
HOST_ARCH=$(go env GOHOSTARCH)
export HOST_ARCH
mkdir -p "$DEBS_DIR"
exec {debs_lock_fd}>"$DEBS_DIR/.lock" # one build at a time updates, resolves or fetches
resolve_debs() {
  local with_deps without_deps key
  with_deps=$(awk '!/^#/ && ($3 == "deb" || $3 == "exe") { print $4 }' "$img/files.txt" | sort -u)
  without_deps=$(awk '!/^#/ && $3 == "ca-bundle" { print $4 }' "$img/files.txt" | sort -u)
  # apt-cache takes seconds: the answer is kept per index (its signed Release files) and package list
  key=$({ cat "$DEBS_DIR"/lists/*Release 2>/dev/null; echo "${DEBS_ARCHES[*]} $with_deps / $without_deps"; } | sha256sum | cut -c1-16)
  if [[ ! -s $DEBS_DIR/resolved/$key ]]; then
    mkdir -p "$DEBS_DIR/resolved"
    # shellcheck disable=SC2086 # package names, one a word
    if ! { debs_resolve $with_deps && debs_lock $without_deps; } | LC_ALL=C sort -u >"$DEBS_DIR/resolved/$key.tmp" ||
      [[ ! -s $DEBS_DIR/resolved/$key.tmp ]]; then
      echo "cannot resolve the Debian packages of the images for ${DEBS_ARCHES[*]}" >&2
      return 1
    fi
    # apt-cache only warns about a package it does not know
    local pkg arch
    for pkg in $with_deps $without_deps; do
      for arch in "${DEBS_ARCHES[@]}"; do
        # (awk, not grep -E: a package name may hold regex characters, as libstdc++6 does)
        awk -v p="$pkg" -v a="$arch" '$1 == p && ($2 == a || $2 == "all") { found = 1 } END { exit !found }' \
          "$DEBS_DIR/resolved/$key.tmp" || {
          echo "Debian package $pkg ($arch) is not in the package index" >&2
          rm -f "$DEBS_DIR/resolved/$key.tmp"
          return 1
        }
      done
    done
    mv "$DEBS_DIR/resolved/$key.tmp" "$DEBS_DIR/resolved/$key"
  fi
  cp "$DEBS_DIR/resolved/$key" "$work/debs.lock"
}
flock "$debs_lock_fd"
# (each checked on its own line: set -e does not stop at a failure on the left of &&)
debs_update || exit 1
resolve_debs || exit 1
flock -u "$debs_lock_fd"

agent_src=$(find "$here/agent" -maxdepth 1 \( -name '*.go' ! -name '*_test.go' -o -name go.mod \) | LC_ALL=C sort)
recipes=$(find "$img" -maxdepth 1 \( -name 'lib-*.sh' -o -name base.sh -o -name probe.sh -o -name echo.sh -o -name files.txt \) |
  LC_ALL=C sort)
recipes+=" $(find "$img/rootfs" -type f | LC_ALL=C sort | tr '\n' ' ')"
# shellcheck disable=SC2086
agent_hash=$( { go version; cat "$work/debs.lock"; } | inputs_hash $agent_src $recipes "$here/build.sh")
tag=$NETPROBE_VERSION-$agent_hash
pause_hash=$( { gcc --version | head -1; pkgs libc6; echo "$HOST_ARCH"; } | inputs_hash "$img/pause/pause.c" "$img/pause.sh" "$img/lib-oci.sh")
coredns_hash=$( { echo "$COREDNS_VERSION"; echo "$HOST_ARCH"; } | inputs_hash "$img/coredns.sh" "$img/coredns-bin.sh" "$img/lib-oci.sh")

PAUSE_IMAGE=localhost/netprobe/pause:3.10-np
COREDNS_IMAGE=localhost/netprobe/coredns:$COREDNS_VERSION
PROBE_IMAGE=localhost/netprobe/probe:$tag
ECHO_IMAGE=localhost/netprobe/echo:$tag
RUNNER_IMAGE=
if [[ ,$only, == *,runner,* ]]; then
  runner_recipes=$(find "$img" -maxdepth 1 \( -name 'lib-*.sh' -o -name base.sh -o -name runner.sh -o -name files.txt \) | LC_ALL=C sort)
  # shellcheck disable=SC2086
  runner_hash=$( { cat "$work/debs.lock"; sha256sum <"$exe_dir/netprobe-linux-amd64"; sha256sum <"$exe_dir/netprobe-linux-arm64"; } |
    inputs_hash $runner_recipes "$here/build.sh")
  RUNNER_IMAGE=localhost/netprobe/netprobe:$NETPROBE_VERSION-$runner_hash
fi

# sysroots: unpacks the Debian packages of every architecture into WORKDIR/sysroot-ARCH (once a run);
# status 3 when the mirror no longer has a version the lock names.
sysroots_done=0
sysroots() {
  ((sysroots_done)) && return 0
  flock "$debs_lock_fd" && debs_fetch <"$work/debs.lock" || return 3
  flock -u "$debs_lock_fd"
  local arch
  for arch in "${DEBS_ARCHES[@]}"; do debs_sysroot "$work/sysroot-$arch" "$arch" "$work/debs.lock" || return 1; done
  sysroots_done=1
}

# agent_bins: builds netprobe-agent for every architecture (WORKDIR/netprobe-agent-TAG-ARCH) and unpacks
# the Debian packages of each into WORKDIR/sysroot-ARCH; prints the agent's path prefix.
agent_bins() {
  # (called in a `||` list, where set -e is off: every step checks its own status)
  local bin=$work/netprobe-agent-$tag arch
  for arch in "${DEBS_ARCHES[@]}"; do
    [[ -x $bin-$arch ]] && continue
    (cd "$here/agent" && GOARCH=$arch go build -trimpath -ldflags "-s -w -X main.version=$tag" -o "$bin-$arch.tmp" .) &&
      mv "$bin-$arch.tmp" "$bin-$arch" || return 1
  done
  sysroots || return
  echo "$bin"
}

# image NAME REF HASH RECIPE-ARGS...: run images/NAME.sh unless OUTDIR has this REF from the same inputs.
image() {
  local name=$1 ref=$2 hash=$3 stamp=$out/.stamp-$1 start=$SECONDS
  shift 3
  [[ ,$only, == *,$name,* ]] || return 0
  if [[ $force == 0 && -s $out/$name.tar && "$(cat "$stamp" 2>/dev/null)" == "$ref $hash" ]]; then
    echo "$name: $ref up to date" >&2
    return
  fi
  rm -f "$stamp"
  "$img/$name.sh" "$out/$name.tar" "$ref" "$work" "$@" >/dev/null
  echo "$ref $hash" >"$stamp"
  echo "$name: built $ref in $((SECONDS - start)) s, $(du -h "$out/$name.tar" | cut -f1)" >&2
}

# refetch STATUS: after a failed sysroot step. A package version the mirror has dropped since the index
# was fetched (status 3): fetch the index again and start over (once), so the tags hash the versions
# the images hold. Anything else: exit.
refetch() {
  (($1 == 3)) && [[ -z ${NETPROBE_DEBS_REFRESHED:-} ]] || exit 1
  echo "fetching the package index again: the mirror no longer has a version it listed" >&2
  debs_update --force
  exec {debs_lock_fd}>&-
  NETPROBE_DEBS_REFRESHED=1 exec "$0" "${args[@]}"
}

image pause "$PAUSE_IMAGE" "$pause_hash"
image coredns "$COREDNS_IMAGE" "$coredns_hash" "$COREDNS_VERSION"
if [[ ,$only, == *,probe,* || ,$only, == *,echo,* ]] && [[ $force == 1 || ! -s $out/probe.tar || ! -s $out/echo.tar ||
  "$(cat "$out/.stamp-probe" "$out/.stamp-echo" 2>/dev/null)" != "$(printf '%s %s\n' "$PROBE_IMAGE" "$agent_hash" "$ECHO_IMAGE" "$agent_hash")" ]]; then
  agent=$(agent_bins) || refetch $?
fi
if [[ ,$only, == *,runner,* ]] && [[ $force == 1 || ! -s $out/runner.tar || "$(cat "$out/.stamp-runner" 2>/dev/null)" != "$RUNNER_IMAGE $runner_hash" ]]; then
  sysroots || refetch $?
fi
rm -rf "$work/layers" "$work/applets" # (base.sh shares layers between the recipes of this run only)
image probe "$PROBE_IMAGE" "$agent_hash" "${agent:-}"
image echo "$ECHO_IMAGE" "$agent_hash" "${agent:-}"
image runner "$RUNNER_IMAGE" "${runner_hash:-}" "$exe_dir"
cp "$work/debs.lock" "$out/debs.lock"
# Remove agent binaries of other tags, sysroots and rootfs trees.
find "$work" -mindepth 1 -maxdepth 1 ! -name "netprobe-agent-$tag-*" -exec rm -rf {} +

for var in PAUSE_IMAGE COREDNS_IMAGE PROBE_IMAGE ECHO_IMAGE RUNNER_IMAGE; do
  name=$(tr A-Z a-z <<<"${var%_IMAGE}")
  [[ ,$only, == *,$name,* ]] && printf '%s=%s\n' "$var" "${!var}"
done >"$out/images.env.tmp"
mv "$out/images.env.tmp" "$out/images.env"
cat "$out/images.env"
