#!/usr/bin/env bash
# The action's run step: `netprobe run` of the suites, writing the markdown summary to
# $GITHUB_STEP_SUMMARY, the annotations (-o github, printed to the log, where the runner reads them), the
# step outputs (-o github-output) and the JSON / JUnit / HTML files; then decides the step's result from
# fail-on, which may differ from netprobe's exit code (e.g. fail-on: leak,broken passes a run whose only
# problems are inconclusive, which netprobe exits 3 for).
# Inputs (environment): INPUT_SUITES, INPUT_ARGS, INPUT_FAIL_ON, INPUT_JSON, INPUT_JUNIT, INPUT_HTML,
# INPUT_NETPROBE (an executable to use instead of the installed `netprobe`).
set -uo pipefail

# fail MESSAGE [CODE]: an error annotation, and the step ends with CODE (default 1).
fail() { echo "::error title=netprobe::$1"; exit "${2:-1}"; }
output() { echo "$1=$2" >>"${GITHUB_OUTPUT:?GITHUB_OUTPUT is not set}"; }

# words NAME TEXT: TEXT split into words as a shell would (quotes and backslashes) into the array NAME;
# no expansion of any kind (xargs parses, nothing is evaluated). False on an unmatched quote.
words() {
  local split
  split=$(printf '%s' "$2" | xargs -r printf '%s\0' 2>&1 >"$work/words") || { echo "$split" >&2; return 1; }
  mapfile -d '' "$1" <"$work/words"
}

declare -A fails=()
IFS=', ' read -ra wanted <<<"${INPUT_FAIL_ON:-leak,broken,inconclusive}"
for status in "${wanted[@]}"; do
  case $status in
    leak | broken | inconclusive) fails[$status]=1 ;;
    none) ;;
    '') ;;
    *) fail "fail-on: unknown status '$status'; expected leak, broken, inconclusive (comma-separated) or none" 2 ;;
  esac
done

work=${RUNNER_TEMP:?RUNNER_TEMP is not set}/netprobe-run
rm -rf "$work" && mkdir -p "$work"
suites=() args=()
words suites "${INPUT_SUITES:-}" || fail "suites: cannot split into paths (an unmatched quote?)" 2
((${#suites[@]} > 0)) || fail "no suites given (input suites)" 2
words args "${INPUT_ARGS:-}" || fail "args: cannot split into words (an unmatched quote?)" 2
netprobe=${INPUT_NETPROBE:-netprobe}
json=${INPUT_JSON:-$RUNNER_TEMP/netprobe/report.json}
outputs=(-o "markdown=${GITHUB_STEP_SUMMARY:?GITHUB_STEP_SUMMARY is not set}" -o "github=$work/annotations" -o "github-output=$work/outputs" -o "json=$json")
[[ -z ${INPUT_JUNIT:-} ]] || outputs+=(-o "junit=$INPUT_JUNIT")
[[ -z ${INPUT_HTML:-} ]] || outputs+=(-o "html=$INPUT_HTML")

# netprobe's log carries text from the cluster (names, error messages, HTTP bodies), and the runner reads
# any line of it that starts with :: as a workflow command (an annotation, a mask, an output): commands
# stop while it runs (GitHub's ::stop-commands::TOKEN, with a token no one can guess) and resume after.
token=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')
echo "::stop-commands::$token"
"$netprobe" run "${suites[@]}" "${args[@]}" "${outputs[@]}"
code=$?
echo "::$token::"
output exit-code "$code"
[[ -s $work/annotations ]] && cat "$work/annotations"

[[ ! -s $work/outputs ]] || cat "$work/outputs" >>"$GITHUB_OUTPUT"
if [[ ! -s $work/outputs ]] || ((code != 0 && code != 1 && code != 3)); then
  # No report: invalid input (2; the suites' problems as annotations at their lines), or the run could not
  # happen (3: cluster unreachable, permissions missing; 130: interrupted); or a report with an output that
  # could not be written (2). Never a pass, whatever fail-on says.
  if ((code == 2)); then "$netprobe" validate --format github "${suites[@]}" 2>/dev/null | grep '^::'; fi
  what="netprobe run made no report"
  [[ ! -s $work/outputs ]] || what="netprobe run failed"
  fail "$what (exit code $code); its messages are above" "$((code == 0 ? 1 : code))"
fi
output json "$json"

# The step fails when a status named by fail-on has a result.
failing=()
for status in leak broken inconclusive; do
  count=$(sed -n "s/^$status=//p" "$work/outputs")
  if ((count > 0)) && [[ -n ${fails[$status]:-} ]]; then failing+=("$count $status"); fi
done
if ((${#failing[@]} > 0)); then
  joined=$(IFS=,; echo "${failing[*]}")
  fail "${joined//,/, } (fail-on: ${INPUT_FAIL_ON})"
fi
echo "netprobe: the step passes (fail-on: ${INPUT_FAIL_ON:-leak,broken,inconclusive}; netprobe exited $code)"
