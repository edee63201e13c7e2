# stop-component / start-component: take one part of the bare cluster away and bring it back exactly as
# `up` starts it, for tests of what netprobe reports when that part is missing. Only kube-router (the
# NetworkPolicy enforcer) for now: stopping it also removes its iptables chains and ipsets, so the data
# path is really open (a stopped kube-router leaves its last rules in force). Sourced after lib.sh,
# procs.sh, network.sh and components.sh.

KUBE_ROUTER_CHAINS='KUBE-ROUTER-|KUBE-NWPLCY-|KUBE-POD-FW-'

# Removes kube-router's chains (the jumps into them first) from every table, one rule at a time, so
# kube-proxy's own rules are never rewritten underneath it.
kube_router_flush() {
  local fam table line chain
  for fam in iptables ip6tables; do
    command -v "$fam" >/dev/null || continue
    for table in filter nat mangle raw; do
      "$fam-save" -t "$table" 2>/dev/null | grep -E "^-A .* -j ($KUBE_ROUTER_CHAINS)" | grep -vE "^-A ($KUBE_ROUTER_CHAINS)" |
        while read -r line; do eval "$fam -w -t $table ${line/#-A/-D}" || log "warning: $fam: could not delete: $line"; done || true
      for chain in $("$fam-save" -t "$table" 2>/dev/null | grep -oE "^:($KUBE_ROUTER_CHAINS)[^ ]*" | cut -c2-); do
        "$fam" -w -t "$table" -F "$chain" 2>/dev/null || true
      done
      for chain in $("$fam-save" -t "$table" 2>/dev/null | grep -oE "^:($KUBE_ROUTER_CHAINS)[^ ]*" | cut -c2-); do
        "$fam" -w -t "$table" -X "$chain" 2>/dev/null || log "warning: $fam: chain $chain still referenced"
      done
    done
  done
  ipset_clean
}

kube_router_programmed() { iptables -w -t filter -S KUBE-ROUTER-FORWARD >/dev/null 2>&1; }

bare_stop_component() {
  case ${1:-} in
    kube-router)
      stop_proc kube-router 10
      kube_router_flush
      log "kube-router stopped; its chains and ipsets removed (NetworkPolicy is not enforced until start-component)"
      ;;
    *) die "stop-component: unknown component '${1:-}' (known: kube-router)" ;;
  esac
}

bare_start_component() {
  case ${1:-} in
    kube-router)
      if proc_pid kube-router >/dev/null; then
        log "kube-router is running"
      else
        start_netpol
        wait_for 60 "kube-router to program its chains" kube_router_programmed || die "kube-router did not start, see $LOG_DIR/kube-router.log"
        log "kube-router started"
      fi
      ;;
    *) die "start-component: unknown component '${1:-}' (known: kube-router)" ;;
  esac
}
