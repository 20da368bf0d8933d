#!/usr/bin/env bash
# The cluster benchmark of issue 13: durable messages per second and ack p50/p99
# with storage-postgres on one node and on several (tests/cluster/run-nodes.sh:
# a private PostgreSQL and Redis, nodes on one machine). loadgen spreads visitors
# over the nodes round-robin and puts each agent on the node after its own, so
# most conversations have their visitor on one node and their agent on another.
# storage-sqlite on one node is run.sh's throughput scenario. Builds nothing:
# build switchboard, storage-postgres, cluster-redis, routing-least-busy, loadgen.
#
#   tests/bench/cluster.sh [BUILD_DIR]            (default: build)
#
# Settings (environment, all optional):
#   NODES_LIST="1 3"   one run per entry, on a fresh cluster each
#   RATE=2000 VISITORS=300 AGENTS=12 DURATION=15 WARMUP=3 MESSAGE_BYTES=64
#   THREADS=1          loadgen client threads
#   OUT_DIR=BUILD_DIR/bench-results/cluster-TIMESTAMP   one JSON summary per run
#   KEEP=0             1 keeps the clusters' dirs (node logs, the database)
#   IDLE=0             N: instead of the message load, hold N idle visitors spread
#                      evenly over the nodes (one loadgen per node, since a process
#                      may hold 20,000 files here) for DURATION seconds, and report
#                      each node's connections and resident memory per connection
#                      (e.g. IDLE=90000 NODES_LIST=5 DURATION=30)
#
# Prints, per run: acked messages per second in the window, ack and delivery
# p50/p99, losses, the nodes' CPU seconds and the load average. Exits non-zero if
# a cluster did not start or loadgen failed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(cd "${1:-$ROOT/build}" && pwd)
LOADGEN="$BUILD/loadgen"
[[ -x $LOADGEN ]] || LOADGEN="$BUILD/tests/bench/loadgen"
[[ -x $LOADGEN && -x $BUILD/switchboard ]] || { echo "cluster.sh: build switchboard and loadgen first" >&2; exit 2; }

NODES_LIST=${NODES_LIST:-"1 3"}
RATE=${RATE:-2000}
VISITORS=${VISITORS:-300}
AGENTS=${AGENTS:-12}
DURATION=${DURATION:-15}
WARMUP=${WARMUP:-3}
MESSAGE_BYTES=${MESSAGE_BYTES:-64}
THREADS=${THREADS:-1}
OUT_DIR=${OUT_DIR:-$BUILD/bench-results/cluster-$(date -u +%Y%m%d-%H%M%S)}
KEEP=${KEEP:-0}
IDLE=${IDLE:-0}
PASSWORD="bench-password"

# PostgreSQL's files on the build directory's disk (a real fsync per commit).
WORK=$(mktemp -d "$BUILD/bench-cluster-XXXXXX")
chmod 755 "$WORK"
mkdir -p "$OUT_DIR"
RUNNER=""
stop_cluster() {
  [[ -n $RUNNER ]] || return 0
  kill -TERM "$RUNNER" 2>/dev/null || true
  wait "$RUNNER" 2>/dev/null || true
  RUNNER=""
}
cleanup() {
  stop_cluster
  if [[ $KEEP == 1 ]]; then echo "cluster.sh: kept $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

mkdir -p "$WORK/tenants"
hash=$(printf '%s\n' "$PASSWORD" | timeout 30 "$BUILD/switchboard" hash-password)
{
  cat "$ROOT/tests/bench/tenant-bench.toml.in"
  for i in $(seq 1 "$AGENTS"); do
    printf '\n[[agents]]\nid = "agent-%d"\nemail = "agent-%d@bench.local"\nname = "Agent %d"\n' "$i" "$i" "$i"
    printf 'role = "agent"\npassword_hash = "%s"\nmax_concurrent = 10000\n' "$hash"
  done
} >"$WORK/tenants/bench.toml"

cpu_seconds() {  # user + system seconds of the given pids together
  local total=0 pid ticks
  for pid in "$@"; do
    ticks=$(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')
    total=$((total + ticks))
  done
  awk -v t="$total" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'
}

rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }

# IDLE: one loadgen per node holds IDLE/nodes visitors on it (a visitor says hello
# and waits for its welcome, which on a node that does not own the tenant comes
# from the owner through the relay). Prints each node's figures and the sum.
hold_idle() {
  local nodes=$1 urls=$2
  shift 2
  local node_pids=("$@") per=$((IDLE / nodes)) i loadgens=() status=0
  local -a url_list
  read -r -a url_list <<<"$urls"
  local rss_before=()
  for pid in "${node_pids[@]}"; do rss_before+=("$(rss_kib "$pid")"); done
  echo "=== $IDLE idle visitors over $nodes node(s), $per each: $urls"
  for ((i = 0; i < nodes; i++)); do
    timeout -s INT -k 10 $((DURATION + 400)) "$LOADGEN" --url "${url_list[$i]}" --idle \
      --visitors "$per" --agents 0 --duration "$DURATION" --connect-rate 1000 \
      --connect-timeout 300 --server-pid "${node_pids[$i]}" --threads "$THREADS" \
      --json-out "$OUT_DIR/idle-$nodes-node-$i.json" >"$WORK/idle-$nodes-$i.out" 2>&1 &
    loadgens+=($!)
  done
  # The nodes' memory while every loadgen holds its share (they connect at the same
  # time and hold for DURATION; the middle of the hold is the moment to look).
  for ((t = 0; t < 400; t++)); do
    local done_connecting=0
    for ((i = 0; i < nodes; i++)); do
      grep -q "holding" "$WORK/idle-$nodes-$i.out" 2>/dev/null && done_connecting=$((done_connecting + 1))
    done
    ((done_connecting == nodes)) && break
    sleep 1
  done
  sleep $((DURATION / 2))
  local total_rss=0
  for ((i = 0; i < nodes; i++)); do
    local pid=${node_pids[$i]} fds rss
    fds=$(find "/proc/$pid/fd" -maxdepth 1 -type l 2>/dev/null | wc -l)
    rss=$(rss_kib "$pid")
    total_rss=$((total_rss + rss - ${rss_before[$i]}))
    printf '    node %d: %d open files, RSS %d -> %d KiB\n' "$i" "$fds" "${rss_before[$i]}" "$rss"
  done
  for pid in "${loadgens[@]}"; do wait "$pid" || status=1; done
  local held=0
  for ((i = 0; i < nodes; i++)); do
    local json="$OUT_DIR/idle-$nodes-node-$i.json"
    if [[ -s $json ]]; then
      held=$((held + $(jq -r '.connections_held // 0' "$json")))
    else
      echo "    loadgen $i wrote no summary:" && tail -3 "$WORK/idle-$nodes-$i.out"
      status=1
    fi
  done
  awk -v held="$held" -v want="$IDLE" -v rss="$total_rss" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" 'BEGIN {
    printf "    held %d of %d; the nodes grew by %.1f MiB together, %.2f KiB per connection; load average %s\n",
      held, want, rss / 1024, held ? rss / held : 0, load }'
  ((held == IDLE)) || status=1
  return "$status"
}

