# shellcheck shell=bash
# Debian packages for the images, of any architecture, without touching the host's dpkg: apt runs on an
# index of its own under DEBS_DIR (lists, status, downloads), fetched from the host's apt sources for
# amd64 and arm64 at once. This is dpkg multiarch's download side, minus `dpkg --add-architecture` on
# the machine: the host's package database and its own `apt-get update` stay as they were, and both
# architectures take the same path (the build never copies a file from the host's own system).
# Sourced by build.sh. Each function may download; downloads are verified by apt against the signed
# index, and again here against the SHA256 recorded in the lock lines.

DEBS_DIR=${NETPROBE_CACHE:-/var/cache/netprobe}/debs
DEBS_ARCHES=(amd64 arm64)

# debs_apt_opts: the apt options that point apt-get and apt-cache at DEBS_DIR.
debs_apt_opts() {
  local arch opts=(
    -o "Dir::State::Lists=$DEBS_DIR/lists" -o "Dir::State::status=$DEBS_DIR/status"
    -o "Dir::Cache=$DEBS_DIR/cache" -o "APT::Architecture=${DEBS_ARCHES[0]}"
    -o Acquire::Languages=none -o APT::Sandbox::User=root
    -o Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false
  )
  for arch in "${DEBS_ARCHES[@]}"; do opts+=(-o "APT::Architectures::=$arch"); done
  printf '%s\n' "${opts[@]}"
}

debs_apt_get() { local o; mapfile -t o < <(debs_apt_opts); apt-get -q "${o[@]}" "$@"; }
debs_apt_cache() { local o; mapfile -t o < <(debs_apt_opts); apt-cache "${o[@]}" "$@"; }

# debs_update [--force]: fetches the index when there is none, it is a day old, or --force.
debs_update() {
  mkdir -p "$DEBS_DIR"/{lists/partial,cache/archives/partial,pool}
  touch "$DEBS_DIR/status"
  # (a stamp, not the lists' own mtimes: apt leaves an unchanged list as it was)
  if [[ ${1:-} != --force && -n $(find "$DEBS_DIR" -maxdepth 1 -name .updated -mmin -1440 -print -quit) ]]; then
    return 0
  fi
  command -v apt-get >/dev/null || { echo "apt-get is missing: the images take Debian's packages" >&2; return 1; }
  echo "fetching the Debian package index for ${DEBS_ARCHES[*]} into $DEBS_DIR" >&2
  debs_apt_get update >&2 || { echo "apt-get update for ${DEBS_ARCHES[*]} failed" >&2; return 1; }
  touch "$DEBS_DIR/.updated"
}

# debs_resolve PKG...: lock lines for each PKG of every architecture and everything it Depends or
# Pre-Depends on, recursively.
debs_resolve() {
  local arch roots=() names
  for arch in "${DEBS_ARCHES[@]}"; do roots+=("${@/%/:$arch}"); done
  names=$(debs_apt_cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances "${roots[@]}" | grep -v -e '^ ' -e '^<' | sort -u) || return 1
  # shellcheck disable=SC2086 # one package name a word
  debs_lock $names
}

# debs_lock PKG[:ARCH]...: a lock line "PACKAGE ARCH VERSION SHA256" for each PKG's candidate version in
# the index, sorted.
debs_lock() {
  debs_apt_cache show --no-all-versions "$@" | awk '
    /^Package: / { p = $2 } /^Architecture: / { a = $2 } /^Version: / { v = $2 } /^SHA256: / { s = $2 }
    /^$/ { if (p != "") print p, a, v, s; p = a = v = s = "" }
    END { if (p != "") print p, a, v, s }' | LC_ALL=C sort -u
}

# debs_fetch LOCK_LINES: downloads each package of the lock lines (stdin) into DEBS_DIR/pool/SHA256.deb
# unless it is there already. A version the mirror no longer has fails: refresh with debs_update --force.
debs_fetch() {
  local pkg arch version sha tmp specs=() shas=()
  while read -r pkg arch version sha; do
    [[ -s $DEBS_DIR/pool/$sha.deb ]] && continue
    specs+=("$pkg:$arch=$version") shas+=("$sha")
  done
  ((${#specs[@]})) || return 0
  tmp=$(mktemp -d "$DEBS_DIR/pool/.get.XXXXXX")
  (cd "$tmp" && debs_apt_get -q=2 download "${specs[@]}" >&2) || { rm -rf "$tmp"; return 1; }
  local deb hex
  for deb in "$tmp"/*.deb; do
    hex=$(sha256sum "$deb" | cut -d' ' -f1)
    mv "$deb" "$DEBS_DIR/pool/$hex.deb"
  done
  rm -rf "$tmp"
  for sha in "${shas[@]}"; do
    [[ -s $DEBS_DIR/pool/$sha.deb ]] || { echo "no package with SHA256 $sha was downloaded" >&2; return 1; }
  done
}

# debs_sysroot DIR ARCH LOCK_FILE: DIR becomes the files of every package of ARCH (and of "all") in
# LOCK_FILE, unpacked (dpkg-deb -x: no maintainer scripts run).
debs_sysroot() {
  local dir=$1 want=$2 lock=$3 pkg arch version sha
  rm -rf "$dir" && mkdir -p "$dir"
  while read -r pkg arch version sha; do
    [[ $arch == "$want" || $arch == all ]] || continue
    dpkg-deb -x "$DEBS_DIR/pool/$sha.deb" "$dir" || { echo "cannot unpack $pkg $version ($arch)" >&2; return 1; }
  done <"$lock"
}
