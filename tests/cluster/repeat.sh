#!/usr/bin/env bash
# Runs one cluster scenario again and again, to tell a promise kept from one kept
# most of the time (a scenario leaves the pending list after 10 passes in a row).
# Each run's output and, for a failed run, every node's whole log are kept in DIR;
# one line per run goes to DIR/runs.txt with its result, its wall time and the load
# average it met (the machine is shared: a number without its load says little).
#
#   tests/cluster/repeat.sh TAG [RUNS] [DIR]     e.g. tests/cluster/repeat.sh '[kill]' 10
#
# Stops at the first failure when STOP_ON_FAILURE=1. Needs a build (cluster_tests).
set -uo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
tag=${1:?usage: repeat.sh TAG [RUNS] [DIR]}
runs=${2:-10}
name=$(tr -cd 'a-z0-9' <<<"$tag")
dir=${3:-/tmp/sb-cluster-repeat-$name-$$}
build=${BUILD:-$repo/build}
mkdir -p "$dir"
passed=0
ran=0
for ((i = 1; i <= runs; i++)); do
  run="$dir/run-$i"
  mkdir -p "$run/logs"
  load_before=$(cut -d' ' -f1 /proc/loadavg)
  start=$(date +%s)
  SB_CLUSTER_KEEP_LOGS="$run/logs" timeout 300 "$build/cluster_tests" "$tag" >"$run/out.txt" 2>&1
  status=$?
  ran=$i
  seconds=$(($(date +%s) - start))
  load_after=$(cut -d' ' -f1 /proc/loadavg)
  # How often the cluster fenced a former owner (docs/cluster.md, "Failures"): its
  # frames dropped, connections that heard it closed, an entry after a hole.
  fenced=$(cat "$run"/logs/*/*/*.stderr 2>/dev/null |
    grep -c -E "no longer reach clients here|[1-9][0-9]* connection\(s\) that heard|starts over$")
  if [[ $status -eq 0 ]]; then
    result=passed
    passed=$((passed + 1))
    rm -rf "$run/logs"
  else
    result="FAILED ($status)"
  fi
  line="$(date -u +%H:%M:%S) $tag run $i: $result in ${seconds} s, load ${load_before} -> ${load_after}, ${fenced} fencing log lines"
  echo "$line" | tee -a "$dir/runs.txt"
  if [[ $status -ne 0 && ${STOP_ON_FAILURE:-0} == 1 ]]; then break; fi
done
echo "$tag: $passed of $ran passed (runs in $dir)" | tee -a "$dir/runs.txt"
[[ $passed -eq $runs ]]
