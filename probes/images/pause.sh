#!/usr/bin/env bash
# Pause image: a static C program on an empty root.
# Usage: pause.sh OUT_TAR REF WORKDIR
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib-oci.sh"
out=$1 ref=$2 work=$3
root=$work/pause-root
rm -rf "$root" && mkdir -p "$root"
gcc -Os -static -Wall -Wextra -o "$root/pause" "$here/pause/pause.c"
strip "$root/pause"
chmod 0755 "$root/pause"
oci_image "$out" "$ref" '{"User":"65535:65535","Entrypoint":["/pause"]}' "$HOST_ARCH=$root"
