#!/usr/bin/env bash
# CoreDNS image: the binary built from its Go module (coredns-bin.sh) on an empty root, user 65532.
# Usage: coredns.sh OUT_TAR REF WORKDIR COREDNS_VERSION
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib-oci.sh"
out=$1 ref=$2 work=$3 version=$4
bin=$("$here/coredns-bin.sh" "$version")
root=$work/coredns-root
rm -rf "$root" && mkdir -p "$root"
install -m 0755 "$bin" "$root/coredns"
oci_image "$out" "$ref" \
  '{"User":"65532:65532","Entrypoint":["/coredns"],"Cmd":["-conf","/etc/coredns/Corefile"],"ExposedPorts":{"53/udp":{},"53/tcp":{}}}' \
  "$HOST_ARCH=$root"