echo "machine: $(nproc) cores, kernel $(uname -r); results: $OUT_DIR"
failed=0
for nodes in $NODES_LIST; do
  dir="$WORK/nodes-$nodes"
  base=$((20000 + RANDOM % 20000))
  : >"$WORK/nodes-$nodes.log"
  "$ROOT/tests/cluster/run-nodes.sh" --nodes "$nodes" --dir "$dir" --base-port "$base" \
    --build "$BUILD" --tenants "$WORK/tenants" >"$WORK/nodes-$nodes.log" 2>&1 &
  RUNNER=$!
  urls=""
  for _ in $(seq 600); do
    urls=$(sed -n 's/^ready: //p' "$WORK/nodes-$nodes.log")
    [[ -n $urls ]] && break
    kill -0 "$RUNNER" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -z $urls ]]; then
    echo "cluster.sh: the $nodes-node cluster did not start:" >&2
    tail -20 "$WORK/nodes-$nodes.log" >&2
    exit 1
  fi
  mapfile -t pids < <(cat "$dir"/node-*/pid)
  if ((IDLE > 0)); then
    hold_idle "$nodes" "$urls" "${pids[@]}" || failed=1
    stop_cluster
    continue
  fi
  json="$OUT_DIR/postgres-$nodes-node.json"
  echo "=== storage-postgres, $nodes node(s): $urls"
  cpu_before=$(cpu_seconds "${pids[@]}")
  status=0
  timeout -s INT -k 10 $((WARMUP + DURATION + 120)) "$LOADGEN" --url "${urls// /,}" \
    --visitors "$VISITORS" --agents "$AGENTS" --rate "$RATE" --duration "$DURATION" \
    --warmup "$WARMUP" --message-bytes "$MESSAGE_BYTES" --connect-timeout 60 --drain 5 \
    --threads "$THREADS" --json-out "$json" >"$WORK/loadgen-$nodes.out" 2>&1 || status=$?
  cpu_after=$(cpu_seconds "${pids[@]}")
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  stop_cluster
  if [[ ! -s $json ]]; then
    echo "cluster.sh: loadgen wrote no summary (exit $status):" >&2
    tail -5 "$WORK/loadgen-$nodes.out" >&2
    failed=1
    continue
  fi
  ((status == 0)) || failed=1
  jq -r --argjson d "$DURATION" --arg cpu "$(awk -v a="$cpu_after" -v b="$cpu_before" 'BEGIN { printf "%.1f", a - b }')" --arg load "$load" '
    "    offered \(.offered_per_s // "?")/s, acked in window \(.acked_window)/\(.sent_window) = \((.acked_window / $d) | floor)/s, " +
    "delivered \(.delivered_window), seq gaps \(.seq_gaps), lost connections \(.connections_lost)\n" +
    "    ack p50 \(.ack_latency.p50_ms * 10 | round / 10) ms p99 \(.ack_latency.p99_ms * 10 | round / 10) ms; delivery p50 \(.delivery_latency.p50_ms * 10 | round / 10) ms p99 \(.delivery_latency.p99_ms * 10 | round / 10) ms\n" +
    "    nodes CPU \($cpu) s over the run, load average \($load)"' "$json" || cat "$json"
done
exit "$failed"
