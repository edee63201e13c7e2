#!/usr/bin/env bash
# Prints the path of qemu-aarch64-static, taken out of Debian's qemu-user-static package (the index of
# lib-debs.sh; no binfmt registration, nothing installed on the host). The tests run the arm64 images'
# programs with it (`qemu-aarch64-static -L ROOTFS ROOTFS/usr/bin/curl`); the build never needs it.
# Cached under /var/cache/netprobe/bin/qemu-user-static-<version>/ (NETPROBE_CACHE overrides the root).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib-debs.sh"
mkdir -p "$DEBS_DIR"
exec {lock}>"$DEBS_DIR/.lock"
flock "$lock"
debs_update
arch=$(dpkg --print-architecture)
line=$(debs_lock "qemu-user-static:$arch")
read -r _ _ version sha <<<"$line"
[[ -n ${sha:-} ]] || { echo "no qemu-user-static for $arch in the index" >&2; exit 1; }
dir=${NETPROBE_CACHE:-/var/cache/netprobe}/bin/qemu-user-static-${version//[:~+]/_}
if [[ ! -x $dir/qemu-aarch64-static ]]; then
  debs_fetch <<<"$line"
  mkdir -p "$dir"
  dpkg-deb --fsys-tarfile "$DEBS_DIR/pool/$sha.deb" | tar -xO ./usr/bin/qemu-aarch64-static >"$dir/qemu-aarch64-static.tmp"
  chmod 0755 "$dir/qemu-aarch64-static.tmp" && mv "$dir/qemu-aarch64-static.tmp" "$dir/qemu-aarch64-static"
fi
echo "$dir/qemu-aarch64-static"
