#!/bin/sh
# test_module_build.sh - builds the xstate_bench kernel module against Debian's 6.1 headers
# (linux-headers-6.1.0-*-amd64) with warnings as errors, so a compile break is caught here,
# and checks what kbuild produced: the vermagic of that kernel, the GPL licence that
# kernel_fpu_begin_mask() needs, and the kernel interfaces the module must use: the kapi
# site's fpu functions resolved by name at load time, never linked (a kernel without KVM
# would refuse to load a module that links them).
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
for sym in kernel_fpu_begin_mask kernel_fpu_end misc_register misc_deregister __symbol_get __symbol_put; do
	echo "$undefined" | grep -qx "$sym" || fail "$ko does not call $sym"
done
for sym in fpu_alloc_guest_fpstate fpu_free_guest_fpstate fpu_swap_kvm_fpstate fpu_enable_guest_xfd_features \
	fpu_update_guest_xfd fpu_copy_guest_fpstate_to_uabi fpu_copy_uabi_to_guest_fpstate switch_fpu_return; do
	echo "$undefined" | grep -qx "$sym" && fail "$ko links $sym: it must resolve it when it loads"
	strings "$ko" | grep -qx "$sym" || fail "$ko does not name $sym to resolve it"
done
echo "ok: $ko built for $release ($vermagic)"
