#!/bin/sh
# Turns a staging tree into a bootable initramfs: busybox and its applets, the lab's /init,
# the usual mount points, packed as a gzip'd newc cpio archive.
# Usage: pack-initramfs.sh STAGE OUT
set -eu
stage=$1 out=$2
here=$(dirname "$0")

mkdir -p "$stage/bin" "$stage/sbin" "$stage/usr/bin" "$stage/usr/sbin" "$stage/proc" \
	 "$stage/sys" "$stage/dev" "$stage/tmp" "$stage/run" "$stage/root" "$stage/etc" "$stage/lab/work"
cp /bin/busybox "$stage/bin/busybox" # busybox-static: needs no libraries
cp "$here/init.sh" "$stage/init"
chmod 755 "$stage/init"
echo "root:x:0:0:root:/root:/bin/sh" >"$stage/etc/passwd"
echo "root:x:0:" >"$stage/etc/group"
(cd "$stage" && find . | cpio -o -H newc --quiet) | gzip -1 >"$out"
