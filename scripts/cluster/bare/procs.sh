# Background processes of the bare cluster: started detached, tracked by pid file (pid + start time,
# so a recycled pid is never mistaken for ours), logged under LOG_DIR. Sourced after lib.sh.

proc_starttime() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null; }

# start_proc NAME COMMAND...: runs COMMAND in its own session, output appended to LOG_DIR/NAME.log.
start_proc() {
  local name=$1; shift
  mkdir -p "$PID_DIR" "$LOG_DIR"
  printf '\n=== %s start %s\n' "$name" "$(date -Is)" >>"$LOG_DIR/$name.log"
  # fd 9 is the up/down lock (see ./cluster): a daemon must not inherit it and hold it forever
  setsid "$@" </dev/null >>"$LOG_DIR/$name.log" 2>&1 9>&- &
  local pid=$!
  echo "$pid $(proc_starttime "$pid")" >"$PID_DIR/$name.pid"
}

# proc_pid NAME: prints the pid if NAME runs, fails otherwise.
proc_pid() {
  local f=$PID_DIR/$1.pid pid start
  [[ -f $f ]] || return 1
  read -r pid start <"$f"
  [[ -n $pid && -d /proc/$pid && "$(proc_starttime "$pid")" == "$start" ]] || return 1
  # a zombie is not running
  [[ "$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null)" != Z ]] || return 1
  echo "$pid"
}

# alive_pids PID...: those of PID... still running (a zombie has exited: only its entry is left).
alive_pids() {
  local p
  for p in "$@"; do [[ -d /proc/$p ]] && [[ "$(awk '{print $3}' "/proc/$p/stat" 2>/dev/null)" != Z ]] && echo "$p"; done
  true
}

# kill_pids SIGNAL_WAIT_SECONDS PID...: TERM, then KILL whatever outlives the grace time, and returns
# only once every one of them has exited: a process that was sent KILL still runs until the kernel has
# torn it down (seen: etcd and kube-apiserver still there right after `down` returned), and the next
# `up` or leftover check must not race it.
kill_pids() {
  local grace=$1; shift
  (($#)) || return 0
  kill -TERM "$@" 2>/dev/null || true
  local deadline=$((SECONDS + grace)) alive
  while :; do
    mapfile -t alive < <(alive_pids "$@")
    ((${#alive[@]})) || return 0
    ((SECONDS < deadline)) || break
    sleep 0.2
  done
  kill -KILL "${alive[@]}" 2>/dev/null || true
  deadline=$((SECONDS + 10))
  while mapfile -t alive < <(alive_pids "${alive[@]}") && ((${#alive[@]})); do
    # (the caller's last look decides: bare_down fails when anything of the cluster still runs)
    ((SECONDS < deadline)) || { log "warning: still running 10 s after SIGKILL: ${alive[*]}"; return 0; }
    sleep 0.1
  done
}

stop_proc() {
  local pid
  if pid=$(proc_pid "$1"); then kill_pids "${2:-10}" "$pid"; fi
  rm -f "$PID_DIR/$1.pid"
}

# Pids of every process this cluster may have left, pid files or not: our binaries (matched by exact
# executable path), the containerd daemon and shims bound to our socket, container processes in the
# kubelet's cgroups, and whatever runs in the external host's namespace.
leftover_pids() {
  local p exe cmd
  for p in /proc/[0-9]*; do
    p=${p#/proc/}
    exe=$(readlink "/proc/$p/exe" 2>/dev/null) || continue
    case $exe in
      "$K8S_BIN"/* | "$ETCD_BIN"/* | "$KUBE_ROUTER_BIN"/*) echo "$p"; continue ;;
      */containerd | */containerd-shim*)
        cmd=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)
        [[ $cmd == *"$RUN_DIR"* || $cmd == *"$STATE_DIR"* ]] && echo "$p" ;;
    esac
  done
  cat /sys/fs/cgroup/pids/kubepods/cgroup.procs /sys/fs/cgroup/pids/kubepods/*/cgroup.procs \
    /sys/fs/cgroup/pids/kubepods/*/*/cgroup.procs /sys/fs/cgroup/pids/kubepods/*/*/*/cgroup.procs 2>/dev/null || true
  ip netns pids "$EXT_NS" 2>/dev/null || true
  true
}
