#!/usr/bin/env bash
# Echo image: the shared agent layer, `netprobe-agent serve` as entrypoint (ports from args or ECHO_* env).
# Usage: echo.sh OUT_TAR REF WORKDIR AGENT_BINARY
. "$(dirname "$0")/base.sh"
oci_image "$out" "$ref" "$(agent_config '["/usr/local/bin/netprobe-agent","serve"]' netprobe-echo)" "$base"
