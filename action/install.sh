#!/usr/bin/env bash
# The action's install step: downloads netprobe-linux-ARCH.tar.gz of INPUT_VERSION for the runner's
# architecture, checks its sha256 against action/SHA256SUMS (in this action's own repository, written by
# scripts/release when it made that release: a checksum served by the download server would prove
# nothing), unpacks the executable into $RUNNER_TEMP and puts it on the job's PATH ($GITHUB_PATH).
# Inputs (environment): INPUT_VERSION, INPUT_RELEASE_URL (optional: a mirror of the release's files).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

fail() { echo "::error title=netprobe install::$*"; exit 1; }

[[ ${RUNNER_OS:-Linux} == Linux ]] || fail "netprobe's executables are for Linux; this runner is ${RUNNER_OS}"
case ${RUNNER_ARCH:-X64} in
  X64) arch=amd64 ;;
  ARM64) arch=arm64 ;;
  *) fail "no netprobe executable for the runner architecture ${RUNNER_ARCH} (linux amd64 and arm64 only)" ;;
esac
version=${INPUT_VERSION#v}
[[ $version =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]] || fail "version '${INPUT_VERSION}' is not a netprobe version (e.g. 0.1.0)"
name=netprobe-linux-$arch.tar.gz
# Lines of action/SHA256SUMS: `SHA256  vVERSION/FILE`; `#` starts a comment.
expected=$(awk -v want="v$version/$name" '$1 !~ /^#/ && $2 == want { print $1 }' "$here/SHA256SUMS")
[[ -n $expected ]] || fail "this action pins no checksum for netprobe $version ($name in action/SHA256SUMS); use the action at the tag of that version (uses: netprobe-dev/netprobe@v$version), or a version it lists"

base=${INPUT_RELEASE_URL:-https://github.com/netprobe-dev/netprobe/releases/download/v$version}
dir=${RUNNER_TEMP:?RUNNER_TEMP is not set}/netprobe-$version-$arch
rm -rf "$dir" && mkdir -p "$dir"
echo "netprobe: downloading ${base%/}/$name"
curl -fsSL --retry 3 --retry-connrefused -o "$dir/$name" "${base%/}/$name" || fail "download of ${base%/}/$name failed"
actual=$(sha256sum "$dir/$name" | cut -d' ' -f1)
if [[ $actual != "$expected" ]]; then
  rm -f "$dir/$name"
  fail "checksum mismatch for ${base%/}/$name: sha256 $actual, but action/SHA256SUMS pins $expected for v$version; the file was deleted, nothing was installed"
fi
tar -xzf "$dir/$name" -C "$dir"
rm -f "$dir/$name"
mv "$dir/netprobe-linux-$arch" "$dir/netprobe"
chmod +x "$dir/netprobe"
got=$("$dir/netprobe" --version) || fail "the installed netprobe does not start: $got"
[[ $got == "netprobe $version" ]] || fail "the installed executable says '$got', expected netprobe $version"
echo "$dir" >>"${GITHUB_PATH:?GITHUB_PATH is not set}"
echo "netprobe: installed $got (linux-$arch, sha256 $actual) in $dir"
