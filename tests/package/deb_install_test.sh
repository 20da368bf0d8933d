#!/usr/bin/env bash
# Makes the .deb with cpack, installs it on this machine, starts the installed server
# as switchboard.service (with systemd where it runs; elsewhere, as in a container,
# the unit's ExecStart as its User with its LimitNOFILE in a clean environment),
# checks it serves /readyz, the demo tenant from the packaged examples and the web
# UIs from the installed web dir, then removes and purges the package and checks that
# nothing of it is left. Whatever happens, the machine is left as found.
#
# Environment (set by CTest, tests/package/CMakeLists.txt): SB_BUILD_DIR, SB_CPACK,
# SB_INSTALL_PREFIX, SB_CHECK_UNIT (packaging/check-unit-hardening.py) and the installed
# layout SB_BINARY, SB_CONFIG_FILE, SB_PLUGIN_DIR, SB_WEB_DIR, SB_DATA_DIR, SB_TENANTS_DIR,
# SB_EXAMPLES_DIR, SB_USER.
set -euo pipefail

say() { echo "package_deb: $*"; }
fail() {
  echo "package_deb: FAIL: $*" >&2
  exit 1
}
# Where the test cannot run: skipped on a developer's machine, a failure in CI.
cannot_run() {
  if [[ "${CI:-}" == "true" ]]; then fail "$*"; fi
  echo "package_deb: SKIP: $*"
  exit 77
}

[[ $(id -u) -eq 0 ]] || cannot_run "installing a package needs root"
[[ "$SB_INSTALL_PREFIX" == "/usr" ]] ||
  cannot_run "the build is configured with CMAKE_INSTALL_PREFIX=$SB_INSTALL_PREFIX; the .deb needs /usr (cmake -DCMAKE_INSTALL_PREFIX=/usr)"
for tool in dpkg-deb apt-get setpriv prlimit flock python3; do
  command -v "$tool" >/dev/null || cannot_run "$tool is missing"
done

# One such test per machine at a time, whatever build tree it comes from.
lock=/run/lock/switchboard-package-test.lock
[[ -d /run/lock ]] || lock=/tmp/switchboard-package-test.lock
exec 9>"$lock"
flock -w 240 9 || fail "another package test held the lock for 4 minutes"

# Never touch an install that was here before.
if dpkg-query -W -f='${Status}' switchboard 2>/dev/null | grep -qv "not-installed"; then
  cannot_run "the switchboard package is installed on this machine; the test leaves it alone"
fi
for path in "$(dirname "$SB_CONFIG_FILE")" "$SB_DATA_DIR" "$SB_BINARY"; do
  [[ ! -e "$path" ]] || cannot_run "$path exists; the test leaves an existing install alone"
done
if getent passwd "$SB_USER" >/dev/null || getent group "$SB_USER" >/dev/null; then
  cannot_run "a $SB_USER user or group exists; the test leaves it alone"
fi

# What the system holds named after us, to compare with after the purge.
traces() {
  find /usr /etc /var/lib /run -xdev -name '*switchboard*' ! -path "$lock" 2>/dev/null | sort || true
}
traces_before=$(traces)

