#!/usr/bin/env bash
# Build (once) the CoreDNS binary from its Go module and print its path.
# Cached under /var/cache/netprobe/bin/coredns-<version>/coredns.
set -euo pipefail
version=${1:?usage: coredns-bin.sh VERSION}
cache=${NETPROBE_CACHE:-/var/cache/netprobe}/bin/coredns-$version
if [[ -x $cache/coredns ]]; then echo "$cache/coredns"; exit 0; fi
tmp=$(mktemp -d "${cache}.tmp.XXXXXX" 2>/dev/null || { mkdir -p "$(dirname "$cache")"; mktemp -d "${cache}.tmp.XXXXXX"; })
trap 'rm -rf "$tmp"' EXIT
export GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false
echo "building coredns $version (takes minutes on a cold machine)" >&2
if ! GOBIN=$tmp go install -trimpath -ldflags='-s -w' "github.com/coredns/coredns@$version" >&2; then
  # Fallback: a wrapper module that requires coredns and builds its main package.
  echo "go install failed; trying a wrapper module" >&2
  mkdir -p "$tmp/wrap"
  (cd "$tmp/wrap" && go mod init netprobe.local/corednswrap >&2 \
    && go get "github.com/coredns/coredns@$version" >&2 \
    && go build -trimpath -ldflags='-s -w' -o "$tmp/coredns" github.com/coredns/coredns >&2)
fi
"$tmp/coredns" -version >&2
mkdir -p "$cache"
mv "$tmp/coredns" "$cache/coredns"
echo "$cache/coredns"
