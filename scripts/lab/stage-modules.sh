#!/bin/sh
# Copies kernel modules and everything they depend on from an extracted Debian kernel into
# an initramfs staging tree, and appends them in load order to STAGE/lab/modules.
# Usage: stage-modules.sh KERNEL_ROOT RELEASE STAGE MODULE...
set -eu
root=$1 release=$2 stage=$3
shift 3
moddir="lib/modules/$release"

[ -f "$root/$moddir/modules.dep.bin" ] || { echo "stage-modules: no modules.dep.bin in $root" >&2; exit 1; }
mkdir -p "$stage/lab"
touch "$stage/lab/modules"
for module in "$@"; do
	# insmod lines in dependency order, e.g. irqbypass, kvm, ccp, kvm-amd
	modprobe -d "$root" -S "$release" --show-depends "$module" | while read -r verb path _; do
		[ "$verb" = insmod ] || continue # "builtin NAME": nothing to load
		rel=${path#"$root"}
		rel=${rel#/}
		rel=${rel#./}
		dest="$stage/${rel%.xz}"
		grep -qx "/${rel%.xz}" "$stage/lab/modules" && continue
		mkdir -p "$(dirname "$dest")"
		case $path in
		*.xz) xz -dc "$path" >"$dest" ;; # busybox insmod takes plain .ko
		*) cp "$path" "$dest" ;;
		esac
		echo "/${rel%.xz}" >>"$stage/lab/modules"
	done
done
