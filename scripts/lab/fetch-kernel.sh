#!/bin/sh
# Fetches one Debian kernel (image, headers, kbuild tools) into the lab cache with
# `apt-get download` and extracts it with dpkg-deb -x; never installs anything on the host.
# Usage: fetch-kernel.sh CACHE ABI FLAVOUR   (e.g. ~/.cache/xstate-bench/lab 6.1.0-50 amd64)
# Prints the extracted root: CACHE/kernels/ABI-FLAVOUR, holding boot/vmlinuz-*, lib/modules/*
# and usr/src/linux-headers-*. A second run finds the root complete and fetches nothing.
set -eu
cache=$1 abi=$2 flavour=$3
release="$abi-$flavour"
root="$cache/kernels/$release"
debs="$cache/debs"

if [ -f "$root/.complete" ]; then
	echo "$root"
	exit 0
fi
mkdir -p "$debs"
# one fetch at a time per cache: concurrent lab runs wait here
exec 9>"$cache/.fetch.lock"
flock 9
if [ -f "$root/.complete" ]; then
	echo "$root"
	exit 0
fi
# as root apt-get download would drop to the _apt user, who cannot write the cache
apt_opts=""
[ "$(id -u)" != 0 ] || apt_opts="-o APT::Sandbox::User=root"
# a fresh machine may have no package lists yet: fetch them once
apt-cache show "linux-headers-$release" >/dev/null 2>&1 || [ "$(id -u)" != 0 ] || apt-get update -qq >&2 || true
common_flavour=common
case $flavour in rt-*) common_flavour=common-rt ;; esac
series=$(echo "$abi" | sed -n 's/^\([0-9]*\.[0-9]*\)[.-].*/\1/p')
# The unsigned image is the same kernel without the EFI signature wrapper; take whichever
# the archive still has.
image="linux-image-$release-unsigned"
apt-cache show "$image" >/dev/null 2>&1 || image="linux-image-$release"
kbuild="linux-kbuild-$abi" # 6.12 names its kbuild by ABI, 6.1 by series
apt-cache show "$kbuild" >/dev/null 2>&1 || kbuild="linux-kbuild-$series"
packages="$image linux-headers-$release linux-headers-$abi-$common_flavour $kbuild"
for p in $packages; do
	if ! apt-cache show "$p" >/dev/null 2>&1; then
		echo "fetch-kernel: Debian has no package $p (run apt-get update, or pick another ABI:" \
		     "apt-cache search linux-image-$series)" >&2
		exit 1
	fi
	ls "$debs/${p}_"*.deb >/dev/null 2>&1 && continue
	echo "fetch-kernel: apt-get download $p" >&2
	# shellcheck disable=SC2086 # options word-split on purpose
	(cd "$debs" && apt-get download -q $apt_opts "$p" >&2)
done
rm -rf "$root.tmp"
mkdir -p "$root.tmp"
for p in $packages; do
	dpkg-deb -x "$(ls "$debs/${p}_"*.deb | tail -n 1)" "$root.tmp"
done
ls "$root.tmp/boot/vmlinuz-$release" >/dev/null
depmod -b "$root.tmp" "$release" # the module dependency index modprobe reads
touch "$root.tmp/.complete"
rm -rf "$root"
mv "$root.tmp" "$root"
echo "$root"
