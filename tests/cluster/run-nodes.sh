#!/usr/bin/env bash
# Starts a local cluster for trying several nodes (README "Several nodes"): a
# private PostgreSQL and Redis in DIR, and N switchboard nodes (default 3) on
# 127.0.0.1:BASE_PORT+1.. serving the repository's tenants kept in PostgreSQL.
# Nothing of the system's is touched (no service, no fixed database). Ctrl-C or
# SIGTERM stops everything it started; DIR stays for a look at the logs.
#
#   tests/cluster/run-nodes.sh [--nodes N] [--dir DIR] [--base-port P] [--build BUILD_DIR]
#                              [--tenants TENANTS_DIR]
#
# --tenants: the tenant files to serve (default the repository's tenants/), copied
# into DIR with their storage switched to PostgreSQL.
# Needs a build (cmake --build build) and postgresql-15 and redis-server
# (packaging/install-deps.sh --test). When all nodes answer /readyz it prints one
# line "ready: URL URL ..." (what tests/bench/run.sh waits for).
set -euo pipefail

repo=$(cd "$(dirname "$0")/../.." && pwd)
nodes=3
dir=""
base_port=8080
build="$repo/build"
tenants="$repo/tenants"
while [[ $# -gt 0 ]]; do
  case "$1" in
    --nodes) nodes=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --base-port) base_port=$2; shift 2 ;;
    --build) build=$(cd "$2" && pwd); shift 2 ;;
    --tenants) tenants=$(cd "$2" && pwd); shift 2 ;;
    -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
    *) echo "run-nodes: unknown argument $1" >&2; exit 2 ;;
  esac
done
[[ -x "$build/switchboard" ]] || { echo "run-nodes: no $build/switchboard; build first" >&2; exit 1; }
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[[ -n "$pg_bin" && -x "$pg_bin/initdb" ]] ||
  { echo "run-nodes: PostgreSQL is not installed (packaging/install-deps.sh --test)" >&2; exit 1; }
command -v redis-server >/dev/null ||
  { echo "run-nodes: redis-server is not installed (packaging/install-deps.sh --test)" >&2; exit 1; }

dir=${dir:-$(mktemp -d /tmp/sb-nodes-XXXXXX)}
dir=$(mkdir -p "$dir" && cd "$dir" && pwd)
pg_port=$((base_port + 50))
redis_port=$((base_port + 51))
echo "run-nodes: in $dir"

# PostgreSQL refuses to run as root: as root, its files and process are postgres's.
as_pg=()
if [[ $(id -u) == 0 ]]; then
  as_pg=(runuser -u postgres --)
  chmod 755 "$dir"
fi
pids=()
stopped=""
stop_all() {
  [[ -z $stopped ]] || return 0
  stopped=1
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ -f "$dir/pg/data/postmaster.pid" ]]; then
    (cd "$dir/pg" && "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$dir/pg/data" -m fast -w stop >/dev/null) || true
  fi
  echo "run-nodes: stopped (logs in $dir)"
}
trap stop_all EXIT
trap 'stop_all; exit 0' INT TERM

if [[ ! -d "$dir/pg/data" ]]; then
  install -d -m 700 "$dir/pg"
  [[ $(id -u) == 0 ]] && chown postgres:postgres "$dir/pg"
  (cd "$dir/pg" && "${as_pg[@]}" "$pg_bin/initdb" -D "$dir/pg/data" -U postgres -A trust -E UTF8 \
    --locale=C.UTF-8 >"$dir/pg/initdb.log")
  fresh=1
fi
(cd "$dir/pg" && "${as_pg[@]}" "$pg_bin/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/log" -w \
  -o "-p $pg_port -k $dir/pg -c listen_addresses=127.0.0.1" start >/dev/null)
