# shellcheck shell=bash
# The layer shared by the probe and echo images: netprobe-agent, busybox-static, CA certificates and
# the few /etc files a non-root user 65532 needs. Sourced by probe.sh and echo.sh with their
# arguments OUT_TAR REF WORKDIR AGENT_BINARY: sets out, ref, work and base (the layer's rootfs).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib-oci.sh"
out=$1 ref=$2 work=$3 agent=$4
base=$work/agent-base

AGENT_ENV='["PATH=/usr/local/bin:/usr/bin:/bin:/usr/sbin:/sbin","HOME=/tmp","SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt"]'

# agent_base_rootfs DIR AGENT_BINARY
agent_base_rootfs() {
  local root=$1 agent=$2 applet
  rm -rf "$root"
  mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,usr/local/bin,etc/ssl/certs,tmp}
  install -m 0755 "$agent" "$root/usr/local/bin/netprobe-agent"
  install -m 0755 /bin/busybox "$root/bin/busybox"
  for applet in $(/bin/busybox --list-full); do
    [[ -e $root/$applet || -L $root/$applet ]] || ln -s /bin/busybox "$root/$applet"
  done
  install -m 0644 /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/ca-certificates.crt"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/tmp:/sbin/nologin\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' >"$root/etc/group"
  printf 'hosts: files dns\n' >"$root/etc/nsswitch.conf"
  chmod 0644 "$root"/etc/{passwd,group,nsswitch.conf}
  chmod 1777 "$root/tmp"
}

# agent_config ENTRYPOINT_JSON TITLE: the runtime config of the agent images.
agent_config() {
  jq -c -n --argjson e "$1" --argjson env "$AGENT_ENV" --arg t "$2" --arg v "${NETPROBE_VERSION:-}" \
    '{User: "65532:65532", Entrypoint: $e, Env: $env, WorkingDir: "/tmp",
      Labels: {"org.opencontainers.image.title": $t, "org.opencontainers.image.version": $v}}'
}

agent_base_rootfs "$base" "$agent"
