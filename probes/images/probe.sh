#!/usr/bin/env bash
# Probe image: the agent layer (base) plus a layer with curl and its shared-library closure, from
# Debian (files.txt). Entrypoint `netprobe-agent sleep` (pods are exec'ed into; it exits at once on SIGTERM).
# Usage: probe.sh OUT_TAR REF WORKDIR AGENT_PREFIX
. "$(dirname "$0")/base.sh"
agent_image probe "$(agent_config '["/usr/local/bin/netprobe-agent","sleep"]' netprobe-probe)"
