#!/bin/sh
# Installs every Debian package xstate-bench needs to build, test and run; safe to re-run.
set -eu

packages="
  build-essential cmake pkg-config git
  clang libclang-rt-14-dev
  libbenchmark-dev libbenchmark-tools
  libhwloc-dev hwloc-nox
  libpfm4-dev
  libsqlite3-dev sqlite3
  libpq-dev postgresql
  libcjson-dev
  zlib1g-dev
  libxml2-utils
  libcmocka-dev
  gnuplot-nox fonts-dejavu-core groff-base
  chromium
  python3 python3-scipy python3-numpy
  qemu-system-x86 busybox-static cpio kmod xz-utils
  linux-headers-amd64
  linux-source-6.1 ccache bc bison flex libelf-dev
"

missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
if [ -z "$missing" ]; then
  echo "install-deps: all packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
echo "install-deps: installing:$missing"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends $missing