work=$(mktemp -d /tmp/sb-package-XXXXXX)
server_pid=""
installed=no
mode=""
dropin=""
cleanup() {
  local status=$?
  if [[ -n "$server_pid" ]] && kill -0 "$server_pid" 2>/dev/null; then
    kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  if ((status != 0)) && [[ "$mode" == "systemd" ]]; then
    journalctl -u switchboard.service --no-pager -n 40 >"$work/server.log" 2>&1 || true
  fi
  if ((status != 0)) && [[ -s "$work/server.log" ]]; then
    echo "--- server log ---" >&2
    tail -n 40 "$work/server.log" >&2
  fi
  if [[ -n "$dropin" && -e "$dropin/package-test.conf" ]]; then
    rm -f "$dropin/package-test.conf"
    rmdir "$dropin" 2>/dev/null || true
    systemctl daemon-reload || true
  fi
  if [[ "$installed" == "yes" ]]; then
    say "cleaning up: purging the package"
    DEBIAN_FRONTEND=noninteractive dpkg --purge switchboard >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

apt_get() { DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 -q -y "$@"; }

# --- the package -------------------------------------------------------------
started=$SECONDS
say "building the .deb with cpack"
# cpack first builds what is out of date (all of it in a tree built only in part);
# bounded here so the trap still runs before CTest's own timeout.
timeout 240 "$SB_CPACK" -G DEB --config "$SB_BUILD_DIR/CPackConfig.cmake" -B "$work/out" >"$work/cpack.log" 2>&1 ||
  {
    cat "$work/cpack.log" >&2
    fail "cpack failed"
  }
deb=$(ls "$work"/out/switchboard_*.deb)
say "made $(basename "$deb") ($(du -k "$deb" | cut -f1) KiB) in $((SECONDS - started)) s"

contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
has() { grep -qx "$1" <<<"$contents" || fail "the package has no $1"; }
has ".$SB_BINARY"
has ".$SB_CONFIG_FILE"
has ".$SB_PLUGIN_DIR/storage-sqlite.so"
has ".$SB_WEB_DIR/widget.js"
has ".$SB_WEB_DIR/demo/index.html"
has ".$SB_WEB_DIR/console/index.html"
has "./usr/lib/systemd/system/switchboard.service"
has ".$SB_EXAMPLES_DIR/tenants/demo.toml"
# Debian's places only, and nothing of the build tree.
elsewhere=$(grep -v -E '^\./((usr|etc)/)?$|^\./(usr/(bin|include|lib|share)|etc/switchboard)(/|$)' <<<"$contents" || true)
[[ -z "$elsewhere" ]] || fail "files outside Debian's places: $(head -n 5 <<<"$elsewhere" | tr '\n' ' ')"
build_files=$(grep -E '(^|/)(CMakeFiles|Makefile|[^/]*\.cmake)(/|$)' <<<"$contents" || true)
[[ -z "$build_files" ]] || fail "build files in the package: $(head -n 3 <<<"$build_files" | tr '\n' ' ')"
depends=$(dpkg-deb -f "$deb" Depends)
say "Depends: $depends"
for lib in adduser libc6 libsodium23 libsqlite3-0 libssl3 python3-jieba libopencc-data wordnet-base; do
  grep -qE "(^|, )$lib( |,|$)" <<<"$depends" || fail "Depends lacks $lib (dpkg-shlibdeps)"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles | grep -qx "$SB_CONFIG_FILE" ||
  fail "$SB_CONFIG_FILE is not a conffile"

# --- install -----------------------------------------------------------------
say "installing"
installed=yes
apt_get install --no-install-recommends "$deb" >"$work/apt.log" 2>&1 ||
  {
    cat "$work/apt.log" >&2
    fail "apt-get install failed"
  }
[[ "$(dpkg-query -W -f='${Status}' switchboard)" == "install ok installed" ]] || fail "the package is not fully installed"

uid=$(id -u "$SB_USER") || fail "postinst made no $SB_USER user"
((uid < 1000)) || fail "$SB_USER is not a system user (uid $uid)"
[[ "$(getent passwd "$SB_USER" | cut -d: -f7)" == */nologin || "$(getent passwd "$SB_USER" | cut -d: -f7)" == /bin/false ]] ||
  fail "$SB_USER has a login shell"
for dir in "$SB_DATA_DIR" "$SB_TENANTS_DIR"; do
  [[ "$(stat -c '%U:%G %a' "$dir")" == "$SB_USER:$SB_USER 750" ]] ||
    fail "$dir is $(stat -c '%U:%G %a' "$dir"), not $SB_USER:$SB_USER 750"
done
"$SB_BINARY" check-config --config "$SB_CONFIG_FILE" >"$work/check.log" 2>&1 ||
  {
    cat "$work/check.log" >&2
    fail "the installed config does not pass check-config"
  }

unit=/usr/lib/systemd/system/switchboard.service
if command -v systemd-analyze >/dev/null; then
  systemd-analyze verify "$unit" >"$work/verify.log" 2>&1 ||
    {
      cat "$work/verify.log" >&2
      fail "systemd-analyze verify rejects $unit"
    }
  say "systemd-analyze verify: ok"
fi

# The hardening an operator relies on, as installed (drop-ins included), read by
# packaging/check-unit-hardening.py and by systemd-analyze security --offline: its own
# user, ProtectSystem=strict, NoNewPrivileges, the data dir as the only writable path
# (PrivateTmp, ProtectHome), no capabilities, and LimitNOFILE above the installed
# config's max_connections plus 1024 files.
python3 "$SB_CHECK_UNIT" "$unit" --user "$SB_USER" --data-dir "$SB_DATA_DIR" --config "$SB_CONFIG_FILE" \
  >"$work/hardening.log" 2>&1 ||
  {
    cat "$work/hardening.log" >&2
    fail "the installed unit lost its hardening"
  }
say "$(sed 's/^check-unit-hardening: //' "$work/hardening.log")"

# An operator's first tenant: the packaged demo example, owned by the service.
cp -r "$SB_EXAMPLES_DIR/tenants/demo.toml" "$SB_EXAMPLES_DIR/tenants/demo" "$SB_TENANTS_DIR/"
chown -R "$SB_USER:$SB_USER" "$SB_TENANTS_DIR"

# --- start it as the unit would ------------------------------------------------
unit_value() { sed -n "s/^$1=//p" "$unit" | tail -n 1; }
exec_start=$(unit_value ExecStart)
user=$(unit_value User)
group=$(unit_value Group)
nofile=$(unit_value LimitNOFILE)
[[ -n "$exec_start" && "$user" == "$SB_USER" && "$group" == "$SB_USER" && -n "$nofile" ]] ||
  fail "the unit lacks ExecStart, User=$SB_USER, Group=$SB_USER or LimitNOFILE"
# Without CAP_SYS_RESOURCE a process cannot go above its hard limit; systemd can.
hard=$(ulimit -Hn)
[[ "$hard" == "unlimited" ]] || ((nofile <= hard)) || nofile=$hard
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

dropin=/run/systemd/system/switchboard.service.d
if [[ -d /run/systemd/system ]]; then
  # systemd runs here: the real unit, on a free port through a runtime drop-in.
  mode=systemd
  say "starting switchboard.service with systemd on port $port"
  mkdir -p "$dropin"
  printf '[Service]\nExecStart=\nExecStart=%s --listen 127.0.0.1:%s\n' "$exec_start" "$port" \
    >"$dropin/package-test.conf"
  systemctl daemon-reload
  systemctl restart switchboard.service || fail "systemctl restart switchboard.service failed"
else
  # No systemd (a container): its ExecStart as its User, with its LimitNOFILE, in
  # a clean environment from /, and its port on the command line.
  mode=direct
  say "starting: $exec_start --listen 127.0.0.1:$port (as $user, LimitNOFILE=$nofile; systemd is not running)"
  read -r -a command_line <<<"$exec_start"
  (cd / && exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
    prlimit --nofile="$nofile:$nofile" -- \
    setpriv --reuid="$user" --regid="$group" --init-groups --no-new-privs --inh-caps=-all -- \
    "${command_line[@]}" --listen "127.0.0.1:$port") >"$work/server.out" 2>"$work/server.log" 9>&- &
  server_pid=$!
fi

# fetch URL FILE [JSON]: GET (POST with JSON) URL, print the status, keep the body in FILE.
fetch() {
  python3 - "$@" <<'EOF'
import sys, urllib.request, urllib.error
url, out = sys.argv[1], sys.argv[2]
data = sys.argv[3].encode() if len(sys.argv) > 3 else None
request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
try:
    with urllib.request.urlopen(request, timeout=10) as r:
        status, body = r.status, r.read()
except urllib.error.HTTPError as e:
    status, body = e.code, e.read()
open(out, "wb").write(body)
print(status)
EOF
}
base="http://127.0.0.1:$port"
status=000
for _ in $(seq 1 150); do
  status=$(fetch "$base/readyz" "$work/readyz" 2>/dev/null) || status=000
  [[ "$status" == "200" ]] && break
  if [[ "$mode" == "direct" ]]; then
    kill -0 "$server_pid" 2>/dev/null || fail "the installed server exited at start"
  else
    systemctl -q is-failed switchboard.service && fail "switchboard.service failed at start"
  fi
  sleep 0.2
done
[[ "$status" == "200" ]] || fail "/readyz answered $status within 30 s: $(cat "$work/readyz" 2>/dev/null)"
[[ "$mode" == "systemd" ]] || grep -qx "listening on 127.0.0.1:$port" "$work/server.out" ||
  fail "the server did not print its 'listening on' line"
grep -q '"ready"' "$work/readyz" || fail "/readyz said $(cat "$work/readyz")"
say "/readyz: $(cat "$work/readyz")"

# The UIs come from the installed web dir, byte for byte.
for page in demo/ console/ admin/ widget.js; do
  file="$SB_WEB_DIR/$page"
  [[ "$page" == */ ]] && file="${file}index.html"
  status=$(fetch "$base/$page" "$work/page")
  [[ "$status" == "200" ]] || fail "/$page answered $status"
  cmp -s "$work/page" "$file" || fail "/$page is not $file"
done
say "/demo/, /console/, /admin/ and /widget.js are served from $SB_WEB_DIR"

# The demo tenant runs on the installed plugins: its widget settings come from it.
status=$(fetch "$base/v1/tenants/demo/widget" "$work/widget")
[[ "$status" == "200" ]] || fail "the demo tenant's widget settings answered $status: $(cat "$work/widget")"
ls "$SB_DATA_DIR/tenants/demo/storage-sqlite"/* >/dev/null 2>&1 ||
  fail "the demo tenant's SQLite storage is not in $SB_DATA_DIR"
# Signing in uses the install secret the server made in its data dir.
status=$(fetch "$base/v1/tenants/demo/auth/login" "$work/login" '{"email":"agent@demo.local","password":"demo-agent"}')
[[ "$status" == "200" ]] && grep -q '"token"' "$work/login" ||
  fail "the demo agent's sign-in answered $status: $(cat "$work/login")"
say "the demo tenant from $SB_EXAMPLES_DIR serves its widget and signs its agent in"

# The service wrote only into its data dir (ProtectSystem=strict would refuse the rest).
stray=$({
  find /etc /usr /var /run -xdev -user "$SB_USER" 2>/dev/null
  find /tmp -maxdepth 2 -user "$SB_USER" 2>/dev/null
} | grep -v "^$SB_DATA_DIR\(/\|$\)" || true)
[[ -z "$stray" ]] || fail "files of $SB_USER outside $SB_DATA_DIR: $(head -n 5 <<<"$stray" | tr '\n' ' ')"

if [[ "$mode" == "systemd" ]]; then
  systemctl stop switchboard.service
  [[ "$(systemctl show -p Result --value switchboard.service)" == "success" ]] ||
    fail "switchboard.service did not stop cleanly: $(systemctl show -p Result --value switchboard.service)"
  rm -f "$dropin/package-test.conf"
  rmdir "$dropin" 2>/dev/null || true
  systemctl daemon-reload
else
  kill -TERM "$server_pid"
  for _ in $(seq 1 100); do
    kill -0 "$server_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$server_pid" 2>/dev/null && fail "the server did not stop within 10 s of SIGTERM"
  exit_status=0
  wait "$server_pid" || exit_status=$?
  server_pid=""
  ((exit_status == 0)) || fail "the server exited with $exit_status on SIGTERM"
fi
say "stopped cleanly"

# --- remove, then purge ----------------------------------------------------------
# Its files (its own directories are named after it and caught by traces below).
files=$(dpkg -L switchboard | while read -r path; do [[ -d "$path" && ! -L "$path" ]] || echo "$path"; done)
apt_get remove switchboard >"$work/apt.log" 2>&1 || {
  cat "$work/apt.log" >&2
  fail "apt-get remove failed"
}
[[ ! -e "$SB_BINARY" ]] || fail "remove left $SB_BINARY"
[[ -f "$SB_CONFIG_FILE" && -d "$SB_DATA_DIR" ]] || fail "remove (not purge) took the config or the data"
apt_get purge switchboard >"$work/apt.log" 2>&1 || {
  cat "$work/apt.log" >&2
  fail "apt-get purge failed"
}
installed=no
dpkg-query -W -f='${Status}' switchboard 2>/dev/null | grep -qv "not-installed" && fail "dpkg still knows the package"
getent passwd "$SB_USER" >/dev/null && fail "purge left the $SB_USER user"
getent group "$SB_USER" >/dev/null && fail "purge left the $SB_USER group"
while read -r path; do
  [[ -z "$path" || ! -e "$path" ]] || fail "purge left $path"
done <<<"$files"
traces_after=$(traces)
[[ "$traces_after" == "$traces_before" ]] ||
  fail "purge left: $(comm -13 <(echo "$traces_before") <(echo "$traces_after") | head -n 5 | tr '\n' ' ')"
say "removed and purged: nothing left in /usr, /etc, /var/lib; took $((SECONDS - started)) s in all"
