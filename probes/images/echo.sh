#!/usr/bin/env bash
# Echo image: the agent layer (base), `netprobe-agent serve` as entrypoint (ports from args or ECHO_* env).
# Usage: echo.sh OUT_TAR REF WORKDIR AGENT_PREFIX
. "$(dirname "$0")/base.sh"
agent_image echo "$(agent_config '["/usr/local/bin/netprobe-agent","serve"]' netprobe-echo)"
