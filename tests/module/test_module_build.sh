#!/bin/sh
# test_module_build.sh - builds the xstate_bench kernel module against Debian's 6.1 headers
# (linux-headers-6.1.0-*-amd64) with warnings as errors, so a compile break is caught here,
# and checks what kbuild produced: the vermagic of that kernel, the GPL licence that
# kernel_fpu_begin_mask() needs, and the kernel interfaces the module must use.
# Usage: test_module_build.sh SOURCE_DIR BUILD_DIR. Exits 77 (skip) when no headers are installed.
set -eu
src=$1
out=$2/module-test

kdir=$(ls -d /usr/src/linux-headers-6.1.0-*-amd64 2>/dev/null | sort -V | tail -n 1)
if [ -z "$kdir" ]; then
	echo "skip: no /usr/src/linux-headers-6.1.0-*-amd64 (scripts/install-deps.sh installs linux-headers-amd64)"
	exit 77
fi
release=${kdir#/usr/src/linux-headers-}
rm -rf "$out"
"$src/host/module/build.sh" --kdir "$kdir" --out "$out" --werror
ko=$out/xstate_bench.ko

fail() {
	echo "FAIL: $*" >&2
	exit 1
}
[ -f "$ko" ] || fail "no $ko"
vermagic=$(modinfo -F vermagic "$ko")
case $vermagic in
"$release "*) ;;
*) fail "vermagic '$vermagic' is not for $release" ;;
esac
[ "$(modinfo -F license "$ko")" = GPL ] || fail "licence is not GPL"
[ "$(modinfo -F name "$ko")" = xstate_bench ] || fail "module name is not xstate_bench"
undefined=$(nm -u "$ko" | awk '{print $2}')
for sym in kernel_fpu_begin_mask kernel_fpu_end misc_register misc_deregister; do
	echo "$undefined" | grep -qx "$sym" || fail "$ko does not call $sym"
done
echo "ok: $ko built for $release ($vermagic)"
