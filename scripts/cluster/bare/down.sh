# `down` for the bare backend, and the teardown `up` runs first to clear what a killed cluster left.
# Sourced by the entry script after every other bare/*.sh file.

# Kills the pods' containers through containerd while it still runs, so no shim is orphaned.
containers_clean() {
  proc_pid containerd >/dev/null || return 0
  local id
  for id in $(ctr_k8s tasks ls -q 2>/dev/null); do ctr_k8s tasks kill -s KILL "$id" >/dev/null 2>&1 || true; done
  sleep 0.3
  for id in $(ctr_k8s tasks ls -q 2>/dev/null); do ctr_k8s tasks delete -f "$id" >/dev/null 2>&1 || true; done
  for id in $(ctr_k8s containers ls -q 2>/dev/null); do ctr_k8s containers delete "$id" >/dev/null 2>&1 || true; done
}

# Every mount under our directories (overlays, shm, pod volumes, pod netns), deepest first.
our_mounts() {
  awk '{print $5}' /proc/self/mountinfo | grep -E "^($STATE_DIR|$RUN_DIR)(/|$)" | sort -r || true
}

mounts_clean() {
  local m pass
  for pass in 1 2 3; do
    for m in $(our_mounts); do umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true; done
    [[ -z $(our_mounts) ]] && return 0
  done
  log "warning: mounts left: $(our_mounts | tr '\n' ' ')"
}

# containerd 1.6's shims put their sockets in /run/containerd/s whatever containerd's own paths
# are; a killed shim leaves its socket behind. Removes the ones nothing listens on any more.
SHIM_SOCKET_DIR=/run/containerd/s
stale_shim_sockets() {
  local live s
  live=$(ss -xlH 2>/dev/null | awk '{print $5}')
  for s in "$SHIM_SOCKET_DIR"/*; do [[ -S $s ]] && ! grep -qxF "$s" <<<"$live" && echo "$s"; done
  true
}

shim_sockets_clean() {
  stale_shim_sockets | xargs -r rm -f
  # the directories our containerd and ctr made, when they are empty
  rmdir "$SHIM_SOCKET_DIR" /run/containerd/fifo /run/containerd/runc/k8s.io /run/containerd/runc /run/containerd 2>/dev/null || true
  true
}

cgroups_clean() {
  local d
  for d in /sys/fs/cgroup/*/kubepods; do
    [[ -d $d ]] && { find "$d" -depth -type d -exec rmdir {} + 2>/dev/null || true; }
  done
  true
}

# shellcheck disable=SC2046 # a list of pids
no_leftover_pids() { [[ -z $(alive_pids $(leftover_pids)) ]]; }

# teardown: stops every process, then removes containers, mounts, cgroups, network state and files.
# Keeps the build caches (CACHE_DIR) and the logs of the last run.
teardown() {
  local d
  for d in kubelet kube-router kube-proxy kube-scheduler kube-controller-manager; do stop_proc "$d" 10; done
  containers_clean
  for d in containerd kube-apiserver etcd external-host; do stop_proc "$d" 10; done
  local pids
  mapfile -t pids < <(leftover_pids | sort -un)
  ((${#pids[@]})) && kill_pids 5 "${pids[@]}"
  # down returns only when nothing of the cluster runs any more (issue 18): a last look, which also
  # catches what the kills above made exit late (shims reaping their containers)
  wait_for 15 "every process of the cluster to exit" no_leftover_pids ||
    log "warning: still running after down: $(leftover_pids | sort -un | tr '\n' ' ')"
  mounts_clean
  cgroups_clean
  shim_sockets_clean
  host_network_down
  if [[ -f $RUN_DIR/sysctl.orig ]]; then sysctl -qp "$RUN_DIR/sysctl.orig" >/dev/null 2>&1 || true; fi
  rm -rf "$RUN_DIR"
  if [[ -d $STATE_DIR ]]; then
    find "$STATE_DIR" -mindepth 1 -maxdepth 1 ! -name logs ! -name logs.prev -exec rm -rf {} + 2>/dev/null ||
      log "warning: could not remove everything under $STATE_DIR"
  fi
  rm -f /var/lib/cni/results/netprobe-* 2>/dev/null || true
}

bare_down() {
  ((EUID == 0)) || die "the bare backend needs root"
  local t0=$SECONDS
  teardown
  # shellcheck disable=SC2046
  no_leftover_pids || die "down left processes of the cluster running: $(alive_pids $(leftover_pids) | tr '\n' ' ')"
  log "cluster down in $((SECONDS - t0))s (logs kept in $LOG_DIR)"
}
