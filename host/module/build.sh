#!/bin/sh
# host/module/build.sh - builds the xstate_bench kernel module with kbuild against a kernel
# build directory, in a build directory that mirrors the source tree with links (kbuild of
# this era builds an external module in its own directory only).
set -eu

usage() {
	cat >&2 <<USAGE
usage: host/module/build.sh [--kdir DIR] [--out DIR] [--werror]

  --kdir DIR  the kernel build directory (default /lib/modules/\$(uname -r)/build);
              Debian's is /usr/src/linux-headers-RELEASE from linux-headers-RELEASE
  --out DIR   where to build (default build/module in a source tree, else ./xstate-bench-module);
              the module is DIR/xstate_bench.ko
  --werror    turn compiler warnings into errors
USAGE
	exit 2
}

src=$(cd "$(dirname "$0")/../.." && pwd)
kdir=/lib/modules/$(uname -r)/build
out=$src/build/module
# installed sources (share/xstate-bench, no CMakeLists.txt): build in the current directory
[ -f "$src/CMakeLists.txt" ] || out=$PWD/xstate-bench-module
kcflags=""
while [ $# -gt 0 ]; do
	case $1 in
	--kdir) [ $# -ge 2 ] || usage; kdir=$2; shift 2 ;;
	--out) [ $# -ge 2 ] || usage; out=$2; shift 2 ;;
	--werror) kcflags=-Werror; shift ;;
	--help) usage ;;
	*) echo "build.sh: unknown argument: $1" >&2; usage ;;
	esac
done
if [ ! -f "$kdir/Makefile" ]; then
	echo "build.sh: no kernel build directory at $kdir (install linux-headers-RELEASE)" >&2
	exit 1
fi

# Debian's per-flavour headers include their common tree by absolute path; for a kernel
# extracted from its packages elsewhere (the lab's), take the common tree beside them.
makefile=$kdir/Makefile
common=$(sed -n 's|^include \(/.*\)/Makefile$|\1|p' "$kdir/Makefile")
if [ -n "$common" ] && [ -f "$(dirname "$kdir")/$(basename "$common")/Makefile" ]; then
	makefile=$(dirname "$kdir")/$(basename "$common")/Makefile
fi

mkdir -p "$out/host/module/compat" "$out/kernels"
out=$(cd "$out" && pwd)
ln -sf "$src/host/module/Kbuild" "$out/Kbuild"
for f in "$src"/host/module/*.[ch]; do ln -sf "$f" "$out/host/module/"; done
for f in "$src"/host/module/compat/*.h; do ln -sf "$f" "$out/host/module/compat/"; done
for f in "$src"/kernels/*.[ch]; do ln -sf "$f" "$out/kernels/"; done
# No BTF for the module: it needs pahole and the kernel's vmlinux, and nothing here reads it.
make -C "$kdir" -f "$makefile" M="$out" KCFLAGS="$kcflags" CONFIG_DEBUG_INFO_BTF_MODULES= modules
echo "build.sh: built $out/xstate_bench.ko"
