#!/usr/bin/env bash
# The longer fuzz runs SECURITY.md records: each harness (or the ones named) for
# SECONDS on its seed corpus plus what earlier runs found (BUILD/fuzz/corpus-NAME),
# one line of figures each. Crashing inputs land in BUILD/fuzz/NAME-crash-*.
#   tests/fuzz/long_run.sh build-fuzz 600 [NAME...]
# Run at idle priority (chrt -i 0) beside other work, a harness can be starved past
# libFuzzer's -timeout=10: a "timeout" input is then to be rerun alone
# (BUILD/fuzz/NAME BUILD/fuzz/NAME-timeout-*) before it counts as a finding.
set -uo pipefail
build=${1:?build dir (configured with -DSWITCHBOARD_FUZZ=ON)}
seconds=${2:?seconds per harness}
shift 2
src=$(cd "$(dirname "$0")" && pwd)
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for dir in "$src"/corpus/*/; do names+=("$(basename "$dir")"); done
fi
for name in "${names[@]}"; do
  bin=$build/fuzz/$name
  [ -x "$bin" ] || { echo "$name: not built"; continue; }
  mkdir -p "$build/fuzz/corpus-$name"
  log=$build/fuzz/$name.log
  "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=8192 \
    -print_final_stats=1 -artifact_prefix="$build/fuzz/$name-" \
    "$build/fuzz/corpus-$name" "$src/corpus/$name" >"$log" 2>&1
  rc=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  corpus=$(ls "$build/fuzz/corpus-$name" | wc -l)
  verdict=ok
  [ $rc -ne 0 ] && verdict="FAILED (rc $rc): $(grep -m1 -E 'ERROR|SUMMARY|what\(\)' "$log")"
  echo "$name: ${runs:-?} executions in ${seconds} s (${speed:-?}/s), corpus $corpus, $verdict, load $(cut -d' ' -f1-3 /proc/loadavg)"
done
