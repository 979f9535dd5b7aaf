#!/bin/sh
# Copies one host file or directory into an initramfs staging tree at GUEST (a path inside
# the guest), and, for a dynamically linked executable, the shared libraries and loader it
# needs at the same paths as on the host.
# Usage: stage-file.sh STAGE HOST GUEST
set -eu
stage=$1 host=$2 guest=$3

mkdir -p "$stage/$(dirname "$guest")"
cp -a "$host" "$stage/$guest"
[ -f "$host" ] && [ -x "$host" ] || exit 0
# ldd lists "name => /path (addr)" for libraries and "/path (addr)" for the loader
ldd "$host" 2>/dev/null | sed -n 's/.*=> \(\/[^ ]*\) .*/\1/p; s/^[[:space:]]*\(\/[^ ]*\) .*/\1/p' |
while read -r lib; do
	[ -e "$stage/$lib" ] && continue
	mkdir -p "$stage/$(dirname "$lib")"
	cp -L "$lib" "$stage/$lib"
done
