#!/bin/sh
# Extracts what the lab VM sent over its second serial port: the base64 tar between the
# XB-LAB-BEGIN and XB-LAB-END lines of TRANSFER, unpacked into DIR. Fails when the frame is
# missing or cut short (the VM died before it finished).
# Usage: unframe.sh TRANSFER DIR
set -eu
transfer=$1 dir=$2
[ -f "$transfer" ] && grep -q '^XB-LAB-END' "$transfer" || exit 1
mkdir -p "$dir"
tr -d '\r' <"$transfer" | sed -n '/^XB-LAB-BEGIN$/,/^XB-LAB-END$/p' | sed '1d;$d' |
	base64 -d | tar -xzf - -C "$dir"
[ -f "$dir/status" ]
