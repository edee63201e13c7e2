# The Docker engine the kind backend needs on a machine without one (this machine, CI here): Debian's
# docker.io, its dockerd started as a plain background process (PID 1 is not systemd) and stopped by
# `down`. Sourced after lib.sh. Where a Docker engine already answers (a laptop, GitHub Actions), none
# of this runs.
#
# dockerd shares the machine with the bare backend, so it is started so that it changes nothing the
# bare cluster relies on:
#   --iptables=false   it would set the FORWARD policy to DROP (bridged pod traffic of the bare cluster
#                      goes through FORWARD: br_netfilter) and add its own chains; kind needs none of
#                      them (the API server port is published by docker-proxy, nodes need no NAT: no
#                      image is ever pulled here)
#   --bridge=none      no docker0 (172.17.0.0/16); kind makes its own network
#   runtime runc-caps  runc minus the capability this machine withholds (see kind/runc-caps)
# What it still makes (the network `kind`, its bridge) `docker_down` removes.
DOCKER_PID_FILE=/run/netprobe-docker.pid
DOCKER_LOG=$CACHE_DIR/logs/dockerd.log
DOCKER_RUNC=$CACHE_DIR/kind/runc-caps
DOCKERD_ARGS=(--iptables=false --ip-masq=false --bridge=none --storage-driver=overlay2
  --exec-opt native.cgroupdriver=cgroupfs --pidfile "$DOCKER_PID_FILE"
  --add-runtime "runc-caps=$DOCKER_RUNC" --default-runtime runc-caps)

docker_answers() { command -v docker >/dev/null && timeout 20 docker info >/dev/null 2>&1; }

docker_packages_up() {
  command -v dockerd >/dev/null && return 0
  command -v apt-get >/dev/null || die "no Docker engine and no apt-get to install Debian's docker.io"
  log "installing Debian's docker.io (log: $CACHE_DIR/logs/apt.log)"
  mkdir -p "$CACHE_DIR/logs"
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends docker.io \
    >>"$CACHE_DIR/logs/apt.log" 2>&1 || die "apt-get install docker.io failed, see $CACHE_DIR/logs/apt.log"
  # the package's own client may shadow a client-only docker in /usr/local/bin; either talks to dockerd
}

# Starts dockerd when no engine answers. Records that we started it, so `down` stops only ours.
docker_up() {
  docker_answers && return 0
  [[ $(id -u) == 0 ]] || die "no Docker engine answers, and starting one needs root"
  docker_packages_up
  mkdir -p "$(dirname "$DOCKER_LOG")" "$(dirname "$DOCKER_RUNC")"
  # a copy outside the checkout: dockerd may outlive it
  install -m 0755 "$CLUSTER_DIR/kind/runc-caps" "$DOCKER_RUNC"
  # a dockerd killed earlier left its pid file, and dockerd refuses to start over one
  rm -f "$DOCKER_PID_FILE"
  log "starting dockerd (log: $DOCKER_LOG)"
  setsid dockerd "${DOCKERD_ARGS[@]}" >>"$DOCKER_LOG" 2>&1 </dev/null &
  wait_for 60 "dockerd to answer" docker info || die "dockerd did not start, see $DOCKER_LOG"
}

# Pids of dockerd's own containerd and of the shims it started (their command lines name its state
# directory, /var/run/docker/containerd; the bare backend's containerd names its own).
docker_containerd_pids() {
  local p cmd
  for p in /proc/[0-9]*; do
    case $(readlink "$p/exe" 2>/dev/null) in */containerd | */containerd-shim*) ;; *) continue ;; esac
    cmd=$(tr '\0' ' ' <"$p/cmdline" 2>/dev/null) || continue
    [[ $cmd == *"/var/run/docker/containerd"* || $cmd == *" -namespace moby "* ]] && echo "${p#/proc/}"
  done
  true
}

# none_alive PID...: true when none of them runs any more.
none_alive() { local p; for p in "$@"; do kill -0 "$p" 2>/dev/null && return 1; done; return 0; }

# Stops the dockerd docker_up started (never one it found running), after removing what it made, and
# returns only once dockerd, its containerd and their shims have exited.
docker_down() {
  local pid rest
  pid=$(cat "$DOCKER_PID_FILE" 2>/dev/null) || return 0
  [[ $(readlink "/proc/$pid/exe" 2>/dev/null) == */dockerd ]] || { rm -f "$DOCKER_PID_FILE"; return 0; }
  rest=$(docker_containerd_pids)
  log "stopping dockerd ($pid)"
  kill "$pid" 2>/dev/null || true
  # shellcheck disable=SC2086 # a list of pids
  if ! wait_for 30 "dockerd and its containerd to exit" none_alive "$pid" $rest; then
    kill -KILL "$pid" $rest 2>/dev/null || true
    wait_for 10 "dockerd to exit after SIGKILL" none_alive "$pid" $rest || die "dockerd ($pid) or its containerd did not exit"
  fi
  rm -f "$DOCKER_PID_FILE"
}
