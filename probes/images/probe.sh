#!/usr/bin/env bash
# Probe image: the shared agent layer plus a layer with curl and its shared-library closure from
# Debian. Entrypoint `netprobe-agent sleep` (pods are exec'ed into; it exits at once on SIGTERM).
# Usage: probe.sh OUT_TAR REF WORKDIR AGENT_BINARY
. "$(dirname "$0")/base.sh"
rm -rf "$work/probe-curl"
copy_with_libs "$work/probe-curl" /usr/bin/curl
oci_image "$out" "$ref" "$(agent_config '["/usr/local/bin/netprobe-agent","sleep"]' netprobe-probe)" "$base" "$work/probe-curl"
