#!/usr/bin/env bash
# Build netprobe's container images as OCI archives, without Docker or a registry.
# Usage: probes/build.sh [--force] OUTDIR
# Writes OUTDIR/{pause,coredns,probe,echo}.tar (OCI layout + docker-archive manifest; import with
# `ctr -n k8s.io images import <tar>` or `kind load image-archive <tar>`) and OUTDIR/images.env.
# An image is rebuilt only when its inputs changed (stamp files in OUTDIR).
set -euo pipefail
force=0
if [[ ${1:-} == --force ]]; then force=1; shift; fi
out=${1:?usage: probes/build.sh [--force] OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
img=$here/images
mkdir -p "$out/.work"
out=$(cd "$out" && pwd)
work=$out/.work
# shellcheck source=../scripts/versions.env
. "$repo/scripts/versions.env"
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false
NETPROBE_VERSION=$(jq -r .version "$repo/package.json")
export NETPROBE_VERSION

# inputs_hash FILE... : a short hash of files' contents plus extra text on stdin.
inputs_hash() { { cat; for f in "$@"; do printf '%s\n' "${f#"$repo"/}"; cat "$f"; done; } | sha256sum | cut -c1-10; }
pkgs() { dpkg-query -W -f '${Package} ${Version}\n' "$@"; }

agent_src=$(find "$here/agent" -maxdepth 1 \( -name '*.go' ! -name '*_test.go' -o -name go.mod \) | LC_ALL=C sort)
# shellcheck disable=SC2086
agent_hash=$( { go version; pkgs busybox-static curl libcurl4 libssl3 ca-certificates libc6; } |
  inputs_hash $agent_src "$img/lib-oci.sh" "$img/base.sh" "$img/probe.sh" "$img/echo.sh" "$here/build.sh")
tag=$NETPROBE_VERSION-$agent_hash
pause_hash=$( { gcc --version | head -1; pkgs libc6; } | inputs_hash "$img/pause/pause.c" "$img/pause.sh" "$img/lib-oci.sh")
coredns_hash=$(echo "$COREDNS_VERSION" | inputs_hash "$img/coredns.sh" "$img/coredns-bin.sh" "$img/lib-oci.sh")

PAUSE_IMAGE=localhost/netprobe/pause:3.10-np
COREDNS_IMAGE=localhost/netprobe/coredns:$COREDNS_VERSION
PROBE_IMAGE=localhost/netprobe/probe:$tag
ECHO_IMAGE=localhost/netprobe/echo:$tag

agent_bin() {
  local bin=$work/netprobe-agent-$tag
  if [[ ! -x $bin ]]; then
    (cd "$here/agent" && go build -trimpath -ldflags "-s -w -X main.version=$tag" -o "$bin.tmp" .)
    mv "$bin.tmp" "$bin"
  fi
  echo "$bin"
}

# image NAME REF HASH RECIPE-ARGS...: run images/NAME.sh unless OUTDIR has this REF from the same inputs.
image() {
  local name=$1 ref=$2 hash=$3 stamp=$out/.stamp-$1 start=$SECONDS
  shift 3
  if [[ $force == 0 && -s $out/$name.tar && "$(cat "$stamp" 2>/dev/null)" == "$ref $hash" ]]; then
    echo "$name: $ref up to date" >&2
    return
  fi
  rm -f "$stamp"
  "$img/$name.sh" "$out/$name.tar" "$ref" "$work" "$@" >/dev/null
  echo "$ref $hash" >"$stamp"
  echo "$name: built $ref in $((SECONDS - start)) s, $(du -h "$out/$name.tar" | cut -f1)" >&2
}

image pause "$PAUSE_IMAGE" "$pause_hash"
image coredns "$COREDNS_IMAGE" "$coredns_hash" "$COREDNS_VERSION"
if [[ $force == 1 || ! -s $out/probe.tar || ! -s $out/echo.tar ||
  "$(cat "$out/.stamp-probe" "$out/.stamp-echo" 2>/dev/null)" != "$(printf '%s %s\n' "$PROBE_IMAGE" "$agent_hash" "$ECHO_IMAGE" "$agent_hash")" ]]; then
  agent=$(agent_bin)
fi
image probe "$PROBE_IMAGE" "$agent_hash" "${agent:-}"
image echo "$ECHO_IMAGE" "$agent_hash" "${agent:-}"
# Remove agent binaries and rootfs trees of other tags.
find "$work" -mindepth 1 -maxdepth 1 ! -name "netprobe-agent-$tag" -exec rm -rf {} +

printf 'PAUSE_IMAGE=%s\nCOREDNS_IMAGE=%s\nPROBE_IMAGE=%s\nECHO_IMAGE=%s\n' \
  "$PAUSE_IMAGE" "$COREDNS_IMAGE" "$PROBE_IMAGE" "$ECHO_IMAGE" >"$out/images.env.tmp"
mv "$out/images.env.tmp" "$out/images.env"
cat "$out/images.env"