if [[ -n "${fresh:-}" ]]; then
  psql=("$pg_bin/psql" -X -q -h "$dir/pg" -p "$pg_port" -U postgres -d postgres -v ON_ERROR_STOP=1)
  "${psql[@]}" -c "CREATE ROLE switchboard LOGIN NOSUPERUSER NOBYPASSRLS"
  "${psql[@]}" -c "CREATE DATABASE switchboard OWNER switchboard"
fi
connection="host=127.0.0.1 port=$pg_port dbname=switchboard user=switchboard connect_timeout=5"

mkdir -p "$dir/redis"
redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$dir/redis" --daemonize no \
  --save "" --appendonly yes --logfile "$dir/redis/redis.log" &
pids+=($!)

# The tenants, each kept in PostgreSQL: the same files for every node.
rm -rf "$dir/tenants"
cp -r "$tenants" "$dir/tenants"
for file in "$dir"/tenants/*.toml; do
  sed -i -e 's/^plugin = "storage-sqlite"/plugin = "storage-postgres"/' \
    -e '/^\[plugins\.storage-sqlite\]/d' "$file"
  printf '\n[plugins.storage-postgres]\nconnection = "%s"\nlease_ms = 3000\n' "$connection" >>"$file"
done

urls=()
for ((i = 0; i < nodes; i++)); do
  id="node-$(printf "\\x$(printf %x $((97 + i)))")"
  port=$((base_port + 1 + i))
  mkdir -p "$dir/$id"
  cat >"$dir/$id/switchboard.toml" <<EOF
# $id of a local cluster (tests/cluster/run-nodes.sh)
[server]
listen = "127.0.0.1:$port"
data_dir = "$dir/$id/data"
plugin_dir = "$build/plugins"
tenants_dir = "$dir/tenants"
web_dir = "$build/web"

[storage]
default_plugin = "storage-postgres"

[cluster]
node_id = "$id"

[cluster.bus]
address = "127.0.0.1:$redis_port"
EOF
  # One token signing key for every node (a login on one node is good on all):
  # made once on node-a, copied to the others.
  mkdir -p "$dir/$id/data"
  if [[ $i == 0 && ! -f "$dir/$id/data/secret.key" ]]; then
    "$build/switchboard" rotate-key --keep-days 0 --config "$dir/$id/switchboard.toml" >/dev/null
  elif [[ $i != 0 ]]; then
    install -m 600 "$dir/node-a/data/secret.key" "$dir/$id/data/secret.key"
  fi
  "$build/switchboard" --config "$dir/$id/switchboard.toml" >"$dir/$id/stdout.log" 2>"$dir/$id/log" &
  pids+=($!)
  echo $! >"$dir/$id/pid"
  urls+=("http://127.0.0.1:$port")
done

for url in "${urls[@]}"; do
  for ((t = 0; t < 300; t++)); do
    curl -fsS "$url/readyz" >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -fsS "$url/readyz" >/dev/null ||
    { echo "run-nodes: $url is not ready; its log:" >&2; tail -20 "$dir/node-"*/log >&2; exit 1; }
done
# ...and until every node lists all of them (placement has settled: a tenant
# moving to its owner right after the start closes its connections with 1012).
all="cluster: live nodes now $(for ((i = 0; i < nodes; i++)); do printf 'node-%b, ' "\\x$(printf %x $((97 + i)))"; done)"
all=${all%, }
for ((i = 0; i < nodes; i++)); do
  log="$dir/node-$(printf "\\x$(printf %x $((97 + i)))")/log"
  for ((t = 0; t < 300; t++)); do
    grep -qxF -- "$all" <(sed 's/^.*\] //' "$log") && break
    sleep 0.1
  done
done
sleep 2
echo "ready: ${urls[*]}"
echo "run-nodes: PostgreSQL on 127.0.0.1:$pg_port, Redis on 127.0.0.1:$redis_port; Ctrl-C stops"
wait -n "${pids[@]}" || true
echo "run-nodes: a process ended on its own; stopping the rest" >&2
