#!/usr/bin/env bash
# Installs every Debian package Switchboard needs to build, test and benchmark.
# A second run is a no-op: packages already present are not touched, and apt is
# not even consulted when nothing is missing.
#
#   packaging/install-deps.sh           build + run dependencies
#   packaging/install-deps.sh --test    also the servers and tools the tests start
set -euo pipefail

build_pkgs=(
  g++ cmake make pkg-config ccache
  libboost1.81-dev libboost-json1.81-dev
  libtomlplusplus-dev libspdlog-dev libsqlite3-dev libssl-dev libsodium-dev
  libpqxx-dev libhiredis-dev libcli11-dev libhowardhinnant-date-dev tzdata
  libmagic-dev libgd-dev
  libopencc-dev libstemmer-dev
  # The server's allocator (CMake's SWITCHBOARD_JEMALLOC); brings libjemalloc2.
  libjemalloc-dev
  # cpack's .deb: its Depends are found with dpkg-shlibdeps (dpkg-dev) and file.
  dpkg-dev file
)
# The -dev packages above bring the shared libraries the server and plugins run
# with, which are the .deb's Depends (libsodium23, libsqlite3-0, libssl3, libjemalloc2, …).
# The bot's language data, read at run time by autoreply-faq: the jieba Chinese
# dictionary (a data file; no Python runs), OpenCC's conversion tables, WordNet.
run_pkgs=(python3-jieba opencc libopencc1.1 wordnet-base)
build_pkgs+=("${run_pkgs[@]}")
# Chromium renders the browser tests; the WenQuanYi font lets it draw the UIs' Chinese.
# postgresql-15: storage-postgres's tests start a private cluster of their own (initdb).
# redis-server: cluster-redis's tests start private servers of their own (no service).
# clang: .ci/run's sanitizer build with the libFuzzer harnesses (libFuzzer comes with it).
# ninja-build: .ci/run's builds (it keeps both cores busy where make waits on a target's
# libraries).
# systemd: systemd-analyze, with which the package tests check the unit (verify, and
# security --offline for its hardening); no running systemd is needed.
test_pkgs=(catch2 sqlite3 procps clang clang-format python3 chromium fonts-wqy-microhei postgresql-15 redis-server
  ninja-build systemd)

# The browser UIs are built with Node.js >= 18 and npm. Debian 12's own nodejs (18)
# and npm do; a machine that already has a newer Node (with its npm) keeps it:
# Debian's npm package would clash with it.
if ! command -v node >/dev/null 2>&1; then
  build_pkgs+=(nodejs npm)
fi

want=("${build_pkgs[@]}")
[[ "${1:-}" == "--test" ]] && want+=("${test_pkgs[@]}")

missing=()
for p in "${want[@]}"; do
  # dpkg-query prints "install ok installed" only for fully installed packages.
  if [[ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" != "install ok installed" ]]; then
    missing+=("$p")
  fi
done

if ((${#missing[@]} == 0)); then
  echo "install-deps: all ${#want[@]} packages present"
  exit 0
fi

sudo=""
[[ $(id -u) -ne 0 ]] && sudo="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get -o DPkg::Lock::Timeout=300 update -q
$sudo apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends "${missing[@]}"
