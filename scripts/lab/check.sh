#!/bin/sh
# Says whether this machine has what the lab needs (QEMU, busybox-static, cpio, kmod, xz, apt);
# exits 0 when it does, else 1 with the reason on stdout (`--quiet`: only the reason).
set -eu
missing=""
command -v qemu-system-x86_64 >/dev/null || missing="$missing qemu-system-x86"
dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'install ok installed' ||
	missing="$missing busybox-static"
command -v cpio >/dev/null || missing="$missing cpio"
command -v depmod >/dev/null || missing="$missing kmod"
command -v xz >/dev/null || missing="$missing xz-utils" # stage-modules.sh unpacks .ko.xz
command -v apt-get >/dev/null || missing="$missing apt"
if [ -n "$missing" ]; then
	echo "the lab needs Debian packages that are not installed:$missing (scripts/install-deps.sh installs them)"
	exit 1
fi
[ "${1:-}" = --quiet ] || echo "the lab can run: $(qemu-system-x86_64 --version | head -n 1)"
