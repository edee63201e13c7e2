#!/usr/bin/env bash
# Runner image: netprobe's standalone executable (Node inside) with the C and C++ runtime it links
# against, CA certificates and a non-root user (files.txt). For running netprobe in the cluster: a Job,
# a CronJob or the Deployment of `netprobe watch` (charts/netprobe). Entrypoint `netprobe`.
# Usage: runner.sh OUT_TAR REF WORKDIR EXE_DIR   (EXE_DIR/netprobe-linux-ARCH for every architecture)
. "$(dirname "$0")/base.sh"
# Node reads its own CA store; NODE_EXTRA_CA_CERTS adds the image's, for a registry or proxy signed by a
# public CA Node does not ship. The API server's CA comes from the service account's mount.
RUNNER_ENV='["PATH=/usr/local/bin","HOME=/tmp","NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt"]'
agent_image runner "$(agent_config '["/usr/local/bin/netprobe"]' netprobe "$RUNNER_ENV")"
