# Debian packages the bare cluster runs on; installed by `up` when missing. Sourced after lib.sh.
# (Go, 1.26 or newer, is not among them: Debian's is too old; builds look for it in PATH and
# /usr/local/go/bin.)

packages_up() {
  local -A need=(
    [containerd]=containerd [runc]=runc [ctr]=containerd [iptables]=iptables [ipset]=ipset
    [conntrack]=conntrack [openssl]=openssl [ip]=iproute2 [tar]=tar [gzip]=gzip [curl]=curl [sysctl]=procps
    [$CNI_BIN_DIR/bridge]=containernetworking-plugins
    # what probes/build.sh needs to build the images (their Debian packages it fetches itself, for
    # amd64 and arm64, with apt and dpkg-deb: probes/images/lib-debs.sh)
    [jq]=jq [gcc]=gcc [/usr/include/stdio.h]=libc6-dev [readelf]=binutils
    [/etc/ssl/certs/ca-certificates.crt]=ca-certificates
  )
  local cmd missing=()
  for cmd in "${!need[@]}"; do
    if [[ $cmd == /* ]]; then [[ -e $cmd ]] && continue; else command -v "$cmd" >/dev/null && continue; fi
    missing+=("${need[$cmd]}")
  done
  ((${#missing[@]})) || return 0
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  command -v apt-get >/dev/null || die "missing packages (${missing[*]}) and no apt-get to install them"
  log "installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  mkdir -p "$CACHE_DIR/logs"
  { [[ -n $(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock) ]] || apt-get update; } \
    >>"$CACHE_DIR/logs/apt.log" 2>&1
  apt-get install -y --no-install-recommends "${missing[@]}" >>"$CACHE_DIR/logs/apt.log" 2>&1 ||
    die "apt-get install failed, see $CACHE_DIR/logs/apt.log"
}
