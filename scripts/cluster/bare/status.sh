# `status` for the bare backend. Sourced by the entry script after every other bare/*.sh file.

bare_status() {
  local d pid running=0
  for d in "${DAEMONS[@]}"; do
    if pid=$(proc_pid "$d"); then
      printf '%-24s running (pid %s)\n' "$d" "$pid"; running=$((running + 1))
    else
      printf '%-24s not running\n' "$d"
    fi
  done
  if ((running == 0)); then
    local left; left=$(leftovers)
    [[ -z $left ]] || { echo "left behind by an earlier cluster:"; sed 's/^/  /' <<<"$left"; }
    echo "cluster: down"; return 3
  fi
  if api_ready >/dev/null 2>&1; then
    kc get nodes -o wide 2>&1 | sed 's/^/  /'
    kc get pods -A -o wide 2>&1 | sed 's/^/  /'
    echo "KUBECONFIG=$KUBECONFIG_ADMIN"
  fi
  if cluster_healthy; then echo "cluster: up"; else echo "cluster: degraded"; return 1; fi
}
